package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

var (
	_ datasource.DataSource              = (*devicesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*devicesDataSource)(nil)
)

// defaultReadTimeout bounds a read, rate-limit waits included, when the
// configuration sets no timeouts.read.
const defaultReadTimeout = 10 * time.Minute

// NewDevicesDataSource returns the upswift_devices data source.
func NewDevicesDataSource() datasource.DataSource { return &devicesDataSource{} }

// devicesDataSource lists the devices a device filter selects: the scope
// of a removal with the same filter, shown before the removal runs.
type devicesDataSource struct {
	data *providerData
}

// devicesConfig is what Read takes from the configuration; the state is
// built by devicesState.
type devicesConfig struct {
	DeviceFilter types.Object   `tfsdk:"device_filter"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
	Devices      types.List     `tfsdk:"devices"`
	DeviceUUIDs  types.List     `tfsdk:"device_uuids"`
}

func (d *devicesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_devices"
}

func (d *devicesDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: devicesDescription,
		Attributes: map[string]schema.Attribute{
			"device_filter": dataSourceDeviceFilterAttribute(),
			"timeouts":      readTimeoutsAttribute(ctx),
			"devices": schema.ListNestedAttribute{
				MarkdownDescription: "The devices that `device_filter` selects, ordered by `device_uuid`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"device_uuid": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The device ID shown on the dashboard (e.g. `d-4ec7-1be9`): what a `specific_device` filter names."},
					"device_id":   schema.Int64Attribute{Computed: true, MarkdownDescription: "The API's numeric device ID."},
					"device_name": schema.StringAttribute{Computed: true, MarkdownDescription: "The device's name."},
					"group":       schema.StringAttribute{Computed: true, MarkdownDescription: "The device's group."},
					"tags": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The device's tags."},
					"state": schema.StringAttribute{Computed: true,
						MarkdownDescription: "`online` or `offline`, as `GET /v1/get_devices_state` reports it; null when it did not report the device."},
					"last_update_status": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The status of the device's latest update (the latest `deployment_schedule_time`, the highest " +
							"`update_id` on a tie): what an `update_status` filter compares with. Null for a device without updates."},
					"last_update_time": schema.StringAttribute{Computed: true,
						MarkdownDescription: "The `deployment_schedule_time` of that update (UTC, e.g. `2020-02-08 16:12:11`); null without updates."},
					"last_keepalive": schema.StringAttribute{Computed: true,
						MarkdownDescription: "When the device last reported (UTC, e.g. `2020-02-08 16:12:11`)."},
				}},
			},
			"device_uuids": schema.ListAttribute{
				MarkdownDescription: "The `device_uuid` of every device of `devices`, in the same order: " +
					"`length(data.upswift_devices.<name>.device_uuids)` is the size of the scope.",
				Computed:    true,
				ElementType: types.StringType,
			},
		},
	}
}

// readTimeoutsAttribute is the timeouts attribute of terraform-plugin-
// framework-timeouts for data sources, described for users.
func readTimeoutsAttribute(ctx context.Context) schema.Attribute {
	attr := timeouts.AttributesWithOpts(ctx, timeouts.Opts{
		ReadDescription: fmt.Sprintf("How long a read may take, rate-limit waits included (a "+
			"[duration](https://pkg.go.dev/time#ParseDuration) such as `\"5m\"`). Defaults to `%s`.", defaultReadTimeout),
	})
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = "How long Terraform waits for the reads of this data source."
		return nested
	}
	return attr
}

const devicesDescription = "Lists the devices of an Upswift (JFrog Connect) project that a device filter selects, " +
	"with the API's two reads, `GET /v1/devices_details` (each device's details) and `GET /v1/get_devices_state` " +
	"(its state), page by page and side by side. Give it the `device_filter` of a removal to see the devices that " +
	"removal would touch in the plan, before it runs, and give its `device_uuids` to the removal's " +
	"`expected_device_uuids`, so that the apply refuses the removal when a device joined the scope since the plan.\n\n" +
	"The provider selects the devices itself, with the API's rules: the devices of the project, or of any of " +
	"`groups` (one listing per group, their union), that match every one of `filters`. `specific_device` compares " +
	"`device_uuid`; `tag` an entry of `tags`; `device_state` the state the state listing reports; `update_status` the " +
	"status of the latest update (a device without updates matches no `is` and every `is_not`). The reads do not " +
	"report a device's apps, so an `app` filter is **not evaluated**: the list is then a superset of what the " +
	"removal touches (dropping one of several filters that combine with AND only widens the selection), and a " +
	"warning names the filter. A device whose state the state listing leaves out passes a `device_state` filter, " +
	"with a warning, for the same reason: the list may be larger than the removal's scope, never smaller.\n\n" +
	"The data source reads during `terraform plan` (and refresh); when `device_filter` holds a value known only " +
	"after apply, Terraform reads it during apply. `terraform validate` makes no API call. All `upswift_devices` " +
	"of one configuration that name the same project and group share one listing per Terraform run, with the " +
	"removals' scope checks. Reading needs the provider's user token."

func (d *devicesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := asProviderData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data != nil {
		d.data = data
	}
}

// Read lists the devices the filter selects and warns where the list may
// be larger than a removal's scope.
func (d *devicesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg devicesConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := cfg.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(d.data.ready("upswift_devices is read")...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter, diags := expandDeviceFilter(ctx, path.Root("device_filter"), cfg.DeviceFilter)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	readCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d.data.readingFleet()
	sel, err := upswift.SelectDevices(readCtx, d.data.listings, filter)
	if err != nil {
		listing := deviceListing{filter: filter, timeoutName: "timeouts.read", timeout: timeout}
		resp.Diagnostics.AddError("Unable to List Upswift Devices", listing.errorDetail(err))
		return
	}
	resp.Diagnostics.Append(selectionWarnings(filter, sel, "The devices listed are those")...)
	state, err := devicesState(req.Config.Raw, sel.Devices)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Store the Listed Devices", fmt.Sprintf("%s. Please report this issue to the provider developers.", err))
		return
	}
	resp.State.Raw = state
}

// devicesState is the data source's state: the configuration's values
// with devices and device_uuids set to the selected devices, in their
// order. It is built as a Terraform value directly rather than through
// State.Set: the framework's reflection costs seconds for a project of
// 10,000 devices, where building the value costs a fraction of one.
func devicesState(config tftypes.Value, devices []upswift.Device) (tftypes.Value, error) {
	objType, ok := config.Type().(tftypes.Object)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("the configuration is a %s, not an object", config.Type())
	}
	listType, ok := objType.AttributeTypes["devices"].(tftypes.List)
	if !ok {
		return tftypes.Value{}, errors.New("the schema has no list devices")
	}
	deviceType, ok := listType.ElementType.(tftypes.Object)
	if !ok {
		return tftypes.Value{}, errors.New("the devices are not objects")
	}
	tagsType := deviceType.AttributeTypes["tags"]
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	optional := func(s string) tftypes.Value {
		if s == "" {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return str(s)
	}
	items := make([]tftypes.Value, len(devices))
	ids := make([]tftypes.Value, len(devices))
	for i, d := range devices {
		tags := make([]tftypes.Value, len(d.Tags))
		for j, tag := range d.Tags {
			tags[j] = str(tag)
		}
		last, _ := d.LastUpdate()
		items[i] = tftypes.NewValue(deviceType, map[string]tftypes.Value{
			"device_uuid":        str(d.UUID),
			"device_id":          tftypes.NewValue(tftypes.Number, d.ID),
			"device_name":        str(d.Name),
			"group":              str(d.Group),
			"tags":               tftypes.NewValue(tagsType, tags),
			"state":              optional(d.State),
			"last_update_status": optional(last.Status),
			"last_update_time":   optional(last.ScheduleTime),
			"last_keepalive":     str(d.LastKeepalive),
		})
		ids[i] = str(d.UUID)
	}
	var configured map[string]tftypes.Value
	if err := config.As(&configured); err != nil {
		return tftypes.Value{}, err
	}
	// As hands out the configuration's own map: copy it, so that the
	// configuration stays as Terraform sent it.
	values := maps.Clone(configured)
	values["devices"] = tftypes.NewValue(listType, items)
	values["device_uuids"] = tftypes.NewValue(objType.AttributeTypes["device_uuids"], ids)
	return tftypes.NewValue(objType, values), nil
}

// selectionWarnings says, at the filter concerned, where the list may be
// larger than what a removal with the same filter touches: an app filter
// that was not evaluated, devices a device_state filter kept without a
// reported state. listed names the list: "The devices listed are those".
func selectionWarnings(f upswift.DeviceFilter, sel upswift.Selection, listed string) diag.Diagnostics {
	var diags diag.Diagnostics
	filters := path.Root("device_filter").AtName("filters")
	for _, i := range sel.Unevaluated {
		flt := f.Filters[i]
		diags.AddAttributeWarning(filters.AtListIndex(i), "App Filter Not Evaluated",
			fmt.Sprintf("The filter { type = %q, operand = %q, value = %q } was not evaluated: the API's device reads "+
				"do not report which apps a device has. %s that match the other filters, a superset of what a removal "+
				"with this device_filter would touch, because dropping one of several filters that combine with AND "+
				"only widens the selection.", flt.Type, flt.Operand, flt.Value, listed))
	}
	if len(sel.StateNotReported) == 0 {
		return diags
	}
	for i, flt := range f.Filters {
		if flt.Type != upswift.FilterDeviceState {
			continue
		}
		diags.AddAttributeWarning(filters.AtListIndex(i), "Device State Not Reported",
			fmt.Sprintf("GET /v1/get_devices_state did not report the state of %d of the listed devices (%s). The "+
				"filter { type = %q, operand = %q, value = %q } keeps them, so that the list stays a superset of what a "+
				"removal with this device_filter would touch; their state is null.",
				len(sel.StateNotReported), abbreviate(sel.StateNotReported, 10), flt.Type, flt.Operand, flt.Value))
	}
	return diags
}

// abbreviate lists at most n names, then says how many more there are.
func abbreviate(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// deviceListing is a listing of the devices a filter selects, for the
// data source's read or a removal's scope check: what was listed and what
// bounded it, as its errors name them.
type deviceListing struct {
	filter upswift.DeviceFilter
	// timeoutName names what bounds the listing: "timeouts.read".
	timeoutName string
	timeout     time.Duration
}

// errorDetail explains why the listing failed with err and what to do
// next.
func (l deviceListing) errorDetail(err error) string {
	what := fmt.Sprintf("Listing the devices of project %q", l.filter.Project.Name)
	if len(l.filter.Groups) > 0 {
		names := make([]string, len(l.filter.Groups))
		for i, g := range l.filter.Groups {
			names[i] = fmt.Sprintf("%q", g.Name)
		}
		what += " in groups " + strings.Join(names, ", ")
	}
	var apiErr *upswift.APIError
	var reqErr *upswift.RequestError
	var fieldErr *upswift.FieldError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s did not finish within %s of %s: %s. Raise %s, or try again later; "+
			"if the API's rate limit held the listing back, requests_per_minute in the provider block keeps the "+
			"provider under it from the start.", what, l.timeoutName, l.timeout, err, l.timeoutName)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("Terraform was interrupted while %s: %s.", strings.ToLower(what[:1])+what[1:], err)
	case errors.As(err, &apiErr):
		detail := fmt.Sprintf("%s failed: %s.", what, err)
		if hint := apiErr.Hint(); hint != "" {
			detail += "\n\n" + hint
		}
		return detail
	case errors.As(err, &reqErr):
		return fmt.Sprintf("%s failed: %s. Check the provider's endpoint and the network, then try again.", what, err)
	case errors.As(err, &fieldErr):
		return fmt.Sprintf("%s failed: the API's answer is not as its documentation describes it: %s. The provider "+
			"does not guess what such a device holds, since a guess could list other devices than a removal touches.", what, err)
	}
	return fmt.Sprintf("%s failed: %s.", what, err)
}
