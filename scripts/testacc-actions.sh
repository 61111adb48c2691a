#!/usr/bin/env bash
# Runs the provider's action tests (Terraform 1.14 and later) with a
# Terraform CLI of TF_ACTIONS_VERSION (default 1.15.0), built by
# scripts/cli.sh on first use and reused after that.
#
# Under `make test` (Terraform 1.11 on the PATH) these tests skip, saying
# that the CLI is below 1.14. Here a skip would hide that nothing ran, so
# the script fails when any action test skipped or when none ran.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${TF_ACTIONS_VERSION:-1.15.0}
tf=$(scripts/cli.sh terraform "$version")
echo "--- action tests with $tf ($("$tf" version 2>/dev/null | head -n1))"

out=$(mktemp)
trap 'rm -rf "$out"' EXIT
rc=0
TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tf" go test -count=1 -timeout=20m -v -run 'Action' ./internal/provider/ >"$out" 2>&1 || rc=$?
grep -E '^(\s*--- (PASS|FAIL|SKIP)|ok|FAIL|PASS)' "$out" || true
if [ "$rc" -ne 0 ]; then
	cat "$out" >&2
	echo "testacc-actions: the action tests failed" >&2
	exit "$rc"
fi
if grep -qE '^\s*--- SKIP' "$out"; then
	grep -E -A2 '^\s*--- SKIP' "$out" >&2
	echo "testacc-actions: action tests skipped under Terraform $version; they must run here" >&2
	exit 1
fi
passed=$(grep -cE '^\s*--- PASS: Test\w*Action' "$out" || true)
if [ "$passed" -eq 0 ]; then
	echo "testacc-actions: no action test ran" >&2
	exit 1
fi
echo "testacc-actions: $passed action tests and subtests passed under Terraform $version"
