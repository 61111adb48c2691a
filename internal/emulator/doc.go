// Package emulator is an in-memory emulator of the Upswift (JFrog Connect) v1
// REST API, as far as the Terraform provider uses it: the removals DELETE
// /v1/device_apps and DELETE /v1/device_tags, and the fleet reads GET
// /v1/devices_details and GET /v1/get_devices_state.
//
// An Emulator is an http.Handler holding a fleet of accounts, projects, groups
// and devices; a device has a device_id, a last_keepalive and an update
// history besides its tags, apps and state. It validates requests the way the
// API documentation describes, removes apps or tags from the selected devices,
// answers the reads a page at a time (limit and the documented offset
// cursors), logs every request with the user token redacted, and offers knobs
// to inject latency, rate limiting, error answers and dropped connections,
// which apply to the reads as to the removals. Start runs it on a loopback
// address.
//
// The emulator is an independent oracle of the API: it imports nothing of
// the provider's client, and keeps its own table of filters and its own
// reading of a device's latest update, so that a mistake in the client shows
// up as a disagreement instead of being agreed with.
//
// Use New and Start (or emulatortest.Start in tests) to serve a fleet, the
// Emulator's methods to inspect it and to turn the knobs, and GET
// /_emulator/devices, /_emulator/requests and /_emulator/health to look at
// it from outside. The log and the inspection output show user tokens as
// "<redacted>".
//
// No call of the API moves, adds or wakes a device, but a real fleet
// changes while a plan waits for its review. To rehearse that, the fleet
// changes between two requests through MoveDevice, SetDeviceState and
// AddDevice, or from outside through POST /_emulator/fleet/move,
// /_emulator/fleet/state and /_emulator/fleet/add, whose JSON bodies carry
// the user_token like the API's (MoveRequest, StateRequest, AddRequest) and
// which answer with the changed device as GET /_emulator/devices shows it.
// The reads and the removals see a change from their next request on (a
// paged read, from its next page); Reset undoes the changes. Projects and
// groups are never created: a move or an add into one that does not exist
// is refused. Like the inspection paths, these are not API requests: they
// are not logged, not counted, and the knobs (latency, rate limit, faults)
// do not apply to them.
package emulator
