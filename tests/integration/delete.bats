#!/usr/bin/env bats
# delete

load helpers

@test "delete a stopped container" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run --separate-stderr berth delete "$ID"
	assert_status 0
	assert_output ""
	assert_no_container "$ID"
	run berth list -q
	assert_not_contains "$ID"
}

@test "delete a created container works without --force" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run berth delete "$ID"
	assert_status 0
	assert_no_container "$ID"
	wait_for pid_gone "$pid"
}

@test "delete a running container without --force fails" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run --separate-stderr berth delete "$ID"
	assert_status 1
	assert_error "cannot delete container $ID that is not stopped: running"
	run state_field "$ID" status
	assert_output running
}

@test "delete --force a running container" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run berth delete --force "$ID"
	assert_status 0
	assert_no_container "$ID"
	wait_for pid_gone "$pid"
}

@test "delete -f kills every process of a container without a pid namespace" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'sleep 300 & echo $! >/mnt/bg; exec sleep 301'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_file "$SHARED/bg"
	local pid bg
	pid=$(state_field "$ID" pid)
	bg=$(cat "$SHARED/bg")
	run berth delete -f "$ID"
	assert_status 0
	wait_for pid_gone "$pid"
	wait_for pid_gone "$bg"
	assert_no_container "$ID"
}

@test "delete a nonexistent container fails" {
	run --separate-stderr berth delete "$ID"
	assert_status 1
	assert_error "container does not exist"
}

@test "delete -f a nonexistent container succeeds" {
	run berth delete -f "$ID"
	assert_status 0
}

@test "delete removes the state dir and the cgroups" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	[ -d "$BERTH_ROOT/$ID" ] || fail "no state dir $BERTH_ROOT/$ID"
	[ -n "$(find /sys/fs/cgroup -type d -name "$ID")" ] || fail "no cgroup dir named $ID"
	berth delete -f "$ID"
	assert_no_container "$ID"
}

@test "delete -f cleans up a container whose create was killed half-way" {
	# createRuntime hooks run while create is in progress: kill create there.
	cat >"$TEST_DIR/hang.sh" <<-EOF
		#!/bin/sh
		echo \$\$ >"$TEST_DIR/hook.pid"
		exec sleep 300
	EOF
	chmod +x "$TEST_DIR/hang.sh"
	update_config '.hooks.createRuntime = [{"path": $p}]' --arg p "$TEST_DIR/hang.sh"
	set_args sleep 300
	"$BERTH" --root "$BERTH_ROOT" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 3>&- &
	local creator=$!
	wait_for_file "$TEST_DIR/hook.pid"
	kill -9 "$creator"
	wait "$creator" || true
	kill -9 "$(cat "$TEST_DIR/hook.pid")"
	run berth delete -f "$ID"
	assert_status 0
	# teardown's leak check proves nothing is left (state, cgroups, processes)
	assert_no_container "$ID"
}
