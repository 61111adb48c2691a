package upswift

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeError: any answer decodes without panicking into an error whose
// text is one printable line of bounded length.
func FuzzDecodeError(f *testing.F) {
	seeds := []struct {
		status int
		ct     string
		body   string
	}{
		{400, "application/json", `{"error_message": "App not found"}`},
		{429, "application/json", `{}`},
		{502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"},
		{500, "", ""},
		{503, "text/plain", "upstream connect error\r\nor disconnect"},
		{400, "application/json", `{"error_message": null, "message": "x"}`},
		{400, "application/json", `{"error_message": ["a", 1]}`},
		{400, "application/json", `{"error_message": "` + strings.Repeat("é", 2000) + `"}`},
		{404, "application/octet-stream", "\x00\xff\xfe<\x01>"},
		{418, "application/json", `{"error_message": "unterminated`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		e := DecodeError(status, contentType, body)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		for _, s := range []string{e.Message, e.Body} {
			if strings.ContainsAny(s, "\n\r\x00") {
				t.Fatalf("not one printable line: %q", s)
			}
			if utf8.RuneCountInString(s) > 501 {
				t.Fatalf("excerpt of %d runes is not bounded", utf8.RuneCountInString(s))
			}
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
		if msg := e.Error(); msg == "" {
			t.Fatal("empty error text")
		}
	})
}

// FuzzFilterValidate: Validate accepts exactly the documented combinations
// and its errors name the refused field and what is allowed.
func FuzzFilterValidate(f *testing.F) {
	for _, ft := range FilterTypes {
		for _, op := range []string{"is", "is_not"} {
			for _, v := range append(slices.Clone(ft.Values), "", "x", "online") {
				f.Add(ft.Name, op, v)
			}
		}
	}
	f.Add("", "", "")
	f.Add("Tag", "IS", "edge")
	f.Fuzz(func(t *testing.T, typ, operand, value string) {
		err := Filter{Type: typ, Operand: operand, Value: value}.Validate()
		ft, known := LookupFilterType(typ)
		valid := known && slices.Contains(ft.Operands, operand) && value != "" &&
			(ft.Values == nil || slices.Contains(ft.Values, value))
		if valid != (err == nil) {
			t.Fatalf("Validate(%q, %q, %q) = %v, want valid=%v", typ, operand, value, err, valid)
		}
		var fe *FilterError
		if err != nil && (!errors.As(err, &fe) || !strings.Contains(err.Error(), fe.Field)) {
			t.Fatalf("error %v does not name the field", err)
		}
	})
}
