package upswift

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// loopbackTable reads testdata/loopback-hosts.txt, which the emulator's
// tests read too.
func loopbackTable(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("testdata/loopback-hosts.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	table := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		host, want, ok := strings.Cut(line, "\t")
		if !ok || (want != "true" && want != "false") {
			t.Fatalf("bad line %q", line)
		}
		table[host] = want == "true"
	}
	if len(table) < 10 {
		t.Fatalf("only %d hosts in the table", len(table))
	}
	return table
}

func TestIsLoopbackHostTable(t *testing.T) {
	for host, want := range loopbackTable(t) {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
