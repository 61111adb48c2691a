package upswift

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientSharesPace: clients with the same endpoint and token share one
// pace in PaceDir; a client without SharedPace writes nothing there.
func TestClientSharesPace(t *testing.T) {
	srv := httptest.NewServer(&recorder{answers: []answer{ok200, ok200, ok200}})
	defer srv.Close()
	dir := t.TempDir()
	for _, shared := range []bool{false, true, true} {
		c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, SharedPace: shared, PaceDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.RemoveApp(context.Background(), testRemoval); err != nil {
			t.Fatal(err)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "pace-*.json")); len(files) != map[bool]int{false: 0, true: 1}[shared] {
			t.Fatalf("shared %v: pace files %v", shared, files)
		}
	}
	if f, _ := readPace(t, dir); f.Accepted != 2 {
		t.Fatalf("the shared pace counted %d accepted requests, want the two of the sharing clients", f.Accepted)
	}
}

// TestClientPacesAloneWithOneDebugLine: a client whose shared pace cannot
// be used works alone and says why once, at DEBUG, without the token.
func TestClientPacesAloneWithOneDebugLine(t *testing.T) {
	srv := httptest.NewServer(&recorder{answers: []answer{ok200, ok200}})
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	log := &recordingLogger{}
	c, err := NewClient(Options{Endpoint: srv.URL, UserToken: testToken, SharedPace: true, PaceDir: filepath.Join(file, "pace"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.RemoveApp(context.Background(), testRemoval); err != nil {
			t.Fatalf("a client whose pace cannot be shared failed: %v", err)
		}
	}
	var alone []string
	for _, l := range log.lines {
		if strings.Contains(l, testToken) {
			t.Errorf("log line holds the token: %s", l)
		}
		if strings.Contains(l, "pacing alone") {
			alone = append(alone, l)
		}
	}
	if len(alone) != 1 || !strings.Contains(alone[0], "reason:") {
		t.Fatalf("lines saying the client paces alone: %q, want one with its reason", alone)
	}
}
