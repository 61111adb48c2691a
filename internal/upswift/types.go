package upswift

import "encoding/json"

// Project names the project whose devices a request applies to.
type Project struct {
	Name string `json:"name"`
}

// Group names a device group within the project.
type Group struct {
	Name string `json:"name"`
}

// Filter narrows the selected devices; all filters of a request apply (AND).
type Filter struct {
	Type    string `json:"type"`
	Operand string `json:"operand"`
	Value   string `json:"value"`
}

// DeviceFilter selects devices of one project: those of any of the groups
// (all of the project's devices when there are none) that match every filter.
type DeviceFilter struct {
	Project Project  `json:"project"`
	Groups  []Group  `json:"groups"`
	Filters []Filter `json:"filters"`
}

// MarshalJSON always writes "groups" and "filters" as lists, never null: the
// API requires both keys and refuses null.
func (f DeviceFilter) MarshalJSON() ([]byte, error) {
	type wire DeviceFilter
	w := wire(f)
	if w.Groups == nil {
		w.Groups = []Group{}
	}
	if w.Filters == nil {
		w.Filters = []Filter{}
	}
	return json.Marshal(w)
}

// RemoveAppRequest asks the API to remove an app from the devices that the
// filter selects.
type RemoveAppRequest struct {
	AppName      string
	DeviceFilter DeviceFilter
}

// RemoveTagRequest asks the API to remove a tag from the devices that the
// filter selects.
type RemoveTagRequest struct {
	TagName      string
	DeviceFilter DeviceFilter
}

// removalBody is the wire form of DELETE /v1/device_apps (app_name) and
// DELETE /v1/device_tags (tag_name); the client adds the token, so callers
// never handle it. Exactly one of AppName and TagName is set.
type removalBody struct {
	UserToken    string       `json:"user_token"`
	AppName      string       `json:"app_name,omitempty"`
	TagName      string       `json:"tag_name,omitempty"`
	DeviceFilter DeviceFilter `json:"device_filter"`
}
