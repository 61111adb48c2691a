package upswift

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"golang.org/x/sync/errgroup"
)

// The two reads of the fleet, page by page: GET /v1/devices_details and
// GET /v1/get_devices_state, each with its own cursor and end of paging, as
// the API documents them. Both go through do, so through the same pacer,
// retries, success rule, no-redirect rule and redaction as the removals.

const (
	// PageLimit is the limit sent with every page: the most the API allows.
	PageLimit = 50
	// MaxListedDevices bounds one listing. A listing that goes past it
	// stops with an error rather than running on: no fleet read through
	// this API is that large, a server that never ends paging is.
	MaxListedDevices = 100_000
	// maxPageBody caps how much of a page is read: 50 devices with their
	// update histories stay far under it.
	maxPageBody = 8 << 20
)

// Hints of the reads: a refused listing names the project, the groups and
// the token, and no app or tag, which a listing does not send.
const (
	listRefused     = "Check the project and group names against the Upswift dashboard. If the message speaks of the token, check the user_token (Settings on the dashboard)."
	listUnconfirmed = "The provider did not take the answer for the API's list of devices."
	listWaitLimit   = "timeouts.read"
)

var (
	devicesDetailsCall = call{method: http.MethodGet, path: "/devices_details",
		refused: listRefused, unconfirmed: listUnconfirmed, waitLimit: listWaitLimit, maxBody: maxPageBody}
	devicesStateCall = call{method: http.MethodGet, path: "/get_devices_state",
		refused: listRefused, unconfirmed: listUnconfirmed, waitLimit: listWaitLimit, maxBody: maxPageBody}
)

// DeviceQuery names the devices a listing asks for: those of a project, or
// of one group of it.
type DeviceQuery struct {
	Project string
	// Group is "" for every device of the project.
	Group string
}

func (q DeviceQuery) String() string {
	if q.Group == "" {
		return fmt.Sprintf("project %q", q.Project)
	}
	return fmt.Sprintf("group %q of project %q", q.Group, q.Project)
}

// Lister lists devices: the Client, and a ListingCache in front of it.
type Lister interface {
	ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error)
}

// ListDevices lists the devices of q's project or group, ordered by UUID:
// their details and, side by side, their states, joined by device_uuid. A
// device the state listing did not report has State "". Every page is
// checked: a field missing or not of the documented type, a page that does
// not advance the cursor, or a listing past MaxListedDevices is an error
// that says so. The first error stops both listings.
func (c *Client) ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error) {
	if q.Project == "" {
		return nil, errors.New("listing devices: a project name is required")
	}
	var devices []Device
	var states map[string]deviceState
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		devices, err = c.listDetails(gctx, q)
		return err
	})
	g.Go(func() (err error) {
		states, err = c.listStates(gctx, q)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range devices {
		devices[i].State = states[devices[i].UUID].status
	}
	slices.SortFunc(devices, func(a, b Device) int { return cmp.Compare(a.UUID, b.UUID) })
	return devices, nil
}

// listRequest is the body of both reads. offset is a device_id (a number)
// for devices_details and a device_uuid (a string) for get_devices_state,
// and is left out of the first page.
type listRequest struct {
	UserToken   string `json:"user_token"`
	ProjectName string `json:"project_name"`
	GroupName   string `json:"group_name,omitempty"`
	Limit       int    `json:"limit"`
	Offset      any    `json:"offset,omitempty"`
}

// fetchPage sends one page's request and returns its answer's fields.
func (c *Client) fetchPage(ctx context.Context, cl call, q DeviceQuery, offset any, where string) (answerObject, error) {
	body, err := json.Marshal(listRequest{UserToken: c.token, ProjectName: q.Project, GroupName: q.Group, Limit: PageLimit, Offset: offset})
	if err != nil {
		return answerObject{}, fmt.Errorf("%s: encoding the request: %w", where, err)
	}
	data, err := c.do(ctx, cl, body)
	if err != nil {
		return answerObject{}, fmt.Errorf("%s: %w", where, err)
	}
	// do accepted only a JSON object with a message.
	return decodeObject(data, where, "(the answer)", "an object")
}

// fetched is a page's answer, or why there is none.
type fetched struct {
	answer answerObject
	err    error
}

// prefetch asks for a page in the background. Each listing asks for its
// next page as soon as the current one gives the cursor, and decodes the
// current one's devices while the next is on its way: the listing then
// takes its pages' round trips, not their decoding too.
func (c *Client) prefetch(ctx context.Context, cl call, q DeviceQuery, offset any, where string) <-chan fetched {
	out := make(chan fetched, 1)
	go func() {
		answer, err := c.fetchPage(ctx, cl, q, offset, where)
		out <- fetched{answer, err}
	}()
	return out
}

// pageWhere names a page of a listing in errors.
func pageWhere(name string, page int, q DeviceQuery) string {
	return fmt.Sprintf("%s page %d of %s", name, page, q)
}

// listDetails pages through GET /v1/devices_details: each page after the
// first starts after the device_id of the last device of the one before,
// and paging ends on a page that says "more": false.
func (c *Client) listDetails(ctx context.Context, q DeviceQuery) ([]Device, error) {
	const name = "devices_details"
	// Ends a page still asked for when the listing stops on an error.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var devices []Device
	seen := map[string]bool{}
	cursors := map[int64]bool{}
	next := c.prefetch(ctx, devicesDetailsCall, q, nil, pageWhere(name, 1, q))
	for page := 1; ; page++ {
		got := <-next
		if got.err != nil {
			return nil, got.err
		}
		items, err := got.answer.list("message", "a list of devices")
		if err != nil {
			return nil, err
		}
		more, err := got.answer.boolean("more")
		if err != nil {
			return nil, err
		}
		decode := func(i int) (Device, error) {
			return decodeDevice(items[i], fmt.Sprintf("%s: device %d of page %d", name, i+1, page))
		}
		if more {
			// The cursor first: the last device's device_id.
			if len(items) == 0 {
				return nil, fmt.Errorf("%s: page %d is empty but says more devices follow: it gives no cursor for the next page, so the listing stopped", name, page)
			}
			last, err := decode(len(items) - 1)
			if err != nil {
				return nil, err
			}
			if cursors[last.ID] {
				return nil, fmt.Errorf("%s: page %d ends with device_id %d again, as an earlier page did: the cursor does not advance, so the listing stopped rather than ask for the same page forever", name, page, last.ID)
			}
			cursors[last.ID] = true
			next = c.prefetch(ctx, devicesDetailsCall, q, last.ID, pageWhere(name, page+1, q))
		}
		for i := range items {
			d, err := decode(i)
			if err != nil {
				return nil, err
			}
			if !seen[d.UUID] {
				seen[d.UUID] = true
				devices = append(devices, d)
			}
		}
		if err := c.checkSize(name, page, len(devices)); err != nil {
			return nil, err
		}
		if !more {
			return devices, nil
		}
	}
}

// listStates pages through GET /v1/get_devices_state: each page after the
// first starts after the device_uuid of the last entry of the one before;
// paging ends on a page with fewer entries than the limit, or on one that
// says "more": false when the answer has that key. message may be a list
// of states or, as the API's documentation shows it, a single one.
func (c *Client) listStates(ctx context.Context, q DeviceQuery) (map[string]deviceState, error) {
	const name = "get_devices_state"
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	states := map[string]deviceState{}
	cursors := map[string]bool{}
	next := c.prefetch(ctx, devicesStateCall, q, nil, pageWhere(name, 1, q))
	for page := 1; ; page++ {
		got := <-next
		if got.err != nil {
			return nil, got.err
		}
		items, err := stateItems(got.answer)
		if err != nil {
			return nil, err
		}
		end := len(items) < PageLimit
		if _, ok := got.answer.fields["more"]; ok {
			more, err := got.answer.boolean("more")
			if err != nil {
				return nil, err
			}
			end = !more
		}
		decode := func(i int) (deviceState, error) {
			return decodeState(items[i], fmt.Sprintf("%s: entry %d of page %d", name, i+1, page))
		}
		if !end {
			if len(items) == 0 {
				return nil, fmt.Errorf("%s: page %d is empty but says more entries follow: it gives no cursor for the next page, so the listing stopped", name, page)
			}
			last, err := decode(len(items) - 1)
			if err != nil {
				return nil, err
			}
			if cursors[last.uuid] {
				return nil, fmt.Errorf("%s: page %d ends with device_uuid %q again, as an earlier page did: the cursor does not advance, so the listing stopped rather than ask for the same page forever", name, page, last.uuid)
			}
			cursors[last.uuid] = true
			next = c.prefetch(ctx, devicesStateCall, q, last.uuid, pageWhere(name, page+1, q))
		}
		for i := range items {
			s, err := decode(i)
			if err != nil {
				return nil, err
			}
			if _, dup := states[s.uuid]; !dup {
				states[s.uuid] = s
			}
		}
		if err := c.checkSize(name, page, len(states)); err != nil {
			return nil, err
		}
		if end {
			return states, nil
		}
	}
}

// stateItems returns the entries of a get_devices_state page: message is a
// list of them, or a single one.
func stateItems(answer answerObject) ([]json.RawMessage, error) {
	raw, err := answer.raw("message", "a list of device states")
	if err != nil {
		return nil, err
	}
	if jsonKind(raw) == "an object" {
		return []json.RawMessage{raw}, nil
	}
	return answer.list("message", "a list of device states, or one device state")
}

// checkSize stops a listing that went past MaxListedDevices (the client's
// maxListed, which tests lower).
func (c *Client) checkSize(name string, page, n int) error {
	if n > c.maxListed {
		return fmt.Errorf("%s: more than %d devices after page %d: the provider lists at most %d devices in one listing, so the listing stopped",
			name, c.maxListed, page, c.maxListed)
	}
	return nil
}
