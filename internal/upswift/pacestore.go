package upswift

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// The processes of one machine that use the same endpoint and token (the
// workspaces of a pipeline, the provider configurations of one run) share
// one pace through a small file, so that they pace as one: a start one of
// them reserves is never handed to another, and a 429 any of them sees
// slows them all. The file is JSON in a directory of mode 0700, mode 0600,
// named by a hash of the endpoint and the token (never the token itself).
// Each step of the pacer reads it, applies its rule and writes it back
// under an advisory lock on a second file beside it (flock(2) or
// LockFileEx, through gofrs/flock), which the OS releases when a process
// dies: the go command's lockedfile pattern, with a bounded wait. Times
// are wall-clock Unix nanoseconds: processes share no monotonic clock.
//
// A process that cannot use the file (no cache directory, a read-only
// home, a file of another user or with wider permissions, a file of
// another shape or version, a lock that fails) paces alone from the pace it
// last read, and says why in one DEBUG line. A corrupt or truncated file is
// replaced.
const (
	// lockWait bounds a step's wait for the lock, held for tens of
	// microseconds by a step, or a scheduler's slice when the holder is
	// descheduled: eight applies at once on two cores saw a few dozen
	// steps of a few thousand wait longer (and one wait of 89 ms).
	lockWait = 5 * time.Millisecond
	lockPoll = 50 * time.Microsecond
	// A lock busy for lockWait is a loaded machine for that one step: a
	// start waits and asks again, an answer goes uncounted (one
	// measurement lost), and the process keeps sharing, since pacing alone
	// for a scheduler's hiccup would bring back the collisions sharing
	// avoids. lockMisses such steps in a row mean a holder that does not
	// let go (a stopped process, a file system whose locks hang): the
	// process then paces alone for good, from the pace it last read.
	lockMisses = 10
	// A pace that no process has used for paceIdle (and two of its
	// intervals) is resumed, not joined: nobody keeps it up, its bucket has
	// refilled, and a rate measured across the gap would be the gap's (a
	// process starts at least half a second after another's last request).
	// One older than paceMaxAge is no guide (another run, perhaps another
	// plan of the account): the pacer starts afresh, as the
	// single-process bounds are measured, rather than from a stale rate.
	paceIdle   = 250 * time.Millisecond
	paceMaxAge = 10 * time.Minute
)

// paceStore is one process's handle on a shared pace. Its methods run
// under the pacer's mutex.
type paceStore struct {
	path    string // the pace; the lock is path + ".lock"
	file    *os.File
	lock    *flock.Flock
	initial pace   // a pace with nothing learned
	joined  bool   // this process has read the pace once
	busy    int    // steps in a row that found the lock busy
	missed  int    // steps that found it busy, not yet counted in the file
	off     string // why this process paces alone; "" while it shares
	told    bool   // off has been logged

	buf     [maxPace + 1]byte
	size    int      // the file's length at the last read
	seen    []byte   // the file as this process last read or wrote it
	saved   paceFile // seen, decoded
	replace bool     // the file is empty or corrupt: write it even unchanged
}

// newPaceStore names the pace of endpoint and token in dir (the user's
// cache directory when empty). It touches no file before the first step.
func newPaceStore(dir, endpoint, token string) *paceStore {
	s := &paceStore{}
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			s.off = "no user cache directory: " + err.Error()
			return s
		}
		dir = filepath.Join(cache, "terraform-provider-upswift")
	}
	sum := sha256.Sum256([]byte(endpoint + "\x00" + token))
	s.path = filepath.Join(dir, "pace-"+hex.EncodeToString(sum[:16])+".json")
	return s
}

// step applies rule to the pace: this process's own, or the shared one,
// read before the rule and written after it under its lock. It is false,
// and the rule did not run, when the lock was not free within lockWait: a
// start waits, an answer is not counted.
func (p *pacer) step(now time.Time, rule func()) bool {
	if p.store == nil {
		rule()
		return true
	}
	return p.store.update(&p.pace, now, func() { p.clamp(); rule() })
}

// share makes p pace with the other processes that use s's file.
func (p *pacer) share(s *paceStore) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.initial = p.pace
	p.store = s
}

// notice returns, once, why this process stopped sharing its pace.
func (p *pacer) notice() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.store == nil || p.store.off == "" || p.store.told {
		return ""
	}
	p.store.told = true
	return p.store.off
}

// update runs rule on the shared pace: locked, read into pc, rule, written,
// unlocked. When the store cannot be used, rule runs on pc alone. When the
// lock is busy, rule does not run and update is false.
func (s *paceStore) update(pc *pace, now time.Time, rule func()) bool {
	if s.off == "" && s.file == nil {
		s.stop(s.open())
	}
	if s.off == "" {
		ok, err := s.tryLock()
		if err == nil && !ok {
			s.missed++
			if s.busy++; s.busy < lockMisses {
				return false
			}
			err = fmt.Errorf("its lock was busy for %s in %d steps in a row", lockWait, s.busy)
		}
		s.stop(err)
	}
	if s.off != "" {
		rule()
		return true
	}
	s.busy = 0
	defer func() { _ = s.lock.Unlock() }()
	if err := s.read(pc, now); err != nil {
		s.stop(err)
		rule()
		return true
	}
	before := *pc
	rule()
	if *pc != before || s.replace {
		s.stop(s.write(pc, now))
	}
	return true
}

// stop makes this process pace alone when err is not nil.
func (s *paceStore) stop(err error) {
	if err != nil && s.off == "" {
		s.off = err.Error()
		if s.file != nil {
			_ = s.file.Close()
		}
	}
}

// open creates the directory and the file, owner-only, and checks that
// nobody else could have written them.
func (s *paceStore) open() error {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	} else if err := private(fi); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	f, err := openPrivate(s.path)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	} else if err == nil {
		err = private(fi)
	}
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.file = f
	s.lock = flock.New(s.path+".lock", flock.SetPermissions(0o600))
	return nil
}

// tryLock takes the lock, waiting at most lockWait: it tries again after
// lockPoll, then twice as long each time up to a millisecond, so that a
// step queued behind another's microseconds waits about as long, and one
// behind a descheduled holder tries a few times, not hundreds.
func (s *paceStore) tryLock() (bool, error) {
	deadline := time.Now().Add(lockWait)
	for pause := lockPoll; ; pause = min(2*pause, time.Millisecond) {
		if ok, err := s.lock.TryLock(); ok || err != nil {
			return ok, err
		}
		if time.Now().Add(pause).After(deadline) {
			return false, nil
		}
		time.Sleep(pause)
	}
}

// read replaces pc with the shared pace. An empty or corrupt file leaves
// pc as it is, to be written over it; a pace too old or from the future (a
// clock set back) is forgotten; one nobody used for a while is resumed
// when this process first reads it. A file as this process last saw it is
// not decoded again.
func (s *paceStore) read(pc *pace, now time.Time) error {
	n, err := s.file.ReadAt(s.buf[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	first := !s.joined
	s.joined, s.size = true, n
	f := s.saved
	if n == 0 || !bytes.Equal(s.buf[:n], s.seen) {
		f, err = decodePace(s.buf[:n])
		if n == 0 || errors.Is(err, errCorruptPace) {
			s.replace = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
		s.seen, s.saved = append(s.seen[:0], s.buf[:n]...), f
	}
	updated := time.Unix(0, f.Updated)
	switch age := now.Sub(updated); {
	case age > paceMaxAge || age < -time.Second:
		*pc = s.initial
	default:
		*pc = f.pace()
		if first && now.Sub(later(updated, pc.hold)) > max(paceIdle, 2*interval(pc.rate)) {
			pc.resume(now)
		}
	}
	return nil
}

// write saves pc. The file never shrinks (a shorter pace is padded with
// spaces, which JSON ignores), so a write is one system call.
func (s *paceStore) write(pc *pace, now time.Time) error {
	f := filePace(pc, now)
	f.LockBusy = s.saved.LockBusy + s.missed
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if len(data) < s.size {
		data = append(data, bytes.Repeat([]byte{' '}, s.size-len(data))...)
	}
	if _, err := s.file.WriteAt(data, 0); err != nil {
		return err
	}
	if s.size > maxPace {
		if err := s.file.Truncate(int64(len(data))); err != nil {
			return err
		}
	}
	s.seen, s.saved, s.replace, s.missed = append(s.seen[:0], data...), f, false, 0
	return nil
}

// resume restarts a pace that no process has used for a while. What the
// API proved before the gap proves nothing after it (its bucket refilled,
// its limit may have moved): the proof of a first burst starts again, the
// next 429 cuts from the rate sent, not one measured across the gap, and
// is taken as the limit's, not a neighbour's. A climb past its plateau
// (whose clock ran on while nobody sent, far along the convex curve)
// restarts at the plateau, W_max, level for the climb's k seconds
// (returnRun intervals at a limit found alone) before it probes beyond: a
// limit that has risen is climbed to, one that has dropped cuts at the
// first 429.
func (pc *pace) resume(now time.Time) {
	pc.refusedStart, pc.acceptedAfterRefused, pc.lastGood, pc.fastest = time.Time{}, 0, time.Time{}, 0
	if pc.limited && now.Sub(pc.cutAt).Seconds() > pc.secsToWmax {
		pc.floor, pc.rate, pc.cutAt = pc.wmax, pc.wmax, now
	}
}
