#!/usr/bin/env bash
# Checks every example under examples/: `terraform fmt -check`, then
# `terraform validate` of each directory that holds .tf files, against the
# provider built from this tree (no registry, no network).
#
# The provider is served through a temporary CLI configuration whose
# dev_overrides point upswift/upswift at the freshly built binary. With
# dev_overrides Terraform validates without `terraform init` (init would try
# to query the registry for upswift/upswift and fail offline), so init runs
# only when validate asks for it (an example using modules or other
# providers). Validation calls the provider's ValidateResourceConfig, so an
# unknown argument or a filter the provider refuses fails this script.
#
# Each directory is copied to a scratch directory first, so that no
# .terraform/ or lock file lands in the source tree. Examples that are
# documentation snippets (no required_providers block) get one added.
#
# Environment: TERRAFORM (default: terraform) picks the CLI; OpenTofu works
# too (TERRAFORM=tofu). `make validate-examples` sets it to the Terraform
# 1.15 of scripts/cli.sh: the examples under examples/actions/ declare
# actions, which need Terraform 1.14 or later. A CLI without actions skips
# those directories and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

TERRAFORM=${TERRAFORM:-terraform}
if ! command -v "$TERRAFORM" >/dev/null 2>&1; then
	echo "validate-examples: no Terraform CLI ($TERRAFORM) found; install Terraform >= 1.0.11 or set TERRAFORM." >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
# No plugin cache and no user CLI configuration leak into the check.
unset TF_PLUGIN_CACHE_DIR
export TF_CLI_CONFIG_FILE="$work/terraform.rc"
: >"$TF_CLI_CONFIG_FILE"

echo "--- terraform fmt -check -recursive examples/"
if ! "$TERRAFORM" fmt -check -recursive -diff examples/; then
	echo "validate-examples: examples/ is not formatted; run \`terraform fmt -recursive examples/\` (or \`make generate\`)." >&2
	exit 1
fi

echo "--- building the provider"
mkdir -p "$work/bin"
go build -o "$work/bin/terraform-provider-upswift" .

scripts/dev-overrides.sh "$work/bin" >"$TF_CLI_CONFIG_FILE"

mapfile -t dirs < <(find examples -name '*.tf' -not -path '*/.terraform/*' -printf '%h\n' | sort -u)
if [ "${#dirs[@]}" -eq 0 ]; then
	echo "validate-examples: no .tf files under examples/" >&2
	exit 1
fi

# Actions need Terraform 1.14 or later (OpenTofu has none).
cli_version=$("$TERRAFORM" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -n1)
has_actions=false
if ! "$TERRAFORM" version 2>/dev/null | grep -q OpenTofu &&
	[ "$(printf '%s\n%s\n' 1.14.0 "$cli_version" | sort -V | head -n1)" = 1.14.0 ]; then
	has_actions=true
fi

failed=()
skipped=()
for dir in "${dirs[@]}"; do
	if [[ "$dir" == examples/actions/* ]] && [ "$has_actions" != true ]; then
		echo "--- skipping $dir: actions need Terraform 1.14 or later, $TERRAFORM is ${cli_version:-unknown}"
		skipped+=("$dir")
		continue
	fi
	echo "--- terraform validate $dir"
	scratch="$work/examples/$dir"
	mkdir -p "$scratch"
	cp "$dir"/*.tf "$scratch"/
	if ! grep -q 'required_providers' "$scratch"/*.tf; then
		cat >"$scratch/zz_validate_providers.tf" <<'EOF'
terraform {
  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}
EOF
	fi
	out=$(cd "$scratch" && "$TERRAFORM" validate -no-color 2>&1) && rc=0 || rc=$?
	if [ "$rc" -ne 0 ] && grep -q -E 'terraform init|tofu init|Module not installed|Missing required provider' <<<"$out"; then
		echo "(validate asks for init: running init -backend=false)"
		(cd "$scratch" && "$TERRAFORM" init -backend=false -input=false -no-color) || true
		out=$(cd "$scratch" && "$TERRAFORM" validate -no-color 2>&1) && rc=0 || rc=$?
	fi
	# Drop the dev_overrides warning, which every run prints (and which the
	# "as shown above" of a successful validate refers to).
	grep -v -E '^\s*$' <<<"$out" | sed '/Warning: Provider development overrides are in effect/,/releases\.$/d' || true
	if [ "$rc" -ne 0 ]; then
		failed+=("$dir")
	fi
done

if [ "${#failed[@]}" -ne 0 ]; then
	echo "validate-examples: invalid example directories: ${failed[*]}" >&2
	exit 1
fi
echo "validate-examples: $((${#dirs[@]} - ${#skipped[@]})) example directories valid${skipped:+, ${#skipped[@]} skipped (actions)}"
