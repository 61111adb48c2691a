//go:build unix

package upswift

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPaceStoreDistrustsFiles: a file others could have written (wider
// permissions, another owner, a symbolic link in its place, a directory
// others may write) is not read: the process paces alone, says why
// without the token, and leaves the file as it is.
func TestPaceStoreDistrustsFiles(t *testing.T) {
	for _, tt := range []struct {
		name string
		make func(t *testing.T, dir, path string) // makes the untrusted file
		why  string
	}{
		{"mode 0644", func(t *testing.T, _, path string) { writeTrusted(t, path); chmod(t, path, 0o644) }, "wider"},
		{"mode 0660", func(t *testing.T, _, path string) { writeTrusted(t, path); chmod(t, path, 0o660) }, "wider"},
		{"directory mode 0777", func(t *testing.T, dir, path string) { writeTrusted(t, path); chmod(t, dir, 0o777) }, "wider"},
		{"a symbolic link", func(t *testing.T, dir, path string) {
			target := filepath.Join(dir, "elsewhere")
			writeTrusted(t, target)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"another user's", func(t *testing.T, _, path string) {
			if os.Geteuid() != 0 {
				t.Skip("giving a file to another user needs root; run as root to cover this case")
			}
			writeTrusted(t, path)
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "owned by user 65534"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pacers, clock, dir := sharedPacers(t, 1)
			p := pacers[0]
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			tt.make(t, dir, p.store.path)
			before, _ := os.ReadFile(p.store.path)
			p.succeeded(startWhenDue(p, clock))
			if p.store.off == "" || !strings.Contains(p.store.off, tt.why) || p.accepted != 1 {
				t.Fatalf("sharing is %q with %d accepted, want off (%s) and the pacer counting alone", p.store.off, p.accepted, tt.why)
			}
			if strings.Contains(p.store.off, testToken) {
				t.Fatalf("the reason names the token: %s", p.store.off)
			}
			if after, _ := os.ReadFile(p.store.path); string(after) != string(before) {
				t.Fatalf("an untrusted file was written: %s", after)
			}
		})
	}
}

// writeTrusted writes a valid pace file, owner-only.
func writeTrusted(t *testing.T, path string) {
	t.Helper()
	pacers, clock, dir := sharedPacers(t, 1)
	pacers[0].succeeded(startWhenDue(pacers[0], clock))
	_, src := readPace(t, dir)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
