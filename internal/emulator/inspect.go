package emulator

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// DeviceView is a device as seen by tests: its data plus where it lives.
type DeviceView struct {
	ID       string `json:"id"`
	DeviceID int64  `json:"device_id"`
	Name     string `json:"name"`
	Project  string `json:"project"`
	Group    string `json:"group"`
	State    string `json:"state"`
	// UpdateStatus is the status of the latest update (see Update), the
	// one update_status filters compare with; "" when there is none.
	UpdateStatus  string            `json:"update_status"`
	LastKeepalive string            `json:"last_keepalive"`
	Tags          []string          `json:"tags"`
	Apps          map[string]string `json:"apps"`
	// Updates is the update history in fleet order, never nil.
	Updates []Update `json:"updates"`
}

// Fleet returns a deep copy of the current fleet.
func (e *Emulator) Fleet() *Fleet {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fleet.Clone()
}

// Devices returns the current devices of the account with the given token,
// by device ID, or nil when no account has that token.
func (e *Emulator) Devices(token string) map[string]DeviceView {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.fleet.account(token)
	if a == nil {
		return nil
	}
	out := map[string]DeviceView{}
	for _, v := range deviceViews(a) {
		out[v.ID] = v
	}
	return out
}

// deviceViews lists an account's devices in fleet order.
func deviceViews(a *Account) []DeviceView {
	out := []DeviceView{}
	for _, p := range a.Projects {
		for _, g := range p.Groups {
			for i := range g.Devices {
				out = append(out, newDeviceView(p.Name, g.Name, &g.Devices[i]))
			}
		}
	}
	return out
}

// newDeviceView copies device d of group g of project p into a view.
func newDeviceView(p, g string, d *Device) DeviceView {
	return DeviceView{
		ID:            d.ID,
		DeviceID:      d.DeviceID,
		Name:          d.Name,
		Project:       p,
		Group:         g,
		State:         d.State,
		UpdateStatus:  d.latestStatus(),
		LastKeepalive: d.LastKeepalive,
		Tags:          slices.Clone(d.Tags),
		Apps:          maps.Clone(d.Apps),
		Updates:       append([]Update{}, d.Updates...),
	}
}

// accountView is an account in GET /_emulator/devices: identified by index
// and a label derived from it, never by its token.
type accountView struct {
	Index int      `json:"index"`
	Label string   `json:"label"`
	Apps  []string `json:"apps"`
	// Tags are the tags that exist in the account, sorted: those it lists
	// and those the fleet given to New put on devices.
	Tags    []string     `json:"tags"`
	Devices []DeviceView `json:"devices"`
}

// serveInspect serves the emulator's own paths under InspectPrefix: the
// read-only ones here, the changes of the fleet in serveControl. They are
// not logged, not counted and not subject to the knobs.
func (e *Emulator) serveInspect(w http.ResponseWriter, r *http.Request) {
	if change, ok := controlRoutes[r.URL.Path]; ok {
		e.serveControl(w, r, change)
		return
	}
	var build func() any
	switch r.URL.Path {
	case InspectPrefix + "health":
		build = func() any { return map[string]string{"status": "ok"} }
	case InspectPrefix + "devices":
		build = e.accountViews
	case InspectPrefix + "requests":
		build = func() any { return map[string]any{"requests": e.Requests()} }
	default:
		writeJSON(w, http.StatusNotFound, errorBody{"not found"})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeMethodNotAllowed(w, r, "GET, HEAD")
		return
	}
	writeJSON(w, http.StatusOK, build())
}

// accountViews is the body of GET /_emulator/devices.
func (e *Emulator) accountViews() any {
	e.mu.Lock()
	defer e.mu.Unlock()
	accounts := make([]accountView, 0, len(e.fleet.Accounts))
	for i := range e.fleet.Accounts {
		a := &e.fleet.Accounts[i]
		accounts = append(accounts, accountView{
			Index:   i,
			Label:   fmt.Sprintf("account-%d", i),
			Apps:    slices.Clone(a.Apps),
			Tags:    slices.Sorted(maps.Keys(e.tags[a.UserToken])),
			Devices: deviceViews(a),
		})
	}
	return map[string]any{"accounts": accounts}
}
