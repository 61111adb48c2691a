package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The API paths the emulator implements: the two removals and the two
// reads of the fleet.
const (
	DeviceAppsPath     = "/v1/device_apps"
	DeviceTagsPath     = "/v1/device_tags"
	DevicesDetailsPath = "/v1/devices_details"
	DevicesStatePath   = "/v1/get_devices_state"
)

// route is what the emulator serves on one API path: the one method the API
// documents for it, and the handler of the request body.
type route struct {
	method string
	serve  func(e *Emulator, w http.ResponseWriter, entry *logEntry, body []byte)
}

var routes = map[string]route{
	DeviceAppsPath: {http.MethodDelete, func(e *Emulator, w http.ResponseWriter, entry *logEntry, body []byte) {
		e.remove(w, entry, appRemoval, body)
	}},
	DeviceTagsPath: {http.MethodDelete, func(e *Emulator, w http.ResponseWriter, entry *logEntry, body []byte) {
		e.remove(w, entry, tagRemoval, body)
	}},
	DevicesDetailsPath: {http.MethodGet, (*Emulator).serveDetails},
	DevicesStatePath:   {http.MethodGet, (*Emulator).serveStates},
}

// InspectPrefix starts the emulator's own paths, which no real API uses: the
// read-only GET /_emulator/devices, GET /_emulator/requests and GET
// /_emulator/health, and the changes of the fleet POST /_emulator/fleet/move,
// /_emulator/fleet/state and /_emulator/fleet/add (see FleetMovePath).
const InspectPrefix = "/_emulator/"

// maxBody is the largest request body read; larger ones are answered 413.
const maxBody = 1 << 20

// Emulator is an in-memory Upswift v1 API. It implements http.Handler and
// all its methods are safe for concurrent use.
//
// Every request outside InspectPrefix is an API request: it is logged,
// counted and subject to the knobs, applied in this order: latency, drop
// (DropNext), redirect (RedirectNext), injected failure (FailNext), rate
// limit (SetRateLimit), then normal handling. DELETE /v1/device_apps removes
// an app and DELETE /v1/device_tags a tag from the devices a device filter
// selects; GET /v1/devices_details and GET /v1/get_devices_state read the
// fleet a page at a time, by device_id and by device_uuid, DefaultReadLimit
// devices per page unless the body's limit (at most MaxReadLimit) says
// otherwise. Any other path is answered 404, any other method on those
// paths 405. The emulator's own paths under InspectPrefix, the changes of
// the fleet among them, are not API requests: not logged, not counted, and
// not subject to the knobs.
type Emulator struct {
	mu      sync.Mutex
	initial *Fleet
	fleet   *Fleet
	secrets []string // account tokens, redacted wherever they show up
	// tags holds, per account token, the tags that exist in the account:
	// those of the fleet given to New (initialTags, which Reset restores)
	// and those AddDevice brought in; no call of the API adds one.
	tags        map[string]map[string]bool
	initialTags map[string]map[string]bool
	// order holds, per account token, the account's devices in the orders
	// the reads page through. New builds it for the initial fleet
	// (initialOrder, which Reset restores); a change of the fleet through
	// MoveDevice or AddDevice drops the account's entry, and orderOf builds
	// it again on the account's next read.
	order        map[string]*readOrder
	initialOrder map[string]*readOrder
	gen          uint64 // bumped by Reset; stale requests do not count
	log          []*logEntry
	counts       map[int]int
	knobs        knobs
	now          func() time.Time
}

// New returns an Emulator serving a deep copy of f (nil: an empty fleet),
// in which every device without a device_id, a last_keepalive or an update
// history (but with an UpdateStatus) gets one: see Device. Reset returns to
// that copy. New does not validate f; see Fleet.Validate.
func New(f *Fleet) *Emulator {
	if f == nil {
		f = &Fleet{}
	}
	initial := f.Clone()
	initial.fillDefaults()
	e := &Emulator{initial: initial, now: time.Now, initialTags: map[string]map[string]bool{}, initialOrder: map[string]*readOrder{}}
	for i, a := range initial.Accounts {
		if a.UserToken != "" {
			e.secrets = append(e.secrets, a.UserToken)
		}
		if _, dup := e.initialOrder[a.UserToken]; !dup { // Fleet.account finds the first
			e.initialTags[a.UserToken] = a.knownTags()
			e.initialOrder[a.UserToken] = newReadOrder(&initial.Accounts[i])
		}
	}
	e.resetLocked()
	return e
}

// Reset puts the fleet back to the one given to New (undoing the removals
// and the changes of MoveDevice, SetDeviceState and AddDevice, with the
// tags AddDevice brought in), clears the request log (and so what TokenSeen
// knows) and the counts, and turns every knob off.
// Requests in flight during Reset are neither logged nor counted.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resetLocked()
}

func (e *Emulator) resetLocked() {
	e.fleet = e.initial.Clone()
	// The initial orders fit the fresh copy, whose positions are those of
	// e.initial; a readOrder is never changed once built, so sharing is safe.
	e.order = maps.Clone(e.initialOrder)
	e.tags = make(map[string]map[string]bool, len(e.initialTags))
	for token, tags := range e.initialTags {
		e.tags[token] = maps.Clone(tags)
	}
	e.gen++
	e.log = nil
	e.counts = map[int]int{}
	e.knobs = knobs{}
}

// ServeHTTP serves the API and the inspection paths.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == strings.TrimSuffix(InspectPrefix, "/") || strings.HasPrefix(r.URL.Path, InspectPrefix) {
		e.serveInspect(w, r)
		return
	}

	body, bodyStatus, bodyRefusal := readBody(r)
	entry := e.begin(r, body)

	e.mu.Lock()
	latency := e.knobs.latency
	e.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			e.finish(entry, 0, OutcomeClientGone, nil)
			return
		}
	}

	e.mu.Lock()
	action, wait := e.decide()
	failStatus, failHTML, retryAfter := e.knobs.failStatus, e.knobs.failHTML, e.knobs.retryAfter
	var dateNow time.Time // zero: Retry-After in seconds
	if e.knobs.retryAfterDate {
		dateNow = e.now()
	}
	redirectStatus, redirectTo := e.knobs.redirectStatus, e.knobs.redirectTo
	e.mu.Unlock()

	switch action {
	case actDrop:
		e.finish(entry, 0, OutcomeDropped, nil)
		drop(w)
		return
	case actRedirect:
		e.finish(entry, redirectStatus, OutcomeRedirected, nil)
		w.Header().Set("Location", redirectTo)
		w.WriteHeader(redirectStatus)
		return
	case actFail:
		e.finish(entry, failStatus, OutcomeFailed, nil)
		writeFailure(w, failStatus, failHTML)
		return
	case actLimit:
		e.finish(entry, http.StatusTooManyRequests, OutcomeRateLimited, nil)
		writeRateLimited(w, retryAfter, dateNow, wait)
		return
	}

	rt, known := routes[r.URL.Path]
	switch {
	case !known:
		e.finish(entry, http.StatusNotFound, "", nil)
		writeJSON(w, http.StatusNotFound, errorBody{"not found"})
	case r.Method != rt.method:
		e.finish(entry, http.StatusMethodNotAllowed, "", nil)
		writeMethodNotAllowed(w, r, rt.method)
	case bodyStatus != 0:
		e.finish(entry, bodyStatus, "", nil)
		writeJSON(w, bodyStatus, errorBody{bodyRefusal})
	default:
		rt.serve(e, w, entry, body)
	}
}

// remove handles the body of a removal of kind k: the app or tag leaves
// every selected device that has it.
func (e *Emulator) remove(w http.ResponseWriter, entry *logEntry, k removalKind, body []byte) {
	e.mu.Lock()
	exists := func(a *Account, app string) bool { return slices.Contains(a.Apps, app) }
	if k == tagRemoval {
		exists = func(a *Account, tag string) bool { return e.tags[a.UserToken][tag] }
	}
	rm, err := parseRemoval(e.fleet, body, k, exists)
	var removed []string
	if err == nil {
		for _, d := range selectDevices(rm.project, rm.groups, rm.filters) {
			if removeFrom(d, k, rm.name) {
				removed = append(removed, d.ID)
			}
		}
	}
	e.mu.Unlock()
	e.answer(w, entry, err, map[string]string{"message": "Success"}, removed)
}

// answer answers an API call its handler has served, a removal or a read,
// and logs it: 400 with the refusal (secrets redacted) when err is a
// badRequest, 500 for any other error (not reached: parseRemoval and
// parseRead only return badRequest), else 200 with ok. removed is what the
// log records a successful call removed from: nil for a read.
func (e *Emulator) answer(w http.ResponseWriter, entry *logEntry, err error, ok any, removed []string) {
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		e.finish(entry, http.StatusBadRequest, "", nil)
		writeJSON(w, http.StatusBadRequest, errorBody{entry.redact(bad.Error())})
	case err != nil:
		e.finish(entry, http.StatusInternalServerError, "", nil)
		writeJSON(w, http.StatusInternalServerError, errorBody{"internal error"})
	default:
		e.finish(entry, http.StatusOK, "", removed)
		writeJSON(w, http.StatusOK, ok)
	}
}

// removeFrom removes the app or tag name from d and reports whether d had it.
func removeFrom(d *Device, k removalKind, name string) bool {
	if k == tagRemoval {
		i := slices.Index(d.Tags, name)
		if i >= 0 {
			d.Tags = slices.Delete(d.Tags, i, i+1)
		}
		return i >= 0
	}
	_, had := d.Apps[name]
	delete(d.Apps, name)
	return had
}

// readBody reads a request's body, the API's and the emulator's own paths'
// alike. A body that cannot be read whole gets the status to refuse it with
// (400, or 413 over maxBody bytes) and the error_message; body then holds
// what was read, cut to maxBody bytes, for the log.
func readBody(r *http.Request) (body []byte, status int, refusal string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	switch {
	case err != nil:
		status, refusal = http.StatusBadRequest, "could not read the request body"
	case len(body) > maxBody:
		status, refusal = http.StatusRequestEntityTooLarge, "request body too large (limit 1 MiB)"
	}
	return body[:min(len(body), maxBody)], status, refusal
}

// writeMethodNotAllowed answers a request whose method the path does not
// take: 405, naming the methods it takes in Allow and in the error_message.
func writeMethodNotAllowed(w http.ResponseWriter, r *http.Request, allowed string) {
	w.Header().Set("Allow", allowed)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{"method " + r.Method + " is not allowed on " + r.URL.Path + " (allowed: " + allowed + ")"})
}

// errorBody is the API's error answer.
type errorBody struct {
	ErrorMessage string `json:"error_message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"error_message":"internal error"}`+"\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data) // the client may be gone; nothing to do about it
}

// marshal encodes v as JSON without escaping <, > and &, so that Redacted
// reads as itself. The result ends with a newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
