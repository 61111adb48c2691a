package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// tagBody is a valid DELETE /v1/device_tags body for the demo fleet.
func tagBody(tag string, edit func(df map[string]any)) map[string]any {
	b := body(func(b, df map[string]any) {
		delete(b, "app_name")
		b["tag_name"] = tag
		if edit != nil {
			edit(df)
		}
	})
	return b
}

// TestRemoveTag: the tag leaves exactly the selected devices that carry it;
// nothing else about any device changes.
func TestRemoveTag(t *testing.T) {
	tests := []struct {
		name string
		tag  string
		edit func(df map[string]any)
		want []string
	}{
		{"whole project", "beta", nil, []string{"d-c0d9-3b72", "d-2d47-a951"}},
		{"one group", "prod", func(df map[string]any) { df["groups"] = groups("TestGroup2") }, []string{"d-a3c5-6e18"}},
		{"filters AND", "prod", func(df map[string]any) {
			df["filters"] = []any{filter("device_state", "is", "online"), filter("app", "is", "metrics")}
		}, []string{"d-4ec7-1be9", "d-5b8e-02f4"}},
		{"the tag filter itself", "camera", func(df map[string]any) {
			df["filters"] = []any{filter("tag", "is", "beta")}
		}, []string{"d-c0d9-3b72"}},
		{"no selected device has it", "lab", func(df map[string]any) { df["groups"] = groups("TestGroup1") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			before := e.Devices(DemoToken)
			rec := serve(e, http.MethodDelete, DeviceTagsPath, mustJSON(t, tagBody(tt.tag, tt.edit)))
			if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"message":"Success"}` {
				t.Fatalf("answer %d %s", rec.Code, rec.Body)
			}
			log := e.Requests()
			if len(log) != 1 || log[0].Path != DeviceTagsPath || !slices.Equal(log[0].Removed, tt.want) {
				t.Fatalf("log %+v, want Removed %v", log, tt.want)
			}
			if log[0].Body["user_token"] != Redacted {
				t.Errorf("token not redacted in the log: %v", log[0].Body["user_token"])
			}
			for id, d := range e.Devices(DemoToken) {
				b := before[id]
				wantTags := b.Tags
				if slices.Contains(tt.want, id) {
					wantTags = slices.DeleteFunc(slices.Clone(b.Tags), func(s string) bool { return s == tt.tag })
				}
				if !slices.Equal(d.Tags, wantTags) {
					t.Errorf("device %s tags %v, want %v", id, d.Tags, wantTags)
				}
				if len(d.Apps) != len(b.Apps) || d.State != b.State || d.UpdateStatus != b.UpdateStatus {
					t.Errorf("device %s changed beyond its tags", id)
				}
			}
		})
	}
}

// TestRemoveTagRefusals: an unknown tag and the other refusals are 400 with
// an error_message, and change nothing.
func TestRemoveTagRefusals(t *testing.T) {
	tests := []struct {
		name string
		body map[string]any
		want string
	}{
		{"unknown tag", tagBody("no-such-tag", nil), `tag "no-such-tag" does not exist in this account`},
		{"missing tag_name", body(func(b, _ map[string]any) { delete(b, "app_name") }), "missing tag_name"},
		{"an app is not a tag", tagBody("legacy-agent", nil), `tag "legacy-agent" does not exist`},
		{"unknown project", tagBody("beta", func(df map[string]any) { df["project"] = map[string]any{"name": "Nope"} }), `project "Nope" does not exist`},
		{"bad filter", tagBody("beta", func(df map[string]any) { df["filters"] = []any{filter("device_state", "is_not", "online")} }), "operand"},
		{"bad token", func() map[string]any { b := tagBody("beta", nil); b["user_token"] = "nope"; return b }(), "invalid user token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(DemoFleet())
			before := e.Devices(DemoToken)
			rec := serve(e, http.MethodDelete, DeviceTagsPath, mustJSON(t, tt.body))
			msg, _ := decodeBody(t, rec)["error_message"].(string)
			if rec.Code != http.StatusBadRequest || !strings.Contains(msg, tt.want) {
				t.Fatalf("answer %d %q, want 400 with %q", rec.Code, msg, tt.want)
			}
			for id, d := range e.Devices(DemoToken) {
				if !slices.Equal(d.Tags, before[id].Tags) {
					t.Errorf("device %s tags changed on a refusal", id)
				}
			}
		})
	}
}

// TestRemovedTagStaysKnown: later tag filters see the removal, and the tag
// still exists in the account once no device carries it (a second removal
// is a 200 that removes nothing, not an unknown tag). A tag the account
// lists but no device carries exists too.
func TestRemovedTagStaysKnown(t *testing.T) {
	f := DemoFleet()
	f.Accounts[0].Tags = []string{"retired"}
	e := New(f)
	send := func(b map[string]any, path string) (int, []string) {
		t.Helper()
		rec := serve(e, http.MethodDelete, path, mustJSON(t, b))
		log := e.Requests()
		return rec.Code, log[len(log)-1].Removed
	}
	if code, removed := send(tagBody("beta", nil), DeviceTagsPath); code != 200 || len(removed) != 2 {
		t.Fatalf("first removal: %d %v", code, removed)
	}
	// An app removal filtered on the tag no longer selects anything.
	appByTag := body(func(_, df map[string]any) { df["filters"] = []any{filter("tag", "is", "beta")} })
	if code, removed := send(appByTag, DeviceAppsPath); code != 200 || len(removed) != 0 {
		t.Fatalf("app removal by the removed tag: %d %v", code, removed)
	}
	if code, removed := send(tagBody("beta", nil), DeviceTagsPath); code != 200 || len(removed) != 0 {
		t.Fatalf("second removal: %d %v", code, removed)
	}
	if code, removed := send(tagBody("retired", nil), DeviceTagsPath); code != 200 || len(removed) != 0 {
		t.Fatalf("listed tag: %d %v", code, removed)
	}
	// The inspection output lists the account's tags, removed ones too.
	rec := serve(e, http.MethodGet, "/_emulator/devices", "")
	accounts, _ := decodeBody(t, rec)["accounts"].([]any)
	if len(accounts) != 1 {
		t.Fatalf("GET /_emulator/devices: %s", rec.Body)
	}
	account, _ := accounts[0].(map[string]any)
	if tags := fmt.Sprint(account["tags"]); tags != "[beta camera gateway lab prod retired sensor]" {
		t.Errorf("account tags %s", tags)
	}
	e.Reset()
	if code, removed := send(appByTag, DeviceAppsPath); code != 200 || !slices.Equal(removed, []string{"d-c0d9-3b72", "d-2d47-a951"}) {
		t.Fatalf("after Reset the tag is back: %d %v", code, removed)
	}
}

// TestTagPathMethodsAndKnobs: other methods are 405 naming the path, and
// the knobs apply to tag removals as to app removals.
func TestTagPathMethodsAndKnobs(t *testing.T) {
	e := New(DemoFleet())
	rec := serve(e, http.MethodPost, DeviceTagsPath, mustJSON(t, tagBody("beta", nil)))
	if rec.Code != 405 || !strings.Contains(rec.Body.String(), "not allowed on /v1/device_tags") {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	e.FailNext(1, 503, false)
	if rec := serve(e, http.MethodDelete, DeviceTagsPath, mustJSON(t, tagBody("beta", nil))); rec.Code != 503 {
		t.Fatalf("FailNext: %d", rec.Code)
	}
	if d := e.Devices(DemoToken)["d-c0d9-3b72"]; !slices.Contains(d.Tags, "beta") {
		t.Fatal("a failed request removed the tag")
	}
	if rec := serve(e, http.MethodDelete, DeviceTagsPath, mustJSON(t, tagBody("beta", nil))); rec.Code != 200 {
		t.Fatalf("after FailNext: %d", rec.Code)
	}
	if c := e.Counts(); c[503] != 1 || c[200] != 1 || c[405] != 1 {
		t.Fatalf("counts %v", c)
	}
}

func TestFleetValidatesAccountTags(t *testing.T) {
	for _, tags := range [][]string{{""}, {"a", "a"}} {
		f := DemoFleet()
		f.Accounts[0].Tags = tags
		if err := f.Validate(); err == nil {
			t.Errorf("tags %q accepted", tags)
		}
	}
}

// groups is a device_filter.groups list of these names.
func groups(names ...string) []any {
	var out []any
	for _, n := range names {
		out = append(out, map[string]any{"name": n})
	}
	return out
}
