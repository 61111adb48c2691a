package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is an Emulator served over HTTP on a loopback address.
type Server struct {
	// URL is the base URL, like "http://127.0.0.1:41234", without a
	// trailing slash.
	URL string
	// Emulator is the handler being served.
	Emulator *Emulator

	srv       *http.Server
	done      chan struct{} // closed when Serve returns
	serveErr  error
	closeOnce sync.Once
	closeErr  error
}

// shutdownTimeout bounds how long Close waits for requests in flight. It
// is longer than the five seconds net/http counts a connection that has
// not sent its first request as busy: an HTTP client with many requests
// waiting dials spare connections that may never carry one, and Close must
// outwait them rather than fail.
const shutdownTimeout = 10 * time.Second

// Start listens on addr (for example "127.0.0.1:0" for a free port) and
// serves e in the background. It refuses addresses whose host is not a
// loopback IP or "localhost": the emulator is for local tests only.
func Start(addr string, e *Emulator) (*Server, error) {
	if e == nil {
		return nil, errors.New("emulator: Start needs an Emulator")
	}
	if err := CheckLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		Emulator: e,
		srv:      &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	return s, nil
}

// CheckLoopback returns an error unless addr is "host:port" with a loopback
// host: "localhost" (in any case) or a loopback IP address. The provider's
// client allows plain http for exactly these hosts (upswift.IsLoopbackHost);
// the tests of both check them against one table of hosts.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator: bad listen address %q: %w", addr, err)
	}
	if isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("emulator: refusing to listen on %q: only loopback hosts (127.0.0.1, ::1, localhost) are allowed", addr)
}

// isLoopbackHost reports whether host is localhost or a loopback IP address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Close shuts the server down gracefully, waiting up to ten seconds for
// requests in flight, then closes what is left. It is safe to call more than
// once; later calls return the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.closeErr = errors.Join(err, s.srv.Close())
		}
		<-s.done
		if s.closeErr == nil {
			s.closeErr = s.serveErr
		}
	})
	return s.closeErr
}
