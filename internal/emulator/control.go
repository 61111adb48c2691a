package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// The paths of the changes of the fleet, beside the API under InspectPrefix:
// MoveDevice, SetDeviceState and AddDevice over HTTP, for scripts and users
// of cmd/upswift-emulator. Each takes a POST with a JSON object body
// (MoveRequest, StateRequest, AddRequest; unknown fields are refused) and
// answers 200 with the changed device as GET /_emulator/devices shows it (a
// DeviceView), 400 {"error_message": "..."} for a bad body or a refused
// change, 413 for a body over 1 MiB, 405 for another method. Like the
// inspection paths, they are not API requests: not logged, not counted, not
// delayed, limited or failed by the knobs. No answer contains a token.
const (
	FleetMovePath  = InspectPrefix + "fleet/move"
	FleetStatePath = InspectPrefix + "fleet/state"
	FleetAddPath   = InspectPrefix + "fleet/add"
)

// MoveRequest is the body of POST FleetMovePath: MoveDevice's arguments,
// Device being the device's dashboard ID.
type MoveRequest struct {
	UserToken string `json:"user_token"`
	Device    string `json:"device"`
	Project   string `json:"project"`
	Group     string `json:"group"`
}

// StateRequest is the body of POST FleetStatePath: SetDeviceState's
// arguments, Device being the device's dashboard ID.
type StateRequest struct {
	UserToken string `json:"user_token"`
	Device    string `json:"device"`
	State     string `json:"state"`
}

// AddRequest is the body of POST FleetAddPath: AddDevice's arguments, the
// device spelled as in a fleet file.
type AddRequest struct {
	UserToken string  `json:"user_token"`
	Project   string  `json:"project"`
	Group     string  `json:"group"`
	Device    *Device `json:"device"`
}

// controlRoute decodes the body of a change and applies it.
type controlRoute func(e *Emulator, body []byte) (DeviceView, error)

var controlRoutes = map[string]controlRoute{
	FleetMovePath: func(e *Emulator, body []byte) (DeviceView, error) {
		var req MoveRequest
		if err := e.decodeControl(body, &req, jsonFields(req)); err != nil {
			return DeviceView{}, err
		}
		return e.moveDevice(req.UserToken, req.Device, req.Project, req.Group)
	},
	FleetStatePath: func(e *Emulator, body []byte) (DeviceView, error) {
		var req StateRequest
		if err := e.decodeControl(body, &req, jsonFields(req)); err != nil {
			return DeviceView{}, err
		}
		return e.setDeviceState(req.UserToken, req.Device, req.State)
	},
	FleetAddPath: func(e *Emulator, body []byte) (DeviceView, error) {
		var req AddRequest
		if err := e.decodeControl(body, &req, jsonFields(req)+"; device is an object with the fields "+jsonFields(Device{})); err != nil {
			return DeviceView{}, err
		}
		if req.Device == nil {
			return DeviceView{}, fmt.Errorf("missing device: an object with the fields %s", jsonFields(Device{}))
		}
		return e.addDevice(req.UserToken, req.Project, req.Group, *req.Device)
	},
}

// serveControl serves a change of the fleet: POST only, the body read as
// the API's are (at most maxBody bytes).
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request, change controlRoute) {
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, r, http.MethodPost)
		return
	}
	body, status, refusal := readBody(r)
	if status != 0 {
		writeJSON(w, status, errorBody{refusal})
		return
	}
	view, err := change(e, body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// decodeControl decodes the body of a change into req, a pointer to one of
// the request types, refusing unknown fields. The error says which fields
// the body takes, and has the account tokens redacted: a field name the
// decoder echoes might be one.
func (e *Emulator) decodeControl(body []byte, req any, fields string) error {
	err := decodeStrict(body, req)
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf("malformed JSON body: %s; the body is a JSON object with the fields %s",
		strings.TrimPrefix(err.Error(), "json: "), fields)
	return errors.New(e.secretsWith("").redact(msg))
}

// jsonFields lists the JSON names of the fields of the struct v, in
// declaration order, for error messages.
func jsonFields(v any) string {
	t := reflect.TypeOf(v)
	names := make([]string, t.NumField())
	for i := range names {
		names[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return strings.Join(names, ", ")
}
