package upswift

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// sharedPacers returns n pacers on one fake clock that share one pace in
// a temporary directory, as n processes of one machine would.
func sharedPacers(t *testing.T, n int) ([]*pacer, *fakeClock, string) {
	t.Helper()
	dir := t.TempDir()
	clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	pacers := make([]*pacer, n)
	for i := range pacers {
		pacers[i] = newPacer(0, clock.now)
		pacers[i].share(newPaceStore(dir, "https://api.example", testToken))
	}
	return pacers, clock, dir
}

// readPace decodes the one pace file in dir.
func readPace(t *testing.T, dir string) (paceFile, string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "pace-*.json"))
	if len(files) != 1 {
		t.Fatalf("%d pace files in %s, want 1", len(files), dir)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	f, err := decodePace(data)
	if err != nil {
		t.Fatalf("the pace file does not read back: %v\n%s", err, data)
	}
	return f, files[0]
}

// TestPaceStoreOnePaceForAll: what one process learns, the others pace by:
// its start holds theirs back, and its 429 slows them all at once.
func TestPaceStoreOnePaceForAll(t *testing.T) {
	pacers, clock, dir := sharedPacers(t, 2)
	a, b := pacers[0], pacers[1]
	tk := startWhenDue(a, clock)
	clock.advance(20 * time.Millisecond)
	a.succeeded(tk)
	first := startWhenDue(b, clock)
	if d := try0(a); d <= 0 || d > interval(b.Rate()) {
		t.Fatalf("right after b's start, a may start in %s, want within b's spacing of %s", d, interval(b.Rate()))
	}
	clock.advance(20 * time.Millisecond)
	b.throttledAt(first, 0, false)
	cut := b.Rate()
	try0(a) // a's next step reads the pace
	if r := a.Rate(); r != cut || !a.limited {
		t.Fatalf("after b's 429 a paces at %.3f/s (limited %v), want b's cut %.3f/s", r, a.limited, cut)
	}
	if f, _ := readPace(t, dir); f.Rate != cut || f.Accepted != 1 {
		t.Fatalf("the file holds rate %.3f/s and %d accepted, want %.3f/s and 1", f.Rate, f.Accepted, cut)
	}
	// Each process counts its own answers, a's 200 and b's 429; the pace
	// counts the one accepted (above) for both.
	if a.answered != 1 || b.answered != 1 {
		t.Fatalf("answers seen: a %d, b %d; each process counts its own", a.answered, b.answered)
	}
}

// TestPaceStoreNamesNoToken: the file's name and content hold neither the
// token nor the endpoint, and another token has another file.
func TestPaceStoreNamesNoToken(t *testing.T) {
	pacers, clock, dir := sharedPacers(t, 1)
	p := pacers[0]
	p.succeeded(startWhenDue(p, clock))
	other := newPacer(0, clock.now)
	other.share(newPaceStore(dir, "https://api.example", testToken+"-other"))
	other.succeeded(startWhenDue(other, clock))
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 { // two paces, two lock files
		t.Fatalf("%d files for two tokens, want a pace and a lock each", len(entries))
	}
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, secret := range []string{testToken, "api.example"} {
			if strings.Contains(e.Name(), secret) || strings.Contains(string(data), secret) {
				t.Errorf("%s holds %q", e.Name(), secret)
			}
		}
	}
}

// TestPaceStoreReplacesCorruptFiles: a file that is no pace (garbage, cut
// short, empty, impossible values) is replaced by the pacer's pace.
func TestPaceStoreReplacesCorruptFiles(t *testing.T) {
	good, _ := json.Marshal(filePace(&pace{rate: 5}, time.Now()))
	for name, content := range map[string]string{
		"garbage": "\x00\x01not json at all", "truncated": string(good[:len(good)/2]), "empty": "",
		"no version": `{"rate": 5}`, "impossible rate": strings.Replace(string(good), `"rate":5`, `"rate":-1`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			pacers, _, dir := sharedPacers(t, 1)
			p := pacers[0]
			path := p.store.path
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			try0(p)
			if p.store.off != "" {
				t.Fatalf("a corrupt file made the process pace alone: %s", p.store.off)
			}
			f, _ := readPace(t, dir)
			if f.Rate != p.Rate() || f.Version != paceVersion {
				t.Fatalf("the file was not replaced by the pacer's pace: %+v", f)
			}
		})
	}
}

// TestPaceStoreLeavesOtherVersionsAlone: a file of another version or
// shape is another provider's: left as it is, and this process paces alone.
func TestPaceStoreLeavesOtherVersionsAlone(t *testing.T) {
	for name, content := range map[string]string{
		"version 2":     `{"version": 2, "rate": 5, "updated": 1}`,
		"another shape": `{"version": 1, "rate": "fast"}`,
		"an array":      `[1, 2, 3]`,
	} {
		t.Run(name, func(t *testing.T) {
			pacers, clock, dir := sharedPacers(t, 1)
			p := pacers[0]
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p.store.path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			p.succeeded(startWhenDue(p, clock))
			if !strings.Contains(p.store.off, "another") {
				t.Fatalf("sharing is %q, want off for a file of another version or shape", p.store.off)
			}
			if data, _ := os.ReadFile(p.store.path); string(data) != content {
				t.Fatalf("the file was changed to %s", data)
			}
			if why := p.notice(); why == "" || p.notice() != "" {
				t.Fatal("the reason to pace alone is not told exactly once")
			}
		})
	}
}

// TestPaceStoreBusyLock: while another holds the lock, no start is handed
// out and no answer is counted, and the file counts the busy steps once
// the lock is free; a lock busy lockMisses steps in a row is a holder that
// does not let go, and the process paces alone.
func TestPaceStoreBusyLock(t *testing.T) {
	pacers, clock, dir := sharedPacers(t, 1)
	p := pacers[0]
	p.succeeded(startWhenDue(p, clock))
	holder := flock.New(p.store.path + ".lock")
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Unlock() }()
	clock.advance(time.Second)
	tk, d := p.tryStart(false)
	if d != lockWait || !tk.start.IsZero() || p.inflight != 0 {
		t.Fatalf("with the lock busy, tryStart gave a start at %v after %s (in flight %d), want none and a wait of %s", tk.start, d, p.inflight, lockWait)
	}
	accepted := p.accepted
	p.inflight++
	p.succeeded(ticket{start: clock.now(), rate: p.rate, queued: true})
	if p.accepted != accepted || p.inflight != 0 {
		t.Fatalf("an answer with the lock busy: accepted %d -> %d, in flight %d; want it uncounted and out of flight", accepted, p.accepted, p.inflight)
	}
	if err := holder.Unlock(); err != nil {
		t.Fatal(err)
	}
	p.succeeded(startWhenDue(p, clock))
	if f, _ := readPace(t, dir); f.LockBusy != 2 || f.Accepted != 2 {
		t.Fatalf("the file counts %d busy steps and %d accepted, want 2 and 2", f.LockBusy, f.Accepted)
	}
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	for range lockMisses {
		clock.advance(time.Second)
		if tk, d := p.tryStart(false); d == 0 {
			p.succeeded(tk)
		}
	}
	if !strings.Contains(p.store.off, "busy") {
		t.Fatalf("after %d busy steps in a row sharing is %q, want off", lockMisses, p.store.off)
	}
	clock.advance(time.Second)
	if d := try0(p); d != 0 {
		t.Fatalf("pacing alone, the next request waits %s", d)
	}
}

// TestPaceStoreUnusableDirectory: a directory that cannot be made (here:
// under a file, as a read-only home) leaves the pacer pacing alone.
func TestPaceStoreUnusableDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	p := newPacer(0, clock.now)
	p.share(newPaceStore(filepath.Join(file, "pace"), "https://api.example", testToken))
	p.succeeded(startWhenDue(p, clock))
	if p.store.off == "" || p.accepted != 1 {
		t.Fatalf("sharing is %q with %d accepted, want off and the pacer counting alone", p.store.off, p.accepted)
	}
}

// TestPaceResumes: a pace nobody used for a while restarts its climb at
// the plateau it reached, level for the climb's k seconds; one in use is
// joined as it is; one older than paceMaxAge, or from the future, is
// forgotten.
func TestPaceResumes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		gap   time.Duration
		check func(t *testing.T, before, got pace, now time.Time)
	}{
		{"joined", 100 * time.Millisecond, func(t *testing.T, before, got pace, _ time.Time) {
			if got.rate != before.rate || !got.cutAt.Equal(before.cutAt) || got.acceptedAfterRefused != before.acceptedAfterRefused {
				t.Errorf("a pace in use was changed on joining: %+v, was %+v", got, before)
			}
		}},
		{"resumed", 5 * time.Second, func(t *testing.T, before, got pace, now time.Time) {
			if got.rate != before.wmax || got.floor != before.wmax || got.wmax != before.wmax || !got.cutAt.Equal(now) || got.secsToWmax != before.secsToWmax {
				t.Errorf("resumed at %.2f/s floor %.2f wmax %.2f cut %v k %.2f; want level at the plateau %.2f/s (not the %.2f/s reached), from now, k %.2f",
					got.rate, got.floor, got.wmax, got.cutAt, got.secsToWmax, before.wmax, before.rate, before.secsToWmax)
			}
			if got.acceptedAfterRefused != 0 || !got.refusedStart.IsZero() || !got.lastGood.IsZero() || got.fastest != 0 {
				t.Errorf("the proofs across the gap were kept: granted %d, refused %v, last accepted %v, fastest %.2f/s",
					got.acceptedAfterRefused, got.refusedStart, got.lastGood, got.fastest)
			}
		}},
		{"too old", paceMaxAge + time.Second, func(t *testing.T, _, got pace, _ time.Time) {
			if got.limited || got.rate != initialRate {
				t.Errorf("a pace older than %s was used: %+v", paceMaxAge, got)
			}
		}},
		{"from the future", -time.Hour, func(t *testing.T, _, got pace, _ time.Time) {
			if got.limited || got.rate != initialRate {
				t.Errorf("a pace from a clock set back was used: %+v", got)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pacers, clock, _ := sharedPacers(t, 2)
			a, b := pacers[0], pacers[1]
			// a climbed past its plateau, long after its last cut.
			cut := clock.now().Add(-time.Minute)
			a.limited, a.rate, a.wmax, a.floor, a.secsToWmax, a.cutAt, a.refusedStart, a.acceptedAfterRefused, a.fastest = true, 40, 30, 21, 2.9, cut, cut, 300, 40
			a.succeeded(startWhenDue(a, clock))
			before := a.pace
			clock.advance(tt.gap)
			readShared(b)
			tt.check(t, before, b.pace, clock.now())
		})
	}
}

// TestPaceStoreStepsAsAlone: one process on a shared pace steps exactly
// as it would alone.
func TestPaceStoreStepsAsAlone(t *testing.T) {
	pacers, clock, _ := sharedPacers(t, 1)
	alone, aloneClock := newFakePacer(0)
	for i := range 60 {
		for _, pc := range []struct {
			p *pacer
			c *fakeClock
		}{{pacers[0], clock}, {alone, aloneClock}} {
			tk := startWhenDue(pc.p, pc.c)
			pc.c.advance(20 * time.Millisecond)
			if i%25 == 24 {
				pc.p.throttledAt(tk, 0, false)
			} else {
				pc.p.succeeded(tk)
			}
		}
	}
	if s, a := pacers[0].Rate(), alone.Rate(); math.Abs(s-a) > 1e-9 || !clock.now().Equal(aloneClock.now()) {
		t.Fatalf("shared: %.3f/s at %v; alone: %.3f/s at %v", s, clock.now(), a, aloneClock.now())
	}
}

// readShared makes p read the shared pace, with no rule applied.
func readShared(p *pacer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.step(p.now(), func() {})
}

// TestPaceStoreJoinerSendsFirstAlone: a process that joins a pace past its
// slow start sends its first request alone, on a cold connection, and the
// others once it is answered.
func TestPaceStoreJoinerSendsFirstAlone(t *testing.T) {
	pacers, clock, _ := sharedPacers(t, 2)
	a, b := pacers[0], pacers[1]
	a.limited, a.rate = true, 50
	a.succeeded(startWhenDue(a, clock))
	first := startWhenDue(b, clock)
	clock.advance(time.Second)
	if d := try0(b); d == 0 {
		t.Fatal("the joining process sent a second request before its first was answered")
	}
	b.succeeded(first)
	if d := try0(b); d != 0 {
		t.Fatalf("after its first answer the joining process still waits %s", d)
	}
}
