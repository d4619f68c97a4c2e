#!/usr/bin/env bats
# cgroups: limits are enforced where that is observable from inside or in
# the stats: memory (OOM kill and the "oom" event), pids (forks fail),
# cpuset (affinity), cpu quota (throttling), device rules

load helpers


# cg_dir CTRL: the init's cgroup dir for v1 controller CTRL (or its v2 dir).
cg_dir() {
	local p
	if is_cgroup2; then
		p=$(sed -n 's/^0:://p' "/proc/$PID/cgroup")
		echo "/sys/fs/cgroup$p"
	else
		p=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$PID/cgroup")
		echo "/sys/fs/cgroup/$1$p"
	fi
}

start_sleeper() {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	PID=$(state_field "$ID" pid)
}

# stop_events: stop the background `events` of this test, if still running.
stop_events() {
	[ -n "${EVENTS_PID:-}" ] || return 0
	kill "$EVENTS_PID" 2>/dev/null || true
	wait "$EVENTS_PID" 2>/dev/null || true
	EVENTS_PID=
}

teardown() {
	stop_events
	teardown_common
}

@test "memory limit: an allocator past it is OOM-killed, and events reports {\"type\":\"oom\"}" {
	# 32 MiB of memory, and no swap to escape to
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	start_sleeper
	local out=$TEST_DIR/events.out
	"$BERTH" --root "$BERTH_ROOT" events --interval 100ms "$ID" >"$out" 2>"$TEST_DIR/events.err" 3>&- &
	EVENTS_PID=$!
	# the first stats event means the OOM notification is registered
	started() { grep -q '"type":"stats"' "$out"; }
	wait_for started || fail "no events: $(cat "$TEST_DIR/events.err")"

	# busybox tail buffers all of a newline-free input in memory. It reads
	# /dev/zero itself: no other process may allocate while the kernel
	# reaps it (a `head | tail` once made the OOM killer take the init
	# too, as its second victim, when head's next page came first).
	run berth exec "$ID" sh -c 'tail -n 1 </dev/zero >/dev/null'
	[ "$status" -ne 0 ] || fail "allocating 100 MiB under a 32 MiB limit succeeded: $output"
	oomed() { grep -q -F "{\"type\":\"oom\",\"id\":\"$ID\"}" "$out"; }
	wait_for oomed || fail "no oom event: $(grep -v '"stats"' "$out")"
	if is_cgroup2; then
		grep -E -q '^oom_kill [1-9]' "$(cg_dir memory)/memory.events" || fail "memory.events: $(cat "$(cg_dir memory)/memory.events")"
	else
		grep -E -q '^oom_kill [1-9]' "$(cg_dir memory)/memory.oom_control" || fail "memory.oom_control: $(cat "$(cg_dir memory)/memory.oom_control")"
	fi
	# the container's init was not the victim
	run state_field "$ID" status
	assert_output running
	stop_events
}

@test "memory limit too low for the init to start: create fails with one line saying so, and leaves nothing" {
	# runc refuses to set such a limit under the running init; berth sets it
	# before any process is in the cgroup, and its init is killed instead
	local limit
	for limit in 4096 131072; do
		update_config '.linux.resources.memory = {"limit": $l}' --argjson l "$limit"
		set_args sleep 300
		run --separate-stderr berth create --bundle "$BUNDLE" "$ID"
		assert_status 1
		assert_error "the container's cgroup ran out of memory (linux.resources.memory.limit is $limit bytes)"
		assert_no_container "$ID"
	done
	# with a user namespace, the stage that makes it is the victim
	add_userns
	update_config '.linux.resources.memory = {"limit": 4096}'
	run --separate-stderr berth create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "the container's cgroup ran out of memory (linux.resources.memory.limit is 4096 bytes)"
	assert_no_container "$ID"
}

@test "pids limit set by update: forks past it fail" {
	start_sleeper
	berth update --pids-limit 8 "$ID"
	run berth exec "$ID" sh -c 'i=0; while [ $i -lt 20 ]; do sleep 60 & i=$((i+1)); done; echo all-forked'
	assert_contains "can't fork"
	assert_not_contains all-forked
	[ "$(cat "$(cg_dir pids)/pids.current")" -le 8 ] || fail "pids.current $(cat "$(cg_dir pids)/pids.current") > 8"
	# raising it lets them through
	berth update --pids-limit 100 "$ID"
	run berth exec "$ID" sh -c 'i=0; while [ $i -lt 20 ]; do sleep 1 & i=$((i+1)); done; wait; echo all-forked'
	assert_status 0
	assert_contains all-forked
}

@test "cpuset: processes are pinned to linux.resources.cpu.cpus, and to an update's cpus" {
	local n
	n=$(nproc --all)
	[ "$n" -ge 2 ] || skip "needs 2 CPUs"
	local last=$((n - 1))
	update_config '.linux.resources.cpu = {"cpus": $c}' --arg c "$last"
	start_sleeper
	run berth exec "$ID" grep Cpus_allowed_list /proc/self/status
	assert_status 0
	assert_match "^Cpus_allowed_list:[[:space:]]+$last\$"
	run berth exec "$ID" grep Cpus_allowed_list /proc/1/status
	assert_match "^Cpus_allowed_list:[[:space:]]+$last\$"

	berth update --cpuset-cpus 0 "$ID"
	run berth exec "$ID" grep Cpus_allowed_list /proc/self/status
	assert_match "^Cpus_allowed_list:[[:space:]]+0\$"
	run berth exec "$ID" grep Cpus_allowed_list /proc/1/status
	assert_match "^Cpus_allowed_list:[[:space:]]+0\$"
}

@test "cpu quota: a busy loop is throttled (events --stats shows it)" {
	update_config '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
	start_sleeper
	run berth exec "$ID" timeout 1 sh -c 'while :; do :; done'
	run --separate-stderr berth events --stats "$ID"
	assert_status 0
	run jq -r '.data.cpu.throttling | "\(.periods // 0) \(.throttledPeriods // 0)"' <<<"$output"
	local periods throttled
	read -r periods throttled <<<"$output"
	[ "$throttled" -gt 0 ] || fail "not throttled: periods $periods, throttled $throttled"
	[ "$periods" -ge "$throttled" ] || fail "periods $periods < throttled $throttled"
}

@test "device rules: an allowed device opens, a denied one gives EPERM, and update keeps the rules" {
	# Two nodes in a major reserved for local/experimental use: no driver, so
	# an allowed open fails with ENXIO, while the device cgroup says EPERM first.
	local major=121
	if awk '/^Character/ {c=1; next} /^Block/ {c=0} c && $1 == m {f=1} END {exit !f}' m=$major /proc/devices; then
		skip "char major $major is in use on this host"
	fi
	update_config '.linux.devices = [
		{"path": "/dev/berth-ok", "type": "c", "major": 121, "minor": 0, "fileMode": 438, "uid": 0, "gid": 0},
		{"path": "/dev/berth-no", "type": "c", "major": 121, "minor": 1, "fileMode": 438, "uid": 0, "gid": 0}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 121, "minor": 0, "access": "rw"}]'
	start_sleeper

	check_rules() {
		run berth exec "$ID" ls -l /dev/berth-ok /dev/berth-no
		assert_status 0
		run berth exec "$ID" sh -c 'echo x >/dev/berth-ok'
		assert_fails
		assert_contains "No such device or address"
		run berth exec "$ID" sh -c 'echo x >/dev/berth-no'
		assert_fails
		assert_contains "Operation not permitted"
		run berth exec "$ID" sh -c 'cat /dev/berth-no'
		assert_contains "Operation not permitted"
		# default devices stay usable
		run berth exec "$ID" sh -c 'echo x >/dev/null && echo x >/dev/full'
		assert_fails
		assert_contains "No space left on device"
		run berth exec "$ID" sh -c 'head -c 4 /dev/urandom | wc -c'
		assert_status 0
		assert_output 4
	}
	check_rules
	if ! is_cgroup2; then
		run cat "$(cg_dir devices)/devices.list"
		assert_contains "c 121:0 rw"
		assert_not_contains "a *:* rwm"
	fi

	berth update --memory 256m --pids-limit 100 "$ID"
	check_rules
	if ! is_cgroup2; then
		run cat "$(cg_dir devices)/devices.list"
		assert_contains "c 121:0 rw"
		assert_not_contains "c 121:1"
		assert_not_contains "a *:* rwm"
	fi
}
