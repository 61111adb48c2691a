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
type answerObject struct {
	fields map[string]json.RawMessage
	where  string
	prefix string
}

// decodeObject reads raw as a JSON object; what names it in errors ("the
// answer", "device 3 of page 1").
func decodeObject(raw json.RawMessage, where, field, want string) (answerObject, error) {
	var fields map[string]json.RawMessage
	if kind := jsonKind(raw); kind != "an object" {
		return answerObject{}, &FieldError{Where: where, Field: field, Got: kind, Want: want}
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return answerObject{}, &FieldError{Where: where, Field: field, Got: "not valid JSON", Want: want}
	}
	return answerObject{fields: fields, where: where}, nil
}

func (o answerObject) fail(key, got, want string) error {
	return &FieldError{Where: o.where, Field: o.prefix + key, Got: got, Want: want}
}

// raw returns the field's JSON, or an error when it is missing.
func (o answerObject) raw(key, want string) (json.RawMessage, error) {
	v, ok := o.fields[key]
	if !ok {
		return nil, o.fail(key, "missing", want)
	}
	return v, nil
}

// text reads a field that must be a JSON string.
func (o answerObject) text(key string) (string, error) {
	const want = "a string"
	v, err := o.raw(key, want)
	if err != nil {
		return "", err
	}
	var s string
	if jsonKind(v) != "a string" || json.Unmarshal(v, &s) != nil {
		return "", o.fail(key, jsonKind(v), want)
	}
	return s, nil
}

// integer reads a field that must be a JSON number without a fraction.
func (o answerObject) integer(key string) (int64, error) {
	const want = "an integer"
	v, err := o.raw(key, want)
	if err != nil {
		return 0, err
	}
	if jsonKind(v) != "a number" {
		return 0, o.fail(key, jsonKind(v), want)
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	if err != nil {
		return 0, o.fail(key, "the number "+excerpt(v, 40), want)
	}
	return n, nil
}

// boolean reads a field that must be true or false.
func (o answerObject) boolean(key string) (bool, error) {
	const want = "true or false"
	v, err := o.raw(key, want)
	if err != nil {
		return false, err
	}
	var b bool
	if jsonKind(v) != "a boolean" || json.Unmarshal(v, &b) != nil {
		return false, o.fail(key, jsonKind(v), want)
	}
	return b, nil
}

// texts reads a field that must be a list of strings.
func (o answerObject) texts(key string) ([]string, error) {
	const want = "a list of strings"
	items, err := o.list(key, want)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, item := range items {
		if jsonKind(item) != "a string" || json.Unmarshal(item, &out[i]) != nil {
			return nil, o.fail(fmt.Sprintf("%s[%d]", key, i), jsonKind(item), "a string")
		}
	}
	return out, nil
}

// list reads a field that must be a JSON list; want names what the list
// holds, for errors.
func (o answerObject) list(key, want string) ([]json.RawMessage, error) {
	v, err := o.raw(key, want)
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if jsonKind(v) != "a list" || json.Unmarshal(v, &items) != nil {
		return nil, o.fail(key, jsonKind(v), want)
	}
	return items, nil
}

// timeLayouts are the forms of the API's timestamps the client reads: the
// documented one ("2020-02-08 16:12:11", UTC without a zone) first.
var timeLayouts = []string{time.DateTime, time.RFC3339Nano, "2006-01-02T15:04:05"}

// timestamp reads a field that must be a timestamp as the API writes them.
func (o answerObject) timestamp(key string) (string, time.Time, error) {
	s, err := o.text(key)
	if err != nil {
		return "", time.Time{}, err
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return s, t, nil
		}
	}
	return "", time.Time{}, o.fail(key, strconv.Quote(s), `a time such as "2020-02-08 16:12:11"`)
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
