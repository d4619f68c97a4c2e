#!/bin/bash
# mkbundle.sh DIR: build the busybox OCI bundle the integration tests run.
#
#   DIR/rootfs       Debian's static busybox, one symlink per applet in /bin,
#                    /etc/{passwd,group,hostname} and the usual empty dirs.
#   DIR/config.json  the default `spec` (runc-equivalent), with terminal false
#                    and args ["sh"]; tests copy it and edit it with jq.
#
# Needs no runtime binary. Idempotent: exits at once when DIR is already built
# from the same busybox and the same version of this script.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
busybox=${BUSYBOX:-/bin/busybox}

if ! [ -x "$busybox" ] || ! "$busybox" true 2>/dev/null; then
	echo "mkbundle: $busybox is missing or broken (apt-get install busybox-static)" >&2
	exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkbundle: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

# The stamp names what the bundle was built from; same stamp = nothing to do.
stamp="$(sha256sum "$busybox" "$0" | sha256sum | cut -d' ' -f1)"
if [ -f "$dir/config.json" ] && [ -x "$dir/rootfs/bin/busybox" ] &&
	[ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.rootfs.XXXXXX")
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

for d in bin proc sys dev tmp etc run var var/tmp root home/bb mnt; do
	mkdir -p "$tmp/$d"
done
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 0700 "$tmp/root"
chown 1000:1000 "$tmp/home/bb"

install -m 0755 "$busybox" "$tmp/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] && continue
	ln -s busybox "$tmp/bin/$applet"
done
# Some tools look in sbin and usr/bin; keep one tree.
ln -s bin "$tmp/sbin"
mkdir -p "$tmp/usr"
ln -s ../bin "$tmp/usr/bin"
ln -s ../bin "$tmp/usr/sbin"

cat >"$tmp/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
bb:x:1000:1000:busybox user:/home/bb:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$tmp/etc/group" <<'EOF'
root:x:0:
tty:x:5:
bb:x:1000:
users:x:100:bb
nogroup:x:65534:
EOF
echo berth-test >"$tmp/etc/hostname"
: >"$tmp/etc/resolv.conf"
: >"$tmp/etc/hosts"

rm -rf --one-file-system "$dir/rootfs"
mv "$tmp" "$dir/rootfs"
trap - EXIT

# The default spec, as `runc spec` writes it (runtime-spec defaults: masked and
# read-only paths, three capabilities, RLIMIT_NOFILE 1024, five namespaces),
# with terminal false so that tests can pipe stdio.
cat >"$dir/config.json.tmp" <<'EOF'
{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": false,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "berth",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
EOF
mv "$dir/config.json.tmp" "$dir/config.json"
echo "$stamp" >"$dir/.stamp"
