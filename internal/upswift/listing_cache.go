package upswift

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"
)

// ListingCache lists devices through a Lister (the client) once per
// project and group for the life of the process: Terraform reads data
// sources in parallel, and every read that needs the same listing waits
// for one (singleflight) and then finds it kept, so that fifty reads over
// one project cost the calls of one listing. Errors are not kept: the
// next read lists again. Forget drops what is kept; removals call it,
// since they change what the reads report.
//
// Each caller waits on its own context. The shared listing runs on a
// context of its own, made with context.WithoutCancel from the first
// caller's (so that it keeps its values, such as the log's) and cancelled
// when the last caller waiting for it has stopped waiting: one caller's
// timeout or interrupt does not stop a listing that others still wait
// for, and a listing nobody waits for any more stops. So the listing runs
// exactly as long as the longest wait allows.
//
// It is safe for concurrent use. The devices it returns are shared: they
// must not be changed.
type ListingCache struct {
	lister Lister
	calls  singleflight.Group

	mu      sync.Mutex
	kept    map[DeviceQuery][]Device
	flights map[DeviceQuery]*flight
	// generation counts Forget calls: a listing started before one is
	// not kept.
	generation uint64
}

// flight is a shared listing in progress and the callers waiting for it.
type flight struct {
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int
}

// NewListingCache returns an empty cache in front of l.
func NewListingCache(l Lister) *ListingCache {
	return &ListingCache{lister: l, kept: map[DeviceQuery][]Device{}, flights: map[DeviceQuery]*flight{}}
}

// ListDevices returns the kept listing of q, or waits for the one in
// flight, or starts it.
func (c *ListingCache) ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error) {
	for range 3 {
		devices, err := c.listOnce(ctx, q)
		// A listing that stopped because every caller waiting for it had
		// gone may still have been joined by one that had not: that one
		// tries again, with a listing of its own.
		if err != nil && ctx.Err() == nil && errors.Is(err, errFlightAbandoned) {
			continue
		}
		return devices, err
	}
	return nil, fmt.Errorf("listing the devices of %s: %w", q, errFlightAbandoned)
}

var errFlightAbandoned = errors.New("the shared listing was stopped, as nobody waited for it any more")

func (c *ListingCache) listOnce(ctx context.Context, q DeviceQuery) ([]Device, error) {
	key := cacheKey(q)
	c.mu.Lock()
	if devices, ok := c.kept[q]; ok {
		c.mu.Unlock()
		return devices, nil
	}
	f := c.flights[q]
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{ctx: fctx, cancel: cancel}
		c.flights[q] = f
	}
	f.waiters++
	generation := c.generation
	c.mu.Unlock()

	// The function runs only when this caller starts the listing; callers
	// that join it get its result.
	results := c.calls.DoChan(key, func() (any, error) {
		devices, err := c.lister.ListDevices(f.ctx, q)
		if err != nil && f.ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", errFlightAbandoned, err)
		}
		c.mu.Lock()
		if err == nil && c.generation == generation {
			c.kept[q] = devices
		}
		if c.flights[q] == f {
			delete(c.flights, q)
		}
		c.mu.Unlock()
		f.cancel()
		return devices, err
	})
	select {
	case r := <-results:
		c.leave(key, q, f)
		devices, _ := r.Val.([]Device)
		return devices, r.Err
	case <-ctx.Done():
		c.leave(key, q, f)
		return nil, fmt.Errorf("stopped waiting for the listing of the devices of %s: %w", q, ctx.Err())
	}
}

// leave counts a caller out of f; the last one out stops the listing if
// it still runs, and lets the next caller start a new one.
func (c *ListingCache) leave(key string, q DeviceQuery, f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.waiters--
	if f.waiters > 0 {
		return
	}
	f.cancel()
	if c.flights[q] == f {
		delete(c.flights, q)
		c.calls.Forget(key)
	}
}

// Forget drops every kept listing; listings in flight finish for the
// callers waiting for them but are not kept, and later callers start new
// ones. A nil cache has nothing to forget.
func (c *ListingCache) Forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	clear(c.kept)
	for q := range c.flights {
		c.calls.Forget(cacheKey(q))
		delete(c.flights, q)
	}
}

// cacheKey is q as a key of the singleflight group.
func cacheKey(q DeviceQuery) string { return q.Project + "\x00" + q.Group }
