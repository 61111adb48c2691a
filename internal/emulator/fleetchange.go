package emulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The changes of the fleet beside the API. No call of the API moves a
// device, changes its state or adds one; these methods do, so that a test,
// the demo or a user can change the fleet between a plan and an apply, as
// the real fleet changes while a plan waits for its review. The reads and
// the removals see a change from the next request on. POST
// /_emulator/fleet/move, /state and /add (control.go) call them over HTTP.
//
// Every error names the field it is about (user_token, device, project,
// group, state, or a field of the added device) and, where there is a
// short list of them, the allowed values; none contains a token.

// MoveDevice moves the device with dashboard ID id (e.g. "d-4ec7-1be9") of
// the account with this token into group `group` of project `project`
// (another group of the same project, or of another project). The device
// keeps everything else: device_id, tags, apps, state, updates. Moving a
// device into the group it is in changes nothing. The project and the group
// must exist: the emulator creates neither.
func (e *Emulator) MoveDevice(token, id, project, group string) error {
	_, err := e.moveDevice(token, id, project, group)
	return err
}

// SetDeviceState sets a device's state: "online" or "offline".
func (e *Emulator) SetDeviceState(token, id, state string) error {
	_, err := e.setDeviceState(token, id, state)
	return err
}

// AddDevice adds a new device to group `group` of project `project`; d is
// validated as a fleet's device is (Fleet.Validate rules: non-empty id
// unique in the account, device_id unique in the account when set, known
// state and update status, timestamps in TimeLayout, a consistent update
// history, non-empty tags, apps that exist in the account). As New does for
// the initial fleet, a device_id of 0 gets the next free one (above the
// account's largest), an empty last_keepalive DefaultLastKeepalive, and an
// UpdateStatus without history one update; the device's tags exist in the
// account from then on. The emulator keeps a copy of d.
func (e *Emulator) AddDevice(token, project, group string, d Device) error {
	_, err := e.addDevice(token, project, group, d)
	return err
}

func (e *Emulator) moveDevice(token, id, project, group string) (DeviceView, error) {
	return e.change(token, func(a *Account) (DeviceView, error) {
		from, err := a.findDevice(id)
		if err != nil {
			return DeviceView{}, err
		}
		pi, gi, err := a.findGroup(project, group)
		if err != nil {
			return DeviceView{}, err
		}
		dst, at := &a.Projects[pi].Groups[gi], from.device
		if from.project != pi || from.group != gi {
			src := &a.Projects[from.project].Groups[from.group]
			d := src.Devices[from.device]
			src.Devices = slices.Delete(src.Devices, from.device, from.device+1)
			dst.Devices = append(dst.Devices, d)
			at = len(dst.Devices) - 1
			// The positions of the devices after it in its old group moved.
			e.changed(a)
		}
		return newDeviceView(project, group, &dst.Devices[at]), nil
	})
}

func (e *Emulator) setDeviceState(token, id, state string) (DeviceView, error) {
	return e.change(token, func(a *Account) (DeviceView, error) {
		at, err := a.findDevice(id)
		if err != nil {
			return DeviceView{}, err
		}
		if !slices.Contains(deviceStates, state) {
			return DeviceView{}, fmt.Errorf("state: %s is not one of %s", quote(state), strings.Join(deviceStates, ", "))
		}
		// The state is no key of the read order: the order holds.
		p, g, d := at.resolve(a)
		d.State = state
		return newDeviceView(p.Name, g.Name, d), nil
	})
}

func (e *Emulator) addDevice(token, project, group string, d Device) (DeviceView, error) {
	return e.change(token, func(a *Account) (DeviceView, error) {
		pi, gi, err := a.findGroup(project, group)
		if err != nil {
			return DeviceView{}, err
		}
		d = d.clone()
		d.normalize()
		if err := a.checkNewDevice(d); err != nil {
			return DeviceView{}, fmt.Errorf("device: %w", err)
		}
		g := &a.Projects[pi].Groups[gi]
		g.Devices = append(g.Devices, d)
		a.fillDefaults() // only the new device lacks anything
		if e.tags[a.UserToken] == nil {
			e.tags[a.UserToken] = map[string]bool{}
		}
		for _, t := range d.Tags {
			e.tags[a.UserToken][t] = true
		}
		e.changed(a)
		return newDeviceView(project, group, &g.Devices[len(g.Devices)-1]), nil
	})
}

// change runs edit on the account with the given token under the lock,
// and redacts every secret from its error: a value echoed in a message
// might be a token given in the wrong field.
func (e *Emulator) change(token string, edit func(a *Account) (DeviceView, error)) (DeviceView, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var err error
	var v DeviceView
	if a := e.fleet.account(token); a != nil {
		v, err = edit(a)
	} else if token == "" {
		err = errors.New("user_token must not be empty")
	} else {
		err = errors.New("user_token: no account has this token")
	}
	if err != nil {
		return DeviceView{}, errors.New(e.secretsWith(token).redact(err.Error()))
	}
	return v, nil
}

// changed drops the read order of account a after a change that moved
// positions; the account's next read builds it again (orderOf). Must be
// called with e.mu held.
func (e *Emulator) changed(a *Account) {
	delete(e.order, a.UserToken)
}

// findDevice returns the position of the device with dashboard ID id.
func (a *Account) findDevice(id string) (deviceRef, error) {
	if id == "" {
		return deviceRef{}, errors.New("device must not be empty (a device ID like \"d-4ec7-1be9\")")
	}
	for pi, p := range a.Projects {
		for gi, g := range p.Groups {
			for di, d := range g.Devices {
				if d.ID == id {
					return deviceRef{project: pi, group: gi, device: di, deviceID: d.DeviceID, uuid: d.ID}, nil
				}
			}
		}
	}
	return deviceRef{}, fmt.Errorf("device: no device has the ID %s in this account", quote(id))
}

// findGroup returns the positions of group `group` of project `project`,
// which must both exist: the emulator creates neither.
func (a *Account) findGroup(project, group string) (pi, gi int, err error) {
	pi = a.projectIndex(project)
	if pi < 0 {
		names := make([]string, len(a.Projects))
		for i, p := range a.Projects {
			names[i] = p.Name
		}
		return 0, 0, fmt.Errorf("project: project %s does not exist in this account (projects: %s; the emulator creates none)",
			quote(project), strings.Join(names, ", "))
	}
	p := &a.Projects[pi]
	gi = p.groupIndex(group)
	if gi < 0 {
		names := make([]string, len(p.Groups))
		for i, g := range p.Groups {
			names[i] = g.Name
		}
		return 0, 0, fmt.Errorf("group: group %s does not exist in project %s (groups: %s; the emulator creates none)",
			quote(group), quote(p.Name), strings.Join(names, ", "))
	}
	return pi, gi, nil
}

// checkNewDevice checks a device about to join the account by the rules
// Fleet.Validate holds a fleet's devices to.
func (a *Account) checkNewDevice(d Device) error {
	apps := map[string]bool{}
	for _, app := range a.Apps {
		apps[app] = true
	}
	if err := validateDevice(d, apps); err != nil {
		return err
	}
	for _, p := range a.Projects {
		for _, g := range p.Groups {
			for _, o := range g.Devices {
				if o.ID == d.ID {
					return fmt.Errorf("id %s is already used by a device of group %s of project %s", quote(d.ID), quote(g.Name), quote(p.Name))
				}
				if d.DeviceID != 0 && o.DeviceID == d.DeviceID {
					return fmt.Errorf("device %s: device_id %d is already used by device %s", quote(d.ID), d.DeviceID, quote(o.ID))
				}
			}
		}
	}
	return nil
}
