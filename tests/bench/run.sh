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
# The namespace gets its own /sys/fs/cgroup: the host's hierarchies, bound,
# and hugetlb's in the standard place, where every runtime looks for it (at
# /mnt/h, crun made no hugetlb cgroup and so did less work per container).
# Binding hugetlb to a v1 hierarchy is global while that hierarchy lives:
# remove every cgroup made in it and unmount it before leaving, so the host
# gets hugetlb back in its unified hierarchy.
unshare -m --propagation private bash -c '
	set -uo pipefail
	mount -t tmpfs -o mode=755 none /mnt || exit 1
	for d in /sys/fs/cgroup/*/; do
		d=${d%/}
		mkdir "/mnt/${d##*/}" && mount --bind "$d" "/mnt/${d##*/}" || exit 1
	done
	mkdir /mnt/hugetlb && mount -t cgroup -o hugetlb none /mnt/hugetlb || exit 1
	mount --move /mnt /sys/fs/cgroup || exit 1
	"$0" -berth ./berth -bundle "$1/true" -sleep-bundle "$1/sleep" -json "$1/bench.json" "${@:2}"
	rc=$?
	find /sys/fs/cgroup/hugetlb -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
	umount /sys/fs/cgroup/hugetlb
	exit $rc
' "$out/bench" "$PWD/$out" "$@"
rc=$?
# The hierarchy can outlive our namespace a little (its last processes are
# still being reaped). Mounting it again and letting go releases it, but each
# mount pins it anew for a while: try that only every 10 s, wait up to 60 s.
for i in $(seq 120); do
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null && break
	sleep 0.5
	[ $((i % 20)) = 0 ] || continue
	unshare -m --propagation private bash -c '
		mount -t tmpfs none /mnt && mkdir /mnt/h && mount -t cgroup -o hugetlb none /mnt/h &&
		find /mnt/h -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		umount /mnt/h' 2>/dev/null
done
grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
	echo "bench: warning: hugetlb is not back in the unified hierarchy" >&2
exit $rc
