package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// readToken is the token of readFleet's account.
const readToken = "read-token"

// readFleet returns one account of n devices spread over projects P0, P1 and
// their groups G0, G1, in which neither device_id order nor device_uuid
// order follows fleet order: every fifth device has a given device_id,
// counting down from 900000, New assigns the others above it, and the
// uuids' first part jumps around. Device i is named "dev-<i>"; every third
// is offline.
func readFleet(n int) *Fleet {
	a := Account{UserToken: readToken, Projects: []Project{
		{Name: "P0", Groups: []Group{{Name: "G0"}, {Name: "G1"}}},
		{Name: "P1", Groups: []Group{{Name: "G0"}, {Name: "G1"}}},
	}}
	for i := range n {
		d := Device{ID: fmt.Sprintf("d-%04x-%04x", i*7919%65536, i), Name: fmt.Sprintf("dev-%d", i), State: StateOnline}
		if i%3 == 0 {
			d.State = StateOffline
		}
		if i%5 == 0 {
			d.DeviceID = int64(900000 - i)
		}
		g := &a.Projects[i%2].Groups[i/2%2]
		g.Devices = append(g.Devices, d)
	}
	return &Fleet{Accounts: []Account{a}}
}

// getRead sends a read with the given body fields to the handler.
func getRead(t testing.TB, e *Emulator, path string, fields map[string]any) (int, string) {
	t.Helper()
	rec := serve(e, http.MethodGet, path, mustJSON(t, fields))
	return rec.Code, rec.Body.String()
}

// wireDetails is the part of a devices_details answer the paging tests read.
type wireDetails struct {
	More    *bool `json:"more"`
	Message []struct {
		DeviceID   int64  `json:"device_id"`
		DeviceUUID string `json:"device_uuid"`
		DeviceName string `json:"device_name"`
		Project    string `json:"project"`
		Group      string `json:"group"`
	} `json:"message"`
}

// wireStates is a get_devices_state answer.
type wireStates struct {
	Message []stateEntry `json:"message"`
}

// errorMessage returns the error_message of an answer.
func errorMessage(t testing.TB, raw string) string {
	t.Helper()
	var e errorBody
	decodeWire(t, raw, &e)
	return e.ErrorMessage
}

// checkRefused checks that a read was answered 400 with error_message msg.
func checkRefused(t testing.TB, code int, raw, msg string) {
	t.Helper()
	if code != http.StatusBadRequest || errorMessage(t, raw) != msg {
		t.Errorf("%d %s, want 400 %q", code, raw, msg)
	}
}

func decodeWire(t testing.TB, raw string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatalf("answer %s: %v", raw, err)
	}
}

// pageAll pages through the read path with the given limit (0: none sent)
// and extra body fields, and returns the number of pages. next checks a
// page's answer, keeps what it needs of it, and returns the offset of the
// page after it, or nil when the page is the last.
func pageAll(t testing.TB, e *Emulator, path, token string, limit int, extra map[string]any, next func(page int, raw string) any) int {
	t.Helper()
	var offset any
	for pages := 1; ; pages++ {
		b := map[string]any{"user_token": token}
		if limit > 0 {
			b["limit"] = limit
		}
		if offset != nil {
			b["offset"] = offset
		}
		for k, v := range extra {
			b[k] = v
		}
		code, raw := getRead(t, e, path, b)
		if code != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, code, raw)
		}
		if offset = next(pages, raw); offset == nil {
			return pages
		}
		if pages > 100000 {
			t.Fatal("paging does not end")
		}
	}
}

// pageAllDetails pages through devices_details with the given limit (0:
// none sent) and extra body fields, checking each page, and returns the
// device_ids in the order received and the number of pages.
func pageAllDetails(t testing.TB, e *Emulator, token string, limit int, extra map[string]any) ([]int64, int) {
	t.Helper()
	size := cmp.Or(limit, DefaultReadLimit)
	var ids []int64
	pages := pageAll(t, e, DevicesDetailsPath, token, limit, extra, func(n int, raw string) any {
		var page wireDetails
		decodeWire(t, raw, &page)
		if page.More == nil || page.Message == nil {
			t.Fatalf("page %d lacks more or message: %s", n, raw)
		}
		if len(page.Message) > size || (*page.More && len(page.Message) != size) {
			t.Fatalf("page %d: %d devices with more=%v, limit %d", n, len(page.Message), *page.More, size)
		}
		for _, d := range page.Message {
			ids = append(ids, d.DeviceID)
		}
		if !*page.More {
			return nil
		}
		return page.Message[len(page.Message)-1].DeviceID
	})
	return ids, pages
}

// pageAllStates is pageAllDetails for get_devices_state; it returns the
// uuids received.
func pageAllStates(t testing.TB, e *Emulator, token string, limit int, extra map[string]any) ([]string, int) {
	t.Helper()
	entries, pages := pageAllStateEntries(t, e, token, limit, extra)
	uuids := make([]string, len(entries))
	for i, s := range entries {
		uuids[i] = s.DeviceUUID
	}
	return uuids, pages
}

// pageAllStateEntries is pageAllStates returning the entries received.
func pageAllStateEntries(t testing.TB, e *Emulator, token string, limit int, extra map[string]any) ([]stateEntry, int) {
	t.Helper()
	size := cmp.Or(limit, DefaultReadLimit)
	var entries []stateEntry
	pages := pageAll(t, e, DevicesStatePath, token, limit, extra, func(n int, raw string) any {
		if strings.Contains(raw, `"more"`) {
			t.Fatalf("page %d has a more key: %s", n, raw)
		}
		var page wireStates
		decodeWire(t, raw, &page)
		if page.Message == nil {
			t.Fatalf("page %d: message is not a list: %s", n, raw)
		}
		if len(page.Message) > size {
			t.Fatalf("page %d: %d entries, limit %d", n, len(page.Message), size)
		}
		entries = append(entries, page.Message...)
		if len(page.Message) < size {
			return nil
		}
		return page.Message[len(page.Message)-1].DeviceUUID
	})
	return entries, pages
}

// expectedOrders returns the account's device_ids sorted and its uuids
// sorted, from Devices (not from the reads' own index), keeping only the
// devices keep accepts.
func expectedOrders(e *Emulator, token string, keep func(DeviceView) bool) ([]int64, []string) {
	var ids []int64
	var uuids []string
	for _, d := range e.Devices(token) {
		if keep == nil || keep(d) {
			ids = append(ids, d.DeviceID)
			uuids = append(uuids, d.ID)
		}
	}
	slices.Sort(ids)
	slices.Sort(uuids)
	return ids, uuids
}
