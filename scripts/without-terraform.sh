#!/usr/bin/env bash
# Runs a command with a PATH that holds no terraform: every directory of the
# PATH with a terraform in it is left out, so that the command can only run
# the CLI it is given. CI runs the demo and the provider tests under OpenTofu
# this way:
#
#   scripts/without-terraform.sh make demo TERRAFORM=/path/to/tofu
#   TF_ACC_TERRAFORM_PATH=/path/to/tofu scripts/without-terraform.sh make test-smoke
#
# It fails, rather than run the command, when leaving those directories out
# also leaves out the command or go.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 COMMAND [ARGS...]" >&2
	exit 2
fi

path=""
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
	if [ -n "$dir" ] && [ ! -e "$dir/terraform" ]; then
		path="${path:+$path:}$dir"
	fi
done
export PATH="$path"
for tool in "$1" go; do
	if ! command -v "$tool" >/dev/null; then
		echo "without-terraform: the PATH without its terraform directories has no $tool" >&2
		exit 1
	fi
done
exec "$@"
