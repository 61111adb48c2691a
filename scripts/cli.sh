#!/usr/bin/env bash
# Prints the path of a Terraform or OpenTofu CLI of one exact version,
# building it from the Go module proxy on first use:
#
#   scripts/cli.sh terraform 1.15.0   # -> $(go env GOPATH)/bin/terraform-1.15.0
#   scripts/cli.sh tofu 1.6.3         # -> $(go env GOPATH)/bin/tofu-1.6.3
#
# The binary is reused on later runs (a cold build takes about 3 to 6 minutes
# on 2 cores); the `terraform` or `tofu` on the PATH is used instead when it
# is that version. Progress goes to stderr; stdout holds only the path.
#
# Both projects are built from their sources as the module proxy serves them
# (their go.mod files have replace directives, so `go install ...@version`
# cannot build them):
#   - OpenTofu builds as it is (./cmd/tofu).
#   - Terraform's module zip leaves out its nested modules (the remote-state
#     backends azure, consul, cos, gcs, kubernetes, oci, oss, pg and s3, and
#     internal/legacy), which its go.mod replaces by path. The tests need
#     only the local backend, so a writable copy drops those backends from
#     go.mod and from the backend registry (internal/backend/init) and is
#     built from there. Such a build answers `terraform init` with an
#     "unsupported backend" error for those backends, nothing else changes.
#     Terraform 1.6 and later are BUSL-licensed: fine for running tests.
#
# The -dev suffix is dropped (version.dev=no), as the projects' release
# builds do, so that `version` prints the plain version.
set -euo pipefail

if [ "$#" -ne 2 ] || { [ "$1" != terraform ] && [ "$1" != tofu ]; }; then
	echo "usage: $0 terraform|tofu VERSION" >&2
	exit 2
fi
cli=$1
version=${2#v}

gobin=$(go env GOBIN)
if [ -z "$gobin" ]; then
	gobin="$(go env GOPATH)/bin"
fi
bin="$gobin/$cli-$version"

case $cli in
terraform)
	module=github.com/hashicorp/terraform
	pkg=.
	banner="Terraform v$version"
	;;
tofu)
	module=github.com/opentofu/opentofu
	pkg=./cmd/tofu
	banner="OpenTofu v$version"
	;;
esac

# An empty CLI configuration: a TF_CLI_CONFIG_FILE naming a missing file
# makes tofu print a warning on stdout before its version.
rc=$(mktemp)
work=""
trap 'rm -rf "$rc" ${work:+"$work"}' EXIT

cli_ok() {
	local out exe=${1:-$bin}
	[ -x "$exe" ] || return 1
	# Captured first: with pipefail, `... | grep -q` can fail on SIGPIPE.
	out=$(TF_CLI_CONFIG_FILE=$rc CHECKPOINT_DISABLE=1 "$exe" version 2>/dev/null) || return 1
	[ "$(head -n1 <<<"$out")" = "$banner" ]
}

if cli_ok; then
	echo "$bin"
	exit 0
fi
# The same version on the PATH (as CI's setup-terraform or setup-opentofu
# installs it) serves as well as a build.
if onpath=$(command -v "$cli" 2>/dev/null) && cli_ok "$onpath"; then
	echo "$onpath"
	exit 0
fi

echo "cli.sh: building $cli $version into $bin from the Go module proxy (cold: 3-6 minutes)" >&2
start=$(date +%s)
dir=$(go mod download -json "$module@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	echo "cli.sh: could not download $module@v$version from the Go module proxy" >&2
	exit 1
fi

src=$dir
missing=()
while read -r mod path; do
	[ -d "$dir/$path" ] || missing+=("$mod")
done < <(sed -n 's#^replace \([^ ]*\) => \./\(.*\)$#\1 \2#p' "$dir/go.mod")
if [ "${#missing[@]}" -gt 0 ]; then
	work=$(mktemp -d)
	cp -r "$dir/." "$work/src"
	chmod -R u+w "$work/src"
	src="$work/src"
	init="$src/internal/backend/init/init.go"
	for mod in "${missing[@]}"; do
		echo "cli.sh: leaving out ${mod#"$module"/}, which the module zip does not hold" >&2
		# go.mod: its require and replace lines.
		sed -i "\#^[[:space:]]*$mod v#d; \#^replace $mod =>#d" "$src/go.mod"
		# The backend registry: the import and the entry that uses it.
		if [ -f "$init" ] && alias=$(sed -n "s#^[[:space:]]*\([A-Za-z0-9_]*\) \"$mod\"\$#\1#p" "$init") && [ -n "$alias" ]; then
			sed -i "\#\"$mod\"\$#d; /[[:space:]]$alias\.New(/d" "$init"
		fi
	done
fi

mkdir -p "$gobin"
(cd "$src" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=mod" go build -trimpath \
	-ldflags "-s -w -X $module/version.dev=no" -o "$bin.tmp.$$" "$pkg")
mv "$bin.tmp.$$" "$bin"
if ! cli_ok; then
	echo "cli.sh: the built binary does not report $banner:" >&2
	TF_CLI_CONFIG_FILE=$rc "$bin" version >&2 || true
	exit 1
fi
echo "cli.sh: built $cli $version in $(($(date +%s) - start))s" >&2
echo "$bin"
