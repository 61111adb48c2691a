package upswift

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ListingCache lists devices through a Lister (the client) once per
// project and group for the life of the process: Terraform reads data
// sources in parallel, and every read that needs the same listing waits
// for the one in flight and then finds it kept, so that fifty reads over
// one project cost the calls of one listing. Errors are not kept: the
// next read lists again. Forget drops what is kept; tag removals call it,
// since they change what the reads report. Since gives a Lister that
// lists again what was kept from before a given time.
//
// Each caller waits on its own context. A listing runs on a context of
// its own, made with context.WithoutCancel from the first caller's (so
// that it keeps its values, such as the log's), and is cancelled when the
// last caller waiting for it has stopped waiting: one caller's timeout or
// interrupt does not stop a listing that others still wait for, and a
// listing nobody waits for any more stops.
//
// It is safe for concurrent use. The devices it returns are shared: they
// must not be changed.
type ListingCache struct {
	lister Lister

	mu      sync.Mutex
	kept    map[DeviceQuery]keptListing
	flights map[DeviceQuery]*flight
	// generation counts Forget calls: a listing started before one is
	// not kept.
	generation uint64
}

// keptListing is a finished listing and when it started.
type keptListing struct {
	devices []Device
	started time.Time
}

// flight is a listing in progress: done is closed once devices and err
// are set. waiters counts the callers waiting for it.
type flight struct {
	done       chan struct{}
	devices    []Device
	err        error
	started    time.Time
	generation uint64
	cancel     context.CancelFunc
	waiters    int
}

// NewListingCache returns an empty cache in front of l.
func NewListingCache(l Lister) *ListingCache {
	return &ListingCache{lister: l, kept: map[DeviceQuery]keptListing{}, flights: map[DeviceQuery]*flight{}}
}

// ListDevices returns the kept listing of q, or waits for the one in
// flight, or starts it.
func (c *ListingCache) ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error) {
	return c.listDevices(ctx, q, time.Time{})
}

// listDevices is ListDevices taking only listings started at or after
// notBefore.
func (c *ListingCache) listDevices(ctx context.Context, q DeviceQuery, notBefore time.Time) ([]Device, error) {
	c.mu.Lock()
	if k, ok := c.kept[q]; ok && !k.started.Before(notBefore) {
		c.mu.Unlock()
		return k.devices, nil
	}
	f := c.flights[q]
	if f == nil || f.started.Before(notBefore) {
		f = c.start(ctx, q)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.devices, f.err
	case <-ctx.Done():
		c.leave(q, f)
		return nil, fmt.Errorf("stopped waiting for the listing of the devices of %s: %w", q, ctx.Err())
	}
}

// start starts the listing of q in the background and makes it the one
// later callers join. c.mu must be held.
func (c *ListingCache) start(ctx context.Context, q DeviceQuery) *flight {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{done: make(chan struct{}), started: time.Now(), generation: c.generation, cancel: cancel}
	c.flights[q] = f
	go func() {
		devices, err := c.lister.ListDevices(fctx, q)
		cancel()
		c.mu.Lock()
		f.devices, f.err = devices, err
		if err == nil && c.generation == f.generation {
			c.kept[q] = keptListing{devices: devices, started: f.started}
		}
		if c.flights[q] == f {
			delete(c.flights, q)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	return f
}

// leave counts a caller that stopped waiting out of f; when it was the
// last, the listing stops and the next caller starts a new one.
func (c *ListingCache) leave(q DeviceQuery, f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.waiters--
	if f.waiters > 0 {
		return
	}
	f.cancel()
	if c.flights[q] == f {
		delete(c.flights, q)
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
	clear(c.flights)
}

// Since is a Lister over the cache that lists again what it kept, or has
// in flight, from before t: a removal's check takes a listing made during
// its own apply, never one made long before.
func (c *ListingCache) Since(t time.Time) Lister {
	return sinceLister{cache: c, notBefore: t}
}

type sinceLister struct {
	cache     *ListingCache
	notBefore time.Time
}

func (s sinceLister) ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error) {
	return s.cache.listDevices(ctx, q, s.notBefore)
}
