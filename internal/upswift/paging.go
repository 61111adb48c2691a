package upswift

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// Paging through one of the reads: the page's request, the page asked for
// ahead, and the rules both reads share, each with its own cursor and end
// of paging as the API documents them.

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
	answer := decodeObject(data, where, "(the answer)", "an object")
	return answer, answer.err
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

// pager is what one read's paging is made of; the rules they share (the
// cursor must advance, the next page is asked for as soon as the cursor is
// known, no more than maxListed devices) are in pages.
type pager[T any, C comparable] struct {
	name string // "devices_details"
	call call
	// entry names an entry in errors: "device", "entry".
	entry string
	// cursorName is the field the cursor is taken from: "device_id".
	cursorName string
	// items returns a page's entries and whether another page follows.
	items func(answerObject) ([]json.RawMessage, bool, error)
	// decode reads one entry; cursor is its cursor; key identifies it, so
	// that an entry that comes again is counted once.
	decode func(raw json.RawMessage, where string) (T, error)
	cursor func(T) C
	key    func(T) string
}

// pages pages through the read, handing each entry to add in the API's
// order, and stops on the page that says it is the last.
func (p pager[T, C]) pages(ctx context.Context, c *Client, q DeviceQuery, add func(T)) error {
	// Ends a page still asked for when the listing stops on an error.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seen := map[string]bool{}
	cursors := map[C]bool{}
	next := c.prefetch(ctx, p.call, q, nil, pageWhere(p.name, 1, q))
	for page := 1; ; page++ {
		got := <-next
		if got.err != nil {
			return got.err
		}
		items, more, err := p.items(got.answer)
		if err != nil {
			return err
		}
		decode := func(i int) (T, error) {
			return p.decode(items[i], fmt.Sprintf("%s: %s %d of page %d", p.name, p.entry, i+1, page))
		}
		if more {
			// The cursor first, so that the next page is on its way while
			// this one is decoded.
			if len(items) == 0 {
				return fmt.Errorf("%s: page %d is empty but says more follow: it gives no cursor for the next page, so the listing stopped", p.name, page)
			}
			last, err := decode(len(items) - 1)
			if err != nil {
				return err
			}
			cur := p.cursor(last)
			if cursors[cur] {
				return fmt.Errorf("%s: page %d ends with %s %v again, as an earlier page did: the cursor does not advance, so the listing stopped rather than ask for the same page forever",
					p.name, page, p.cursorName, quoteCursor(cur))
			}
			cursors[cur] = true
			next = c.prefetch(ctx, p.call, q, cur, pageWhere(p.name, page+1, q))
		}
		for i := range items {
			entry, err := decode(i)
			if err != nil {
				return err
			}
			if k := p.key(entry); !seen[k] {
				seen[k] = true
				add(entry)
			}
		}
		if len(seen) > c.maxListed {
			return fmt.Errorf("%s: more than %d devices after page %d: the provider lists at most %d devices in one listing, so the listing stopped",
				p.name, c.maxListed, page, c.maxListed)
		}
		if !more {
			return nil
		}
	}
}

// quoteCursor shows a cursor as the API has it: a device_uuid quoted, a
// device_id as it is.
func quoteCursor(cur any) string {
	if s, ok := cur.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(cur)
}

// detailsPager pages through GET /v1/devices_details: each page after the
// first starts after the device_id of the last device of the one before,
// and paging ends on a page that says "more": false.
var detailsPager = pager[Device, int64]{
	name: "devices_details", call: devicesDetailsCall, entry: "device", cursorName: "device_id",
	items: func(answer answerObject) ([]json.RawMessage, bool, error) {
		items := answer.list("message", "a list of devices")
		more := answer.boolean("more")
		return items, more, answer.err
	},
	decode: decodeDevice,
	cursor: func(d Device) int64 { return d.ID },
	key:    func(d Device) string { return d.UUID },
}

// statesPager pages through GET /v1/get_devices_state: each page after the
// first starts after the device_uuid of the last entry of the one before;
// paging ends on a page with fewer entries than the limit, or on one that
// says "more": false when the answer has that key. message may be a list
// of states or, as the API's documentation shows it, a single one.
var statesPager = pager[deviceState, string]{
	name: "get_devices_state", call: devicesStateCall, entry: "entry", cursorName: "device_uuid",
	items: func(answer answerObject) ([]json.RawMessage, bool, error) {
		items := stateItems(&answer)
		more := len(items) == PageLimit
		if _, ok := answer.fields["more"]; ok {
			more = answer.boolean("more")
		}
		return items, more, answer.err
	},
	decode: decodeState,
	cursor: func(s deviceState) string { return s.uuid },
	key:    func(s deviceState) string { return s.uuid },
}

// listDetails lists the devices of q with their details, in the API's
// order.
func (c *Client) listDetails(ctx context.Context, q DeviceQuery) ([]Device, error) {
	var devices []Device
	err := detailsPager.pages(ctx, c, q, func(d Device) { devices = append(devices, d) })
	return devices, err
}

// listStates lists the states of q's devices, by device_uuid.
func (c *Client) listStates(ctx context.Context, q DeviceQuery) (map[string]deviceState, error) {
	states := map[string]deviceState{}
	err := statesPager.pages(ctx, c, q, func(s deviceState) { states[s.uuid] = s })
	return states, err
}

// stateItems returns the entries of a get_devices_state page: message is a
// list of them, or a single one. An error is kept in answer.
func stateItems(answer *answerObject) []json.RawMessage {
	raw := answer.raw("message", "a list of device states")
	if answer.err == nil && jsonKind(raw) == "an object" {
		return []json.RawMessage{raw}
	}
	return answer.list("message", "a list of device states, or one device state")
}
