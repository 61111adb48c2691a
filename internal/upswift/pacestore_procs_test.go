package upswift

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The shared pace between real processes: this test binary, started again
// as a helper that paces on a pace in the directory it is given.
const (
	helperEnv    = "UPSWIFT_PACE_HELPER" // what the helper does: starts or hold
	helperDirEnv = "UPSWIFT_PACE_HELPER_DIR"
	helperStarts = 150
)

// TestMain runs the tests, or, in a helper process, the helper.
func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "starts":
		os.Exit(reserveStarts(os.Getenv(helperDirEnv)))
	case "hold":
		os.Exit(holdLock(os.Getenv(helperDirEnv)))
	}
	os.Exit(2)
}

func helperPacer(dir string) *pacer {
	p := newPacer(0, nil)
	p.share(newPaceStore(dir, "https://api.example", testToken))
	return p
}

// reserveStarts prints the Unix nanoseconds of helperStarts starts, each
// answered at once.
func reserveStarts(dir string) int {
	p := helperPacer(dir)
	for n := 0; n < helperStarts; {
		tk, d := p.tryStart(true)
		if d > 0 {
			time.Sleep(d)
			continue
		}
		fmt.Println(tk.start.UnixNano())
		p.succeeded(tk)
		n++
	}
	if p.store.off != "" {
		fmt.Fprintln(os.Stderr, "paced alone:", p.store.off)
		return 1
	}
	return 0
}

// holdLock takes the pace's lock, says so, and keeps it until killed (or
// a minute has passed).
func holdLock(dir string) int {
	s := newPaceStore(dir, "https://api.example", testToken)
	if err := s.open(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := s.lock.Lock(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	return 0
}

func helperCmd(t *testing.T, what, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+what, helperDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestPaceStoreProcessesNeverShareAStart: three processes reserving starts
// at once on one pace never get the same start, and pace as one: any two
// starts, whichever process took them, are at least the pacer's shortest
// interval apart.
func TestPaceStoreProcessesNeverShareAStart(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var starts []int64
	var wg sync.WaitGroup
	for range 3 {
		cmd := helperCmd(t, "starts", dir)
		wg.Go(func() {
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("helper: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, f := range strings.Fields(string(out)) {
				n, err := strconv.ParseInt(f, 10, 64)
				if err != nil {
					t.Errorf("helper printed %q", f)
				}
				starts = append(starts, n)
			}
		})
	}
	wg.Wait()
	if len(starts) != 3*helperStarts {
		t.Fatalf("%d starts, want %d", len(starts), 3*helperStarts)
	}
	slices.Sort(starts)
	for i := 1; i < len(starts); i++ {
		if gap := time.Duration(starts[i] - starts[i-1]); gap < interval(maxRate) {
			t.Fatalf("starts %d and %d of all are %s apart, want at least %s between any two", i, i+1, gap, interval(maxRate))
		}
	}
}

// TestPaceStoreKilledHolderFreesLock: a process killed while it holds the
// lock leaves it to the others (the OS releases it), and the pace it left
// is read as a pace.
func TestPaceStoreKilledHolderFreesLock(t *testing.T) {
	dir := t.TempDir()
	p := helperPacer(dir)
	tk, _ := p.tryStart(false)
	p.succeeded(tk)
	cmd := helperCmd(t, "hold", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("helper said %q (%v), want locked", line, err)
	}
	if stepped(p) {
		t.Fatal("a step took the lock another process holds")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !stepped(p) || p.store.off != "" || p.accepted != 1 {
		t.Fatalf("after the holder was killed: the step took the lock: %v; sharing off: %q; accepted %d, want 1",
			stepped(p), p.store.off, p.accepted)
	}
}

// stepped makes p read the shared pace and reports whether it got the lock.
func stepped(p *pacer) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.step(time.Now(), func() {})
}
