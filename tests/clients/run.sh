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
# under $BERTH_CLIENTS_TMP (/tmp/berth-clients) and removed at the end.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export BERTH=${BERTH:-$repo/berth}

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

[ $# -gt 0 ] || set -- "$here/containerd.bats" "$here/podman.bats"
start=$SECONDS
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bats "$@" | tee "$out"
rc=${PIPESTATUS[0]}
skipped=$(grep -c '^ok .* # skip' "$out")
passed=$(($(grep -c '^ok ' "$out") - skipped))
failed=$(grep -c '^not ok ' "$out")
echo "# clients: $(basename "$BERTH") in $((SECONDS - start))s"
echo "clients: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
