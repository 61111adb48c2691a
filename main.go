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

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT is set.
const memoryLimit = 24 << 20

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	silenceUnrequestedLogs(os.LookupEnv, os.Setenv)
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		// The provider's live heap stays under about 12 MiB, but Terraform's
		// parallel calls allocate fast; a soft limit makes the collector run
		// before the heap doubles, keeping the process near 40 MiB resident
		// at no measurable cost in time (see BENCHMARKS.md).
		debug.SetMemoryLimit(memoryLimit)
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
