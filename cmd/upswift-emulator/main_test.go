package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs the command in the background and returns its URL, read from
// -url-file, and a function that stops it and returns the exit code.
func start(t *testing.T, args ...string) (url string, stdout *syncBuffer, stop func() int) {
	t.Helper()
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- run(ctx, append(args, "-url-file", urlFile), stdout, stderr) }()
	stop = func() int {
		cancel()
		select {
		case c := <-code:
			if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
				t.Errorf("url file left behind: %v", err)
			}
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("the emulator did not stop")
			return -1
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		select {
		case c := <-code:
			cancel()
			t.Fatalf("run exited with %d: %s", c, stderr)
		default:
		}
		if data, err := os.ReadFile(urlFile); err == nil {
			return strings.TrimSpace(string(data)), stdout, stop
		}
	}
	cancel()
	t.Fatal("no url file after 10s")
	return "", nil, nil
}

func del(t *testing.T, url, body string) (int, http.Header, string) {
	t.Helper()
	return send(t, http.MethodDelete, url+"/v1/device_apps", body)
}

// send sends one request with a body and returns the answer.
func send(t *testing.T, method, url, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(data)
}

const demoBody = `{"user_token":"demo-token","app_name":"legacy-agent","device_filter":{"project":{"name":"Demo"},"groups":[],"filters":[]}}`

func TestRunServesDemoFleet(t *testing.T) {
	url, stdout, stop := start(t, "-latency", "0", "-rate", "0")
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(url) {
		t.Fatalf("url %q", url)
	}
	if want := "upswift-emulator listening on " + url + "\n"; stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if code, _, body := del(t, url, demoBody); code != 200 || !strings.Contains(body, "Success") {
		t.Errorf("removal: %d %s", code, body)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestRunServesReads: both fleet reads answer over the command's port, a
// GET with a JSON body.
func TestRunServesReads(t *testing.T) {
	url, _, stop := start(t, "-latency", "0", "-rate", "0")
	defer stop()
	tests := []struct{ path, body, want string }{
		{"/v1/devices_details", `{"user_token":"demo-token","device_name":"lab-03"}`, `"device_uuid":"d-f09c-5d13","device_name":"lab-03"`},
		{"/v1/get_devices_state", `{"user_token":"demo-token","limit":1}`, `{"message":[{"device_status":"offline","device_uuid":"d-19a2-7c30","device_name":"gateway-02"}]}`},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(http.MethodGet, url+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(data), tt.want) {
			t.Errorf("GET %s: %d %s, want 200 with %s", tt.path, resp.StatusCode, data, tt.want)
		}
	}
}

func TestHelpNamesThePaths(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, want := range []string{"DELETE /v1/device_apps", "DELETE /v1/device_tags", "GET    /v1/devices_details",
		"GET    /v1/get_devices_state", "/_emulator/requests", "POST   /_emulator/fleet/move",
		"POST   /_emulator/fleet/state", "POST   /_emulator/fleet/add", "-fail-next N"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestRunKnobFlags(t *testing.T) {
	url, _, stop := start(t, "-latency", "1ms", "-rate", "0.01", "-burst", "2", "-retry-after=false",
		"-fail-next", "1", "-fail-status", "502", "-fail-html")
	defer stop()
	wants := []struct {
		status int
		ctype  string
	}{{502, "text/html"}, {200, "application/json"}, {200, "application/json"}, {429, "application/json"}}
	for i, want := range wants {
		code, header, body := del(t, url, demoBody)
		if code != want.status || header.Get("Content-Type") != want.ctype {
			t.Errorf("request %d: %d %s %s, want %d %s", i, code, header.Get("Content-Type"), body, want.status, want.ctype)
		}
		if code == 429 && (header.Get("Retry-After") != "" || strings.TrimSpace(body) != "{}") {
			t.Errorf("429 with -retry-after=false: header %q body %s", header.Get("Retry-After"), body)
		}
	}
}

func TestRunFleetFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.json")
	fleet := `{"accounts":[{"user_token":"file-token","apps":["a"],"projects":[{"name":"P","groups":[{"name":"G","devices":[{"id":"d-1","state":"online","apps":{"a":"1"}}]}]}]}]}`
	if err := os.WriteFile(path, []byte(fleet), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _, stop := start(t, "-fleet", path, "-rate", "0")
	defer stop()
	body := `{"user_token":"file-token","app_name":"a","device_filter":{"project":{"name":"P"},"groups":[{"name":"G"}],"filters":[]}}`
	if code, _, resp := del(t, url, body); code != 200 {
		t.Errorf("removal: %d %s", code, resp)
	}
	if code, _, _ := del(t, url, demoBody); code != 400 {
		t.Errorf("demo token accepted by a file fleet: %d", code)
	}
}

func TestRunRefuses(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"accounts":[{"user_token":"t","projects":[{"name":"P","groups":[{"name":"G","devices":[{"id":"d-1","state":"asleep"}]}]}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"non-loopback host", []string{"-addr", "0.0.0.0:8080"}, 2, "only loopback hosts"},
		{"all interfaces", []string{"-addr", ":8080"}, 2, "only loopback hosts"},
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, 2, "unexpected arguments"},
		{"negative rate", []string{"-rate", "-1"}, 2, "-rate must not be negative"},
		{"zero burst", []string{"-burst", "0"}, 2, "-burst must be at least 1"},
		{"bad fail status", []string{"-fail-status", "42"}, 2, "-fail-status must be an HTTP status"},
		{"missing fleet file", []string{"-fleet", filepath.Join(t.TempDir(), "nope.json")}, 1, "no such file"},
		{"invalid fleet file", []string{"-fleet", bad}, 1, `state "asleep" is not one of online, offline`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}
