package emulator

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestRemovalRefusals(t *testing.T) {
	withFilters := func(fs ...any) func(b, df map[string]any) {
		return func(_, df map[string]any) { df["filters"] = fs }
	}
	tests := []struct {
		name string
		raw  string // used when not empty, else body(edit)
		edit func(b, df map[string]any)
		want string // exact error_message, or a prefix ending in "..."
	}{
		{name: "malformed JSON", raw: `{"user_token": "demo-token",`, want: "malformed JSON body: ..."},
		{name: "empty body", raw: " ", want: "malformed JSON body: the body is empty"},
		{name: "trailing data", raw: `{} {}`, want: "malformed JSON body: unexpected data after the JSON value"},
		{name: "body is a list", raw: `[]`, want: "the request body must be a JSON object, got a list"},
		{name: "body is null", raw: `null`, want: "the request body must be a JSON object, got null"},

		{name: "missing token", edit: func(b, _ map[string]any) { delete(b, "user_token") }, want: "missing user_token"},
		{name: "token not a string", edit: func(b, _ map[string]any) { b["user_token"] = 42 }, want: "user_token must be a string, got a number"},
		{name: "empty token", edit: func(b, _ map[string]any) { b["user_token"] = "" }, want: "user_token must not be empty"},
		{name: "unknown token", edit: func(b, _ map[string]any) { b["user_token"] = "wrong-token" }, want: "invalid user token"},
		{name: "token checked before app", edit: func(b, _ map[string]any) { b["user_token"] = "wrong-token"; b["app_name"] = "nope" }, want: "invalid user token"},

		{name: "missing app", edit: func(b, _ map[string]any) { delete(b, "app_name") }, want: "missing app_name"},
		{name: "app not a string", edit: func(b, _ map[string]any) { b["app_name"] = []any{"x"} }, want: "app_name must be a string, got a list"},
		{name: "empty app", edit: func(b, _ map[string]any) { b["app_name"] = "" }, want: "app_name must not be empty"},
		{name: "unknown app", edit: func(b, _ map[string]any) { b["app_name"] = "nope" }, want: `app "nope" does not exist in this account`},
		{name: "app checked before filter", edit: func(b, df map[string]any) { b["app_name"] = "nope"; delete(b, "device_filter") }, want: `app "nope" does not exist in this account`},
		{name: "long app name shortened", edit: func(b, _ map[string]any) { b["app_name"] = strings.Repeat("x", 100) }, want: `app "` + strings.Repeat("x", 64) + `"... does not exist in this account`},

		{name: "missing device_filter", edit: func(b, _ map[string]any) { delete(b, "device_filter") }, want: "missing device_filter"},
		{name: "device_filter null", edit: func(b, _ map[string]any) { b["device_filter"] = nil }, want: "device_filter must be an object, got null"},
		{name: "device_filter list", edit: func(b, _ map[string]any) { b["device_filter"] = []any{} }, want: "device_filter must be an object, got a list"},

		{name: "missing project", edit: func(_, df map[string]any) { delete(df, "project") }, want: "missing device_filter.project"},
		{name: "project a string", edit: func(_, df map[string]any) { df["project"] = "Demo" }, want: "device_filter.project must be an object, got a string"},
		{name: "project without name", edit: func(_, df map[string]any) { df["project"] = map[string]any{} }, want: "missing device_filter.project.name"},
		{name: "project name empty", edit: func(_, df map[string]any) { df["project"] = map[string]any{"name": ""} }, want: "device_filter.project.name must not be empty"},
		{name: "unknown project", edit: func(_, df map[string]any) { df["project"] = map[string]any{"name": "Nope"} }, want: `device_filter.project.name: project "Nope" does not exist in this account`},

		{name: "missing groups", edit: func(_, df map[string]any) { delete(df, "groups") }, want: "missing device_filter.groups (send an empty list [] for none)"},
		{name: "groups null", edit: func(_, df map[string]any) { df["groups"] = nil }, want: "device_filter.groups must be a list, got null"},
		{name: "groups an object", edit: func(_, df map[string]any) { df["groups"] = map[string]any{"name": "TestGroup1"} }, want: "device_filter.groups must be a list, got an object"},
		{name: "group a string", edit: func(_, df map[string]any) { df["groups"] = []any{"TestGroup1"} }, want: "device_filter.groups[0] must be an object, got a string"},
		{name: "group without name", edit: func(_, df map[string]any) { df["groups"] = []any{map[string]any{"id": 1}} }, want: "missing device_filter.groups[0].name"},
		{name: "unknown group", edit: func(_, df map[string]any) {
			df["groups"] = []any{map[string]any{"name": "TestGroup1"}, map[string]any{"name": "Nope"}}
		}, want: `device_filter.groups[1].name: group "Nope" does not exist in project "Demo"`},

		{name: "missing filters", edit: func(_, df map[string]any) { delete(df, "filters") }, want: "missing device_filter.filters (send an empty list [] for none)"},
		{name: "filters null", edit: func(_, df map[string]any) { df["filters"] = nil }, want: "device_filter.filters must be a list, got null"},
		{name: "filter not an object", edit: withFilters(true), want: "device_filter.filters[0] must be an object, got a boolean"},
		{name: "filter without type", edit: withFilters(map[string]any{"operand": "is", "value": "x"}), want: "missing device_filter.filters[0].type"},
		{name: "filter type a number", edit: withFilters(map[string]any{"type": 1, "operand": "is", "value": "x"}), want: "device_filter.filters[0].type must be a string, got a number"},
		{name: "unknown filter type", edit: withFilters(filter("colour", "is", "red")),
			want: `device_filter.filters[0].type "colour" is not a known filter type (known: specific_device, tag, app, device_state, update_status)`},
		{name: "filter without operand", edit: withFilters(map[string]any{"type": "tag", "value": "x"}), want: "missing device_filter.filters[0].operand"},
		{name: "unknown operand", edit: withFilters(filter("tag", "contains", "x")),
			want: `device_filter.filters[0].operand "contains" is not allowed for type "tag" (allowed: is, is_not)`},
		{name: "device_state is_not", edit: withFilters(filter("tag", "is", "prod"), filter("device_state", "is_not", "online")),
			want: `device_filter.filters[1].operand "is_not" is not allowed for type "device_state" (allowed: is)`},
		{name: "filter without value", edit: withFilters(map[string]any{"type": "tag", "operand": "is"}), want: "missing device_filter.filters[0].value"},
		{name: "filter value a number", edit: withFilters(map[string]any{"type": "tag", "operand": "is", "value": 3}), want: "device_filter.filters[0].value must be a string, got a number"},
		{name: "empty filter value", edit: withFilters(filter("specific_device", "is", "")), want: "device_filter.filters[0].value must not be empty"},
		{name: "bad device_state value", edit: withFilters(filter("device_state", "is", "sleeping")),
			want: `device_filter.filters[0].value "sleeping" is not allowed for type "device_state" (allowed: online, offline)`},
		{name: "bad update_status value", edit: withFilters(filter("update_status", "is_not", "done")),
			want: `device_filter.filters[0].value "done" is not allowed for type "update_status" (allowed: pending, in_progress, success, failed, aborted)`},

		{name: "token never echoed", edit: func(b, _ map[string]any) { b["app_name"] = "x-" + DemoToken }, want: `app "x-<redacted>" does not exist in this account`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			raw := tt.raw
			if raw == "" {
				raw = mustJSON(t, body(tt.edit))
			}
			rec := serve(e, http.MethodDelete, DeviceAppsPath, raw)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			msg, _ := decodeBody(t, rec)["error_message"].(string)
			if prefix, ok := strings.CutSuffix(tt.want, "..."); ok {
				if !strings.HasPrefix(msg, prefix) || len(msg) == len(prefix) {
					t.Errorf("error_message %q, want %q followed by details", msg, prefix)
				}
			} else if msg != tt.want {
				t.Errorf("error_message\n got %q\nwant %q", msg, tt.want)
			}
			if strings.Contains(rec.Body.String(), DemoToken) {
				t.Errorf("answer leaks the token: %s", rec.Body)
			}
			if !reflect.DeepEqual(e.Fleet(), DemoFleet()) {
				t.Error("a refused request changed the fleet")
			}
			log := e.Requests()
			if len(log) != 1 || log[0].Status != http.StatusBadRequest || log[0].Removed != nil {
				t.Errorf("log = %+v", log)
			}
		})
	}
}
