#!/usr/bin/env bats
# security_attrs: process attributes seen from inside real containers:
# personality, scheduler, ioPriority, execCPUAffinity, oomScoreAdj,
# rlimits, noNewPrivileges, and AppArmor/SELinux labels asked for on a host
# that has neither (a one-line error that leaves nothing).
#
# Weakened builds (a copy of the tree, never /work/main, `make build`, then
# BERTH=copy/berth bats this file) used to check that the tests can fail:
#   noattrs    nsenter/process.c's exec step skips the personality,
#              sched_setattr, ioprio_set, affinity and LSM label calls: the
#              personality, scheduler, ioPriority, affinity and LSM tests
#              fail (the LSM requests are silently ignored);
#   nordlimits nsenter/process.c's setrlimit loop removed: the rlimit test
#              fails;
#   nonnp      its PR_SET_NO_NEW_PRIVS prctl removed: the noNewPrivileges
#              test fails;
#   nooom      libcontainer/initproc.go and exec.go leaving OOMScoreAdj out
#              of the C stage's bootstrap: the oomScoreAdj test fails;
#   nokeylabel the keycreate write before join_session_keyring removed: the
#              SELinux process test fails (the keyring keeps the runtime's
#              label);
#   nocopyuplabel  libcontainer/rootfsplan.go leaving the mount label out of
#              tmpcopyup mounts (as before 2026-11-28): the SELinux mount
#              test fails.

load helpers

setup() {
	setup_common
	cd "$BUNDLE"
}

@test "personality: LINUX32 makes uname -m say i686, LINUX keeps x86_64" {
	# Fails with: noattrs.
	[ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host"
	set_args uname -m
	update_config '.linux.personality = {"domain": "LINUX32"}'
	run berth run "$ID"
	assert_status 0
	assert_output i686
	# An exec'd process gets it too (newer runc; 1.1.5 has no personality).
	set_args sleep 300
	berth run -d "$ID" </dev/null >/dev/null 2>&1
	run berth exec "$ID" uname -m
	assert_output i686
	berth delete -f "$ID"
	set_args uname -m
	update_config '.linux.personality = {"domain": "LINUX"}'
	run berth run "$ID"
	assert_output x86_64
	update_config '.linux.personality = {"domain": "LINUX99"}'
	run_nowait berth create "$ID"
	assert_fails
	assert_error "linux.personality"
	assert_no_container "$ID"
}

# mempolicy: the process's NUMA policy as numa_maps shows it for the
# first mapping (one without a policy of its own).
MEMPOLICY='grep -m1 -o "^[0-9a-f]* [a-z=:0-9,-]*" /proc/self/numa_maps | cut -d" " -f2'

@test "linux.memoryPolicy: set in init and exec'd processes; what the kernel refuses fails create" {
	[ -e /proc/self/numa_maps ] || skip "kernel without NUMA support"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	set_cmd "$MEMPOLICY; sleep 300"
	berth create "$ID" >"$TEST_DIR/out"
	berth start "$ID"
	wait_for test -s "$TEST_DIR/out"
	[ "$(cat "$TEST_DIR/out")" = bind:0 ] || fail "init: $(cat "$TEST_DIR/out")"
	# an exec'd process is not the init's child: it gets the policy itself
	run berth exec "$ID" sh -c "$MEMPOLICY"
	assert_output bind:0
	berth delete --force "$ID"

	set_cmd "$MEMPOLICY"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	run berth run "$ID"
	assert_output interleave=static:0
	update_config '.linux.memoryPolicy = {"mode": "MPOL_LOCAL"}'
	run berth run "$ID"
	assert_output local
	# a node this host does not have
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "1000"}'
	run_nowait berth create "$ID"
	assert_fails
	assert_error 'linux.memoryPolicy: set_mempolicy MPOL_BIND (nodes "1000"): invalid argument'
	assert_no_container "$ID"
}

@test "scheduler: SCHED_BATCH with a nice value and SCHED_IDLE, in init and exec" {
	# Fails with: noattrs (policy 0).
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	set_cmd 'grep -E "^policy" /proc/self/sched | tr -d " "; cut -d" " -f19 /proc/self/stat'
	run berth run "$ID"
	assert_status 0
	assert_output $'policy:3\n7'
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" sh -c 'grep -E "^policy" /proc/self/sched | tr -d " "'
	assert_output policy:5
	run grep -E '^policy' "/proc/$(state_field "$ID" pid)/sched"
	assert_match 'policy +: +5$'
}

@test "ioPriority: the class and priority ionice reports" {
	# Fails with: noattrs ("none: prio 0").
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	set_cmd 'ionice -p $$'
	run berth run "$ID"
	assert_status 0
	assert_output "best-effort: prio 6"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	run berth run "$ID"
	assert_output "idle"
}

@test "execCPUAffinity: the final set is what the process runs on; the initial one alone stays" {
	# Fails with: noattrs (all cpus).
	[ "$(nproc)" -ge 2 ] || skip "needs two cpus"
	set_cmd 'grep Cpus_allowed_list /proc/self/status | tr -d "\t "'
	update_config '.process.execCPUAffinity = {"initial": "0", "final": "1"}'
	run berth run "$ID"
	assert_status 0
	assert_output Cpus_allowed_list:1
	update_config '.process.execCPUAffinity = {"initial": "1"}'
	run berth run "$ID"
	assert_output Cpus_allowed_list:1
	update_config '.process.execCPUAffinity = {"initial": "0-1", "final": "0"}'
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" sh -c 'grep Cpus_allowed_list /proc/self/status | tr -d "\t "'
	assert_output Cpus_allowed_list:0
}

@test "oomScoreAdj: init and exec get it" {
	# Fails with: nooom (initproc.go and exec.go no longer put
	# OOMScoreAdj in the bootstrap: 0).
	update_config '.process.oomScoreAdj = 423'
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" cat /proc/1/oom_score_adj /proc/self/oom_score_adj
	assert_output $'423\n423'
	[ "$(cat "/proc/$(state_field "$ID" pid)/oom_score_adj")" = 423 ]
}

@test "rlimits: soft and hard limits as given" {
	# Fails with: nordlimits.
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 777},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 333, "hard": 444}]'
	set_cmd 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc; ulimit -u; ulimit -Hu'
	run berth run "$ID"
	assert_status 0
	assert_output $'512\n777\n0\n0\n333\n444'
	update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	run_nowait berth create "$ID"
	assert_fails
	assert_error "RLIMIT_BOGUS"
	assert_no_container "$ID"
}

@test "noNewPrivileges: NoNewPrivs is 1 when asked (also with exec --no-new-privs), 0 otherwise" {
	# Fails with: nonnp.
	set_cmd 'grep NoNewPrivs /proc/self/status | tr -d "\t "'
	update_config '.process.noNewPrivileges = true'
	run berth run "$ID"
	assert_output NoNewPrivs:1
	update_config '.process.noNewPrivileges = false'
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" sh -c 'grep NoNewPrivs /proc/self/status | tr -d "\t "'
	assert_output NoNewPrivs:0
	run berth exec --no-new-privs "$ID" sh -c 'grep NoNewPrivs /proc/self/status | tr -d "\t "'
	assert_output NoNewPrivs:1
}

# apparmor_enabled: the kernel enforces AppArmor and we can load profiles
# (the VM lane: Debian's kernel, with securityfs mounted).
apparmor_enabled() {
	grep -q Y /sys/module/apparmor/parameters/enabled 2>/dev/null &&
		[ -e /sys/kernel/security/apparmor/.replace ] && command -v apparmor_parser >/dev/null
}

@test "AppArmor: process.apparmorProfile and exec --apparmor confine the process with the named profile" {
	apparmor_enabled || skip "AppArmor is not enforced here (the VM lane runs this)"
	local profile=berth-test-$TAG
	# everything but reading /denied; attach_disconnected for paths made
	# outside the container's view
	printf '%s\n' "profile $profile flags=(attach_disconnected,mediate_deleted) {" \
		'  file,' '  capability,' '  network,' '  mount,' '  umount,' '  pivot_root,' \
		'  signal,' '  ptrace,' '  unix,' '  deny /denied r,' '}' >"$TEST_DIR/profile"
	apparmor_parser -r "$TEST_DIR/profile" || fail "apparmor_parser could not load the profile"
	use_private_rootfs
	echo secret >"$PRIVATE_ROOTFS/denied"
	update_config '.process.apparmorProfile = $p' --arg p "$profile"
	set_cmd 'cat /proc/self/attr/current; cat /denied 2>&1; exec sleep 300'
	run_nowait berth run -d --bundle "$BUNDLE" "$ID"
	local rc=$status
	wait_for_status "$ID" running
	# The profile is the init's from its exec of the process on; wait for
	# that exec (up to 2 s), then check which profile it is.
	local init_out pid i
	pid=$(state_field "$ID" pid)
	for ((i = 0; i < 40; i++)); do
		init_out=$(cat "/proc/$pid/attr/current")
		[ "$init_out" != unconfined ] && break
		sleep 0.05
	done
	run --separate-stderr berth exec --apparmor "$profile" "$ID" sh -c 'cat /proc/self/attr/current; cat /denied 2>&1; true'
	local exec_status=$status exec_out=$output
	run --separate-stderr berth exec "$ID" sh -c 'cat /proc/self/attr/current; cat /denied 2>&1; true'
	local plain_status=$status plain_out=$output
	berth delete -f "$ID"
	apparmor_parser -R "$TEST_DIR/profile"
	[ "$rc" = 0 ] || fail "run -d: exit $rc"
	[ "$init_out" = "$profile (enforce)" ] || fail "init's profile: $init_out"
	[ "$exec_status" = 0 ] && [[ "$exec_out" == "$profile (enforce)"*"Permission denied"* ]] || fail "exec --apparmor: $exec_status: $exec_out"
	# an exec without the flag gets the container's profile, as runc
	[[ "$plain_out" == "$profile (enforce)"*"Permission denied"* ]] || fail "exec: $plain_status: $plain_out"
}

# selinux_enforcing: SELinux enforces the VM lane's policy
# (tests/vm/selinux.cil: container_t may read anything but secret_t files).
selinux_enforcing() {
	[ "$(cat /sys/fs/selinux/enforce 2>/dev/null)" = 1 ] &&
		printf system_u:system_r:container_t >/sys/fs/selinux/context 2>/dev/null
}

@test "SELinux: process.selinuxLabel labels the process and its session keyring, and is enforced; exec and exec --process-label" {
	selinux_enforcing || skip "SELinux does not enforce the VM's policy here (BERTH_VM_LSM=selinux runs this)"
	local label=system_u:system_r:container_t other=system_u:system_r:other_t
	build_tool secprobe
	use_private_rootfs
	cp "$SECPROBE_BIN" "$PRIVATE_ROOTFS/bin/secprobe"
	echo secret >"$PRIVATE_ROOTFS/denied"
	chcon system_u:object_r:secret_t "$PRIVATE_ROOTFS/denied"
	update_config '.process.selinuxLabel = $l' --arg l "$label"
	local probe='tr -d "\000" </proc/self/attr/current; echo; secprobe keylabel; cat /denied 2>&1; true'
	set_cmd "$probe"
	run berth run "$ID"
	assert_status 0
	assert_output "$label
$label
cat: can't open '/denied': Permission denied"
	# exec: the container's label unless --process-label names another
	set_args sleep 300
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" sh -c "$probe"
	assert_status 0
	assert_output "$label
$label
cat: can't open '/denied': Permission denied"
	run berth exec --process-label "$other" "$ID" sh -c 'tr -d "\000" </proc/self/attr/current; echo; cat /denied'
	assert_status 0
	assert_output "$other
secret"
	berth delete -f "$ID"
}

@test "SELinux: linux.mountLabel labels the container's tmpfs (tmpcopyup too) and mqueue mounts, not /proc" {
	selinux_enforcing || skip "SELinux does not enforce the VM's policy here (BERTH_VM_LSM=selinux runs this)"
	local label=system_u:object_r:container_file_t
	update_config '.linux.mountLabel = $l | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "mode=755"]}]' --arg l "$label"
	set_args sleep 300
	run_nowait berth run -d "$ID"
	assert_status 0
	local root d out=
	root=/proc/$(state_field "$ID" pid)/root
	for d in /dev /dev/shm /dev/mqueue /tmp /etc /etc/passwd /proc; do
		out="$out$d $(stat -c %C "$root$d")
"
	done
	berth delete -f "$ID"
	[ "$out" = "/dev $label
/dev/shm $label
/dev/mqueue $label
/tmp $label
/etc $label
/etc/passwd $label
/proc system_u:object_r:unlabeled_t
" ] || fail "labels of the container's mounts:
$out"
}

@test "AppArmor and SELinux asked for on a host without them: a one-line error that leaves nothing" {
	# Fails with: noattrs (the labels are silently ignored, create succeeds).
	if [ -e /sys/module/apparmor/parameters/enabled ] && grep -q Y /sys/module/apparmor/parameters/enabled; then
		skip "AppArmor is enabled on this host"
	fi
	if [ -e /sys/fs/selinux/enforce ]; then
		skip "SELinux is enabled on this host"
	fi
	set_args sleep 100
	local cfg
	for cfg in '.process.apparmorProfile = "berth-test-profile"' '.process.selinuxLabel = "system_u:system_r:container_t:s0"'; do
		cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
		update_config '.root.path = $r | .process.args = ["sleep", "100"]' --arg r "$ROOTFS"
		update_config "$cfg"
		run_nowait berth create "$ID"
		assert_fails
		assert_one_line_error
		assert_match '[Aa]pp[Aa]rmor|[Ss][Ee][Ll]inux' "$(error_msg)"
		assert_no_container "$ID"
		run_nowait berth run "$ID"
		assert_fails
		assert_one_line_error
		assert_no_container "$ID"
	done
	# exec with a label: the exec fails, the container keeps running.
	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	update_config '.root.path = $r | .process.args = ["sleep", "100"] | .process.env += [$t]' --arg r "$ROOTFS" --arg t "BERTH_TEST_TAG=$TAG"
	run_nowait berth run -d "$ID"
	assert_status 0
	run --separate-stderr berth exec --apparmor berth-test-profile "$ID" true
	assert_fails
	assert_one_line_error
	run --separate-stderr berth exec --process-label system_u:system_r:container_t:s0 "$ID" true
	assert_fails
	assert_one_line_error
	[ "$(state_field "$ID" status)" = running ]
}
