#!/usr/bin/env bats
# cgroups: placement by linux.cgroupsPath, basic resource limits, removal

load helpers


# cg_of PID CTRL: PID's cgroup path for controller CTRL (v1), or its v2 path
cg_of() {
	if is_cgroup2; then
		sed -n 's/^0:://p' "/proc/$1/cgroup"
	else
		awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup"
	fi
}

# cg_file PID CTRL FILE: the host path of FILE in PID's cgroup for CTRL
cg_file() {
	if is_cgroup2; then
		echo "/sys/fs/cgroup$(cg_of "$1" "$2")/$3"
	else
		echo "/sys/fs/cgroup/$2$(cg_of "$1" "$2")/$3"
	fi
}

# expect_cgroups PID PREFIX-FUNC: every line of PID's /proc/PID/cgroup is
# what want_line makes of the test shell's own line for that hierarchy.
expect_cgroups() {
	local pid=$1 fn=$2 line got want
	while IFS= read -r line; do
		want=$($fn "$line")
		got=$(grep -F "${line%%:*}:$(cut -d: -f2 <<<"$line"):" "/proc/$pid/cgroup")
		[ "$got" = "$want" ] || fail "cgroup of $pid: '$got', want '$want'"
	done </proc/self/cgroup
}

# rm_parent_cgroups NAME: remove the (empty) parent cgroups a test named
rm_parent_cgroups() {
	find /sys/fs/cgroup -depth -type d -name "$1" -exec rmdir {} + 2>/dev/null || true
	find /sys/fs/cgroup -depth -type d -path "*/$1/*" -exec rmdir {} + 2>/dev/null || true
	find /sys/fs/cgroup -depth -type d -name "$1" -exec rmdir {} + 2>/dev/null || true
}

# attach_trace_start: record the kernel's cgroup_attach_task event (a task
# moved into a cgroup: a write to cgroup.procs) in a tracing instance of
# this test's own; attach_trace_stop saves what it saw to $ATTACHES.
attach_trace_start() {
	local tracefs=/sys/kernel/tracing
	if [ ! -d "$tracefs/instances" ]; then
		mount -t tracefs tracefs "$tracefs" || fail "cannot mount tracefs"
		TRACEFS_MOUNTED=$tracefs
	fi
	TRACE=$tracefs/instances/berth-$TAG
	mkdir "$TRACE"
	echo 1 >"$TRACE/events/cgroup/cgroup_attach_task/enable"
}

attach_trace_stop() {
	[ -n "${TRACE:-}" ] || return 0
	echo 0 >"$TRACE/events/cgroup/cgroup_attach_task/enable"
	ATTACHES=$TEST_DIR/attaches
	grep -v '^#' "$TRACE/trace" >"$ATTACHES" || true
	rmdir "$TRACE"
	TRACE=
	if [ -n "${TRACEFS_MOUNTED:-}" ]; then
		umount "$TRACEFS_MOUNTED"
		TRACEFS_MOUNTED=
	fi
}

teardown() {
	attach_trace_stop
	if [ -n "${CONTROL_CG:-}" ]; then
		kill_tracked # the control's sleeper
		rmdir "$CONTROL_CG" || true
	fi
	teardown_common
}

@test "cgroup v2: create and exec fork their process into the container's cgroup, never move one there" {
	is_cgroup2 || skip "on v1 and hybrid hosts berth init moves itself into each v1 hierarchy (next test)"
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_args sleep 300
	attach_trace_start
	# The control: a move into a cgroup of ours is seen.
	CONTROL_CG=/sys/fs/cgroup/$TAG-control
	mkdir "$CONTROL_CG"
	sleep 300 &
	local sleeper=$!
	track "$sleeper"
	echo "$sleeper" >"$CONTROL_CG/cgroup.procs"
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run --separate-stderr berth exec "$ID" cat /proc/self/cgroup
	assert_status 0
	assert_output "0::/"
	local pid cg
	pid=$(state_field "$ID" pid)
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	attach_trace_stop
	grep -q "dst_path=/$TAG-control pid=$sleeper " "$ATTACHES" || fail "the control move was not traced: $(cat "$ATTACHES")"
	grep -q "dst_path=$cg " "$ATTACHES" && fail "a task was moved into $cg: $(grep "dst_path=$cg " "$ATTACHES")"
	# born there, the init and the exec'd process are in it, and the
	# cgroup namespace's root is the container's cgroup
	run berth exec "$ID" cat /proc/1/cgroup
	assert_output "0::/"
	grep -qx "$pid" "/sys/fs/cgroup$cg/cgroup.procs" || fail "init $pid is not in $cg"
}

# self_mover NAME: the one process that wrote "0" to a v1 `tasks` file in
# NAME's trace; it must be the one that exec'd `berth init` (the stage, or
# the init that berth cloned itself when there is no stage): not berth, not
# a process the stage forks.
self_mover() {
	local out=$TEST_DIR/$1.strace movers
	movers=$(grep -F '/tasks>, "0", 1' "$out" | cut -d' ' -f1 | sort -u)
	[ -n "$movers" ] && [ "$(wc -l <<<"$movers")" = 1 ] ||
		fail "$1: tasks written by '$movers': $(grep -E 'tasks|cgroup.procs' "$out")"
	grep -qE "^$movers +execve(at)?\(.*\[\"berth\", \"init\"\]" "$out" ||
		fail "$1: $movers, which moved itself, did not exec berth init: $(grep -E "^$movers |execve|clone" "$out" | tail -n 12)"
	echo "$movers"
}

# expect_self_moves NAME CGROUP-FILE: in NAME's trace, the stage wrote "0"
# to the `tasks` file of each v1 cgroup that CGROUP-FILE (a /proc/PID/cgroup)
# lists, once, and nothing wrote to any cgroup.procs.
expect_self_moves() {
	local out=$TEST_DIR/$1.strace stage want=0 ctrls path
	! grep 'cgroup.procs>' "$out" || fail "$1: a pid was written to a cgroup.procs"
	stage=$(self_mover "$1")
	while IFS=: read -r _ ctrls path; do
		[ -n "$ctrls" ] || continue # the cgroup2 line: born there
		want=$((want + 1))
		grep -F "$path/tasks>, \"0\", 1" "$out" | grep -qE "^$stage +write\(" ||
			fail "$1: no move into $ctrls:$path"
	done <"$2"
	[ "$(grep -cF '/tasks>, "0", 1' "$out")" = "$want" ] || fail "$1: not $want moves: $(grep tasks "$out")"
}

@test "cgroup v1: berth init moves itself into each v1 hierarchy, and nothing writes a pid to a cgroup.procs" {
	is_cgroup2 && skip "a v2 host's processes are born in their cgroup (previous test)"
	set_args sleep 300
	strace_berth create create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	cp "/proc/$pid/cgroup" "$TEST_DIR/init.cgroup"
	expect_self_moves create "$TEST_DIR/init.cgroup"
	# the init is in each of the container's cgroups
	want() { local l=$1; echo "${l%/}/$ID"; }
	expect_cgroups "$pid" want
	strace_berth exec exec "$ID" cat /proc/self/cgroup >"$TEST_DIR/exec.cgroup"
	expect_self_moves exec "$TEST_DIR/exec.cgroup"
	diff "$TEST_DIR/init.cgroup" "$TEST_DIR/exec.cgroup" || fail "exec'd process and init in different cgroups"
}

@test "cgroup v1: in a new user namespace, the stage still moves itself into each v1 hierarchy" {
	is_cgroup2 && skip "v1 and hybrid hosts only"
	add_userns
	set_args sleep 300
	strace_berth create create --bundle "$BUNDLE" "$ID"
	local pid stage
	pid=$(state_field "$ID" pid)
	want() { local l=$1; echo "${l%/}/$ID"; }
	expect_cgroups "$pid" want
	stage=$(self_mover create)
	[ "$(grep -cE "^$stage +write\([0-9]+</sys/fs/cgroup/[^>]*/$ID/tasks>, \"0\", 1" "$TEST_DIR/create.strace")" = \
		"$(grep -vc '^0::' "/proc/$pid/cgroup")" ] || fail "not a move per v1 hierarchy: $(grep tasks "$TEST_DIR/create.strace")"
	# A hybrid host's unified hierarchy: the stage, in its user namespace,
	# may not fork into it, so berth moves it there.
	if grep -q '^0::/.' "/proc/$pid/cgroup"; then
		grep -q "cgroup.procs>, \"$stage\"" "$TEST_DIR/create.strace" ||
			fail "the stage was not moved into the unified hierarchy: $(grep cgroup.procs "$TEST_DIR/create.strace")"
	fi
}

@test "cgroup v1: a berth init that cannot join a v1 cgroup fails create and exec with one line naming it, and leaves nothing" {
	is_cgroup2 && skip "v1 and hybrid hosts only"
	local own rt
	own=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3}' /proc/self/cgroup)
	rt=/sys/fs/cgroup/cpu${own%/}/cpu.rt_runtime_us
	[ -f "$rt" ] || skip "no real-time group scheduling (CONFIG_RT_GROUP_SCHED)"
	# A SCHED_FIFO task can only join a cpu cgroup with a real-time budget,
	# and a new one has none: the stage, SCHED_FIFO like berth, fails.
	set_args sleep 300
	run --separate-stderr chrt -f 1 "$BERTH" --root "$BERTH_ROOT" create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "join cgroup /sys/fs/cgroup/"
	assert_contains "/$ID/tasks: Invalid argument" "$(error_msg)"
	assert_no_container "$ID"
	# exec: the same, into a running container
	berth run -d --bundle "$BUNDLE" "$ID"
	run --separate-stderr chrt -f 1 "$BERTH" --root "$BERTH_ROOT" exec "$ID" true
	assert_status 255
	assert_error "join cgroup /sys/fs/cgroup/"
	assert_contains "/$ID/tasks: Invalid argument" "$(error_msg)"
	[ "$(wc -l <"/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" {print $3}' "/proc/$(state_field "$ID" pid)/cgroup")/cgroup.procs")" = 1 ] ||
		fail "a process was left in the container's cgroup"
	berth delete -f "$ID"
	assert_no_container "$ID"
}

@test "--rootless=true (as root, with a user namespace): the init joins each cgroup berth made" {
	add_userns
	set_args sleep 300
	berth --rootless=true create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	want() { local l=$1; echo "${l%/}/$ID"; }
	expect_cgroups "$pid" want
	berth delete -f "$ID"
	assert_no_container "$ID"
}

@test "default cgroupsPath: the container ID, under the caller's own cgroup, before the process runs" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	want() { local l=$1; echo "${l%/}/$ID"; }
	expect_cgroups "$pid" want
	grep -q -x "$pid" "$(cg_file "$pid" pids cgroup.procs)"
	berth delete -f "$ID"
	assert_no_container "$ID"
}

@test "relative cgroupsPath: under the caller's own cgroup" {
	local parent=$TAG-rel
	update_config '.linux.cgroupsPath = $p' --arg p "$parent/$ID"
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	want() { local l=$1; echo "${l%/}/$parent/$ID"; }
	expect_cgroups "$pid" want
	berth delete -f "$ID"
	[ -z "$(find /sys/fs/cgroup -type d -path "*/$parent/$ID")" ] || fail "leaf cgroups left"
	rm_parent_cgroups "$parent"
}

@test "absolute cgroupsPath: under the hierarchy root" {
	local parent=$TAG-abs
	update_config '.linux.cgroupsPath = $p' --arg p "/$parent/sub"
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	want() { local l=$1; echo "${l%%:*}:$(cut -d: -f2 <<<"$l"):/$parent/sub"; }
	expect_cgroups "$pid" want
	berth delete -f "$ID"
	[ -z "$(find /sys/fs/cgroup -type d -path "*/$parent/sub")" ] || fail "leaf cgroups left"
	rm_parent_cgroups "$parent"
}

@test "a process exec'd by start stays in the container's cgroup" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" running
	local pid
	pid=$(state_field "$ID" pid)
	want() { local l=$1; echo "${l%/}/$ID"; }
	expect_cgroups "$pid" want
}

@test "memory limit" {
	update_config '.linux.resources.memory = {"limit": 33554432}'
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	if is_cgroup2; then
		run cat "$(cg_file "$pid" memory memory.max)"
	else
		run cat "$(cg_file "$pid" memory memory.limit_in_bytes)"
	fi
	assert_output 33554432
}

@test "pids limit: pids.max, and forks past it fail" {
	update_config '.linux.resources.pids = {"limit": 10}'
	share_dir
	# busybox sh gives up (exits) at the first fork that fails
	set_cmd 'exec 2>/mnt/err; i=0; while [ $i -lt 20 ]; do sleep 300 & echo $i >/mnt/forked; i=$((i+1)); done; echo all-forked >/mnt/forked; sleep 300'
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run cat "$(cg_file "$pid" pids pids.max)"
	assert_output 10
	berth start "$ID"
	check() { grep -q "can't fork" "$SHARED/err" 2>/dev/null; }
	wait_for check || fail "forks did not fail: $(cat "$SHARED/err"; cat "$SHARED/forked")"
	run cat "$SHARED/forked"
	[ "$output" != all-forked ] && [ "$output" -lt 10 ] || fail "forked: $output"
}

@test "cpu shares, quota and period" {
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	if is_cgroup2; then
		run cat "$(cg_file "$pid" cpu cpu.max)"
		assert_output "50000 100000"
		run cat "$(cg_file "$pid" cpu cpu.weight)"
		# runc's (and crun's) current conversion, which maps 1024 to 100:
		# ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(512) = 9
		assert_output 59
	else
		run cat "$(cg_file "$pid" cpu cpu.shares)"
		assert_output 512
		run cat "$(cg_file "$pid" cpu cpu.cfs_quota_us)"
		assert_output 50000
		run cat "$(cg_file "$pid" cpu cpu.cfs_period_us)"
		assert_output 100000
	fi
}

@test "cgroups are removed on delete, for run too" {
	set_args true
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_no_container "$ID"
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	[ -n "$(find /sys/fs/cgroup -type d -name "$ID")" ]
	berth delete -f "$ID"
	assert_no_container "$ID"
}

@test "clone3 refused around berth (a container's seccomp profile): create and exec still put their process in each of the container's cgroups" {
	build_tool sysdeny
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_args sleep 300
	# ENOSYS, as Docker's default profile answers clone3
	"$SYSDENY_BIN" clone3=38 "$BERTH" --root "$BERTH_ROOT" create --bundle "$BUNDLE" "$ID" 3>&-
	local pid
	pid=$(state_field "$ID" pid)
	want() { local l=$1; echo "${l%/}/$ID"; }
	expect_cgroups "$pid" want
	berth start "$ID"
	run --separate-stderr "$SYSDENY_BIN" clone3=38 "$BERTH" --root "$BERTH_ROOT" exec "$ID" cat /proc/self/cgroup 3>&-
	assert_status 0
	# inside the cgroup namespace, where the init sees "/" for each
	[ "$output" = "$(berth exec "$ID" cat /proc/1/cgroup)" ] || fail "exec'd process not in the init's cgroups: $output"
}
