package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/upswift/terraform-provider-upswift/internal/upswift"
)

// providerData is what resources, actions and data sources receive from
// Configure.
type providerData struct {
	// client is nil when the token is missing or not yet known.
	client *upswift.Client
	// listings shares the device listings of the data sources among all
	// reads of this provider process; nil when client is.
	listings *upswift.ListingCache
	// tokenMissing is true when neither the configuration nor the
	// environment gives a token.
	tokenMissing bool
	// readingFleet is called right before a listing of the fleet that the
	// process keeps in memory (WithReadingFleet).
	readingFleet func()
}

// ready reports why the provider cannot call the API yet, if it cannot;
// when says what needs it ("the removal is sent"). A nil data means
// Configure has not run.
func (d *providerData) ready(when string) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case d == nil:
		diags.AddError("Unconfigured Upswift Provider", fmt.Sprintf("The provider was not configured before %s. "+
			"Please report this issue to the provider developers.", when))
	case d.tokenMissing:
		// Not an attribute of the resource, action or data source: the
		// token belongs to the provider configuration, which the detail
		// names.
		diags.AddError("Missing Upswift User Token", missingTokenDetail+" It is needed when "+when+".")
	case d.client == nil:
		diags.AddError("Unconfigured Upswift Provider", fmt.Sprintf("The provider configuration still had unknown "+
			"values when %s. Make sure user_token and endpoint are known by then (they may not come from resources "+
			"created in the same run).", when))
	}
	return diags
}

const missingTokenDetail = "The provider configuration has no user token. Set user_token in the provider \"upswift\" block " +
	"(e.g. user_token = var.upswift_user_token) or set the " + envUserToken + " environment variable. " +
	"The token is under Settings on the Upswift (JFrog Connect) dashboard."

// asProviderData is what the provider's Configure handed over to a
// resource, an action or a data source; nil (before the provider is
// configured) is no error.
func asProviderData(v any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v == nil {
		return nil, diags
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", v))
	}
	return data, diags
}
