package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tfLogger routes the API client's log lines into tflog. Masks live on the
// context of each call, so the token is masked here, on the request path,
// rather than once in Configure, whose context resource calls never see.
type tfLogger struct {
	token string
}

func newTFLogger(token string) tfLogger { return tfLogger{token: token} }

func (l tfLogger) mask(ctx context.Context) context.Context {
	ctx = tflog.MaskLogStrings(ctx, l.token)
	return tflog.MaskFieldValuesWithFieldKeys(ctx, "user_token")
}

func (l tfLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.mask(ctx), msg, fields)
}

func (l tfLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.mask(ctx), msg, fields)
}
