#!/usr/bin/env bats
# create / start: the two-step lifecycle

load helpers

@test "create: status created, init waiting, user process not yet run" {
	share_dir
	set_cmd 'echo started >/mnt/marker; exec sleep 300'
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output ""
	run state_field "$ID" status
	assert_output created
	local pid
	pid=$(state_field "$ID" pid)
	[ "$pid" -gt 1 ] && [ -d "/proc/$pid" ] || fail "init pid $pid not alive"
	# the user's process has not run yet
	[ ! -e "$SHARED/marker" ] || fail "process ran before start"
	[[ "$(cmdline "$pid")" != "sleep 300" ]] || fail "init already exec'd the user process"

	run berth start "$ID"
	assert_status 0
	assert_output ""
	wait_for_file "$SHARED/marker"
	wait_for_status "$ID" running
	# start execs the process in place: same pid
	[ "$(state_field "$ID" pid)" = "$pid" ]
	check() { [ "$(cmdline "$pid")" = "sleep 300" ]; }
	wait_for check

	run berth kill "$ID" KILL
	assert_status 0
	wait_for_status "$ID" stopped
	run berth delete "$ID"
	assert_status 0
	assert_no_container "$ID"
}

@test "create: the process is stopped once it exits by itself" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run state_field "$ID" pid
	assert_output 0
	berth delete "$ID"
	assert_no_container "$ID"
}

@test "create without --bundle uses the current directory" {
	set_args sleep 300
	cd "$BUNDLE"
	run_nowait berth create "$ID"
	assert_status 0
	run state_field "$ID" bundle
	assert_output "$BUNDLE"
}

@test "create: a relative --bundle is recorded as an absolute path" {
	set_args sleep 300
	cd "$TEST_DIR"
	run_nowait berth create --bundle bundle "$ID"
	assert_status 0
	run state_field "$ID" bundle
	assert_output "$BUNDLE"
	run state_field "$ID" rootfs
	assert_output "$ROOTFS"
}

@test "create: a relative root.path is resolved against the bundle" {
	use_private_rootfs
	set_args sleep 300
	cd /
	run_nowait berth create -b "$BUNDLE" "$ID"
	assert_status 0
	run state_field "$ID" rootfs
	assert_output "$BUNDLE/rootfs"
}

@test "create with terminal:true and no --console-socket fails and leaves nothing" {
	update_config '.process.terminal = true'
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "cannot allocate tty if" "$stderr"
	assert_contains "will detach without setting console socket" "$stderr"
	assert_one_line_error
	assert_no_container "$ID"
}

@test "start a running container fails" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run --separate-stderr berth start "$ID"
	assert_status 1
	assert_contains "cannot start an already running container" "$stderr"
	run state_field "$ID" status
	assert_output running
}

@test "start a stopped container fails" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run --separate-stderr berth start "$ID"
	assert_status 1
	assert_contains "cannot start a container that has stopped" "$stderr"
}

@test "start a nonexistent container fails" {
	run --separate-stderr berth start "$ID"
	assert_status 1
	assert_contains "container does not exist" "$stderr"
	assert_one_line_error
}

@test "two containers from one bundle run side by side" {
	set_args sleep 300
	local id2
	id2=$(new_id)
	berth create --bundle "$BUNDLE" "$ID"
	berth create --bundle "$BUNDLE" "$id2"
	berth start "$ID"
	berth start "$id2"
	wait_for_status "$ID" running
	wait_for_status "$id2" running
	[ "$(state_field "$ID" pid)" != "$(state_field "$id2" pid)" ]
	berth delete -f "$ID"
	run state_field "$id2" status
	assert_output running
	berth delete -f "$id2"
	assert_no_container "$ID"
	assert_no_container "$id2"
}
