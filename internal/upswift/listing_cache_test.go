package upswift

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blockingLister counts its listings and holds each until release closes
// (or its context ends); err, when set, is what they return.
type blockingLister struct {
	calls   atomic.Int32
	release chan struct{}
	err     error
	// stopped receives each listing's context error when it ends early.
	stopped chan error
}

func newBlockingLister() *blockingLister {
	return &blockingLister{release: make(chan struct{}), stopped: make(chan error, 16)}
}

func (l *blockingLister) ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error) {
	l.calls.Add(1)
	select {
	case <-l.release:
	case <-ctx.Done():
		l.stopped <- ctx.Err()
		return nil, ctx.Err()
	}
	if l.err != nil {
		return nil, l.err
	}
	return []Device{{UUID: "d-1", Project: q.Project, Group: q.Group}}, nil
}

// TestListingCacheSharesOneListing: fifty callers at once for one project
// and group get one listing, and later callers find it kept; another group
// is another listing.
func TestListingCacheSharesOneListing(t *testing.T) {
	l := newBlockingLister()
	c := NewListingCache(l)
	q := DeviceQuery{Project: "P"}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			devices, err := c.ListDevices(context.Background(), q)
			if err == nil && (len(devices) != 1 || devices[0].UUID != "d-1") {
				err = errors.New("wrong devices")
			}
			errs <- err
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(l.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ListDevices(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := l.calls.Load(); n != 1 {
		t.Fatalf("%d listings for 51 callers of one query, want 1", n)
	}
	if _, err := c.ListDevices(context.Background(), DeviceQuery{Project: "P", Group: "G1"}); err != nil {
		t.Fatal(err)
	}
	if n := l.calls.Load(); n != 2 {
		t.Fatalf("%d listings after a second query, want 2", n)
	}
}

// TestListingCacheKeepsNoError: a failed listing is not kept; the next
// caller lists again.
func TestListingCacheKeepsNoError(t *testing.T) {
	l := newBlockingLister()
	close(l.release)
	l.err = errors.New("refused")
	c := NewListingCache(l)
	q := DeviceQuery{Project: "P"}
	for i := range 2 {
		if _, err := c.ListDevices(context.Background(), q); !errors.Is(err, l.err) {
			t.Fatalf("call %d: error %v, want the listing's", i, err)
		}
	}
	if n := l.calls.Load(); n != 2 {
		t.Fatalf("%d listings, want 2: an error must not be kept", n)
	}
}

// TestListingCacheCallersWaitOnTheirOwnContexts: a caller whose context
// ends stops waiting at once, while the listing goes on for the callers
// still waiting; when the last one has gone, the listing stops, and the
// next caller starts a new one.
func TestListingCacheCallersWaitOnTheirOwnContexts(t *testing.T) {
	l := newBlockingLister()
	c := NewListingCache(l)
	q := DeviceQuery{Project: "P"}

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	shortErr := make(chan error, 1)
	go func() {
		_, err := c.ListDevices(short, q)
		shortErr <- err
	}()
	longErr := make(chan error, 1)
	go func() {
		_, err := c.ListDevices(context.Background(), q)
		longErr <- err
	}()
	if err := <-shortErr; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the short caller got %v, want its deadline", err)
	}
	select {
	case err := <-l.stopped:
		t.Fatalf("the listing stopped (%v) while a caller still waited", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(l.release)
	if err := <-longErr; err != nil {
		t.Fatalf("the caller that waited got %v", err)
	}
	if n := l.calls.Load(); n != 1 {
		t.Fatalf("%d listings, want 1", n)
	}

	// Every caller gone: the listing stops.
	l2 := newBlockingLister()
	c2 := NewListingCache(l2)
	ctx, cancel2 := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c2.ListDevices(ctx, q)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel2()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller got %v, want its cancellation", err)
	}
	select {
	case err := <-l2.stopped:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the listing stopped with %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the listing went on with nobody waiting for it")
	}
	close(l2.release)
	if _, err := c2.ListDevices(context.Background(), q); err != nil {
		t.Fatalf("a new caller after an abandoned listing got %v", err)
	}
	if n := l2.calls.Load(); n != 2 {
		t.Fatalf("%d listings, want 2 (the abandoned one, then a new one)", n)
	}
}

// TestListingCacheForget: after Forget, callers list again, and a listing
// in flight at the time serves its callers but is not kept.
func TestListingCacheForget(t *testing.T) {
	l := newBlockingLister()
	c := NewListingCache(l)
	q := DeviceQuery{Project: "P"}
	first := make(chan error, 1)
	go func() {
		_, err := c.ListDevices(context.Background(), q)
		first <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Forget()
	close(l.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDevices(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := l.calls.Load(); n != 2 {
		t.Fatalf("%d listings, want 2: the one in flight at Forget must not be kept", n)
	}
	if _, err := c.ListDevices(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	c.Forget()
	if _, err := c.ListDevices(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := l.calls.Load(); n != 3 {
		t.Fatalf("%d listings, want 3: the second was kept, then forgotten", n)
	}
}
