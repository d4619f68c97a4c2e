#!/usr/bin/env bats
# security_proc: what the runtime writes into /proc and mounts over it:
# sysctl writes redirected by a mount over /proc/sys (CVE-2025-52881),
# mounts over /proc files (only lxcfs' are allowed), a rootfs whose /proc is
# a symlink, the default spec's masked and read-only paths, and sysctls that
# would reach the host's namespaces.
#
# Weakened builds (a copy of the tree, never /work/main, `make build`, then
# BERTH=copy/berth bats this file) used to check that the tests can fail:
#   nostatfs   libcontainer/kernel_linux.go writeSysctl without its
#              Fstatfs/PROC_SUPER_MAGIC check: the regular-file redirect
#              test fails (the host file becomes "1");
#   noproccheck  libcontainer/mount_linux.go checkProcTarget returns nil:
#              the /proc mount test fails;
#   nomask     libcontainer/paths_linux.go maskPath and readonlyPath return
#              nil: the default-spec test fails;
#   nosysctlcheck  specconv/validate_sysctl.go sysctl() returns nil: the
#              namespace test fails (with values equal to the host's, so
#              that the weakened build changes nothing on the host).

load helpers

setup_file() {
	build_tool secprobe
}

setup() {
	setup_common
	cd "$BUNDLE"
}

# symlinked_proc: a private rootfs whose /proc is a symlink to /fakeproc, so
# that the proc mount lands there and mounts under /fakeproc are not
# "under /proc" by name.
symlinked_proc() {
	use_private_rootfs
	rmdir "$PRIVATE_ROOTFS/proc"
	mkdir "$PRIVATE_ROOTFS/fakeproc"
	ln -s /fakeproc "$PRIVATE_ROOTFS/proc"
}

@test "CVE-2025-52881: a sysctl whose /proc/sys file is over-mounted by a regular file is refused" {
	# Fails with: nostatfs (the host file becomes "1").
	symlinked_proc
	echo 0 >"$TEST_DIR/fake_ip_forward"
	add_mount "$(bind_json "$TEST_DIR/fake_ip_forward" /fakeproc/sys/net/ipv4/ip_forward)"
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	set_args true
	run_nowait berth run "$ID"
	# berth refuses the proc mount through the /proc symlink (runc's rule);
	# whatever it refuses, it must refuse, and never write the fake file.
	assert_fails
	assert_no_container "$ID"
	[ "$(cat "$TEST_DIR/fake_ip_forward")" = 0 ] || fail "the sysctl was written to the file mounted over /proc/sys"
}

@test "CVE-2025-52881: a sysctl whose /proc/sys file is over-mounted by another procfs file never writes that file" {
	# FAILS against berth today (a real bug; runc 1.1.5 passes, it refuses
	# the symlinked /proc). The over-mount is a host process's
	# /proc/PID/oom_score_adj: on procfs, so writeSysctl's Fstatfs check
	# (libcontainer/kernel_linux.go) passes and "500" goes into the host
	# process's oom_score_adj. The mount itself gets past checkProcTarget
	# (libcontainer/mount_linux.go), which compares the resolved path with
	# rootfs+"/proc" by name, and the proc mount follows the /proc symlink.
	# Weakened-build check: n/a (berth itself fails it).
	symlinked_proc
	BERTH_TEST_TAG=$TAG sleep 1000 3>&- &
	local decoy=$!
	track "$decoy"
	[ "$(cat "/proc/$decoy/oom_score_adj")" = 0 ]
	add_mount "$(bind_json "/proc/$decoy/oom_score_adj" /fakeproc/sys/net/ipv4/ip_forward)"
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "500"}'
	set_args true
	run_nowait berth run "$ID"
	[ "$(cat "/proc/$decoy/oom_score_adj")" = 0 ] ||
		fail "the sysctl was written into host process $decoy's oom_score_adj: $(cat "/proc/$decoy/oom_score_adj") (run: $status $output)"
}

@test "checkProcTarget: mounts over /proc and inside it are refused, except lxcfs' files" {
	# Fails with: noproccheck (every mount is accepted).
	use_private_rootfs
	echo FAKE >"$TEST_DIR/fake"
	mkdir "$TEST_DIR/fakedir"
	ln -s /proc/sys/kernel "$PRIVATE_ROOTFS/kernel-link"
	local dest
	for dest in /proc/sys/kernel/core_pattern /proc/keys /proc/self/attr/current /kernel-link/core_pattern /proc/../proc/sys/kernel/ostype; do
		cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
		update_config '.root.path = "rootfs" | .process.args = ["true"]'
		add_mount "$(bind_json "$TEST_DIR/fake" "$dest")"
		run_nowait berth run "$ID"
		assert_fails
		assert_error "inside /proc"
		assert_no_container "$ID"
	done
	# Not proc on /proc.
	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	update_config '.root.path = "rootfs" | .process.args = ["true"] | .mounts[0] = {"destination":"/proc","type":"tmpfs","source":"tmpfs"}'
	run_nowait berth run "$ID"
	assert_fails
	assert_error "not of type proc"
	assert_no_container "$ID"
	# Nor a bind of a directory that is not a procfs.
	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	update_config '.root.path = "rootfs" | .process.args = ["true"] | .mounts[0] = {"destination":"/proc","type":"bind","source":$s,"options":["rbind"]}' --arg s "$TEST_DIR/fakedir"
	run_nowait berth run "$ID"
	assert_fails
	assert_error "not of type proc"
	assert_no_container "$ID"
	# A bind of a procfs is a proc mount (runc's start_hello.bats: a host
	# pid namespace with the host's /proc).
	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	update_config '.root.path = "rootfs" | .process.args = ["sh", "-c", "test -d /proc/1 && echo procfs"]
		| del(.linux.namespaces[] | select(.type == "pid"))
		| .mounts[0] = {"destination":"/proc","type":"bind","source":"/proc","options":["rbind"]}'
	run berth run "$ID"
	assert_status 0
	assert_output procfs
	# lxcfs' files may be replaced.
	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	update_config '.root.path = "rootfs" | .process.args = ["cat", "/proc/cpuinfo", "/proc/meminfo", "/proc/uptime"]'
	for dest in /proc/cpuinfo /proc/meminfo /proc/uptime; do
		add_mount "$(bind_json "$TEST_DIR/fake" "$dest")"
	done
	run berth run "$ID"
	assert_status 0
	assert_output $'FAKE\nFAKE\nFAKE'
}

@test "a rootfs whose /proc is a symlink: procfs files under it cannot be mounted over" {
	# FAILS against berth today (a real bug; runc 1.1.5 passes: "filesystem
	# proc must be mounted on ordinary directory"): the proc mount follows
	# the /proc symlink to /fakeproc (mountFilesystem, mount_linux.go) and
	# checkProcTarget only refuses destinations named rootfs/proc/..., so
	# a bind over /fakeproc/sys/kernel/core_pattern is allowed.
	# Weakened-build check: n/a (berth itself fails it).
	symlinked_proc
	echo FAKE >"$TEST_DIR/fake"
	add_mount "$(bind_json "$TEST_DIR/fake" /fakeproc/sys/kernel/core_pattern)"
	set_cmd 'cat /proc/sys/kernel/core_pattern'
	run_nowait berth run "$ID"
	if [ "$status" -eq 0 ]; then
		fail "a file was mounted over procfs' core_pattern: $output"
	fi
	assert_one_line_error
	assert_no_container "$ID"
}

@test "default spec: every masked path is masked and every read-only path is read-only" {
	# Fails with: nomask.
	use_private_rootfs
	cp "$SECPROBE_BIN" "$PRIVATE_ROOTFS/bin/secprobe"
	mkdir "$TEST_DIR/spec"
	(cd "$TEST_DIR/spec" && "$BERTH" spec)
	local masked ro
	masked=$(jq -r '.linux.maskedPaths | join(" ")' "$TEST_DIR/spec/config.json")
	ro=$(jq -r '.linux.readonlyPaths | join(" ")' "$TEST_DIR/spec/config.json")
	# The same lists as runc's default spec (runc 1.2 added powercap).
	[ "$masked" = "/proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug /sys/firmware /proc/scsi /sys/devices/virtual/powercap" ] ||
		fail "maskedPaths: $masked"
	[ "$ro" = "/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger" ] || fail "readonlyPaths: $ro"
	# For each masked path: a file is the null device and reads empty; a
	# directory is an empty read-only tmpfs. For each read-only path: a file
	# in it cannot be opened for writing (EROFS); nothing is written.
	local script='
		for p in '"$masked"'; do
			[ -e $p ] || { echo "$p absent"; continue; }
			if [ -d $p ]; then
				echo "$p dir $(stat -f -c %T $p) $(ls -A $p | wc -l) $(touch $p/x 2>&1 | grep -c Read-only)"
			else
				echo "$p file $(stat -c %t:%T $p) $(head -c 64 $p | wc -c)"
			fi
		done
		for p in '"$ro"'; do
			[ -e $p ] || { echo "$p absent"; continue; }
			f=$p; [ -d $p ] && f=$(find $p -type f -perm -u+w 2>/dev/null | head -1)
			opts=$(awk -v p=$p "\$5 == p {print \$6}" /proc/self/mountinfo | tail -1)
			r=none; [ -z "$f" ] || r=$(secprobe open $f w)
			echo "$p ro ${opts%%,*} $r"
		done'
	jq --arg tag "BERTH_TEST_TAG=$TAG" --arg s "$script" '.root.path = "rootfs" | .process.terminal = false
		| .process.env += [$tag] | .process.args = ["sh", "-c", $s]' \
		"$TEST_DIR/spec/config.json" >"$BUNDLE/config.json"
	run berth run "$ID"
	assert_status 0
	local l p kind
	for l in "${lines[@]}"; do
		read -r p kind _ <<<"$l"
		case $kind in
		absent) [ ! -e "$p" ] || [[ $p == /sys/* ]] || fail "$p exists on the host but not in the container" ;;
		dir) assert_match "^$p dir tmpfs 0 1\$" "$l" ;;
		file) assert_match "^$p file 1:3 0\$" "$l" ;;
		ro) assert_match "^$p ro ro (EROFS|none)\$" "$l" ;;
		*) fail "unexpected line: $l" ;;
		esac
	done
	assert_contains "/proc/sys ro ro EROFS"
	assert_contains "/proc/keys file 1:3 0"
	assert_contains "/sys/firmware dir tmpfs 0 1"
}

@test "sysctl outside the container's namespaces is refused at create with a one-line error" {
	# Fails with: nosysctlcheck (the creates succeed).
	# Values equal to the host's: a runtime that wrongly wrote them would
	# still change nothing.
	local msgmax fwd swappiness
	msgmax=$(cat /proc/sys/kernel/msgmax)
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	swappiness=$(cat /proc/sys/vm/swappiness)
	set_args true
	local cfg want
	while IFS='#' read -r cfg want; do
		cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
		update_config '.root.path = $r | .process.args = ["true"]' --arg r "$ROOTFS"
		update_config "$cfg" --arg msgmax "$msgmax" --arg fwd "$fwd" --arg sw "$swappiness" --arg hostns "/proc/$$/ns/net"
		run_nowait berth create "$ID"
		assert_fails
		assert_error "linux.sysctl"
		assert_contains "$want" "$(error_msg)"
		assert_no_container "$ID"
	done <<-'EOF'
		.linux.namespaces |= map(select(.type != "ipc")) | .linux.sysctl = {"kernel.msgmax": $msgmax}#kernel.msgmax
		.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": $fwd}#net.ipv4.ip_forward
		.linux.namespaces |= map(if .type == "network" then .path = $hostns else . end) | .linux.sysctl = {"net.ipv4.ip_forward": $fwd}#net.ipv4.ip_forward
		.linux.namespaces |= map(select(.type != "uts")) | .hostname = null | .linux.sysctl = {"kernel.domainname": "evil"}#kernel.domainname
		.linux.sysctl = {"vm.swappiness": $sw}#vm.swappiness
		.linux.sysctl = {"kernel.hostname": "evil"}#kernel.hostname
		.linux.sysctl = {"net/../../kernel/core_pattern": "x"}#net/../../kernel/core_pattern
	EOF

	# Control: in the container's own namespaces they apply, inside only.
	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	update_config '.root.path = $r | .linux.sysctl = {"kernel.msgmax": "12345", "net.ipv4.ip_forward": "1", "kernel.domainname": "berth.test"}' --arg r "$ROOTFS"
	set_cmd 'cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/domainname'
	run berth run "$ID"
	assert_status 0
	assert_output $'12345\n1\nberth.test'
	[ "$(cat /proc/sys/kernel/msgmax)" = "$msgmax" ] && [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ] ||
		fail "a container sysctl reached the host"
}
