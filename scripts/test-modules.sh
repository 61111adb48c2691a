#!/usr/bin/env bash
# Runs the tests of the example module examples/modules/app-removal (the
# module of the guide docs/guides/testing-modules.md) with `terraform test`,
# once per CLI of CLI_VERSIONS that has mock providers: Terraform 1.7 and
# later, OpenTofu 1.8 and later. Older CLIs are skipped with a message.
# A CLI is NAME@VERSION (built by scripts/cli.sh on first use) or NAME (the
# one on the PATH).
#
# Per CLI:
#   1. the emulator (cmd/upswift-emulator, demo fleet) starts on a free
#      loopback port (-url-file) and stops when the CLI's turn ends, also on
#      failure or Ctrl-C;
#   2. `test` runs in a scratch copy of the module, with the provider built
#      from this tree served through a temporary CLI configuration
#      (dev_overrides under both registry hosts: `terraform test` reads the
#      provider's schema even for a mock_provider) and UPSWIFT_ENDPOINT set
#      to the emulator; every run block must pass, none may be skipped;
#   3. the emulator must have received exactly the integration test's one
#      removal, and its fleet must show it;
#   4. the guard test must catch a module without its guard: with the
#      precondition taken out of a scratch copy of the module,
#      tests/guard.tftest.hcl must fail;
#   5. and it must be the guard that fails its plan: with the guard test's
#      expect_failures taken out, it must fail with the precondition's
#      message for 21 devices against max_devices = 20.
set -euo pipefail
cd "$(dirname "$0")/.."

module=examples/modules/app-removal
guard_test=tests/guard.tftest.hcl
# What the guard says in tests/guard.tftest.hcl's run of 21 devices against
# max_devices = 20.
guard_message='would apply to 21 devices, more than max_devices (20)'
# What the integration test's apply does to the demo fleet: legacy-agent
# leaves the online devices of TestGroup1 and TestGroup2 that had it, and
# stays on the other devices that have it.
want_removed='d-4ec7-1be9 d-5b8e-02f4 d-a3c5-6e18 d-c0d9-3b72'
want_kept='d-19a2-7c30 d-2d47-a951 d-8b3f-c6e2'

CLI_VERSIONS=${CLI_VERSIONS:-terraform@1.15.0 tofu@1.12.6}
for tool in curl jq; do
	command -v "$tool" >/dev/null || { echo "test-modules: $tool is needed to check the emulator's fleet" >&2; exit 1; }
done

work=$(mktemp -d)
emulator_pid=""
stop_emulator() {
	if [ -n "$emulator_pid" ]; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
		emulator_pid=""
	fi
}
trap 'stop_emulator; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

fail() {
	echo "test-modules: $*" >&2
	exit 1
}

echo "--- building the provider and the emulator"
mkdir -p "$work/bin"
go build -o "$work/bin/terraform-provider-upswift" .
go build -o "$work/upswift-emulator" ./cmd/upswift-emulator
scripts/dev-overrides.sh "$work/bin" >"$work/terraform.rc"
export TF_CLI_CONFIG_FILE="$work/terraform.rc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR UPSWIFT_ENDPOINT UPSWIFT_USER_TOKEN

start_emulator() {
	rm -f "$work/url"
	"$work/upswift-emulator" -rate 0 -url-file "$work/url" >"$work/emulator.log" 2>&1 &
	emulator_pid=$!
	for _ in $(seq 100); do
		if [ -s "$work/url" ]; then
			url=$(cat "$work/url")
			return 0
		fi
		kill -0 "$emulator_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/emulator.log" >&2
	fail "the emulator did not start"
}

# scratch NAME: a fresh copy of the module, printed.
scratch() {
	rm -rf "${work:?}/$1"
	cp -r "$module" "$work/$1"
	echo "$work/$1"
}

# run_test DIR LOG [ARGS...]: `test` in DIR, its output in LOG; sets passed,
# failed and skipped from the summary line.
run_test() {
	local dir=$1 log=$2 summary
	shift 2
	(cd "$dir" && "$tf" test -no-color "$@") >"$log" 2>&1 || true
	summary=$(grep -E '^(Success|Failure)! [0-9]+ passed' "$log" | tail -n1)
	[ -n "$summary" ] || { cat "$log" >&2; fail "$name $version: no test summary in the output above"; }
	passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | cut -d' ' -f1)
	failed=$(grep -oE '[0-9]+ failed' <<<"$summary" | cut -d' ' -f1)
	skipped=$(grep -oE '[0-9]+ skipped' <<<"$summary" | cut -d' ' -f1 || true)
	skipped=${skipped:-0}
}

# The run blocks of the module's test files: all must pass.
runs=$(cat "$module"/tests/*.tftest.hcl | grep -cE '^run "')
grep -qE '^[[:space:]]*expect_failures = \[upswift_app_removal\.this\]' "$module/$guard_test" ||
	fail "$module/$guard_test has no run that expects the guard's failure"

# check_fleet: what the emulator received and what changed in its fleet.
check_fleet() {
	local removals removed kept
	removals=$(curl -fsS "$url/_emulator/requests" | jq -c '[.requests[] | select(.method == "DELETE")]')
	[ "$(jq 'length' <<<"$removals")" = 1 ] || fail "$name $version: the emulator received $(jq 'length' <<<"$removals") removals, not 1: $removals"
	removed=$(jq -r '.[0] | select(.path == "/v1/device_apps" and .status == 200 and .body.app_name == "legacy-agent") | .removed | sort | join(" ")' <<<"$removals")
	[ "$removed" = "$want_removed" ] || fail "$name $version: the removal changed [$removed], not [$want_removed]: $removals"
	kept=$(curl -fsS "$url/_emulator/devices" | jq -r '[.accounts[0].devices[] | select(.apps["legacy-agent"] != null) | .id] | sort | join(" ")')
	[ "$kept" = "$want_kept" ] || fail "$name $version: legacy-agent is still on [$kept], not [$want_kept]"
	echo "the emulator received one removal of legacy-agent: it left [$removed], stayed on [$kept]"
}

# check_guard_is_tested: steps 4 and 5 of the header.
check_guard_is_tested() {
	local dir
	dir=$(scratch unguarded)
	grep -qE '^[[:space:]]*precondition[[:space:]]*\{' "$dir"/*.tf || fail "$module has no precondition"
	for f in "$dir"/*.tf; do
		awk '
			/^[[:space:]]*precondition[[:space:]]*\{/ { skip = 1; depth = 0 }
			skip { depth += gsub(/\{/, "{"); depth -= gsub(/\}/, "}"); if (depth <= 0) skip = 0; next }
			{ print }
		' "$f" >"$f.new" && mv "$f.new" "$f"
	done
	! grep -qE '^[[:space:]]*precondition[[:space:]]*\{' "$dir"/*.tf || fail "could not take the precondition out of $module"
	run_test "$dir" "$work/unguarded.log" -filter="$guard_test"
	[ "$failed" -gt 0 ] || { cat "$work/unguarded.log" >&2; fail "$name $version: without the precondition, the guard test still passes"; }
	echo "without the precondition, the guard test fails: $passed passed, $failed failed, $skipped skipped"

	dir=$(scratch unexpected)
	sed -i '/^[[:space:]]*expect_failures = \[upswift_app_removal\.this\]/d' "$dir/$guard_test"
	run_test "$dir" "$work/unexpected.log" -filter="$guard_test"
	[ "$failed" -gt 0 ] || { cat "$work/unexpected.log" >&2; fail "$name $version: without expect_failures, the guard test still passes"; }
	# Diagnostics are wrapped: compare with the lines joined.
	tr -s ' \n' ' ' <"$work/unexpected.log" | grep -qF "$guard_message" ||
		{ cat "$work/unexpected.log" >&2; fail "$name $version: the plan did not fail with the guard's message \"$guard_message\""; }
	echo "without expect_failures, the guard test fails with the guard's message: \"... $guard_message ...\""
}

ran=()
for cli in $CLI_VERSIONS; do
	name=${cli%%@*}
	case $name in
	terraform) min=1.7.0 ;;
	tofu) min=1.8.0 ;;
	*) fail "unknown CLI $cli: NAME@VERSION or NAME, NAME terraform or tofu" ;;
	esac
	tf=""
	if [[ "$cli" == *@* ]]; then
		version=${cli#*@}
	else
		tf=$(command -v "$name") || fail "no $name on the PATH"
		version=$("$tf" version | head -n1 | sed 's/^[^v]* v//')
	fi
	if [ "$(printf '%s\n%s\n' "$min" "$version" | sort -V | head -n1)" != "$min" ]; then
		echo "--- skipping $name $version: \`$name test\` has no mock_provider before $name $min"
		continue
	fi
	if [ -z "$tf" ]; then
		tf=$(scripts/cli.sh "$name" "$version")
	fi

	echo "--- $name $version: $module"
	start_emulator
	dir=$(scratch "$name-$version")
	export UPSWIFT_ENDPOINT=$url
	run_test "$dir" "$work/test.log"
	unset UPSWIFT_ENDPOINT
	grep -E '^(tests/|  run )' "$work/test.log" || true
	if [ "$passed" != "$runs" ] || [ "$failed" != 0 ] || [ "$skipped" != 0 ]; then
		cat "$work/test.log" >&2
		fail "$name $version: $passed passed, $failed failed, $skipped skipped; want all $runs run blocks to pass"
	fi
	echo "$name $version: all $runs run blocks passed"
	check_fleet
	stop_emulator
	check_guard_is_tested
	ran+=("$name@$version")
done

[ "${#ran[@]}" -gt 0 ] || fail "no CLI of [$CLI_VERSIONS] has mock providers: nothing ran"
echo "test-modules: $module tested under ${ran[*]}"
