#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a
# transient scope unit that systemd makes over D-Bus, with the container's
# limits as unit properties and in the cgroup files.
#
# It needs systemd as init, which this project's host does not run: there
# the tests of the clear errors run, and the others are skipped. The
# systemd boot of the cgroup v2 lane (`make test-vm`, BERTH_VM_INIT=systemd
# in tests/vm) runs them all for real.

load helpers

# need_systemd: skip unless systemd is init (and the host cgroup v2, which
# is what the systemd lane runs).
need_systemd() {
	[ -d /run/systemd/system ] || skip "systemd is not the init system here (make test-vm runs this suite under systemd)"
	is_cgroup2 || skip "the systemd lane is cgroup v2"
}

# sd_show UNIT PROPERTY: one property of a unit, as systemctl shows it.
sd_show() {
	systemctl show -p "$2" --value "$1"
}

# cg_of PID: PID's cgroup (v2).
cg_of() {
	sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# assert_unit_gone UNIT: systemd no longer knows the unit, and its cgroup
# is gone.
assert_unit_gone() {
	local state
	state=$(sd_show "$1" ActiveState)
	[ "$state" = inactive ] || fail "$1 is still $state"
	[ -z "$(find /sys/fs/cgroup -type d -name "$1")" ] || fail "cgroup of $1 left"
}

@test "without systemd as init, --systemd-cgroup fails with one clear line and leaves nothing" {
	if [ -d /run/systemd/system ]; then
		skip "systemd runs here: the driver's own tests below apply"
	fi
	set_args true
	run --separate-stderr berth --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_error "systemd not running on this host, cannot use systemd cgroups manager"
	assert_no_container "$ID"
}

@test "default cgroupsPath: berth-ID.scope in system.slice, delegated, holding the init; delete stops it" {
	need_systemd
	set_args sleep 300
	berth --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	local pid unit=berth-$ID.scope
	pid=$(state_field "$ID" pid)
	run cg_of "$pid"
	assert_output "/system.slice/$unit"
	run sd_show "$unit" ActiveState
	assert_output active
	run sd_show "$unit" Delegate
	assert_output yes
	run sd_show "$unit" Slice
	assert_output system.slice
	grep -q -x "$pid" "/sys/fs/cgroup/system.slice/$unit/cgroup.procs"
	berth --systemd-cgroup start "$ID"
	wait_for_status "$ID" running
	berth --systemd-cgroup delete -f "$ID"
	assert_unit_gone "$unit"
	assert_no_container "$ID"
}

@test "cgroupsPath slice:prefix:name, nested slice; resources as unit properties and in the cgroup files" {
	need_systemd
	local slice=berthtest-${TAG//-/_}.slice unit=pfx-$ID.scope
	update_config '.linux.cgroupsPath = $p
		| .linux.resources.memory = {"limit": 67108864}
		| .linux.resources.pids = {"limit": 50}
		| .linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}' \
		--arg p "$slice:pfx:$ID"
	set_args sleep 300
	berth --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	local pid dir
	pid=$(state_field "$ID" pid)
	dir=/berthtest.slice/$slice/$unit
	run cg_of "$pid"
	assert_output "$dir"
	run sd_show "$unit" MemoryMax
	assert_output 67108864
	run cat "/sys/fs/cgroup$dir/memory.max"
	assert_output 67108864
	run sd_show "$unit" TasksMax
	assert_output 50
	run cat "/sys/fs/cgroup$dir/pids.max"
	assert_output 50
	run sd_show "$unit" CPUQuotaPerSecUSec
	assert_output 500ms
	run cat "/sys/fs/cgroup$dir/cpu.max"
	assert_output "50000 100000"
	run sd_show "$unit" CPUWeight
	assert_output 59
	run cat "/sys/fs/cgroup$dir/cpu.weight"
	assert_output 59
	berth --systemd-cgroup delete -f "$ID"
	assert_unit_gone "$unit"
	systemctl stop "$slice" berthtest.slice
}

@test "update: new limits reach the unit and the cgroup" {
	need_systemd
	update_config '.linux.resources.memory = {"limit": 67108864}'
	set_args sleep 300
	berth --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	local unit=berth-$ID.scope dir=/sys/fs/cgroup/system.slice/berth-$ID.scope
	berth --systemd-cgroup update --memory 134217728 --pids-limit 20 "$ID"
	run sd_show "$unit" MemoryMax
	assert_output 134217728
	run cat "$dir/memory.max"
	assert_output 134217728
	run sd_show "$unit" TasksMax
	assert_output 20
	run cat "$dir/pids.max"
	assert_output 20
	berth --systemd-cgroup delete -f "$ID"
	assert_unit_gone "$unit"
}

@test "exec joins the scope; pause and resume freeze it" {
	need_systemd
	set_args sleep 300
	berth --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	local unit=berth-$ID.scope
	run berth --systemd-cgroup exec "$ID" cat /proc/self/cgroup
	assert_status 0
	# (the test bundle has no cgroup namespace: the host's path shows)
	assert_output "0::/system.slice/$unit"
	local pids
	pids=$(wc -l <"/sys/fs/cgroup/system.slice/$unit/cgroup.procs")
	[ "$pids" -eq 1 ] || fail "want only the init in the scope after exec, got $pids"
	berth --systemd-cgroup pause "$ID"
	run state_field "$ID" status
	assert_output paused
	run cat "/sys/fs/cgroup/system.slice/$unit/cgroup.freeze"
	assert_output 1
	berth --systemd-cgroup resume "$ID"
	run state_field "$ID" status
	assert_output running
	berth --systemd-cgroup delete -f "$ID"
	assert_unit_gone "$unit"
}

@test "a container that exits by itself: run returns its status and leaves no unit" {
	need_systemd
	set_args sh -c 'exit 7'
	run berth --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	assert_status 7
	assert_unit_gone "berth-$ID.scope"
	assert_no_container "$ID"
}

@test "SIGKILL of every process, then delete -f: no unit, no cgroup" {
	need_systemd
	set_args sleep 300
	berth --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	kill -9 "$pid"
	wait_for_status "$ID" stopped
	berth --systemd-cgroup delete -f "$ID"
	assert_unit_gone "berth-$ID.scope"
	assert_no_container "$ID"
}

@test "a bad cgroupsPath for the systemd driver is a one-line error, and nothing is left" {
	update_config '.linux.cgroupsPath = "/not/a/systemd/path"'
	set_args true
	run --separate-stderr berth --systemd-cgroup create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_error 'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups'
	assert_no_container "$ID"
}

@test "checkpoint and restore with --systemd-cgroup: the restored processes are in the new scope" {
	need_systemd
	criu check >/dev/null 2>&1 || skip "criu check fails on this kernel ($(uname -r))"
	set_cmd 'while :; do sleep 0.1; done'
	local unit=berth-$ID.scope
	berth --systemd-cgroup run -d --bundle "$BUNDLE" "$ID" < <(:) > >(cat >/dev/null) 2>&1
	berth --systemd-cgroup checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_unit_gone "$unit"
	berth --systemd-cgroup restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID" < <(:) > >(cat >/dev/null) 2>&1
	local pid
	pid=$(state_field "$ID" pid)
	run cg_of "$pid"
	assert_output "/system.slice/$unit"
	run sd_show "$unit" ActiveState
	assert_output active
	berth --systemd-cgroup delete -f "$ID"
	assert_unit_gone "$unit"
}
