package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// badRequest is a refusal answered with 400 and the text as error_message.
type badRequest string

func (e badRequest) Error() string { return string(e) }

func refuse(format string, args ...any) error {
	return badRequest(fmt.Sprintf(format, args...))
}

// removalKind is what one of the API's removals removes: DELETE
// /v1/device_apps an app, DELETE /v1/device_tags a tag. Both take the same
// token and device_filter and answer alike.
type removalKind struct {
	path    string // DeviceAppsPath or DeviceTagsPath
	nameKey string // "app_name" or "tag_name"
	noun    string // "app" or "tag"
}

var (
	appRemoval = removalKind{path: DeviceAppsPath, nameKey: "app_name", noun: "app"}
	tagRemoval = removalKind{path: DeviceTagsPath, nameKey: "tag_name", noun: "tag"}
)

// removal is a validated removal request.
type removal struct {
	account *Account
	name    string // the app or tag removed
	project *Project
	groups  []string
	filters []Filter
}

// decodeObject decodes a request body that must be one JSON object.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, refuse("malformed JSON body: the body is empty")
		}
		return nil, refuse("malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, refuse("malformed JSON body: unexpected data after the JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, refuse("the request body must be a JSON object, got %s", jsonType(v))
	}
	return obj, nil
}

// authenticate decodes a request's body and finds the account its
// user_token belongs to: the first checks of every call, in that order.
func authenticate(f *Fleet, body []byte) (map[string]any, *Account, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, nil, err
	}
	token, err := stringField(obj, "user_token", "user_token")
	if err != nil {
		return nil, nil, err
	}
	acct := f.account(token)
	if acct == nil {
		return nil, nil, refuse("invalid user token")
	}
	return obj, acct, nil
}

// parseRemoval checks the body of a removal of kind k against fleet f, in
// the documented order: token, app_name or tag_name (which exists tells
// whether the account has it), device_filter (project, groups, filters).
// Errors are badRequest values; none contains the token.
func parseRemoval(f *Fleet, body []byte, k removalKind, exists func(*Account, string) bool) (*removal, error) {
	obj, acct, err := authenticate(f, body)
	if err != nil {
		return nil, err
	}

	name, err := stringField(obj, k.nameKey, k.nameKey)
	if err != nil {
		return nil, err
	}
	if !exists(acct, name) {
		return nil, refuse("%s %s does not exist in this account", k.noun, quote(name))
	}

	rawFilter, ok := obj["device_filter"]
	if !ok {
		return nil, refuse("missing device_filter")
	}
	df, err := asObject(rawFilter, "device_filter")
	if err != nil {
		return nil, err
	}

	rawProject, ok := df["project"]
	if !ok {
		return nil, refuse("missing device_filter.project")
	}
	po, err := asObject(rawProject, "device_filter.project")
	if err != nil {
		return nil, err
	}
	pname, err := stringField(po, "name", "device_filter.project.name")
	if err != nil {
		return nil, err
	}
	project := acct.project(pname)
	if project == nil {
		return nil, refuse("device_filter.project.name: project %s does not exist in this account", quote(pname))
	}

	rawGroups, err := listField(df, "groups", "device_filter.groups")
	if err != nil {
		return nil, err
	}
	groups := make([]string, 0, len(rawGroups))
	for i, rg := range rawGroups {
		path := fmt.Sprintf("device_filter.groups[%d]", i)
		g, err := asObject(rg, path)
		if err != nil {
			return nil, err
		}
		name, err := stringField(g, "name", path+".name")
		if err != nil {
			return nil, err
		}
		if project.group(name) == nil {
			return nil, refuse("%s.name: group %s does not exist in project %s", path, quote(name), quote(project.Name))
		}
		groups = append(groups, name)
	}

	rawFilters, err := listField(df, "filters", "device_filter.filters")
	if err != nil {
		return nil, err
	}
	filters := make([]Filter, 0, len(rawFilters))
	for i, rf := range rawFilters {
		flt, err := parseFilter(rf, fmt.Sprintf("device_filter.filters[%d]", i))
		if err != nil {
			return nil, err
		}
		filters = append(filters, flt)
	}

	return &removal{account: acct, name: name, project: project, groups: groups, filters: filters}, nil
}

// parseFilter validates one filter object against the documented table of
// types, operands and values.
func parseFilter(v any, path string) (Filter, error) {
	obj, err := asObject(v, path)
	if err != nil {
		return Filter{}, err
	}
	var flt Filter
	if flt.Type, err = stringField(obj, "type", path+".type"); err != nil {
		return Filter{}, err
	}
	rule, ok := filterRules[flt.Type]
	if !ok {
		return Filter{}, refuse("%s.type %s is not a known filter type (known: %s)", path, quote(flt.Type), strings.Join(filterTypes, ", "))
	}
	if flt.Operand, err = stringField(obj, "operand", path+".operand"); err != nil {
		return Filter{}, err
	}
	if !slices.Contains(rule.operands, flt.Operand) {
		return Filter{}, refuse("%s.operand %s is not allowed for type %q (allowed: %s)", path, quote(flt.Operand), flt.Type, strings.Join(rule.operands, ", "))
	}
	if flt.Value, err = stringField(obj, "value", path+".value"); err != nil {
		return Filter{}, err
	}
	if rule.values != nil && !slices.Contains(rule.values, flt.Value) {
		return Filter{}, refuse("%s.value %s is not allowed for type %q (allowed: %s)", path, quote(flt.Value), flt.Type, strings.Join(rule.values, ", "))
	}
	return flt, nil
}

// stringField returns obj[key], which must be present and a non-empty string.
func stringField(obj map[string]any, key, path string) (string, error) {
	v, ok := obj[key]
	if !ok {
		return "", refuse("missing %s", path)
	}
	s, ok := v.(string)
	if !ok {
		return "", refuse("%s must be a string, got %s", path, jsonType(v))
	}
	if s == "" {
		return "", refuse("%s must not be empty", path)
	}
	return s, nil
}

// listField returns obj[key], which must be present and a list (maybe empty).
func listField(obj map[string]any, key, path string) ([]any, error) {
	v, ok := obj[key]
	if !ok {
		return nil, refuse("missing %s (send an empty list [] for none)", path)
	}
	l, ok := v.([]any)
	if !ok {
		return nil, refuse("%s must be a list, got %s", path, jsonType(v))
	}
	return l, nil
}

func asObject(v any, path string) (map[string]any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, refuse("%s must be an object, got %s", path, jsonType(v))
	}
	return obj, nil
}

// jsonType names the JSON type of a value decoded into any.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// maxEcho is how many characters of a client-supplied value a message shows.
const maxEcho = 64

// quote quotes a client-supplied value for an error message, shortened.
func quote(s string) string {
	if utf8.RuneCountInString(s) > maxEcho {
		r := []rune(s)
		return fmt.Sprintf("%q...", string(r[:maxEcho]))
	}
	return fmt.Sprintf("%q", s)
}
