#!/usr/bin/env bash
# Checks that the committed docs/ (and the formatting of examples/) are what
# `make generate` produces from the schema, examples/ and templates/, then
# runs tfplugindocs' own checks of the docs/ layout the registry reads.
#
# The comparison is against the working tree as it was before regenerating:
# in a fresh clone (CI) that is the commit, so any difference means the
# committed docs are stale; in a working copy it also works with changes not
# committed yet. `git status --porcelain docs/ examples/` is printed on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshot=$(mktemp -d)
trap 'rm -rf "$snapshot"' EXIT
for d in docs examples; do
	if [ -d "$d" ]; then
		cp -a "$d" "$snapshot/$d"
	else
		mkdir -p "$snapshot/$d"
	fi
done

make --no-print-directory generate

changed=0
echo "--- comparing with the tree before \`make generate\` (-: before, +: generated)"
for d in docs examples; do
	if ! diff -ruN --exclude=.terraform --exclude=.terraform.lock.hcl "$snapshot/$d" "$d" >"$snapshot/$d.diff"; then
		changed=1
		sed -e "s#$snapshot/##" "$snapshot/$d.diff"
	fi
done
if [ "$changed" -ne 0 ]; then
	echo >&2
	echo "docs-check: \`make generate\` changed the files above:" >&2
	git status --porcelain docs/ examples/ >&2 || true
	echo "docs-check: run \`make generate\` and commit docs/ and examples/." >&2
	exit 1
fi
if [ -n "${CI:-}" ] && [ -n "$(git status --porcelain docs/ examples/ 2>/dev/null)" ]; then
	# Not a failure by itself (the tree may hold uncommitted work), but say it.
	echo "docs-check: note: docs/ or examples/ differ from the last commit:"
	git status --porcelain docs/ examples/
fi

echo "--- tfplugindocs validate"
(cd tools && go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs validate --provider-dir .. --provider-name upswift) 2> >(grep -v '\[DEBUG\]' >&2)
echo "docs-check: docs/ is up to date"
