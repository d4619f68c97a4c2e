#!/usr/bin/env bats
# pause, resume: the cgroup freezer, statuses, errors, and what a paused
# container still allows (delete -f, kill) or refuses (exec)

load helpers


# freezer_of PID: the file that says whether PID's cgroup is frozen.
freezer_of() {
	local p
	if is_cgroup2; then
		p=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup$p/cgroup.freeze"
	else
		p=$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup/freezer$p/freezer.state"
	fi
}

# assert_frozen PID yes|no
assert_frozen() {
	local f st want
	f=$(freezer_of "$1")
	st=$(cat "$f")
	if is_cgroup2; then
		want=0
		[ "$2" = yes ] && want=1
	else
		want=THAWED
		[ "$2" = yes ] && want=FROZEN
	fi
	[ "$st" = "$want" ] || fail "$f: '$st', want '$want'"
}

teardown() {
	thaw_test_cgroups
	teardown_common
}

# A running container that bumps /mnt/count every 50ms.
start_counter() {
	share_dir
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/mnt/count; sleep 0.05; done'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_file "$SHARED/count"
}

count() {
	cat "$SHARED/count" 2>/dev/null
}

@test "pause freezes a running container, resume thaws it" {
	start_counter
	local pid
	pid=$(state_field "$ID" pid)

	run --separate-stderr berth pause "$ID"
	assert_status 0
	assert_output ""
	run state_field "$ID" status
	assert_output paused
	berth list | grep -E "^$ID +$pid +paused " >/dev/null || fail "list: $(berth list)"
	assert_frozen "$pid" yes
	local a b
	a=$(count)
	sleep 0.5
	b=$(count)
	[ "$a" = "$b" ] || fail "counter moved while paused: $a -> $b"

	run --separate-stderr berth resume "$ID"
	assert_status 0
	assert_output ""
	run state_field "$ID" status
	assert_output running
	assert_frozen "$pid" no
	moved() { [ "$(count)" != "$b" ]; }
	wait_for moved
}

@test "the status of a stopped (SIGSTOP) init: running, paused while its cgroup is frozen, running again" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	kill -STOP "$pid"
	check() { [ "$(awk '{print $3}' "/proc/$pid/stat")" = T ]; }
	wait_for check
	run state_field "$ID" status
	assert_output running
	berth pause "$ID"
	run state_field "$ID" status
	assert_output paused
	berth list | grep -E "^$ID +$pid +paused " >/dev/null || fail "list: $(berth list)"
	berth resume "$ID"
	run state_field "$ID" status
	assert_output running
	berth list | grep -E "^$ID +$pid +running " >/dev/null || fail "list: $(berth list)"
	kill -CONT "$pid"
}

@test "pause and resume a created container: paused, then created again, then start works" {
	share_dir
	set_cmd 'echo started >/mnt/started; sleep 300'
	berth create --bundle "$BUNDLE" "$ID"
	berth pause "$ID"
	run state_field "$ID" status
	assert_output paused
	run --separate-stderr berth start "$ID"
	assert_status 1
	assert_error "cannot start a container in the paused state"
	berth resume "$ID"
	run state_field "$ID" status
	assert_output created
	berth start "$ID"
	wait_for_file "$SHARED/started"
	run state_field "$ID" status
	assert_output running
}

@test "pause of a paused container and resume of a running one fail like runc" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"

	run --separate-stderr berth resume "$ID"
	assert_status 1
	assert_error "container not paused"

	berth pause "$ID"
	run --separate-stderr berth pause "$ID"
	assert_status 1
	assert_error "container not running"
	run state_field "$ID" status
	assert_output paused
	berth resume "$ID"
}

@test "pause and resume of a stopped container fail" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped

	run --separate-stderr berth pause "$ID"
	assert_status 1
	assert_error "container not running"
	run --separate-stderr berth resume "$ID"
	assert_status 1
	assert_error "container not paused"
	run state_field "$ID" status
	assert_output stopped
}

@test "pause and resume of an unknown container, and without an ID" {
	run --separate-stderr berth pause "$ID"
	assert_status 1
	assert_error "container does not exist"
	run --separate-stderr berth resume "$ID"
	assert_status 1
	assert_error "container does not exist"

	run --separate-stderr berth pause
	assert_status 1
	assert_contains 'requires exactly 1 argument(s)' "$stderr"
	# and, as runc, the command's help on stdout
	[ "${lines[0]}" = "Incorrect Usage." ] || fail "stdout: $output"
	assert_contains "berth pause - pause suspends all processes inside the container" "$output"
	run --separate-stderr berth resume a b
	assert_status 1
	assert_contains 'requires exactly 1 argument(s)' "$stderr"
}

@test "exec is refused while paused, allowed again after resume" {
	start_counter
	berth pause "$ID"
	run --separate-stderr berth exec "$ID" true
	assert_status 255
	assert_error "cannot exec in a paused container"
	berth resume "$ID"
	run berth exec "$ID" echo hello
	assert_status 0
	assert_output hello
}

@test "delete -f of a paused container kills it promptly and removes everything" {
	start_counter
	local pid
	pid=$(state_field "$ID" pid)
	berth pause "$ID"
	local t0=$SECONDS
	run --separate-stderr berth delete -f "$ID"
	assert_status 0
	[ $((SECONDS - t0)) -le 3 ] || fail "delete -f of a paused container took $((SECONDS - t0))s"
	wait_for pid_gone "$pid"
	assert_no_container "$ID"
}

@test "kill KILL of a paused container stops it without a resume" {
	start_counter
	local pid
	pid=$(state_field "$ID" pid)
	berth pause "$ID"
	berth kill "$ID" KILL
	wait_for pid_gone "$pid"
	wait_for_status "$ID" stopped
	berth delete "$ID"
	assert_no_container "$ID"
}

@test "kill --all KILL of a paused container stops it without a resume" {
	start_counter
	local pid
	pid=$(state_field "$ID" pid)
	berth pause "$ID"
	berth kill --all "$ID" KILL
	wait_for pid_gone "$pid"
	wait_for_status "$ID" stopped
	berth delete "$ID"
	assert_no_container "$ID"
}
