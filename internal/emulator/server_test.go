package emulator

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"127.0.0.2:8080", true},
		{"localhost:0", true},
		{"[::1]:0", true},
		{":0", false},
		{"0.0.0.0:0", false},
		{"[::]:0", false},
		{"192.168.1.10:8080", false},
		{"example.com:80", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		if err := CheckLoopback(tt.addr); (err == nil) != tt.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0"} {
		if s, err := Start(addr, New(DemoFleet())); err == nil {
			_ = s.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	if _, err := Start("127.0.0.1:0", nil); err == nil {
		t.Error("Start with a nil Emulator succeeded")
	}
}

func TestStartServeClose(t *testing.T) {
	e := New(DemoFleet())
	s, err := Start("127.0.0.1:0", e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || strings.HasSuffix(s.URL, ":0") || s.Emulator != e {
		t.Fatalf("URL %q", s.URL)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(s.URL + "/_emulator/health")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d", resp.StatusCode)
	}
	if a := call(t, client, s.URL); a.status != 200 {
		t.Fatalf("removal: %+v", a)
	}

	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	client.CloseIdleConnections()
	if _, err := client.Get(s.URL + "/_emulator/health"); err == nil {
		t.Error("server still answering after Close")
	}
}

func TestCloseWaitsForRequestsInFlight(t *testing.T) {
	e := New(DemoFleet())
	s, err := Start("127.0.0.1:0", e)
	if err != nil {
		t.Fatal(err)
	}
	e.SetLatency(100 * time.Millisecond)
	got := make(chan answer, 1)
	go func() { got <- call(t, &http.Client{Timeout: 5 * time.Second}, s.URL) }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		e.mu.Lock()
		n := len(e.log)
		e.mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if a := <-got; a.err != nil || a.status != 200 {
		t.Errorf("request in flight during Close: %+v", a)
	}
}

// TestCloseWithASilentConnection: a connection that a client opened but
// has not sent a request on (an HTTP client dials spares when many
// requests wait) does not make Close fail: net/http treats such a
// connection as busy for its first five seconds, and Close waits that out.
func TestCloseWithASilentConnection(t *testing.T) {
	s, err := Start("127.0.0.1:0", New(nil))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	// The listener hands out connections in the order they came: once a
	// request on a connection dialed later is answered, the silent one has
	// been accepted too.
	resp, err := http.Get(s.URL + InspectPrefix + "health")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if err := s.Close(); err != nil {
		t.Fatalf("Close with a silent connection open: %v", err)
	}
}
