#!/usr/bin/env bash
# Runs the provider's Terraform-driven tests (go test ./internal/provider/)
# with OpenTofu instead of Terraform.
#
# OpenTofu is built from source through the Go module proxy (OpenTofu's
# go.mod has replace directives, so `go install ...@version` cannot build
# it) into $(go env GOPATH)/bin/tofu-<version>, and reused from there:
# the cold build takes several minutes, a warm run only the tests.
#
# What terraform-plugin-testing v1.16 needs for OpenTofu:
#   - TF_ACC_TERRAFORM_PATH: the tofu binary (terraform-exec drives it the
#     same way as terraform).
#   - TF_ACC_PROVIDER_HOST=registry.opentofu.org: the test framework serves
#     the in-process provider under <host>/<namespace>/upswift (reattach).
#     The test configurations name no source, so OpenTofu resolves
#     `upswift_app_removal` to registry.opentofu.org/hashicorp/upswift;
#     with the default host registry.terraform.io it would not find the
#     served provider, and it refuses the legacy namespace "-" that the
#     framework adds for Terraform 0.12 on any host but its own.
#   - TF_ACC_PROVIDER_NAMESPACE=hashicorp: serve only the namespace that
#     implicit provider references resolve to.
#   - a readable CLI configuration: a TF_CLI_CONFIG_FILE naming a missing
#     file makes tofu print a warning on stdout, which breaks the version
#     parsing of terraform-exec; an empty file is used instead.
#
# Environment: TOFU_VERSION (default 1.12.6), TOFU (a tofu binary to use
# instead of the cached build). Extra arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."

TOFU_VERSION=${TOFU_VERSION:-1.12.6}
gobin=$(go env GOBIN)
if [ -z "$gobin" ]; then
	gobin="$(go env GOPATH)/bin"
fi
tofu=${TOFU:-$gobin/tofu-$TOFU_VERSION}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/tofu.rc"
export TF_CLI_CONFIG_FILE="$work/tofu.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_PLUGIN_CACHE_DIR

tofu_ok() {
	local v
	[ -x "$tofu" ] || return 1
	# Captured first: with pipefail, `tofu version | grep -q` can fail on SIGPIPE.
	v=$("$tofu" version 2>/dev/null) || return 1
	grep -q "^OpenTofu v${TOFU_VERSION}\(-dev\)\{0,1\}\$" <<<"$v"
}

if tofu_ok; then
	echo "tofu-test: using $tofu ($("$tofu" version | head -n1))"
elif [ -n "${TOFU:-}" ]; then
	echo "tofu-test: TOFU=$TOFU is not OpenTofu v$TOFU_VERSION" >&2
	exit 1
else
	echo "tofu-test: building OpenTofu v$TOFU_VERSION into $tofu (cold: several minutes)"
	start=$(date +%s)
	dir=$(go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		echo "tofu-test: could not download github.com/opentofu/opentofu@v$TOFU_VERSION from the module proxy" >&2
		exit 1
	fi
	mkdir -p "$gobin"
	# version.dev=no drops the "-dev" suffix, as OpenTofu's release builds do.
	(cd "$dir" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
		-ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
		-o "$tofu.tmp.$$" ./cmd/tofu)
	mv "$tofu.tmp.$$" "$tofu"
	echo "tofu-test: built in $(($(date +%s) - start))s"
	if ! tofu_ok; then
		echo "tofu-test: the built binary does not report OpenTofu v$TOFU_VERSION:" >&2
		"$tofu" version >&2 || true
		exit 1
	fi
fi

export TF_ACC_TERRAFORM_PATH="$tofu"
export TF_ACC_PROVIDER_HOST=registry.opentofu.org
export TF_ACC_PROVIDER_NAMESPACE=hashicorp

echo "tofu-test: go test ./internal/provider/ with TF_ACC_TERRAFORM_PATH=$tofu"
start=$(date +%s)
go test -count=1 -timeout=20m "$@" ./internal/provider/
echo "tofu-test: tests passed under OpenTofu v$TOFU_VERSION in $(($(date +%s) - start))s"
