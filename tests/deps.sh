#!/bin/bash
# deps.sh: install the Debian packages that building berth and running its
# tests need. Idempotent and quiet: does nothing when all are present, else
# one `apt-get update` and one `apt-get install` of what is missing.
# Used by `make deps`, `make run`, `make test` and .ci/run.
set -euo pipefail

packages=(
	# build: cgo with libseccomp, linked with musl (see the Makefile), make,
	# git for the commit
	gcc libc6-dev musl-tools make git pkg-config libseccomp-dev
	# integration tests
	bats jq busybox-static iproute2 util-linux coreutils findutils mawk strace
	# peers for comparison and `make bench`
	runc crun
	# real callers (tests/clients): containerd with its runc shims and ctr,
	# podman with conmon, catatonit (--init) and slirp4netns
	containerd podman conmon catatonit slirp4netns
	# the cgroup v2 lane (tests/vm): qemu, with virtiofsd in qemu-system-common
	qemu-system-x86 qemu-system-common
	# checkpoint/restore, run in that lane (criu 3.17 fails on newer host
	# kernels); its network lock runs iptables-restore and ip6tables-restore
	criu iptables
	# AppArmor profiles loaded in that lane, whose kernel enforces AppArmor;
	# the compiler of the SELinux lane's policy
	apparmor secilc
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing+=("$p")
	fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
