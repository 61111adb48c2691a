package emulator

import (
	"bufio"
	"net"
	"os"
	"strings"
	"testing"
)

// TestCheckLoopbackSharedTable: the emulator listens on exactly the hosts
// for which the provider's client allows plain http. The table lives with
// the client (testdata/loopback-hosts.txt of internal/upswift); the emulator
// reads it rather than importing the client.
func TestCheckLoopbackSharedTable(t *testing.T) {
	f, err := os.Open("../upswift/testdata/loopback-hosts.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		host, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		n++
		addr := net.JoinHostPort(host, "0")
		if err := CheckLoopback(addr); (err == nil) != (want == "true") {
			t.Errorf("CheckLoopback(%q) = %v, want loopback=%s", addr, err, want)
		}
	}
	if n < 10 {
		t.Fatalf("only %d hosts read", n)
	}
}
