// Package emulator is an in-memory emulator of the Upswift (JFrog Connect) v1
// REST API, as far as the Terraform provider uses it: DELETE /v1/device_apps
// and DELETE /v1/device_tags.
//
// An Emulator is an http.Handler holding a fleet of accounts, projects, groups
// and devices. It validates requests the way the API documentation describes,
// removes apps or tags from the selected devices, logs every request with the user
// token redacted, and offers knobs to inject latency, rate limiting, error
// answers and dropped connections. Start runs it on a loopback address.
//
// Use New and Start (or emulatortest.Start in tests) to serve a fleet, the
// Emulator's methods to inspect it and to turn the knobs, and GET
// /_emulator/devices, /_emulator/requests and /_emulator/health to look at
// it from outside. The log and the inspection output show user tokens as
// "<redacted>".
package emulator
