#!/usr/bin/env bash
# Prints a Terraform or OpenTofu CLI configuration whose dev_overrides serve
# upswift/upswift from the directory $1 (which holds a provider built from
# this tree), so that no registry is asked for it:
#
#   scripts/dev-overrides.sh "$work/bin" > "$work/terraform.rc"
#
# Terraform resolves "upswift/upswift" on registry.terraform.io and OpenTofu
# on registry.opentofu.org: the same directory serves both. The Go commands
# write the same configuration with internal/devenv.
set -euo pipefail
if [ "$#" -ne 1 ]; then
	echo "usage: $0 PROVIDER_DIR" >&2
	exit 2
fi
cat <<EOC
provider_installation {
  dev_overrides {
    "registry.terraform.io/upswift/upswift"  = "$1"
    "registry.opentofu.org/upswift/upswift" = "$1"
  }
  direct {}
}
EOC
