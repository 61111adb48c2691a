// Package provider implements the Upswift Terraform provider.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// Environment variables read when the provider configuration leaves an
// attribute out.
const (
	envUserToken  = "UPSWIFT_USER_TOKEN"
	envEndpoint   = "UPSWIFT_ENDPOINT"
	envSharedPace = "UPSWIFT_SHARED_PACE"
	// envPaceDir places the shared pace's file (the user's cache directory
	// when unset): a volume that containers of one runner share, or a
	// writable directory where the home is read-only.
	envPaceDir = "UPSWIFT_PACE_DIR"
)

var (
	_ provider.Provider            = (*upswiftProvider)(nil)
	_ provider.ProviderWithActions = (*upswiftProvider)(nil)
)

// New returns a constructor of the provider for one version string and
// the options main gives it; tests give none.
func New(version string, opts ...Option) func() provider.Provider {
	o := options{readingFleet: func() {}}
	for _, opt := range opts {
		opt(&o)
	}
	return func() provider.Provider { return &upswiftProvider{version: version, options: o} }
}

// Option sets what the process running the provider asks of it.
type Option func(*options)

type options struct {
	// readingFleet is handed to the resources, actions and data sources
	// in providerData.
	readingFleet func()
}

// WithReadingFleet has the provider call f when a read is about to hold a
// listing of the fleet in memory, for the life of the process: main lifts
// the soft memory limit it keeps for removals, since a listing of
// thousands of devices lives above it and the collector would run all the
// time.
func WithReadingFleet(f func()) Option {
	return func(o *options) { o.readingFleet = f }
}

type upswiftProvider struct {
	version string
	options options
}

type providerModel struct {
	UserToken         types.String `tfsdk:"user_token"`
	Endpoint          types.String `tfsdk:"endpoint"`
	MaxRetries        types.Int64  `tfsdk:"max_retries"`
	RequestsPerMinute types.Int64  `tfsdk:"requests_per_minute"`
	SharedPace        types.Bool   `tfsdk:"shared_pace"`
}

func (p *upswiftProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "upswift"
	resp.Version = p.version
}

func (p *upswiftProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Upswift provider removes apps and tags from the devices of an " +
			"[Upswift (JFrog Connect)](https://jfrog.com/connect/) IoT fleet through its v1 REST API, and lists " +
			"the devices a removal would touch before it runs.",
		Attributes: map[string]schema.Attribute{
			"user_token": schema.StringAttribute{
				MarkdownDescription: "The account's user token, from Settings on the Upswift (JFrog Connect) dashboard. " +
					"May also be provided via the `" + envUserToken + "` environment variable. " +
					"It is only sent to the API, inside the request body, and is never stored in state.",
				Optional:  true,
				Sensitive: true,
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the API. Defaults to `" + upswift.DefaultEndpoint + "`. " +
					"May also be provided via the `" + envEndpoint + "` environment variable. " +
					"Must be an absolute `https` URL; plain `http` is accepted only for loopback hosts " +
					"(`localhost`, `127.0.0.1`, `[::1]`), such as a local emulator.",
				Optional:   true,
				Validators: []validator.String{endpointValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a server or proxy error "+
					"(5xx other than 501) or a dropped connection, with exponential backoff and jitter. Defaults to `%d`. "+
					"`0` disables retries. Rate limit answers (429) do not count: the request waits its turn and is sent "+
					"again for as long as the resource's `timeouts.create` allows.", upswift.DefaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"requests_per_minute": schema.Int64Attribute{
				MarkdownDescription: "Paces API calls of this provider to at most this many per minute, before and " +
					"after any rate limit answer (429): a ceiling the provider never goes above. When unset, the " +
					"provider starts with one call at a time and speeds up until the API answers 429; it then finds " +
					"the rate the API accepts and shares it among all parallel operations, instead of retrying each " +
					"on its own.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"shared_pace": schema.BoolAttribute{
				MarkdownDescription: "Whether this provider paces its API calls as one with the other Terraform runs on this " +
					"machine that use the same endpoint and token: workspaces applied side by side (`terragrunt run-all`, a " +
					"`make` or a loop over workspaces), the aliased provider configurations of one run, and the runs that " +
					"follow within ten minutes (a plan, then its apply), which start from the pace learned before instead of " +
					"searching for it again. They keep one pace in a small file in the user's cache directory (or in the " +
					"directory that the `" + envPaceDir + "` environment variable names), readable by the user alone and named " +
					"by a hash of the endpoint and the token, never the token itself; a rate limit answer (429) that one of them " +
					"sees slows them all. The API warns that clients who keep sending past its limit may be banned: separate " +
					"runs that each search for the limit collide, and each collision is a 429. Defaults to `true`; `false`, or " +
					"the `" + envSharedPace + "` environment variable set to `false`, paces each run alone. A run that cannot " +
					"use the file (a read-only home, a file of another user) paces alone and says why in a DEBUG log line.",
				Optional: true,
			},
		},
	}
}

func (p *upswiftProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{readingFleet: p.options.readingFleet}
	resp.ResourceData = data
	resp.ActionData = data
	resp.DataSourceData = data

	// A value that is unknown during plan (from another resource) is no
	// error: the resources check again at apply.
	if cfg.UserToken.IsUnknown() || cfg.Endpoint.IsUnknown() || cfg.MaxRetries.IsUnknown() || cfg.RequestsPerMinute.IsUnknown() ||
		cfg.SharedPace.IsUnknown() {
		return
	}

	token := stringOrEnv(cfg.UserToken, envUserToken)
	endpoint := stringOrEnv(cfg.Endpoint, envEndpoint)
	if endpoint == "" {
		endpoint = upswift.DefaultEndpoint
	}
	if _, err := upswift.ParseEndpoint(endpoint); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Upswift Endpoint",
			fmt.Sprintf("The endpoint (from the provider's endpoint or %s) is not usable: %s.", envEndpoint, err))
		return
	}
	if token != "" && strings.TrimSpace(token) != token {
		resp.Diagnostics.AddAttributeWarning(path.Root("user_token"), "User Token Has Surrounding White Space",
			tokenWhiteSpaceDetail(cfg.UserToken.IsNull()))
	}
	if token == "" {
		// Reported by the resources when they would call the API and by the
		// data sources when they read, so that validate, plan of unchanged
		// resources and destroy work without it.
		data.tokenMissing = true
		return
	}

	shared, ok := boolOrEnv(cfg.SharedPace, envSharedPace, true)
	if !ok {
		resp.Diagnostics.AddAttributeError(path.Root("shared_pace"), "Invalid "+envSharedPace+" Value",
			fmt.Sprintf("The %s environment variable must be true or false (or 1 or 0), got %q. Set shared_pace in the "+
				"provider configuration, or fix or unset the variable.", envSharedPace, os.Getenv(envSharedPace)))
		return
	}
	maxRetries := upswift.DefaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
	}
	client, err := upswift.NewClient(upswift.Options{
		Endpoint:          endpoint,
		UserToken:         token,
		UserAgent:         userAgent(p.version, req.TerraformVersion),
		MaxRetries:        maxRetries,
		RequestsPerMinute: int(cfg.RequestsPerMinute.ValueInt64()),
		SharedPace:        shared,
		PaceDir:           os.Getenv(envPaceDir),
		Logger:            newTFLogger(token),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Upswift API Client", err.Error())
		return
	}
	data.client = client
	data.listings = upswift.NewListingCache(client)
}

func (p *upswiftProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewAppRemovalResource, NewTagRemovalResource}
}

// Actions are offered to Terraform 1.14 and later; older Terraform and
// OpenTofu versions do not ask for them and see only the resources.
func (p *upswiftProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{NewAppRemovalAction, NewTagRemovalAction}
}

func (p *upswiftProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewDevicesDataSource}
}

// tokenWhiteSpaceDetail explains a token with leading or trailing white
// space, which the API refuses as an invalid token, without printing it.
func tokenWhiteSpaceDetail(fromEnv bool) string {
	source, fix := "The user_token in the provider configuration", "Wrap the value in trimspace(), for example "+
		"user_token = trimspace(file(\"token.txt\"))"
	if fromEnv {
		source, fix = "The "+envUserToken+" environment variable", "Remove the white space from its value "+
			"(a CI secret saved with a trailing newline is a common cause)"
	}
	return source + " starts or ends with white space (often a newline from file() or a pasted value). It is " +
		"sent as it is, and the API refuses such a token as invalid. " + fix + "."
}

func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

// boolOrEnv is v when set, else the environment variable env (true or
// false, as strconv reads them), else def; false when env is neither.
func boolOrEnv(v types.Bool, env string, def bool) (value, ok bool) {
	if !v.IsNull() {
		return v.ValueBool(), true
	}
	s := strings.TrimSpace(os.Getenv(env))
	if s == "" {
		return def, true
	}
	b, err := strconv.ParseBool(s)
	return b, err == nil
}

func userAgent(providerVersion, terraformVersion string) string {
	if terraformVersion == "" {
		terraformVersion = "unknown"
	}
	return fmt.Sprintf("terraform-provider-upswift/%s (+https://registry.terraform.io/providers/upswift/upswift) Terraform/%s",
		providerVersion, terraformVersion)
}
