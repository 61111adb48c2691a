#!/usr/bin/env bash
# Checks the GitHub Actions workflows: .github/workflows/ and the CI guide's
# example pipeline in examples/ci/.
#   1. actionlint (installed by `make actionlint` at ACTIONLINT, a pinned
#      version) on every workflow file;
#   2. every action is pinned by a full commit SHA, and the example pipeline
#      pins each action it shares with the project's workflows to the same
#      commit (Dependabot updates only .github/workflows/);
#   3. the acceptance-test matrix of .github/workflows/test.yml is the
#      CLI_VERSIONS list of GNUmakefile (`make testacc-matrix`).
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT=${ACTIONLINT:-actionlint}
fail() {
	echo "check-workflows: $*" >&2
	exit 1
}

mapfile -t files < <(ls .github/workflows/*.yml examples/ci/*.yml)
echo "--- actionlint ${files[*]}"
"$ACTIONLINT" "${files[@]}"

echo "--- actions pinned by commit SHA"
# "uses: owner/repo@ref # comment" -> "file owner/repo ref"
pins=$(grep -H -E '^[[:space:]]*(-[[:space:]]+)?uses:' "${files[@]}" |
	sed -E 's#^([^:]*):[[:space:]]*(-[[:space:]]+)?uses:[[:space:]]*([^@[:space:]]+)@([^[:space:]]+).*#\1 \3 \4#')
bad=$(grep -v -E ' [0-9a-f]{40}$' <<<"$pins" || true)
[ -z "$bad" ] || fail "actions not pinned by a full commit SHA (file action ref):"$'\n'"$bad"
while read -r file action sha; do
	case $file in examples/*) ;; *) continue ;; esac
	ours=$(awk -v a="$action" '$1 ~ /^\.github\// && $2 == a {print $3}' <<<"$pins" | sort -u)
	if [ -n "$ours" ] && [ "$ours" != "$sha" ]; then
		fail "$file pins $action@$sha, .github/workflows/ pins $action@$ours: use the same commit"
	fi
done <<<"$pins"
echo "$(wc -l <<<"$pins") action references, all pinned"

echo "--- the acceptance matrix of test.yml is CLI_VERSIONS"
matrix=$(awk '
	/^[[:space:]]*- cli:/ { cli = $3 }
	/^[[:space:]]*version:/ && cli != "" { v = $2; gsub(/"/, "", v); print cli "@" v; cli = "" }
' .github/workflows/test.yml | sort | tr '\n' ' ')
want=$(tr ' ' '\n' <<<"${CLI_VERSIONS:?CLI_VERSIONS is not set}" | sed '/^$/d' | sort | tr '\n' ' ')
[ "$matrix" = "$want" ] || fail ".github/workflows/test.yml tests under [${matrix% }], GNUmakefile's CLI_VERSIONS is [${want% }]"
echo "${want% }"
echo "check-workflows: OK"
