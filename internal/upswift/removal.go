package upswift

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Hints of the removals.
const (
	refusedHintTail = " against the Upswift dashboard. If the message speaks of the token, check the user_token " +
		"(Settings on the dashboard)."
	removalWaitLimit = "timeouts.create (an action's timeout)"
)

var (
	removeAppCall = call{
		method: http.MethodDelete, path: "/device_apps",
		refused:     "Check the app name, the project and group names and the filters" + refusedHintTail,
		unconfirmed: "The API did not confirm the removal.", waitLimit: removalWaitLimit, maxBody: maxResponseBody,
	}
	removeTagCall = call{
		method: http.MethodDelete, path: "/device_tags",
		refused:     "Check the tag name, the project and group names and the filters" + refusedHintTail,
		unconfirmed: "The API did not confirm the removal.", waitLimit: removalWaitLimit, maxBody: maxResponseBody,
	}
)

// RemoveApp sends DELETE /v1/device_apps: the app is removed from the devices
// that the filter selects. It returns nil on 200, an *APIError for any other
// answer and a *RequestError when no answer came.
func (c *Client) RemoveApp(ctx context.Context, r RemoveAppRequest) error {
	return c.remove(ctx, removeAppCall, removalBody{UserToken: c.token, AppName: r.AppName, DeviceFilter: r.DeviceFilter})
}

// RemoveTag sends DELETE /v1/device_tags: the tag is removed from the devices
// that the filter selects. It answers as RemoveApp does.
func (c *Client) RemoveTag(ctx context.Context, r RemoveTagRequest) error {
	return c.remove(ctx, removeTagCall, removalBody{UserToken: c.token, TagName: r.TagName, DeviceFilter: r.DeviceFilter})
}

// remove sends one of the API's removals, which differ only in their path,
// the key that names what is removed and their hints.
func (c *Client) remove(ctx context.Context, cl call, b removalBody) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encoding the request: %w", err)
	}
	if _, err := c.do(ctx, cl, body); err != nil {
		return err
	}
	reportProgress(ctx, Event{Kind: EventDone, Method: cl.method, Path: apiPrefix + cl.path})
	return nil
}
