package upswift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The reads' answers are decoded field by field, so that a field that is
// missing or of another JSON type than the API documents is an error that
// names it, where it is and what was expected, never a silent zero value
// that would change which devices a filter selects.

// FieldError is a field of an answer that is missing or not of the
// documented type or form.
type FieldError struct {
	// Where locates the object: "devices_details: device 17 of page 3".
	Where string
	// Field is the field's name, with the path inside the object for
	// nested ones: "updates[2].update_id".
	Field string
	// Got says what the field is: "missing", "a string", "null" ...
	Got string
	// Want says what the API documents: "a list of strings".
	Want string
}

func (e *FieldError) Error() string {
	if e.Got == "missing" {
		return fmt.Sprintf("%s: field %q is missing, want %s", e.Where, e.Field, e.Want)
	}
	return fmt.Sprintf("%s: field %q is %s, want %s", e.Where, e.Field, e.Got, e.Want)
}

// answerObject is one JSON object of an answer: a device, a state, an
// update. prefix is put before field names ("updates[2].") in errors.
//
// Its reads keep the first error, as a bufio.Scanner does: once a read
// fails, err holds why and later reads do nothing and return zero values,
// so that a decoder reads every field in turn and checks err once, at the
// end. The error is made when the read fails, so it names the object as
// where said at that moment.
type answerObject struct {
	fields map[string]json.RawMessage
	where  string
	prefix string
	err    error
}

// decodeObject reads raw as a JSON object; where and field name it in
// errors ("devices_details: device 3 of page 1", "message[]"). A value that
// is not an object leaves the error in err.
func decodeObject(raw json.RawMessage, where, field, want string) answerObject {
	o := answerObject{where: where}
	if kind := jsonKind(raw); kind != "an object" {
		o.fail(field, kind, want)
	} else if json.Unmarshal(raw, &o.fields) != nil {
		o.fail(field, "not valid JSON", want)
	}
	return o
}

// fail keeps the error of a field, unless an earlier one is kept.
func (o *answerObject) fail(key, got, want string) {
	if o.err == nil {
		o.err = &FieldError{Where: o.where, Field: o.prefix + key, Got: got, Want: want}
	}
}

// raw returns the field's JSON; a missing field is an error.
func (o *answerObject) raw(key, want string) json.RawMessage {
	if o.err != nil {
		return nil
	}
	v, ok := o.fields[key]
	if !ok {
		o.fail(key, "missing", want)
	}
	return v
}

// text reads a field that must be a JSON string.
func (o *answerObject) text(key string) string {
	const want = "a string"
	v := o.raw(key, want)
	var s string
	if o.err == nil && (jsonKind(v) != "a string" || json.Unmarshal(v, &s) != nil) {
		o.fail(key, jsonKind(v), want)
	}
	return s
}

// integer reads a field that must be a JSON number without a fraction.
func (o *answerObject) integer(key string) int64 {
	const want = "an integer"
	v := o.raw(key, want)
	if o.err != nil {
		return 0
	}
	if jsonKind(v) != "a number" {
		o.fail(key, jsonKind(v), want)
		return 0
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	if err != nil {
		o.fail(key, "the number "+excerpt(v, 40), want)
		return 0
	}
	return n
}

// boolean reads a field that must be true or false.
func (o *answerObject) boolean(key string) bool {
	const want = "true or false"
	v := o.raw(key, want)
	var b bool
	if o.err == nil && (jsonKind(v) != "a boolean" || json.Unmarshal(v, &b) != nil) {
		o.fail(key, jsonKind(v), want)
	}
	return b
}

// texts reads a field that must be a list of strings.
func (o *answerObject) texts(key string) []string {
	items := o.list(key, "a list of strings")
	out := make([]string, len(items))
	for i, item := range items {
		if jsonKind(item) != "a string" || json.Unmarshal(item, &out[i]) != nil {
			o.fail(fmt.Sprintf("%s[%d]", key, i), jsonKind(item), "a string")
			return nil
		}
	}
	return out
}

// list reads a field that must be a JSON list; want names what the list
// holds, for errors.
func (o *answerObject) list(key, want string) []json.RawMessage {
	v := o.raw(key, want)
	if o.err != nil {
		return nil
	}
	var items []json.RawMessage
	if jsonKind(v) != "a list" || json.Unmarshal(v, &items) != nil {
		o.fail(key, jsonKind(v), want)
		return nil
	}
	return items
}

// timeLayouts are the forms of the API's timestamps the client reads: the
// documented one ("2020-02-08 16:12:11", UTC without a zone) first.
var timeLayouts = []string{time.DateTime, time.RFC3339Nano, "2006-01-02T15:04:05"}

// timestamp reads a field that must be a timestamp as the API writes them.
func (o *answerObject) timestamp(key string) (string, time.Time) {
	s := o.text(key)
	if o.err != nil {
		return "", time.Time{}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return s, t
		}
	}
	o.fail(key, strconv.Quote(s), `a time such as "2020-02-08 16:12:11"`)
	return "", time.Time{}
}

// jsonKind names the JSON type of a value, as errors show it.
func jsonKind(raw json.RawMessage) string {
	v := bytes.TrimSpace(raw)
	if len(v) == 0 {
		return "empty"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
