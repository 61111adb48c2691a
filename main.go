package main

import (
	"context"
	"flag"
	"log"
	"math"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/upswift/terraform-provider-upswift/internal/provider"
)

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT is set.
const memoryLimit = 24 << 20

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	silenceUnrequestedLogs(os.LookupEnv, os.Setenv)
	readingFleet := limitMemory(os.LookupEnv)

	newProvider := provider.New(version, provider.WithReadingFleet(readingFleet))
	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{
		Address: "registry.terraform.io/upswift/upswift",
		Debug:   debugMode,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// limitMemory sets the soft memory limit unless GOMEMLIMIT is set, and
// returns what the provider calls before a read of the fleet. The
// provider's live heap in removals stays under about 12 MiB, but
// Terraform's parallel calls allocate fast; the limit makes the collector
// run before the heap doubles, keeping the process near 40 MiB resident at
// no measurable cost in time (GOGC=50 would cost 20% in an apply). A read
// of the fleet holds thousands of devices above any such limit, and the
// collector would run all the time: the first one lifts it.
func limitMemory(lookup func(string) (string, bool)) (readingFleet func()) {
	if _, set := lookup("GOMEMLIMIT"); set {
		return func() {}
	}
	debug.SetMemoryLimit(memoryLimit)
	return func() { debug.SetMemoryLimit(math.MaxInt64) }
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
