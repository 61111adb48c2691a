// Command upswift-emulator serves the in-memory Upswift v1 API emulator on a
// loopback address, for manual tests and scripts: the removals DELETE
// /v1/device_apps and DELETE /v1/device_tags, and the fleet reads GET
// /v1/devices_details and GET /v1/get_devices_state (JSON bodies, paged
// with limit and offset).
//
// It prints "upswift-emulator listening on http://127.0.0.1:PORT" once it
// accepts connections (and writes the URL to -url-file when given), and
// stops cleanly on SIGINT or SIGTERM. Inspect its state with
// GET /_emulator/devices, /_emulator/requests and /_emulator/health, and
// change its fleet between a plan and an apply with POST
// /_emulator/fleet/move, /_emulator/fleet/state and /_emulator/fleet/add.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config holds the command-line settings.
type config struct {
	addr       string
	fleet      string
	latency    time.Duration
	rate       float64
	burst      int
	retryAfter bool
	failNext   int
	failStatus int
	failHTML   bool
	dropNext   int
	urlFile    string
}

// usageHeader starts the -h text: what the emulator serves.
const usageHeader = `Usage: upswift-emulator [flags]

Serves an in-memory Upswift v1 API on a loopback address, with JSON bodies
carrying the user_token:
  DELETE /v1/device_apps        remove an app from the devices a device_filter selects
  DELETE /v1/device_tags        remove a tag from the devices a device_filter selects
  GET    /v1/devices_details    device details, by device_id; limit (20, at most 50),
                                offset = the last device_id of the previous page
  GET    /v1/get_devices_state  online/offline states, by device_uuid; limit,
                                offset = the last device_uuid of the previous page
GET /_emulator/devices, /_emulator/requests and /_emulator/health show its
fleet, its request log (tokens redacted) and its health.

The POST paths change the fleet between two requests, as a real fleet changes
between a plan and its apply, and answer with the changed device:
  POST   /_emulator/fleet/move   {"user_token","device","project","group"}:
                                 move a device into an existing group
  POST   /_emulator/fleet/state  {"user_token","device","state"}: "online" or "offline"
  POST   /_emulator/fleet/add    {"user_token","project","group","device":{"id","state",...}}:
                                 add a device, spelled as in a -fleet file
They are not API requests: not logged, not counted, not held back by the flags
below. For example, with the demo fleet:
  curl -s -X POST "$URL/_emulator/fleet/state" \
    -d '{"user_token":"demo-token","device":"d-19a2-7c30","state":"online"}'

Flags:
`

// parseFlags parses args; errors are already reported on stderr.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("upswift-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "listen address; the host must be loopback (127.0.0.1, ::1, localhost)")
	fs.StringVar(&c.fleet, "fleet", "", "fleet JSON `file` (default: the built-in demo fleet, token demo-token)")
	fs.DurationVar(&c.latency, "latency", 20*time.Millisecond, "delay before handling each API request")
	fs.Float64Var(&c.rate, "rate", 50, "rate limit in API requests per second (0 = off)")
	fs.IntVar(&c.burst, "burst", 1, "rate limit burst")
	fs.BoolVar(&c.retryAfter, "retry-after", true, "send Retry-After and an error_message with 429 answers")
	fs.IntVar(&c.failNext, "fail-next", 0, "answer the first `N` API requests with -fail-status")
	fs.IntVar(&c.failStatus, "fail-status", 503, "status for -fail-next")
	fs.BoolVar(&c.failHTML, "fail-html", false, "answer -fail-next requests with an nginx-style HTML page")
	fs.IntVar(&c.dropNext, "drop-next", 0, "close the connection of the first `N` API requests without answering")
	fs.StringVar(&c.urlFile, "url-file", "", "write the base URL to this `file` once listening (removed on exit)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %q", fs.Args()))
	}
	if c.latency < 0 {
		errs = append(errs, errors.New("-latency must not be negative"))
	}
	if c.rate < 0 {
		errs = append(errs, errors.New("-rate must not be negative"))
	}
	if c.burst < 1 {
		errs = append(errs, errors.New("-burst must be at least 1"))
	}
	if c.failNext < 0 || c.dropNext < 0 {
		errs = append(errs, errors.New("-fail-next and -drop-next must not be negative"))
	}
	if c.failStatus < 100 || c.failStatus > 599 {
		errs = append(errs, errors.New("-fail-status must be an HTTP status (100-599)"))
	}
	if err := emulator.CheckLoopback(c.addr); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		_, _ = fmt.Fprintln(stderr, err)
		fs.Usage()
		return nil, err
	}
	return &c, nil
}

// run is main without the process: it serves until ctx ends and returns the
// exit code (2 for usage errors, 1 for other failures).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}

	fleet := emulator.DemoFleet()
	source := "built-in demo fleet"
	if c.fleet != "" {
		if fleet, err = emulator.LoadFleet(c.fleet); err != nil {
			_, _ = fmt.Fprintln(stderr, "upswift-emulator:", err)
			return 1
		}
		source = c.fleet
	}

	e := emulator.New(fleet)
	e.SetLatency(c.latency)
	e.SetRateLimit(c.rate, c.burst, c.retryAfter)
	e.FailNext(c.failNext, c.failStatus, c.failHTML)
	e.DropNext(c.dropNext)

	s, err := emulator.Start(c.addr, e)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "upswift-emulator:", err)
		return 1
	}
	if c.urlFile != "" {
		if err := writeFileAtomic(c.urlFile, s.URL+"\n"); err != nil {
			_, _ = fmt.Fprintln(stderr, "upswift-emulator:", err)
			_ = s.Close()
			return 1
		}
		defer func() { _ = os.Remove(c.urlFile) }()
	}
	_, _ = fmt.Fprintf(stderr, "upswift-emulator: serving %s; latency %v, rate %g/s (burst %d, Retry-After %t), fail-next %d (status %d, html %t), drop-next %d\n",
		source, c.latency, c.rate, c.burst, c.retryAfter, c.failNext, c.failStatus, c.failHTML, c.dropNext)
	_, _ = fmt.Fprintf(stdout, "upswift-emulator listening on %s\n", s.URL)

	<-ctx.Done()
	if err := s.Close(); err != nil {
		_, _ = fmt.Fprintln(stderr, "upswift-emulator: shutdown:", err)
		return 1
	}
	return 0
}

// writeFileAtomic writes data to path through a temporary file and a rename,
// so that a script polling for path never reads it half written.
func writeFileAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upswift-emulator-url-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
