package upswift

import (
	"errors"
	"strings"
)

// redact replaces the client's token in s, so that no message, excerpt or
// Location taken from an answer or an error can show it.
func (c *Client) redact(s string) string {
	if c.token == "" || s == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "<redacted>")
}

// redactErr is err, or an error of the same text with the token redacted.
func (c *Client) redactErr(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); strings.Contains(msg, c.token) {
		return errors.New(c.redact(msg))
	}
	return err
}
