#!/bin/bash
# run-bats.sh DIR...: run bats suites and end with one summary line
# ("N passed, N failed, N skipped"); exits with bats' status.
set -uo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bats -r "$@" | tee "$out"
rc=${PIPESTATUS[0]}
skipped=$(grep -c '^ok .* # skip' "$out")
passed=$(( $(grep -c '^ok ' "$out") - skipped ))
failed=$(grep -c '^not ok ' "$out")
echo "bats: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
