package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// The checks that bind a removal to the scope a reviewer approved:
// expected_device_uuids (no device outside the reviewed set) and
// max_devices (no more devices than that). Both list the filter's scope:
// during the plan, to fail it early (diagnostics only, never a planned
// value: Terraform plans again during the apply, and a planned value
// read from a changed fleet would end in an inconsistent final plan), and
// right before the removal is sent, to refuse it.

// checkFreshness is how old a kept listing may be for a removal's check
// at apply: the removals of one apply share a listing, and a long apply
// lists again rather than trust one made minutes before.
const checkFreshness = time.Minute

// scopeCheck is what a removal asks to check before it is sent.
type scopeCheck struct {
	// expected is expected_device_uuids: null when no set was reviewed.
	expected types.Set
	// max is max_devices: null when there is no bound.
	max types.Int64
}

// readScopeCheck reads both checks from a plan or a configuration.
func readScopeCheck(ctx context.Context, get func(context.Context, path.Path, any) diag.Diagnostics) (scopeCheck, diag.Diagnostics) {
	var c scopeCheck
	diags := get(ctx, path.Root("expected_device_uuids"), &c.expected)
	diags.Append(get(ctx, path.Root("max_devices"), &c.max)...)
	return c, diags
}

// requested is true when the removal asks for either check.
func (c scopeCheck) requested() bool { return !c.expected.IsNull() || !c.max.IsNull() }

// known is true when neither check waits for a value known only at apply.
func (c scopeCheck) known() bool { return !c.expected.IsUnknown() && !c.max.IsUnknown() }

// form is what a removal is, a resource or an action; it picks the words
// of the diagnostics. The same words serve a check during the plan and
// right before sending: Terraform plans a resource again during the apply,
// so a plan's check may be the one that refuses the removal at apply.
type form int

const (
	resourceForm form = iota
	actionForm
)

// nothingDone says what a refusal left undone.
func (f form) nothingDone() string {
	if f == actionForm {
		return "Nothing was sent."
	}
	return "Nothing was sent and nothing was saved to state."
}

// timeoutName is the attribute that bounds the removal and its listing.
func (f form) timeoutName() string {
	if f == actionForm {
		return "the action's timeout"
	}
	return "timeouts.create"
}

// run lists the scope of filter through l and checks it: the returned
// diagnostics hold an error when the removal must not be sent, and
// warnings where the scope moved or is a superset.
func (c scopeCheck) run(ctx context.Context, l upswift.Lister, f upswift.DeviceFilter, s form, timeout time.Duration) (upswift.Selection, diag.Diagnostics) {
	var diags diag.Diagnostics
	sel, err := upswift.SelectDevices(ctx, l, f)
	if err != nil {
		listing := deviceListing{filter: f, timeoutName: s.timeoutName(), timeout: timeout}
		diags.AddError("Unable to Check the Removal's Scope", listing.errorDetail(err)+" "+s.nothingDone())
		return sel, diags
	}
	diags.Append(selectionWarnings(f, sel, "The scope checked against expected_device_uuids and max_devices holds the devices")...)
	if !c.max.IsNull() && int64(len(sel.Devices)) > c.max.ValueInt64() {
		diags.AddAttributeError(path.Root("max_devices"), "Removal Scope Larger Than max_devices",
			fmt.Sprintf("device_filter selects %d devices, more than max_devices = %d: %s. %s Narrow device_filter, or "+
				"raise max_devices once that scope has been reviewed.",
				len(sel.Devices), c.max.ValueInt64(), deviceList(sel.Devices, 10), s.nothingDone()))
	}
	if c.expected.IsNull() {
		return sel, diags
	}
	var reviewed []string
	diags.Append(c.expected.ElementsAs(ctx, &reviewed, false)...)
	change := upswift.CompareScope(sel.Devices, reviewed)
	if len(change.Joined) > 0 {
		diags.Append(joinedError(change.Joined, s)...)
	}
	if len(change.Left) > 0 {
		diags.AddAttributeWarning(path.Root("expected_device_uuids"), "Devices Left the Removal's Scope",
			fmt.Sprintf("%s of expected_device_uuids no longer %s device_filter: %s. The removal goes ahead "+
				"without them: the API applies it only to the devices device_filter selects when it is sent.",
				devicesCount(len(change.Left)), plural(len(change.Left), "matches", "match"), abbreviate(change.Left, 10)))
	}
	return sel, diags
}

// joinedError refuses a removal whose scope holds devices that the
// reviewed set lacks.
func joinedError(joined []upswift.Device, s form) diag.Diagnostics {
	var diags diag.Diagnostics
	n := len(joined)
	diags.AddAttributeError(path.Root("expected_device_uuids"), "Devices Joined the Removal's Scope",
		fmt.Sprintf("%s joined the scope of this removal since expected_device_uuids was read: %s. %s device_filter "+
			"but %s not in expected_device_uuids, the scope the plan showed, and a removal never applies to a device "+
			"outside the reviewed set. %s Plan again to review %s: with expected_device_uuids = "+
			"data.upswift_devices.<name>.device_uuids, the new plan names %s in this removal's diff (or add %s to the "+
			"set once reviewed, or narrow device_filter).",
			devicesCount(n), deviceList(joined, 10), plural(n, "It matches", "They match"), plural(n, "is", "are"),
			s.nothingDone(), plural(n, "it", "them"), plural(n, "it", "them"), plural(n, "it", "them")))
	return diags
}

// deviceList names at most n devices by UUID and name, then says how many
// more there are.
func deviceList(devices []upswift.Device, n int) string {
	names := make([]string, len(devices))
	for i, d := range devices {
		names[i] = fmt.Sprintf("%s (%q)", d.UUID, d.Name)
	}
	return abbreviate(names, n)
}

func uuidsOf(devices []upswift.Device) []string {
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = d.UUID
	}
	return ids
}

func devicesCount(n int) string { return fmt.Sprintf("%d %s", n, plural(n, "device", "devices")) }

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// scopeProgress is what an action reports of the devices its removal
// applied to, as listed right before it was sent: the count, then the
// UUIDs, at most perEvent to a message.
func scopeProgress(noun string, devices []upswift.Device) []string {
	const perEvent = 100
	msgs := []string{fmt.Sprintf("The %s removal applied to the %s listed right before it was sent.", noun, devicesCount(len(devices)))}
	ids := uuidsOf(devices)
	for len(ids) > 0 {
		n := min(perEvent, len(ids))
		msgs = append(msgs, "Devices of the removal: "+strings.Join(ids[:n], ", "))
		ids = ids[n:]
	}
	return msgs
}
