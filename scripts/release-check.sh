#!/usr/bin/env bash
# Checks the release configuration without publishing anything:
#   1. `goreleaser check` on .goreleaser.yml;
#   2. `goreleaser build --snapshot --single-target`: the provider binary for
#      this platform, named as the registry expects, which must run and
#      answer that it is a plugin;
#   3. `goreleaser release --snapshot --skip=sign,publish` with the same
#      configuration narrowed to this one platform (a copy with `targets:`
#      added to the build), checking the zip, SHA256SUMS and manifest names
#      the registry requires and the zip's content.
# Output goes to dist/ (git-ignored).
#
# goreleaser is installed with `go install` at GORELEASER_VERSION into
# $(go env GOPATH)/bin when that version is not there yet (cold: ~3.5 min).
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION=${GORELEASER_VERSION:-v2.14.3}
project=terraform-provider-upswift
gobin=$(go env GOBIN)
if [ -z "$gobin" ]; then
	gobin="$(go env GOPATH)/bin"
fi
goreleaser="$gobin/goreleaser"

# Captured first: with pipefail, `goreleaser --version | grep -q` can fail on SIGPIPE.
installed=$("$goreleaser" --version 2>/dev/null || true)
if ! grep -q "GitVersion:[[:space:]]*${GORELEASER_VERSION}\$" <<<"$installed"; then
	echo "release-check: installing goreleaser $GORELEASER_VERSION into $gobin (cold: a few minutes)"
	start=$(date +%s)
	GOBIN="$gobin" go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
	echo "release-check: installed in $(($(date +%s) - start))s"
fi

fail() {
	echo "release-check: $*" >&2
	exit 1
}

echo "--- goreleaser check"
"$goreleaser" check

# Either a real manifest or nothing: the registry reads protocol_versions.
grep -q '"6.0"' terraform-registry-manifest.json || fail "terraform-registry-manifest.json does not declare protocol 6.0"

goos=$(go env GOOS)
goarch=$(go env GOARCH)
ext=""
if [ "$goos" = windows ]; then ext=.exe; fi

echo "--- goreleaser build --snapshot --clean --single-target ($goos/$goarch)"
"$goreleaser" build --snapshot --clean --single-target
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
[ -n "$version" ] || fail "no version in dist/metadata.json"
mapfile -t bins < <(find dist -type f -name "${project}_v${version}${ext}")
[ "${#bins[@]}" -eq 1 ] || fail "expected one binary ${project}_v${version}${ext} under dist/, found: ${bins[*]:-none}"
bin=${bins[0]}
echo "built $bin"

# Run directly, a provider explains that it is a plugin and exits non-zero.
out=$("$bin" 2>&1) && fail "$bin exited 0 when run directly; a plugin binary must refuse to run outside Terraform"
grep -q "This binary is a plugin" <<<"$out" || fail "unexpected output of $bin: $out"
echo "runs: $(head -n1 <<<"$out")"

# goreleaser stamps the version in with -X main.version (-trimpath keeps
# ldflags out of the build info, so look for the string itself).
grep -q -a -F "$version" "$bin" || fail "$bin does not contain its version $version (ldflags -X main.version?)"

echo "--- goreleaser release --snapshot --clean --skip=sign,publish (one target: ${goos}_${goarch})"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
config="$tmp/goreleaser.yml"
sed "/^    binary: /i\\    targets: [${goos}_${goarch}]" .goreleaser.yml >"$config"
[ "$(diff .goreleaser.yml "$config" | grep -c '^>')" -eq 1 ] || fail "could not narrow .goreleaser.yml to one target (is \`binary:\` still under builds?)"
"$goreleaser" release --snapshot --clean --skip=sign,publish --config "$config"
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)

zip="dist/${project}_${version}_${goos}_${goarch}.zip"
sums="dist/${project}_${version}_SHA256SUMS"
manifest="${project}_${version}_manifest.json"
[ -f "$zip" ] || fail "missing $zip; dist/ holds: $(ls dist)"
[ -f "$sums" ] || fail "missing $sums; dist/ holds: $(ls dist)"
[ "$(find dist -maxdepth 1 -name '*.zip' | wc -l)" -eq 1 ] || fail "expected exactly one zip in dist/"
grep -q "  ${zip#dist/}\$" "$sums" || fail "$sums does not list ${zip#dist/}"
grep -q "  ${manifest}\$" "$sums" || fail "$sums does not list $manifest"
want_sum=$(sha256sum terraform-registry-manifest.json | cut -d' ' -f1)
grep -q "^${want_sum}  ${manifest}\$" "$sums" || fail "the checksum of $manifest in $sums is not that of terraform-registry-manifest.json"
(cd dist && grep " ${zip#dist/}\$" "${sums#dist/}" | sha256sum -c -) || fail "checksum of $zip does not match"
# The zip holds the executable binary, named terraform-provider-<name>_v<version>
# (listed with a few lines of Go, as unzip may be missing).
mkdir -p "$tmp/ziplist"
cat >"$tmp/ziplist/main.go" <<'GO'
package main

import (
	"archive/zip"
	"fmt"
	"os"
)

func main() {
	r, err := zip.OpenReader(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer r.Close()
	for _, f := range r.File {
		fmt.Printf("%s %o\n", f.Name, f.Mode().Perm())
	}
}
GO
zip_abs="$PWD/$zip"
zip_list=$(cd "$tmp/ziplist" && GOFLAGS= go run main.go "$zip_abs")
echo "$zip holds:"
sed 's/^/  /' <<<"$zip_list"
grep -q "^${project}_v${version}${ext} 7[0-7][0-7]\$" <<<"$zip_list" || fail "$zip does not hold an executable ${project}_v${version}${ext}"

echo "release-check: OK ($zip, $(basename "$sums") with $manifest)"
