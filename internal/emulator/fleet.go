package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// Device states accepted in a fleet and in device_state filters.
const (
	StateOnline  = "online"
	StateOffline = "offline"
)

// Update statuses accepted in a fleet and in update_status filters. A device
// with no update has the empty status.
const (
	UpdatePending    = "pending"
	UpdateInProgress = "in_progress"
	UpdateSuccess    = "success"
	UpdateFailed     = "failed"
	UpdateAborted    = "aborted"
)

var (
	deviceStates   = []string{StateOnline, StateOffline}
	updateStatuses = []string{UpdatePending, UpdateInProgress, UpdateSuccess, UpdateFailed, UpdateAborted}
)

// Fleet is the whole data set an Emulator serves: one entry per account.
type Fleet struct {
	Accounts []Account `json:"accounts"`
}

// Account is one Upswift account, identified by its user token.
type Account struct {
	// UserToken is the secret the API expects in the user_token body field.
	UserToken string `json:"user_token"`
	// Apps lists the app names that exist in the account. An app stays in
	// the account even when no device has it any more.
	Apps []string `json:"apps"`
	// Tags lists tag names that exist in the account although no device may
	// carry them. Every tag a device of the fleet given to New carries
	// exists too; like an app, a tag stays in the account when it is
	// removed from every device.
	Tags []string `json:"tags,omitempty"`
	// Projects are the account's projects.
	Projects []Project `json:"projects"`
}

// Project is a project of an account, made of device groups.
type Project struct {
	Name   string  `json:"name"`
	Groups []Group `json:"groups"`
}

// Group is a device group of a project. Every device is in exactly one group.
type Group struct {
	Name    string   `json:"name"`
	Devices []Device `json:"devices"`
}

// Device is one device of a group.
type Device struct {
	// ID is the dashboard's device ID, like "d-4ec7-1be9".
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags"`
	// Apps maps app name to version.
	Apps map[string]string `json:"apps"`
	// State is "online" or "offline".
	State string `json:"state"`
	// UpdateStatus is "pending", "in_progress", "success", "failed",
	// "aborted", or "" when the device has no update. It is a shorthand for
	// fleets without a history: when Updates is empty, New turns it into one
	// Update. With Updates set, it is empty or the latest update's status.
	UpdateStatus string `json:"update_status"`
	// DeviceID is the API's numeric device_id. 0 in a fleet given to New:
	// New assigns one, unique per account, in fleet order, above the
	// largest one given (first assigned: 1001).
	DeviceID int64 `json:"device_id,omitempty"`
	// LastKeepalive is when the device last reported, in TimeLayout (UTC);
	// "" gets DefaultLastKeepalive from New.
	LastKeepalive string `json:"last_keepalive,omitempty"`
	// Updates is the device's update history, in any order.
	Updates []Update `json:"updates,omitempty"`
}

// LoadFleet reads a fleet from a JSON file (the json tags of Fleet and its
// parts), rejects unknown fields, and validates it with Validate. Missing
// lists and maps are loaded as empty ones.
func LoadFleet(path string) (*Fleet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fleet
	if err := decodeStrict(data, &f); err != nil {
		return nil, fmt.Errorf("fleet %s: %w", path, err)
	}
	f.normalize()
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("fleet %s: %w", path, err)
	}
	return &f, nil
}

// decodeStrict decodes data, which must hold one JSON value and nothing
// after it, into v, refusing fields v does not have.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); errors.Is(err, io.EOF) {
		return errors.New("empty: no JSON object")
	} else if err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// Validate checks that the fleet is consistent: user tokens non-empty and
// unique, app, project and group names non-empty and unique in their scope,
// device IDs non-empty and unique per account, device_ids not negative and
// (when set) unique per account, known states and update statuses,
// timestamps in TimeLayout, update histories (see Update) that agree with
// UpdateStatus, non-empty tags, and device apps that exist in the account.
// Error messages identify accounts by index and never contain a token.
func (f *Fleet) Validate() error {
	tokens := map[string]int{}
	for ai, a := range f.Accounts {
		where := fmt.Sprintf("accounts[%d]", ai)
		if a.UserToken == "" {
			return fmt.Errorf("%s.user_token is empty", where)
		}
		if prev, ok := tokens[a.UserToken]; ok {
			return fmt.Errorf("%s.user_token is the same as the token of accounts[%d]", where, prev)
		}
		tokens[a.UserToken] = ai

		apps, err := nameSet(where, "app", a.Apps)
		if err != nil {
			return err
		}
		if _, err := nameSet(where, "tag", a.Tags); err != nil {
			return err
		}

		projects := map[string]bool{}
		ids := map[string]string{}
		deviceIDs := map[int64]string{}
		for pi, p := range a.Projects {
			pwhere := fmt.Sprintf("%s.projects[%d]", where, pi)
			if p.Name == "" {
				return fmt.Errorf("%s.name is empty", pwhere)
			}
			if projects[p.Name] {
				return fmt.Errorf("%s: project %q is defined twice", pwhere, p.Name)
			}
			projects[p.Name] = true
			groups := map[string]bool{}
			for gi, g := range p.Groups {
				gwhere := fmt.Sprintf("%s.groups[%d]", pwhere, gi)
				if g.Name == "" {
					return fmt.Errorf("%s.name is empty", gwhere)
				}
				if groups[g.Name] {
					return fmt.Errorf("%s: group %q is defined twice in project %q", gwhere, g.Name, p.Name)
				}
				groups[g.Name] = true
				for di, d := range g.Devices {
					dwhere := fmt.Sprintf("%s.devices[%d]", gwhere, di)
					if err := validateDevice(d, apps); err != nil {
						return fmt.Errorf("%s: %w", dwhere, err)
					}
					if prev, ok := ids[d.ID]; ok {
						return fmt.Errorf("%s: device id %q is already used by %s", dwhere, d.ID, prev)
					}
					ids[d.ID] = dwhere
					if d.DeviceID == 0 { // New assigns one
						continue
					}
					if prev, ok := deviceIDs[d.DeviceID]; ok {
						return fmt.Errorf("%s: device %q: device_id %d is already used by %s", dwhere, d.ID, d.DeviceID, prev)
					}
					deviceIDs[d.DeviceID] = dwhere
				}
			}
		}
	}
	return nil
}

// nameSet checks that an account's list of names of what (app, tag) has
// no empty or repeated name, and returns them as a set.
func nameSet(where, what string, names []string) (map[string]bool, error) {
	set := map[string]bool{}
	for i, n := range names {
		if n == "" {
			return nil, fmt.Errorf("%s.%ss[%d] is empty", where, what, i)
		}
		if set[n] {
			return nil, fmt.Errorf("%s.%ss: %s %q is listed twice", where, what, what, n)
		}
		set[n] = true
	}
	return set, nil
}

func validateDevice(d Device, apps map[string]bool) error {
	if d.ID == "" {
		return errors.New("id is empty")
	}
	if !slices.Contains(deviceStates, d.State) {
		return fmt.Errorf("device %q: state %q is not one of %s", d.ID, d.State, strings.Join(deviceStates, ", "))
	}
	if d.UpdateStatus != "" && !slices.Contains(updateStatuses, d.UpdateStatus) {
		return fmt.Errorf("device %q: update_status %q is not one of %s (or empty)", d.ID, d.UpdateStatus, strings.Join(updateStatuses, ", "))
	}
	if d.DeviceID < 0 {
		return fmt.Errorf("device %q: device_id %d is negative", d.ID, d.DeviceID)
	}
	if d.LastKeepalive != "" {
		if err := checkTime(d.LastKeepalive); err != nil {
			return fmt.Errorf("device %q: last_keepalive %w", d.ID, err)
		}
	}
	if err := validateUpdates(d); err != nil {
		return err
	}
	for i, t := range d.Tags {
		if t == "" {
			return fmt.Errorf("device %q: tags[%d] is empty", d.ID, i)
		}
	}
	for app := range d.Apps {
		if !apps[app] {
			return fmt.Errorf("device %q: app %q is not listed in the account's apps (apps: %s)", d.ID, app, strings.Join(slices.Sorted(maps.Keys(apps)), ", "))
		}
	}
	return nil
}

// Clone returns a deep copy of f. Nil lists and maps stay nil.
func (f *Fleet) Clone() *Fleet {
	if f == nil {
		return nil
	}
	c := &Fleet{Accounts: slices.Clone(f.Accounts)}
	for ai := range c.Accounts {
		a := &c.Accounts[ai]
		a.Apps = slices.Clone(a.Apps)
		a.Tags = slices.Clone(a.Tags)
		a.Projects = slices.Clone(a.Projects)
		for pi := range a.Projects {
			p := &a.Projects[pi]
			p.Groups = slices.Clone(p.Groups)
			for gi := range p.Groups {
				g := &p.Groups[gi]
				g.Devices = slices.Clone(g.Devices)
				for di := range g.Devices {
					g.Devices[di] = g.Devices[di].clone()
				}
			}
		}
	}
	return c
}

// clone returns a deep copy of d. Nil lists and maps stay nil.
func (d Device) clone() Device {
	d.Tags = slices.Clone(d.Tags)
	d.Apps = maps.Clone(d.Apps)
	d.Updates = slices.Clone(d.Updates)
	return d
}

// normalize replaces nil lists and maps by empty ones.
func (f *Fleet) normalize() {
	if f.Accounts == nil {
		f.Accounts = []Account{}
	}
	for ai := range f.Accounts {
		a := &f.Accounts[ai]
		if a.Apps == nil {
			a.Apps = []string{}
		}
		if a.Projects == nil {
			a.Projects = []Project{}
		}
		for pi := range a.Projects {
			p := &a.Projects[pi]
			if p.Groups == nil {
				p.Groups = []Group{}
			}
			for gi := range p.Groups {
				g := &p.Groups[gi]
				if g.Devices == nil {
					g.Devices = []Device{}
				}
				for di := range g.Devices {
					g.Devices[di].normalize()
				}
			}
		}
	}
}

// normalize replaces the device's nil tags and apps by empty ones.
func (d *Device) normalize() {
	if d.Tags == nil {
		d.Tags = []string{}
	}
	if d.Apps == nil {
		d.Apps = map[string]string{}
	}
}

// account returns the account with the given token, or nil.
func (f *Fleet) account(token string) *Account {
	if token == "" {
		return nil
	}
	for i := range f.Accounts {
		if f.Accounts[i].UserToken == token {
			return &f.Accounts[i]
		}
	}
	return nil
}

// knownTags returns the tags that exist in the account: those it lists and
// those its devices carry.
func (a *Account) knownTags() map[string]bool {
	tags := map[string]bool{}
	for _, t := range a.Tags {
		tags[t] = true
	}
	for _, p := range a.Projects {
		for _, g := range p.Groups {
			for _, d := range g.Devices {
				for _, t := range d.Tags {
					tags[t] = true
				}
			}
		}
	}
	return tags
}

func (a *Account) project(name string) *Project {
	for i := range a.Projects {
		if a.Projects[i].Name == name {
			return &a.Projects[i]
		}
	}
	return nil
}

func (p *Project) group(name string) *Group {
	for i := range p.Groups {
		if p.Groups[i].Name == name {
			return &p.Groups[i]
		}
	}
	return nil
}

// projectIndex returns the position of the project named name, or -1.
func (a *Account) projectIndex(name string) int {
	return slices.IndexFunc(a.Projects, func(p Project) bool { return p.Name == name })
}

// groupIndex returns the position of the group named name, or -1.
func (p *Project) groupIndex(name string) int {
	return slices.IndexFunc(p.Groups, func(g Group) bool { return g.Name == name })
}
