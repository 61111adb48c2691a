package upswift

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"golang.org/x/sync/errgroup"
)

// The two reads of the fleet, page by page: GET /v1/devices_details and
// GET /v1/get_devices_state, each with its own cursor and end of paging, as
// the API documents them. Both go through do, so through the same pacer,
// retries, success rule, no-redirect rule and redaction as the removals.

const (
	// PageLimit is the limit sent with every page: the most the API allows.
	PageLimit = 50
	// MaxListedDevices bounds one listing. A listing that goes past it
	// stops with an error rather than running on: no fleet read through
	// this API is that large, a server that never ends paging is.
	MaxListedDevices = 100_000
	// maxPageBody caps how much of a page is read: 50 devices with their
	// update histories stay far under it.
	maxPageBody = 8 << 20
)

// Hints of the reads: a refused listing names the project, the groups and
// the token, and no app or tag, which a listing does not send.
const (
	listRefused     = "Check the project and group names against the Upswift dashboard. If the message speaks of the token, check the user_token (Settings on the dashboard)."
	listUnconfirmed = "The provider did not take the answer for the API's list of devices."
	listWaitLimit   = "timeouts.read"
)

var (
	devicesDetailsCall = call{method: http.MethodGet, path: "/devices_details",
		refused: listRefused, unconfirmed: listUnconfirmed, waitLimit: listWaitLimit, maxBody: maxPageBody}
	devicesStateCall = call{method: http.MethodGet, path: "/get_devices_state",
		refused: listRefused, unconfirmed: listUnconfirmed, waitLimit: listWaitLimit, maxBody: maxPageBody}
)

// DeviceQuery names the devices a listing asks for: those of a project, or
// of one group of it.
type DeviceQuery struct {
	Project string
	// Group is "" for every device of the project.
	Group string
}

func (q DeviceQuery) String() string {
	if q.Group == "" {
		return fmt.Sprintf("project %q", q.Project)
	}
	return fmt.Sprintf("group %q of project %q", q.Group, q.Project)
}

// Lister lists devices: the Client, and a ListingCache in front of it.
type Lister interface {
	ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error)
}

// ListDevices lists the devices of q's project or group, ordered by UUID:
// their details and, side by side, their states, joined by device_uuid. A
// device the state listing did not report has State "". Every page is
// checked: a field missing or not of the documented type, a page that does
// not advance the cursor, or a listing past MaxListedDevices is an error
// that says so. The first error stops both listings.
func (c *Client) ListDevices(ctx context.Context, q DeviceQuery) ([]Device, error) {
	if q.Project == "" {
		return nil, errors.New("listing devices: a project name is required")
	}
	var devices []Device
	var states map[string]deviceState
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		devices, err = c.listDetails(gctx, q)
		return err
	})
	g.Go(func() (err error) {
		states, err = c.listStates(gctx, q)
		return err
	})
	if err := g.Wait(); err != nil {
		// An answer's field quoted in an error might hold the token, if the
		// API ever echoed it there: the token never leaves in an error.
		return nil, c.redactErr(err)
	}
	for i := range devices {
		devices[i].State = states[devices[i].UUID].status
	}
	slices.SortFunc(devices, func(a, b Device) int { return cmp.Compare(a.UUID, b.UUID) })
	return devices, nil
}
