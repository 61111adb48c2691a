package upswift

import (
	"errors"
	"strings"
)

func (c *Client) redact(s string) string {
	if c.token == "" || s == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "<redacted>")
}

func (c *Client) redactErr(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); strings.Contains(msg, c.token) {
		return errors.New(c.redact(msg))
	}
	return err
}
