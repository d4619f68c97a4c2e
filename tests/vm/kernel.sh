#!/bin/bash
# kernel.sh CACHE: make sure Debian's cloud kernel is unpacked under
# CACHE/kernel/<package>_<version>/ and print that directory.
#
# The versioned package is the one linux-image-cloud-amd64 depends on
# (e.g. linux-image-6.1.0-56-cloud-amd64). It is fetched with
# `apt-get download` and unpacked with `dpkg-deb -x`; only the kernel
# image and the module tree are kept, with a busybox depmod's modules.dep
# and modules.alias added (the package ships none: its postinst runs
# depmod), so that the guest can autoload modules. Idempotent: a kernel
# already in the cache is used as is (after that depmod, if it predates
# it). Offline-safe: if apt cannot name or fetch the current
# version, the newest kernel already cached is used (with a warning).
set -euo pipefail

cache=${1:?usage: kernel.sh CACHE}
kcache=$cache/kernel
mkdir -p "$kcache"

# newest_cached: the most recently unpacked complete kernel dir, if any.
newest_cached() {
	local d
	d=$(ls -1dt "$kcache"/*/ 2>/dev/null | while read -r d; do
		[ -e "$d/.complete" ] && echo "${d%/}" && break
	done)
	[ -n "$d" ] && echo "$d"
}

# run_depmod DIR: write modules.dep and modules.alias into DIR/modules, once.
# (Busybox's depmod wants BASE/lib/modules/KVER: a symlink makes one.)
run_depmod() {
	local d=$1 kver base
	[ ! -e "$d/.depmod" ] || return 0
	kver=$(awk '{ print $3 }' "$d/PACKAGE")
	base=$(mktemp -d)
	mkdir -p "$base/lib/modules"
	ln -s "$(cd "$d/modules" && pwd)" "$base/lib/modules/$kver"
	busybox depmod -b "$base" "$kver" || {
		rm -rf "$base"
		echo "vm: depmod of $d/modules failed (busybox-static; make deps)" >&2
		return 1
	}
	rm -rf "$base"
	touch "$d/.depmod"
}

# use DIR: print DIR, a complete kernel dir, after its depmod.
use() {
	run_depmod "$1"
	echo "$1"
}

# current: "<package> <version>" of the cloud kernel apt knows about.
current() {
	local pkg ver
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ { print $2; exit }')
	[ -n "$pkg" ] || return 1
	ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }')
	[ -n "$ver" ] || return 1
	echo "$pkg $ver"
}

want=$(current) || {
	# apt may never have been updated on this machine: once, quietly.
	if [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq >/dev/null 2>&1 || true
	fi
	want=$(current)
} || want=
if [ -z "$want" ]; then
	if d=$(newest_cached); then
		echo "vm: apt cannot name the cloud kernel package; using the cached $(basename "$d")" >&2
		use "$d"
		exit 0
	fi
	echo "vm: cannot find linux-image-cloud-amd64 in apt (run apt-get update?) and no kernel is cached in $kcache" >&2
	exit 1
fi

read -r pkg ver <<<"$want"
dir=$kcache/${pkg}_${ver//:/%}
if [ -e "$dir/.complete" ]; then
	use "$dir"
	exit 0
fi

tmp=$(mktemp -d "$kcache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# _apt must be able to write where apt-get download puts the file.
chmod 0777 "$tmp"
echo "vm: fetching $pkg $ver" >&2
rc=0
(cd "$tmp" && apt-get download -q=2 "$pkg=$ver") >"$tmp/download.log" 2>&1 || rc=$?
grep -v 'Download is performed unsandboxed' "$tmp/download.log" >&2 || true
if [ "$rc" -ne 0 ]; then
	if d=$(newest_cached); then
		echo "vm: could not download $pkg $ver; using the cached $(basename "$d")" >&2
		use "$d"
		exit 0
	fi
	echo "vm: could not download $pkg $ver" >&2
	exit 1
fi
deb=$(ls "$tmp"/*.deb)
mkdir "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
kver=$(ls "$tmp/x/lib/modules")
mkdir -p "$tmp/out"
cp "$tmp/x/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
cp "$tmp/x/boot/config-$kver" "$tmp/out/config"
mv "$tmp/x/lib/modules/$kver" "$tmp/out/modules"
echo "$pkg $ver $kver" >"$tmp/out/PACKAGE"
run_depmod "$tmp/out"
touch "$tmp/out/.complete"
rm -rf "$dir"
mv "$tmp/out" "$dir"
echo "$dir"
