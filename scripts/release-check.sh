#!/usr/bin/env bash
# Checks the release configuration without publishing anything:
#   1. `goreleaser check` on .goreleaser.yml;
#   2. `goreleaser build --snapshot --single-target`: the provider binary for
#      this platform, named as the registry expects, which must run and
#      answer that it is a plugin;
#   3. `goreleaser release --snapshot --skip=publish` with the same
#      configuration narrowed to this one platform (a copy with `targets:`
#      added to the build) and signing on: the `signs` block of
#      .goreleaser.yml signs the SHA256SUMS file with a throwaway GPG key,
#      generated for this run in a temporary GNUPGHOME and chosen through
#      GPG_FINGERPRINT, as the release workflow does with the maintainer's
#      key. Then `gpg --verify` checks the signature, every archive is in
#      SHA256SUMS with its checksum, the manifest is among the release
#      files and in SHA256SUMS, and the zip holds the binary.
# The key never outlives the run: the temporary GNUPGHOME is deleted and its
# gpg-agent stopped on exit, also on failure. Output goes to dist/
# (git-ignored).
#
# goreleaser is installed with `go install` at GORELEASER_VERSION into
# $(go env GOPATH)/bin when that version is not there yet (cold: ~3.5 min).
# gpg (GnuPG 2.1 or later) must be on the PATH.
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

tmp=$(mktemp -d)
# A short path: gpg-agent's socket path must stay under ~100 characters.
gnupghome=$(mktemp -d /tmp/rc-gpg.XXXXXX)
cleanup() {
	GNUPGHOME="$gnupghome" gpgconf --kill gpg-agent >/dev/null 2>&1 || true
	rm -rf "$tmp" "$gnupghome"
}
trap cleanup EXIT

echo "--- a throwaway GPG signing key in a temporary GNUPGHOME"
command -v gpg >/dev/null 2>&1 && command -v gpgconf >/dev/null 2>&1 ||
	fail "gpg and gpgconf (GnuPG 2.1 or later) are needed to check the release signature; install GnuPG (e.g. apt-get install gnupg)"
chmod 700 "$gnupghome"
export GNUPGHOME="$gnupghome"
# RSA, as the Terraform Registry requires of provider signing keys; no
# passphrase, so that goreleaser's `gpg --batch` signs without a prompt.
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-gen-key "release-check throwaway key <release-check@example.invalid>" rsa3072 sign 1d
GPG_FINGERPRINT=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" {print $10; exit}')
[ -n "$GPG_FINGERPRINT" ] || fail "no fingerprint for the generated key"
export GPG_FINGERPRINT
echo "key $GPG_FINGERPRINT (deleted when this check ends)"

echo "--- goreleaser release --snapshot --clean --skip=publish, signing on (one target: ${goos}_${goarch})"
config="$tmp/goreleaser.yml"
sed "/^    binary: /i\\    targets: [${goos}_${goarch}]" .goreleaser.yml >"$config"
[ "$(diff .goreleaser.yml "$config" | grep -c '^>')" -eq 1 ] || fail "could not narrow .goreleaser.yml to one target (is \`binary:\` still under builds?)"
"$goreleaser" release --snapshot --clean --skip=publish --config "$config"
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
# Every archive is listed, and every listed file matches its checksum.
for archive in dist/*.zip; do
	grep -q "  ${archive#dist/}\$" "$sums" || fail "$sums does not list ${archive#dist/}"
done
(cd dist && grep -v "  ${manifest}\$" "${sums#dist/}" | sha256sum -c -) || fail "a checksum in $sums does not match its file"

echo "--- gpg --verify ${sums}.sig ${sums}"
sig="${sums}.sig"
[ -f "$sig" ] || fail "missing $sig: the signs block of .goreleaser.yml did not sign the checksums; dist/ holds: $(ls dist)"
status=$(gpg --batch --status-fd 1 --verify "$sig" "$sums" 2>"$tmp/verify.err") || {
	cat "$tmp/verify.err" >&2
	fail "gpg --verify $sig $sums failed"
}
cat "$tmp/verify.err"
grep -q "^\[GNUPG:\] VALIDSIG $GPG_FINGERPRINT " <<<"$status" || fail "$sig is not a valid signature by $GPG_FINGERPRINT: $status"
# A detached, binary signature of the file, as the registry expects.
grep -q "^\[GNUPG:\] SIG_ID " <<<"$status" || fail "unexpected gpg status: $status"

# The manifest is a release file. A snapshot skips the release step, which
# attaches release.extra_files, so check that block of goreleaser's
# effective configuration (dist/config.yaml): the manifest, under the name
# template that gave ${manifest} in SHA256SUMS above.
release_block=$(awk '/^release:/ {on = 1; next} /^[^[:space:]]/ {on = 0} on' dist/config.yaml)
sums_template=$(awk '/^checksum:/ {on = 1; next} /^[^[:space:]]/ {on = 0} on && /name_template:.*manifest/' dist/config.yaml | sed 's/^[[:space:]-]*name_template:[[:space:]]*//')
[ -n "$sums_template" ] || fail "no manifest name_template in the checksum block of dist/config.yaml"
grep -q "glob: terraform-registry-manifest.json" <<<"$release_block" &&
	grep -q -F "name_template: $sums_template" <<<"$release_block" ||
	fail "release.extra_files does not attach terraform-registry-manifest.json as ${manifest} ($sums_template); release block:"$'\n'"$release_block"
echo "release files: the zip, $(basename "$sums"), $(basename "$sig") and ${manifest} (release.extra_files)"
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

echo "release-check: OK ($zip, $(basename "$sums") with $manifest, $(basename "$sig") verified)"
