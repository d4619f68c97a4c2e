#!/usr/bin/env bats
# security_devices: the device cgroup from inside real containers (a node
# the rules do not allow cannot be opened, whoever made it), and the
# container's /sys/fs/cgroup being read-only.
#
# Weakened builds (a copy of the tree, never /work/main, `make build`, then
# BERTH=copy/berth bats this file) used to check that the tests can fail:
#   nodevices  cgroups/v1_devices.go setDevices (v1) and cgroups/v2_set.go
#              setDevices (v2) return nil: every node opens, the device
#              test fails;
#   cgrouprw   libcontainer/cgroupmount_linux.go mountCgroup dropping
#              MS_RDONLY from the flags: the /sys/fs/cgroup test fails.
#
# runc's default rules, which berth copies, allow mknod ("m") of every
# device: creating a node inside is allowed (with CAP_MKNOD), using it is
# not. That is what the tests check.

load helpers

setup_file() {
	build_tool secprobe
}

setup() {
	setup_common
	cd "$BUNDLE"
}

@test "devices: a node linux.resources.devices does not allow cannot be opened, whoever created it" {
	# Fails with: nodevices (everything opens).
	use_private_rootfs
	cp "$SECPROBE_BIN" "$PRIVATE_ROOTFS/bin/secprobe"
	# Nodes the image brings: /dev/kmsg's, /dev/mem's, loop0's, and the
	# null device, which the default rules allow.
	mknod -m 0666 "$PRIVATE_ROOTFS/kmsg" c 1 11
	mknod -m 0666 "$PRIVATE_ROOTFS/mem" c 1 1
	mknod -m 0666 "$PRIVATE_ROOTFS/loop" b 7 0
	mknod -m 0666 "$PRIVATE_ROOTFS/mynull" c 1 3
	# A node the runtime creates from linux.devices, not allowed by the rules.
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]'
	update_config '.root.readonly = false | .process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	# Opening for writing writes nothing (kmsg would only log what is written).
	set_cmd 'for n in /kmsg /mem /dev/kmsg; do echo "$n $(secprobe open $n w)"; done
		echo "/loop $(secprobe open /loop r)"
		echo "/mynull $(secprobe open /mynull w)"
		mknod /tmp/kmsg2 c 1 11 && echo "mknod ok" && echo "/tmp/kmsg2 $(secprobe open /tmp/kmsg2 w)"
		rm -f /tmp/kmsg2'
	run berth run "$ID"
	assert_status 0
	assert_output "/kmsg EPERM
/mem EPERM
/dev/kmsg EPERM
/loop EPERM
/mynull ok
mknod ok
/tmp/kmsg2 EPERM"

	# Control: the same node opens once a rule allows it.
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	set_cmd 'echo "/dev/kmsg $(secprobe open /dev/kmsg w)"; echo "/mem $(secprobe open /mem w)"'
	run berth run "$ID"
	assert_status 0
	assert_output $'/dev/kmsg ok\n/mem EPERM'

	# Without CAP_MKNOD nothing can be created at all.
	update_config '.process.capabilities |= with_entries(.value -= ["CAP_MKNOD"])'
	set_cmd 'mknod /tmp/kmsg3 c 1 11 2>&1; mknod /tmp/null3 c 1 3 2>&1; ls /tmp'
	run berth run "$ID"
	assert_output "mknod: /tmp/kmsg3: Operation not permitted
mknod: /tmp/null3: Operation not permitted"
}

@test "devices: /sys/fs/cgroup inside is read-only: no write, no mkdir, no release_agent" {
	# Fails with: cgrouprw (the writes work: the container could move
	# itself, change its limits, or with a release_agent run code on the host).
	use_private_rootfs
	cp "$SECPROBE_BIN" "$PRIVATE_ROOTFS/bin/secprobe"
	# Root with CAP_DAC_OVERRIDE: only the mount flags stand in the way.
	update_config '.process.capabilities |= with_entries(.value += ["CAP_DAC_OVERRIDE"])'
	cat >"$PRIVATE_ROOTFS/check.sh" <<-'EOF'
		# Every cgroup/cgroup2 mount at or under /sys/fs/cgroup, and its options.
		awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { t = $(i + 1); break } }
			($5 == "/sys/fs/cgroup" || $5 ~ "^/sys/fs/cgroup/") && t ~ /^cgroup/ { print $5, $6 }' \
			/proc/self/mountinfo >/tmp/cgmounts
		echo "mounts $(wc -l </tmp/cgmounts)"
		grep -v ' ro,' /tmp/cgmounts
		for d in $(cut -d' ' -f1 /tmp/cgmounts); do
			mkdir $d/evil 2>/dev/null && echo "mkdir $d worked" && rmdir $d/evil
			for f in cgroup.procs tasks notify_on_release release_agent pids.max memory.limit_in_bytes memory.max cgroup.subtree_control; do
				[ -f $d/$f ] || continue
				r=$(secprobe open $d/$f w)
				[ "$r" = EROFS ] || echo "$d/$f: $r"
			done
		done
		for f in $(find /sys/fs/cgroup -name release_agent); do echo "$f $(secprobe open $f w)"; done
		echo done
	EOF
	update_config '.root.readonly = false'
	set_args sh /check.sh
	run berth run "$ID"
	assert_status 0
	[ "${lines[0]}" != "mounts 0" ] || fail "no cgroup mounts inside: $output"
	assert_output "${lines[0]}
done"
}
