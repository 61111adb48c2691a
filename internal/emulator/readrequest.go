package emulator

import (
	"math"
	"strconv"
)

// Page sizes of the reads, as the API documents them.
const (
	DefaultReadLimit = 20
	MaxReadLimit     = 50
)

// maxExactInt is the largest whole number a JSON number decoded into a
// float64 holds exactly; offsets beyond it could name another device.
const maxExactInt = 1 << 53

// readKind is one of the two reads: they take the same token, project, group
// and limit, and differ in their cursor and in what else they filter by.
type readKind int

const (
	detailsRead readKind = iota // GET /v1/devices_details
	statesRead                  // GET /v1/get_devices_state
)

// readQuery is a validated read request.
type readQuery struct {
	account *Account
	// project and group are positions in the account; -1 means any.
	project, group int
	// name, when byName is set, is the exact device_name asked for
	// (devices_details only).
	name   string
	byName bool
	limit  int
	// The cursor: devices after afterID (devices_details) or after
	// afterUUID (get_devices_state) in the order the read pages by.
	afterID   int64
	afterUUID string
}

// parseRead checks the body of a read of kind k against fleet f: token,
// then for devices_details a device_token, then project_name, group_name,
// device_name, limit and offset. Fields the read does not know are ignored,
// as the docs do not say the API refuses them; known fields of the wrong
// JSON type are refused, naming the field. Errors are badRequest values;
// none contains the token.
func parseRead(f *Fleet, body []byte, k readKind) (*readQuery, error) {
	obj, acct, err := authenticate(f, body)
	if err != nil {
		return nil, err
	}
	q := &readQuery{account: acct, project: -1, group: -1, limit: DefaultReadLimit}

	if k == detailsRead {
		// A device_token selects one device and makes the API ignore every
		// other field. The emulator's fleet has no device tokens, so no
		// value can name a device here: each is refused as unknown.
		if _, given, err := optionalString(obj, "device_token"); err != nil {
			return nil, err
		} else if given {
			return nil, refuse("unknown device token")
		}
	}

	pname, hasProject, err := optionalString(obj, "project_name")
	if err != nil {
		return nil, err
	}
	gname, hasGroup, err := optionalString(obj, "group_name")
	if err != nil {
		return nil, err
	}
	if hasProject {
		q.project = acct.projectIndex(pname)
		if q.project < 0 {
			return nil, refuse("project_name: project %s does not exist in this account", quote(pname))
		}
		// The docs honour group_name only together with project_name;
		// without one it is ignored rather than refused.
		if hasGroup {
			p := &acct.Projects[q.project]
			q.group = p.groupIndex(gname)
			if q.group < 0 {
				return nil, refuse("group_name: group %s does not exist in project %s", quote(gname), quote(p.Name))
			}
		}
	}
	if k == detailsRead {
		if q.name, q.byName, err = optionalString(obj, "device_name"); err != nil {
			return nil, err
		}
	}

	if q.limit, err = parseLimit(obj); err != nil {
		return nil, err
	}
	if k == detailsRead {
		q.afterID, err = parseDeviceIDOffset(obj)
	} else {
		q.afterUUID, err = parseUUIDOffset(obj)
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// optionalString returns obj[key] and whether it was given. Given, it must
// be a non-empty string: an empty name selects nothing the API could name,
// and more likely is a client's unset value sent by mistake.
func optionalString(obj map[string]any, key string) (string, bool, error) {
	if _, ok := obj[key]; !ok {
		return "", false, nil
	}
	s, err := stringField(obj, key, key)
	return s, true, err
}

// parseLimit returns the page size: DefaultReadLimit when limit is absent,
// else a whole number from 1 to MaxReadLimit.
func parseLimit(obj map[string]any) (int, error) {
	v, ok := obj["limit"]
	if !ok {
		return DefaultReadLimit, nil
	}
	n, ok := v.(float64)
	if !ok {
		return 0, refuse("limit must be a number, got %s", jsonType(v))
	}
	if n < 1 || n != math.Trunc(n) {
		return 0, refuse("limit must be a positive integer, got %s", formatNumber(n))
	}
	if n > MaxReadLimit {
		return 0, refuse("limit must be at most %d", MaxReadLimit)
	}
	return int(n), nil
}

// parseDeviceIDOffset returns the devices_details cursor: the device_id of
// the last device of the previous page, as a JSON number or, leniently, a
// decimal string; 0 (before every device) when absent.
func parseDeviceIDOffset(obj map[string]any) (int64, error) {
	v, ok := obj["offset"]
	if !ok {
		return 0, nil
	}
	switch v := v.(type) {
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > maxExactInt {
			return 0, refuse("offset must be a device_id (a whole number), got %s", formatNumber(v))
		}
		return int64(v), nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, refuse("offset must be a device_id (a whole number), got %s", quote(v))
		}
		return n, nil
	}
	return 0, refuse("offset must be a device_id (a number), got %s", jsonType(v))
}

// parseUUIDOffset returns the get_devices_state cursor: the device_uuid of
// the last device of the previous page; "" (before every device) when
// absent.
func parseUUIDOffset(obj map[string]any) (string, error) {
	v, ok := obj["offset"]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", refuse("offset must be a device_uuid (a string), got %s", jsonType(v))
	}
	return s, nil
}

// formatNumber spells a JSON number for an error message.
func formatNumber(n float64) string {
	return strconv.FormatFloat(n, 'g', -1, 64)
}
