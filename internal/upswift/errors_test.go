package upswift

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRequestErrorHint(t *testing.T) {
	wrap := func(err error) error {
		return &url.Error{Op: "Delete", URL: "https://api.example.test/v1/device_apps", Err: err}
	}
	tests := []struct {
		name     string
		err      error
		want     []string
		wantNone bool
	}{
		{"unknown authority", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}),
			[]string{"not trusted", "private certificate authority", "system's certificate store", "SSL_CERT_FILE", "SSL_CERT_DIR"}, false},
		{"wrong host name", wrap(&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "api.example.test"}}),
			[]string{"not valid for the endpoint's host name", "UPSWIFT_ENDPOINT"}, false},
		{"expired", wrap(&tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.Expired}}),
			[]string{"expired", "clock", "SSL_CERT_FILE"}, false},
		{"connection refused", wrap(errors.New("dial tcp 127.0.0.1:1: connect: connection refused")), nil, true},
		{"timeout", context.DeadlineExceeded, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &RequestError{Attempts: 1, Err: tt.err}
			hint := e.Hint()
			if tt.wantNone {
				if hint != "" {
					t.Fatalf("Hint() = %q, want none", hint)
				}
				if e.Error() != "no answer from the API after 1 attempt(s): "+tt.err.Error() {
					t.Errorf("Error() = %q", e.Error())
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(hint, w) {
					t.Errorf("Hint() lacks %q: %s", w, hint)
				}
			}
			if !strings.HasSuffix(e.Error()+".", ". "+hint) || !strings.Contains(e.Error(), tt.err.Error()) {
				t.Errorf("Error() does not carry the cause and the hint: %s", e.Error())
			}
		})
	}
}

// The client's own transport verifies the server certificate against the
// system's store: a test server's certificate, from a throwaway authority,
// is refused with the hint, and no request reaches the server.
func TestRemoveAppRefusesAnUntrustedCertificate(t *testing.T) {
	tests := []struct {
		name string
		// endpoint returns the endpoint to use for the server.
		endpoint func(*httptest.Server) string
		// trust makes the client trust the server's certificate.
		trust bool
		want  []string
	}{
		{"unknown authority", func(s *httptest.Server) string { return s.URL }, false,
			[]string{"certificate signed by unknown authority", "not trusted", "SSL_CERT_FILE"}},
		// httptest's certificate names example.com, 127.0.0.1 and ::1, not localhost.
		{"host name not in the certificate", func(s *httptest.Server) string {
			return "https://localhost:" + s.URL[strings.LastIndex(s.URL, ":")+1:]
		}, true, []string{"not valid for the endpoint's host name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{answers: []answer{{status: 200, body: "{}"}}}
			srv := httptest.NewUnstartedServer(rec)
			// The refused handshakes are expected; keep them out of the output.
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			t.Cleanup(srv.Close)
			o := Options{Endpoint: tt.endpoint(srv), UserToken: testToken, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond}
			if tt.trust {
				tr := srv.Client().Transport.(*http.Transport).Clone()
				o.Transport = tr
			}
			c, err := NewClient(o)
			if err != nil {
				t.Fatal(err)
			}
			err = c.RemoveApp(context.Background(), RemoveAppRequest{AppName: "a", DeviceFilter: DeviceFilter{Project: Project{Name: "P"}}})
			var reqErr *RequestError
			if !errors.As(err, &reqErr) {
				t.Fatalf("want *RequestError, got %T %v", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if reqErr.Attempts != 1 {
				t.Errorf("a certificate error was retried: %d attempts", reqErr.Attempts)
			}
			if n := len(rec.got()); n != 0 {
				t.Errorf("the server got %d requests over an unverified connection", n)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}
