#!/bin/bash
# run.sh [BATS FILE...]: the client suites (default: containerd.bats and
# podman.bats) against $BERTH (default: the repo's ./berth), ending with one
# summary line "clients: N passed, N failed, N skipped".
#
#   BERTH=/usr/sbin/runc bash tests/clients/run.sh     # the same, on runc
#   bash tests/clients/run.sh tests/clients/podman.bats
#   bats -f 'pause' tests/clients/podman.bats          # one scenario
#
# Needs root and Debian's containerd, podman, conmon, catatonit and
# slirp4netns (tests/deps.sh installs them). Everything the suites make is
# under $BERTH_CLIENTS_TMP (/tmp/berth-clients) and removed by the suites;
# whatever a killed suite left (its daemons, container processes, mounts,
# cgroups, dir) is removed here, and then the run fails.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export BERTH=${BERTH:-$repo/berth}
tmp_base=${BERTH_CLIENTS_TMP:-/tmp/berth-clients}

if [ "$(id -u)" -ne 0 ]; then
	echo "clients: must run as root" >&2
	exit 1
fi
missing=
for tool in bats jq script containerd containerd-shim-runc-v2 containerd-shim ctr podman conmon catatonit slirp4netns; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "clients: missing$missing (bash tests/deps.sh installs them)" >&2
	exit 1
fi
if ! [ -x "$BERTH" ]; then
	echo "clients: runtime $BERTH is missing (make build)" >&2
	exit 1
fi

bash "$here/mkimage.sh" "$here/image/busybox-oci.tar" || exit 1

# remove_leftover DIR: what a suite that did not finish left behind.
remove_leftover() {
	local dir=$1 tag d p
	tag=$(basename "$dir")
	echo "clients: removing what an unfinished suite left: $dir" >&2
	# Its daemons (containerd, shims, conmon) name its dir in their args;
	# its containers' processes are in its cgroups.
	for p in $(pgrep -f -- "$dir/"); do kill -KILL "$p" 2>/dev/null; done
	for d in /sys/fs/cgroup/*/"$tag" /sys/fs/cgroup/"$tag"; do
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | xargs -r kill -KILL 2>/dev/null
	done
	sleep 0.5
	awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo |
		awk '{print length, $0}' | sort -rn | cut -d' ' -f2- | xargs -r -n1 umount -l 2>/dev/null
	for d in /sys/fs/cgroup/*/"$tag" /sys/fs/cgroup/"$tag"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	rm -rf --one-file-system "$dir"
}

before=$(ls -A "$tmp_base" 2>/dev/null)
leftovers() {
	local d
	for d in "$tmp_base"/*; do
		[ -d "$d" ] || continue
		grep -qxF "$(basename "$d")" <<<"$before" || echo "$d"
	done
}
cleanup() {
	local d
	if [ -z "${BERTH_CLIENTS_KEEP:-}" ]; then
		for d in $(leftovers); do remove_leftover "$d"; done
		rmdir "$tmp_base" 2>/dev/null
	fi
	rm -f "$out"
}
out=$(mktemp)
trap cleanup EXIT
trap 'exit 130' INT TERM

[ $# -gt 0 ] || set -- "$here/containerd.bats" "$here/podman.bats"
start=$SECONDS
bats "$@" | tee "$out"
rc=${PIPESTATUS[0]}
skipped=$(grep -c '^ok .* # skip' "$out")
passed=$(($(grep -c '^ok ' "$out") - skipped))
failed=$(grep -c '^not ok ' "$out")
left=$(leftovers)
if [ -n "$left" ] && [ -z "${BERTH_CLIENTS_KEEP:-}" ]; then
	echo "clients: suites left:" $left >&2
	rc=1
fi
echo "# clients: $(basename "$BERTH") in $((SECONDS - start))s"
echo "clients: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
