package emulator

import "net/http"

// detailsPage is the 200 answer of GET /v1/devices_details.
type detailsPage struct {
	More    bool            `json:"more"`
	Message []detailsDevice `json:"message"`
}

// statesPage is the 200 answer of GET /v1/get_devices_state: a list, with
// no "more"; a page shorter than the limit is the last.
type statesPage struct {
	Message []stateEntry `json:"message"`
}

// serveDetails answers GET /v1/devices_details: the account's devices by
// device_id ascending, those after the offset, narrowed by project_name,
// group_name (only with project_name) and device_name, at most limit of
// them, and whether more follow.
func (e *Emulator) serveDetails(w http.ResponseWriter, entry *logEntry, body []byte) {
	e.mu.Lock()
	page, err := e.details(body)
	e.mu.Unlock()
	e.answer(w, entry, err, page, nil)
}

// serveStates answers GET /v1/get_devices_state: the account's devices by
// device_uuid ascending, those after the offset, narrowed by project_name
// and group_name (only with project_name), at most limit of them.
func (e *Emulator) serveStates(w http.ResponseWriter, entry *logEntry, body []byte) {
	e.mu.Lock()
	page, err := e.states(body)
	e.mu.Unlock()
	e.answer(w, entry, err, page, nil)
}

// details builds a devices_details page. It copies what it answers, so the
// page is encoded without the lock; only the page's devices are encoded,
// never the whole account. Must be called with e.mu held.
func (e *Emulator) details(body []byte) (any, error) {
	q, err := parseRead(e.fleet, body, detailsRead)
	if err != nil {
		return nil, err
	}
	order := e.orderOf(q.account)
	page := detailsPage{Message: []detailsDevice{}}
	// One device past the limit tells whether more follow.
	for _, r := range order.byDeviceID[order.afterDeviceID(q.afterID):] {
		p, g, d := r.resolve(q.account)
		if !q.selects(r) || (q.byName && d.Name != q.name) {
			continue
		}
		if len(page.Message) == q.limit {
			page.More = true
			break
		}
		page.Message = append(page.Message, newDetailsDevice(p, g, d))
	}
	return page, nil
}

// states builds a get_devices_state page. Must be called with e.mu held.
func (e *Emulator) states(body []byte) (any, error) {
	q, err := parseRead(e.fleet, body, statesRead)
	if err != nil {
		return nil, err
	}
	order := e.orderOf(q.account)
	page := statesPage{Message: []stateEntry{}}
	for _, r := range order.byUUID[order.afterUUID(q.afterUUID):] {
		if len(page.Message) == q.limit {
			break
		}
		if !q.selects(r) {
			continue
		}
		_, _, d := r.resolve(q.account)
		page.Message = append(page.Message, stateEntry{DeviceStatus: d.State, DeviceUUID: d.ID, DeviceName: d.Name})
	}
	return page, nil
}

// selects reports whether the device r points to is in the project and
// group the query narrows to.
func (q *readQuery) selects(r deviceRef) bool {
	return (q.project < 0 || r.project == q.project) && (q.group < 0 || r.group == q.group)
}
