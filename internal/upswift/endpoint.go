package upswift

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultEndpoint is the base URL of the public API.
const DefaultEndpoint = "https://api.connect.jfrog.io"

// apiPrefix is the path prefix of the API version this client speaks. It is
// kept in one place so that another version can be added beside it.
const apiPrefix = "/v1"

// ParseEndpoint checks that s is an absolute http(s) URL with a host and no
// query or fragment. Plain http is accepted only for loopback hosts, so that
// a token is never sent in the clear over a network.
func ParseEndpoint(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Error repeats the whole URL, credentials included: keep only
		// what is wrong with it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%q is not a valid URL: %w", redactRaw(s), err)
	}
	if !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL; expected e.g. %s", redactRaw(s), DefaultEndpoint)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not contain credentials, a query or a fragment", redactUserinfo(u))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("%q uses plain http, which is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1); use https", s)
		}
	default:
		return nil, fmt.Errorf("%q has scheme %q; expected https (or http for a loopback host)", s, u.Scheme)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// IsLoopbackHost reports whether host is localhost (in any case) or a
// loopback IP address. The emulator listens only on exactly these hosts
// (emulator.CheckLoopback); the tests of both check them against one table,
// testdata/loopback-hosts.txt.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func redactUserinfo(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User("REDACTED")
	}
	return c.String()
}

// redactRaw hides a userinfo part ("user:password@") of a URL that may not
// parse, or parse without a host: everything before the last "@" of what
// would be its authority.
func redactRaw(s string) string {
	scheme, rest := "", s
	if i := strings.Index(s, "//"); i >= 0 {
		scheme, rest = s[:i+2], s[i+2:]
	}
	authority := rest
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		authority = rest[:j]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return s
	}
	return scheme + "REDACTED" + rest[at:]
}
