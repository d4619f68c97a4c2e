#!/bin/bash
# mkimage.sh OUT.tar [NAME]: build a one-layer busybox image as an OCI image
# layout tar (oci-layout, index.json, blobs/sha256/...), from the host's
# static /bin/busybox, with no registry and no image tool: tar, sha256sum and
# jq. Both `ctr images import` and `podman load` read it.
#
# NAME (default localhost/berth-busybox:latest) goes in the index's
# io.containerd.image.name and org.opencontainers.image.ref.name annotations.
#
# The rootfs: busybox with a symlink per applet in /bin (sbin, usr/bin and
# usr/sbin point at it), /etc/passwd with root, bb (1000:1000, home /home/bb)
# and nobody, /etc/group, and the usual empty dirs. The image config sets
# PATH, Cmd ["sh"] and WorkingDir "/".
#
# Reproducible (fixed mtimes, sorted, numeric owners) and idempotent: does
# nothing when OUT.tar exists and was built from the same busybox by the same
# version of this script.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUT.tar [NAME]" >&2
	exit 2
fi
out=$1
name=${2:-localhost/berth-busybox:latest}
busybox=${BUSYBOX:-/bin/busybox}

if ! [ -x "$busybox" ] || ! "$busybox" true 2>/dev/null; then
	echo "mkimage: $busybox is missing or broken (apt-get install busybox-static)" >&2
	exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkimage: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

stamp="$( (sha256sum "$busybox" "$0"; echo "$name") | sha256sum | cut -d' ' -f1)"
if [ -s "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/berth-mkimage.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
root=$work/rootfs
layout=$work/layout
mkdir -p "$root" "$layout/blobs/sha256"
chmod 0755 "$root"

for d in bin proc sys dev tmp etc run var var/tmp root home/bb mnt; do
	mkdir -p "$root/$d"
done
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"
chown 1000:1000 "$root/home/bb"
install -m 0755 "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] && continue
	ln -s busybox "$root/bin/$applet"
done
ln -s bin "$root/sbin"
mkdir -p "$root/usr"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
bb:x:1000:1000:busybox user:/home/bb:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
bb:x:1000:
users:x:100:bb
nogroup:x:65534:
GROUP
: >"$root/etc/hostname"
: >"$root/etc/resolv.conf"
: >"$root/etc/hosts"

# blob FILE: move FILE into the layout as a blob; print its digest and size.
blob() {
	local sum size
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv "$1" "$layout/blobs/sha256/$sum"
	echo "sha256:$sum $size"
}

# One uncompressed layer: its digest is also its diff_id.
tar -C "$root" --sort=name --mtime=@0 --numeric-owner --format=posix \
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	-cf "$work/layer.tar" .
read -r layer_digest layer_size < <(blob "$work/layer.tar")

jq -n --arg diff "$layer_digest" '{
	created: "1970-01-01T00:00:00Z",
	architecture: "amd64",
	os: "linux",
	config: {
		Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		Cmd: ["sh"],
		WorkingDir: "/"
	},
	rootfs: {type: "layers", diff_ids: [$diff]},
	history: [{created: "1970-01-01T00:00:00Z", created_by: "tests/clients/mkimage.sh"}]
}' >"$work/config.json"
read -r config_digest config_size < <(blob "$work/config.json")

jq -n --arg cd "$config_digest" --argjson cs "$config_size" \
	--arg ld "$layer_digest" --argjson ls "$layer_size" '{
	schemaVersion: 2,
	mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
	layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]
}' >"$work/manifest.json"
read -r manifest_digest manifest_size < <(blob "$work/manifest.json")

jq -n --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg name "$name" '{
	schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [{
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $md, size: $ms,
		platform: {architecture: "amd64", os: "linux"},
		annotations: {
			"io.containerd.image.name": $name,
			"org.opencontainers.image.ref.name": $name
		}
	}]
}' >"$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

mkdir -p "$(dirname "$out")"
tar -C "$layout" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	-cf "$out.tmp" oci-layout index.json blobs
mv "$out.tmp" "$out"
echo "$stamp" >"$out.stamp"
