#!/usr/bin/env bats
# --pid-file of create and run

load helpers

@test "create --pid-file: the pid, no trailing newline" {
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID"
	assert_status 0
	[ -f "$TEST_DIR/pid" ]
	run cat "$TEST_DIR/pid"
	assert_output "$(state_field "$ID" pid)"
	[ "$(tail -c1 "$TEST_DIR/pid" | od -An -c | tr -d ' ')" != '\n' ] || fail "pid file ends with a newline"
	[ "$(wc -c <"$TEST_DIR/pid")" -eq "${#output}" ]
}

@test "create --pid-file with a relative path is relative to the cwd" {
	set_args sleep 300
	cd "$TEST_DIR"
	run_nowait berth create --bundle "$BUNDLE" --pid-file rel.pid "$ID"
	assert_status 0
	[ "$(cat "$TEST_DIR/rel.pid")" = "$(state_field "$ID" pid)" ]
}

@test "run -d --pid-file" {
	set_args sleep 300
	run_nowait berth run -d --pid-file "$TEST_DIR/pid" --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(cat "$TEST_DIR/pid")" = "$(state_field "$ID" pid)" ]
	[ "$(cmdline "$(cat "$TEST_DIR/pid")")" = "sleep 300" ]
}

@test "run --pid-file: written before the process runs" {
	share_dir
	set_cmd 'echo $$ >/mnt/inside'
	run berth run --pid-file "$TEST_DIR/pid" --bundle "$BUNDLE" "$ID"
	assert_status 0
	local pid
	pid=$(cat "$TEST_DIR/pid")
	[ "$pid" -gt 1 ] || fail "pid file: $pid"
	# inside its own pid namespace the process is pid 1
	[ "$(cat "$SHARED/inside")" = 1 ]
}

@test "create --pid-file: an existing file is replaced" {
	set_args sleep 300
	echo "old content that is longer than a pid" >"$TEST_DIR/pid"
	run_nowait berth create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID"
	assert_status 0
	[ "$(cat "$TEST_DIR/pid")" = "$(state_field "$ID" pid)" ]
}

@test "create --pid-file in a missing directory fails and leaves nothing" {
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" --pid-file "$TEST_DIR/no-such-dir/pid" "$ID"
	assert_status 1
	assert_one_line_error
	# runc's words: its temporary file is ".pid" beside the pid file
	assert_error "open $TEST_DIR/no-such-dir/.pid: no such file or directory"
	assert_no_container "$ID"
}
