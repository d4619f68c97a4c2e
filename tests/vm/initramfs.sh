#!/bin/bash
# initramfs.sh KERNEL_DIR OUT: write a gzipped cpio initramfs to OUT with
# a static busybox, tests/vm/init as /init, and the kernel modules the VM
# needs (virtiofs to reach the host's files, overlay for berth's sealed
# self-exec, veth for namespaces.bats's linux.netDevices tests), their
# dependencies first, in /modules load order (the rest are autoloaded
# from the host's copy of the tree once init has switched root). Modules
# that the package ships compressed are decompressed here, since busybox's
# insmod takes plain .ko files only.
set -euo pipefail

kdir=${1:?usage: initramfs.sh KERNEL_DIR OUT}
out=${2:?usage: initramfs.sh KERNEL_DIR OUT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
want=(virtiofs overlay veth)

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then
		busybox=$b
		break
	fi
done
[ -n "$busybox" ] || {
	echo "vm: no static busybox (Debian's busybox-static; make deps)" >&2
	exit 1
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$busybox" "$stage/bin/busybox"
cp "$here/init" "$stage/init"
chmod 0755 "$stage/init"

# modfile NAME: the module's file in the tree (names use _ or - alike).
modfile() {
	local pat=${1//[-_]/[-_]}
	find "$kdir/modules/kernel" -regex ".*/${pat}\.ko\(\.xz\|\.zst\|\.gz\)?" | head -n 1
}

# deps FILE: the module's dependencies, from its .modinfo "depends=".
deps() {
	local f=$1 t
	case $f in
	*.xz) t=$(xz -dc "$f" | tr '\0' '\n') ;;
	*.zst) t=$(zstd -qdc "$f" | tr '\0' '\n') ;;
	*.gz) t=$(gzip -dc "$f" | tr '\0' '\n') ;;
	*) t=$(tr '\0' '\n' <"$f") ;;
	esac
	sed -n 's/^depends=//p' <<<"$t" | tr ',' ' '
}

declare -A seen=()
order=()
add() {
	local m=$1 f d
	[ -z "${seen[$m]:-}" ] || return 0
	seen[$m]=1
	f=$(modfile "$m")
	if [ -z "$f" ]; then
		# Built into this kernel: nothing to load.
		grep -q "/${m//[-_]/[-_]}\.ko" "$kdir/modules/modules.builtin" 2>/dev/null && return 0
		echo "vm: module $m not found in $kdir/modules" >&2
		exit 1
	fi
	for d in $(deps "$f"); do
		add "$d"
	done
	case $f in
	*.xz) xz -dc "$f" ;;
	*.zst) zstd -qdc "$f" ;;
	*.gz) gzip -dc "$f" ;;
	*) cat "$f" ;;
	esac >"$stage/lib/modules/$m.ko"
	order+=("$m")
}
for m in virtio_pci "${want[@]}"; do
	add "$m"
done
printf '%s\n' "${order[@]}" >"$stage/modules"

(cd "$stage" && find . -mindepth 1 | sort | "$stage/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
