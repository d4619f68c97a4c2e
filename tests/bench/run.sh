#!/bin/bash
# run.sh [bench flags]: `make bench`. Builds what it needs and measures berth,
# crun and runc in one run, inside a private mount namespace where crun
# accepts this cgroup v1 hybrid host (hugetlb bound to a v1 hierarchy), so
# that all three run under the same conditions.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench-results
mkdir -p "$out/true" "$out/sleep"
for b in true sleep; do
	args='["true"]'
	[ "$b" = sleep ] && args='["sleep", "100000"]'
	jq --arg root "$PWD/tests/integration/bundle/rootfs" --argjson args "$args" \
		'.root.path = $root | .process.args = $args' tests/integration/bundle/config.json >"$out/$b/config.json"
done
go build -o "$out/bench" ./tests/bench
exec unshare -m --propagation private bash -c '
	set -euo pipefail
	mount -t tmpfs none /mnt && mkdir /mnt/h && mount -t cgroup -o hugetlb none /mnt/h
	exec "$0" -berth ./berth -bundle "$1/true" -sleep-bundle "$1/sleep" -json "$1/bench.json" "${@:2}"
' "$out/bench" "$PWD/$out" "$@"
