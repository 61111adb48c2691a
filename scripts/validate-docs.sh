#!/usr/bin/env bash
# Checks that the committed docs/ (and the formatting of examples/) are what
# `make generate` produces from the schema, examples/ and templates/, then
# runs tfplugindocs' own checks of the docs/ layout the registry reads, and
# our own where those fall short.
#
# `tfplugindocs validate` checks every page under docs/ (resources,
# data-sources, actions, guides): its extension, size and frontmatter (valid
# YAML, no layout or sidebar_current). It compares the pages of a kind with
# the provider's schema only when docs/<kind>/ exists and is not empty, and
# reads the schema through the first terraform on the PATH: the action pages
# are compared only with a Terraform that knows actions (1.14 and later), so
# it runs here with the Terraform $TF_ACTIONS_VERSION of scripts/cli.sh, as
# `make generate` does. It does not require a page_title or description, an
# example or the schema section: TestDocs_everyTypeHasAPage
# (internal/provider/docs_pages_test.go) checks those, and that every
# resource, data source and action has its page and its examples whatever
# directories exist.
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

echo "--- tfplugindocs validate (with Terraform ${TF_ACTIONS_VERSION:-1.15.0}, which knows actions)"
tf=$(./scripts/cli.sh terraform "${TF_ACTIONS_VERSION:-1.15.0}")
bindir=$(mktemp -d)
trap 'rm -rf "$snapshot" "$bindir"' EXIT
ln -s "$tf" "$bindir/terraform"
(cd tools && PATH="$bindir:$PATH" go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs validate --provider-dir .. --provider-name upswift) 2> >(grep -v '\[DEBUG\]' >&2)

echo "--- every resource, data source and action has a page with a title, a description, an example and its schema"
go test -count=1 -run 'TestDocs_' ./internal/provider/
echo "docs-check: docs/ is up to date"
