package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/upswift/terraform-provider-upswift/internal/provider"
)

// gcPercent is the Go runtime's GOGC unless GOGC or GOMEMLIMIT is set.
const gcPercent = 50

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	silenceUnrequestedLogs(os.LookupEnv, os.Setenv)
	_, gogc := os.LookupEnv("GOGC")
	if _, limit := os.LookupEnv("GOMEMLIMIT"); !gogc && !limit {
		// Terraform's parallel calls allocate fast: the collector runs
		// when the heap has grown by half rather than doubled, which keeps
		// removals near 40 MiB resident. A fixed soft memory limit did the
		// same for removals, but a read of thousands of devices lives
		// above any such limit, and the collector then ran all the time
		// (see BENCHMARKS.md).
		debug.SetGCPercent(gcPercent)
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/upswift/upswift",
		Debug:   debugMode,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// Logging levels of the plugin libraries and of the provider's own logger.
var pluginLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_UPSWIFT"}

// silenceUnrequestedLogs turns the plugin's logging off when Terraform has
// not been asked for provider logs (neither TF_LOG nor TF_LOG_PROVIDER is
// set). The plugin libraries otherwise format every TRACE line as JSON and
// send it to Terraform, which parses and drops it: about a quarter of the
// provider's CPU time in a plan. Levels set explicitly are kept.
func silenceUnrequestedLogs(lookup func(string) (string, bool), set func(string, string) error) {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		if level, ok := lookup(v); ok && level != "" {
			return
		}
	}
	for _, v := range pluginLogLevels {
		if _, ok := lookup(v); !ok {
			_ = set(v, "OFF")
		}
	}
}
