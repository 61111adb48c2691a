package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fleetCommand finds the curl commands that change the fleet in the docs:
// the path after "$URL" and the body after -d.
var fleetCommand = regexp.MustCompile(`"\$URL(/_emulator/fleet/[a-z]+)"[\s\\]*-d '([^']*)'`)

type command struct{ path, body string }

// documentedCommands returns the fleet changes a text shows.
func documentedCommands(text string) []command {
	var out []command
	for _, m := range fleetCommand.FindAllStringSubmatch(text, -1) {
		out = append(out, command{m[1], m[2]})
	}
	return out
}

// TestDocumentedFleetChanges runs the curl commands of README.md,
// CONTRIBUTING.md and -h against the command's demo fleet, with its default
// knobs: each is answered 200 with the changed device, and afterwards the
// three devices are online in TestGroup1, where the docs say they join the
// scope of examples/demo's removal of legacy-agent.
func TestDocumentedFleetChanges(t *testing.T) {
	var docs []command
	for _, name := range []string{"README.md", "CONTRIBUTING.md"} {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		cmds := documentedCommands(string(data))
		if len(cmds) != 3 || (docs != nil && !slices.Equal(cmds, docs)) {
			t.Fatalf("%s shows the fleet changes %v, want the three of the other docs", name, cmds)
		}
		docs = cmds
	}
	usage := documentedCommands(usageHeader)
	if len(usage) != 1 || !slices.Contains(docs, usage[0]) {
		t.Errorf("-h shows %v, want one of the documented commands", usage)
	}

	url, _, stop := start(t)
	defer stop()
	var want []string
	for _, c := range docs {
		code, _, answer := send(t, http.MethodPost, url+c.path, c.body)
		var device struct {
			ID    string `json:"id"`
			Group string `json:"group"`
			State string `json:"state"`
		}
		_ = json.Unmarshal([]byte(answer), &device) // checked below
		if code != 200 || device.ID == "" || device.Group != "TestGroup1" || device.State != "online" || strings.Contains(answer, "demo-token") {
			t.Errorf("POST %s %s: %d %s", c.path, c.body, code, answer)
		}
		want = append(want, device.ID)
	}
	code, _, answer := send(t, http.MethodGet, url+"/v1/get_devices_state",
		`{"user_token":"demo-token","project_name":"Demo","group_name":"TestGroup1","limit":50}`)
	for _, id := range want {
		if code != 200 || !strings.Contains(answer, `"device_status":"online","device_uuid":"`+id+`"`) {
			t.Errorf("get_devices_state of TestGroup1 lacks %s online: %d %s", id, code, answer)
		}
	}
}
