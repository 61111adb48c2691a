package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// apiHost is the endpoint's host in the proxy test: not a loopback name,
// since Go never sends requests for loopback hosts through a proxy. Only the
// test's proxy resolves it (to the emulator's loopback address), so nothing
// leaves the machine; .test is reserved and never resolves elsewhere.
const apiHost = "upswift.test"

// TestProviderProcess_httpsProxyAndPrivateCA proves that the provider keeps
// Go's network defaults behind a corporate network: the provider runs as
// its own process, built from this tree and started by the Terraform CLI
// through dev_overrides, with HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE in its
// environment (Go reads them once per process, so an in-process provider
// could not show this). The API is the emulator served over TLS with a
// certificate for upswift.test from a throwaway certificate authority,
// reached only through a local CONNECT proxy that records its tunnels.
func TestProviderProcess_httpsProxyAndPrivateCA(t *testing.T) {
	t.Parallel()
	cli := terraformCLI(t)
	providerDir := buildProvider(t)
	ca := newTestCA(t)
	caFile := filepath.Join(t.TempDir(), "corporate-ca.pem")
	if err := os.WriteFile(caFile, ca.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		// trustCA sets SSL_CERT_FILE to the authority's certificate.
		trustCA bool
		// wantRemoved are the devices that lose the app; nil when the apply
		// must fail.
		wantRemoved []string
		// wantError are parts of the error the apply fails with.
		wantError []string
	}{
		{name: "CA trusted through SSL_CERT_FILE", trustCA: true, wantRemoved: []string{"d-4ec7-1be9"}},
		{name: "CA missing", trustCA: false, wantError: []string{
			"certificate signed by unknown authority", "The server's certificate is not trusted",
			"private certificate authority", "system's certificate store", "SSL_CERT_FILE", "SSL_CERT_DIR",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := startTLSEmulator(t, ca.serverCert(t, apiHost))
			proxy := startConnectProxy(t, map[string]string{apiHost + ":443": api.addr})

			work := t.TempDir()
			writeFile(t, filepath.Join(work, "main.tf"), `
terraform {
  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

provider "upswift" {
  endpoint = "https://`+apiHost+`"
}

resource "upswift_app_removal" "through_proxy" {
  app_name = "legacy-agent"
  device_filter = {
    project = { name = "Demo" }
    filters = [{ type = "specific_device", operand = "is", value = "d-4ec7-1be9" }]
  }
}
`)
			env := processEnv(t, work, providerDir,
				"UPSWIFT_USER_TOKEN="+emulator.DemoToken,
				"HTTPS_PROXY="+proxy.url,
				"NO_PROXY=localhost,127.0.0.1,::1",
			)
			if tt.trustCA {
				env = append(env, "SSL_CERT_FILE="+caFile)
			}

			before := api.emulator.Devices(emulator.DemoToken)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			// -json: diagnostics arrive whole, not wrapped to a terminal's width.
			cmd := exec.CommandContext(ctx, cli, "apply", "-auto-approve", "-input=false", "-json")
			cmd.Dir = work
			cmd.Env = env
			out, err := cmd.CombinedOutput()

			if got := proxy.tunnels(); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != "CONNECT "+apiHost+":443" }) {
				t.Errorf("the proxy saw %q, want only CONNECT %s:443 (at least one)", got, apiHost)
			}
			if got := api.serverNames(); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != apiHost }) {
				t.Errorf("TLS server names asked of the emulator: %q, want only %q", got, apiHost)
			}
			if strings.Contains(string(out), emulator.DemoToken) {
				t.Errorf("the token appears in Terraform's output:\n%s", out)
			}
			reqs := api.emulator.Requests()
			after := api.emulator.Devices(emulator.DemoToken)

			if tt.wantRemoved == nil {
				if err == nil {
					t.Fatalf("apply succeeded without trusting the certificate authority:\n%s", out)
				}
				detail := applyErrors(t, out)
				for _, w := range tt.wantError {
					if !strings.Contains(detail, w) {
						t.Errorf("the apply's error lacks %q:\n%s", w, detail)
					}
				}
				if len(reqs) != 0 {
					t.Errorf("the emulator received %d requests over an untrusted connection", len(reqs))
				}
				if removed := lostApp(before, after, "legacy-agent"); len(removed) != 0 {
					t.Errorf("devices lost the app: %v", removed)
				}
				return
			}

			if err != nil {
				t.Fatalf("apply: %v\n%s", err, out)
			}
			if len(reqs) != 1 {
				t.Fatalf("the emulator received %d requests, want 1: %+v", len(reqs), reqs)
			}
			r := reqs[0]
			if r.Method != http.MethodDelete || r.Path != "/v1/device_apps" || r.Status != http.StatusOK {
				t.Errorf("the emulator received %s %s answered %d, want DELETE /v1/device_apps answered 200", r.Method, r.Path, r.Status)
			}
			if r.Body["app_name"] != "legacy-agent" {
				t.Errorf("app_name %v, want legacy-agent", r.Body["app_name"])
			}
			if !slices.Equal(r.Removed, tt.wantRemoved) {
				t.Errorf("the emulator removed the app from %v, want %v", r.Removed, tt.wantRemoved)
			}
			if removed := lostApp(before, after, "legacy-agent"); !slices.Equal(removed, tt.wantRemoved) {
				t.Errorf("devices that lost the app: %v, want %v", removed, tt.wantRemoved)
			}
		})
	}
}

// lostApp lists the devices that had app before and not after.
func lostApp(before, after map[string]emulator.DeviceView, app string) []string {
	var ids []string
	for id, d := range before {
		if _, had := d.Apps[app]; !had {
			continue
		}
		if _, has := after[id].Apps[app]; !has {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// testCA is a throwaway certificate authority.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Upswift provider test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// serverCert issues a server certificate for host.
func (ca *testCA) serverCert(t *testing.T, host string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsEmulator is the emulator with the demo fleet served over TLS on a
// loopback port.
type tlsEmulator struct {
	emulator *emulator.Emulator
	addr     string

	mu    sync.Mutex
	names []string // TLS server names (SNI) clients asked for
}

func (e *tlsEmulator) serverNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.names)
}

func startTLSEmulator(t *testing.T, cert tls.Certificate) *tlsEmulator {
	t.Helper()
	e := &tlsEmulator{emulator: emulator.New(emulator.DemoFleet())}
	srv := httptest.NewUnstartedServer(e.emulator)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			e.mu.Lock()
			e.names = append(e.names, hello.ServerName)
			e.mu.Unlock()
			return nil, nil
		},
	}
	// Handshakes refused by a client that does not trust the certificate
	// are expected; keep them out of the test output.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e.addr = srv.Listener.Addr().String()
	return e
}

// connectProxy is an HTTPS proxy: it answers CONNECT for the targets it
// knows, tunnelling them to a loopback address, and records every request.
type connectProxy struct {
	url    string
	routes map[string]string // CONNECT target -> address to dial

	mu   sync.Mutex
	seen []string // "METHOD target" of every request
}

func (p *connectProxy) tunnels() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

func startConnectProxy(t *testing.T, routes map[string]string) *connectProxy {
	t.Helper()
	p := &connectProxy{routes: routes}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.Host)
	p.mu.Unlock()
	if r.Method != http.MethodConnect {
		http.Error(w, "this proxy only tunnels (CONNECT)", http.StatusMethodNotAllowed)
		return
	}
	addr, ok := p.routes[r.Host]
	if !ok {
		http.Error(w, "no route to "+r.Host, http.StatusForbidden)
		return
	}
	upstream, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		_ = upstream.Close()
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		_ = conn.Close()
		_ = upstream.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, buf); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, upstream); done <- struct{}{} }()
	<-done
	_ = conn.Close()
	_ = upstream.Close()
	<-done
}
