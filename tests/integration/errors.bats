#!/usr/bin/env bats
# errors: one line on stderr that names the cause, a non-zero exit, and
# nothing left behind (teardown's leak check covers state, cgroups, mounts
# and processes; assert_no_container checks the ID at once).

load helpers

# create_fails: create must fail with one line on stderr and leave nothing.
create_fails() {
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_no_container "$ID"
}

# run_fails: the same for run.
run_fails() {
	run --separate-stderr berth run --bundle "$BUNDLE" "$(new_id)"
	assert_fails
	assert_one_line_error
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_fails
	assert_error "JSON specification file config.json not found"
	run_fails
	assert_error "JSON specification file config.json not found"
}

@test "missing bundle dir" {
	BUNDLE=$TEST_DIR/no-such-bundle
	create_fails
	assert_error "no-such-bundle"
}

@test "invalid JSON in config.json" {
	echo '{"ociVersion": "1.0.2", bad' >"$BUNDLE/config.json"
	create_fails
	assert_error "invalid character"
}

@test "config.json that is not an object" {
	echo '[1, 2]' >"$BUNDLE/config.json"
	create_fails
}

@test "missing rootfs" {
	update_config '.root.path = $p' --arg p "$TEST_DIR/no-such-rootfs"
	create_fails
	assert_error "no-such-rootfs"
	assert_match "no such file or directory|does not exist" "$(error_msg)"
}

@test "bad container IDs: invalid container ID format" {
	set_args true
	local bad
	for bad in "../x" "a/b" ".." "a b" "x\$y" "x:y"; do
		run_nowait berth create --bundle "$BUNDLE" "$bad"
		assert_status 1
		assert_error "invalid container ID format"
		run --separate-stderr berth state "$bad"
		assert_status 1
		assert_error "invalid container ID format"
	done
	[ ! -e "$TEST_DIR/x" ] && [ ! -e "$BERTH_ROOT/a" ] && [ ! -e "$BERTH_ROOT/../x" ]
}

@test "an empty container ID" {
	run_nowait berth create --bundle "$BUNDLE" ""
	assert_status 1
	assert_error "container id cannot be empty"
}

@test "duplicate ID: the second create fails, the first container is untouched" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_one_line_error
	assert_error "exists"
	run state_field "$ID" status
	assert_output created
	[ "$(state_field "$ID" pid)" = "$pid" ]
	[ -d "/proc/$pid" ]
}

@test "unknown namespace type: the error names the JSON path" {
	update_config '.linux.namespaces += [{"type": "foo"}]'
	local n
	n=$(jq '.linux.namespaces | length - 1' "$BUNDLE/config.json")
	create_fails
	assert_error "linux.namespaces[$n].type: unknown namespace \"foo\""
}

@test "unknown mount type: the error names the JSON path" {
	add_mount '{"destination": "/mnt", "type": "foo", "source": "none"}'
	local n
	n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
	create_fails
	assert_error "mounts[$n].type: unknown mount type \"foo\""
}

@test "a mount that fails: the error names the mount" {
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$TEST_DIR/no-such-src\", \"options\": [\"bind\"]}"
	create_fails
	assert_error "no-such-src"
}

@test "nonexistent binary: executable file not found in \$PATH" {
	set_args nosuchbinary
	create_fails
	assert_error 'exec: "nosuchbinary": executable file not found in $PATH'
	run_fails
	assert_error 'exec: "nosuchbinary": executable file not found in $PATH'
}

@test "a file that is not executable: permission denied" {
	set_args /etc/passwd
	create_fails
	assert_error 'exec: "/etc/passwd": permission denied'
}

@test "a path that does not exist: no such file or directory" {
	set_args /no/such/file
	create_fails
	assert_error "/no/such/file"
	assert_error "no such file or directory"
}

@test "a script whose interpreter is missing: execve fails after start, one line in runc's words, exit 1" {
	use_private_rootfs
	printf '#!/nonexistent\n' >"$PRIVATE_ROOTFS/run.sh"
	chmod 755 "$PRIVATE_ROOTFS/run.sh"
	set_args /run.sh
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_one_line_error
	assert_contains "exec /run.sh: no such file or directory" "$stderr"
}

@test "the failing run's exit code is not the container's" {
	set_args nosuchbinary
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_no_container "$ID"
}

@test "--log FILE --log-format json: the last line is the error as JSON" {
	set_args nosuchbinary
	run_nowait berth --log "$TEST_DIR/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_contains 'executable file not found in $PATH' "$stderr"
	[ -s "$TEST_DIR/log.json" ] || fail "nothing logged"
	local last
	last=$(tail -n1 "$TEST_DIR/log.json")
	jq -e . <<<"$last" >/dev/null || fail "not JSON: $last"
	[ "$(jq -r .level <<<"$last")" = error ] || fail "$last"
	assert_contains 'exec: "nosuchbinary": executable file not found in $PATH' "$(jq -r .msg <<<"$last")"
	jq -e '.time | strings' <<<"$last" >/dev/null || fail "no time: $last"
	assert_no_container "$ID"
}

@test "--log FILE (text): the error is logged with level=error" {
	set_args nosuchbinary
	run_nowait berth --log "$TEST_DIR/log.txt" create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	local last
	last=$(tail -n1 "$TEST_DIR/log.txt")
	assert_match 'level=error' "$last"
	assert_contains 'executable file not found' "$last"
}

@test "--log appends to an existing log file" {
	echo "previous line" >"$TEST_DIR/log.txt"
	run --separate-stderr berth --log "$TEST_DIR/log.txt" state "$ID"
	assert_status 1
	[ "$(head -n1 "$TEST_DIR/log.txt")" = "previous line" ]
	assert_contains "container does not exist" "$(tail -n1 "$TEST_DIR/log.txt")"
}

@test "--debug logs the steps of a container's life at level debug, and keeps stdout clean" {
	run --separate-stderr berth --debug list
	assert_status 0
	assert_match '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
	set_args true
	run --separate-stderr berth --debug run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output ""
	assert_contains 'level=debug msg="init pid ' "$stderr"
	assert_contains 'level=debug msg=started' "$stderr"
	# and into --log, as JSON with --log-format json
	berth --debug --log "$TEST_DIR/debug.log" --log-format json run --bundle "$BUNDLE" "$ID"
	grep -q '"level":"debug","msg":"state saved"' "$TEST_DIR/debug.log" || fail "log: $(cat "$TEST_DIR/debug.log")"
	# and not without --debug
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_not_contains "level=debug" "$stderr"
}

@test "--log-format with an unknown format fails" {
	run berth --log-format yaml list
	assert_fails
}

@test "an unknown command fails: one line naming it, exit 3 as runc's" {
	run --separate-stderr berth no-such-command
	assert_status 3
	assert_one_line_error
	assert_error "No help topic for 'no-such-command'"
	run --separate-stderr berth help no-such-command
	assert_status 3
	assert_error "No help topic for 'no-such-command'"
}

@test "an unknown flag fails" {
	run berth list --no-such-flag
	assert_fails
	run berth --no-such-flag list
	assert_fails
}

@test "wrong number of arguments: exit 1" {
	run berth create
	assert_status 1
	run berth create a b
	assert_status 1
	run berth start
	assert_status 1
	run berth delete
	assert_status 1
	run berth state
	assert_status 1
}

@test "flags after the container ID work, as with runc (but not those of exec's process)" {
	set_args sleep 300
	berth run --bundle "$BUNDLE" "$ID" -d </dev/null >/dev/null 2>&1
	[ "$(state_field "$ID" status)" = running ]
	berth update "$ID" --pids-limit 42
	run berth exec "$ID" sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
	assert_output 42
	run berth exec "$ID" echo --all
	assert_output "--all"
	run berth state "$ID" --help
	assert_status 0
	assert_contains "state - output the state of a container"
	berth kill "$ID" KILL --all
	wait_for_status "$ID" stopped
	berth delete "$ID" --force
	assert_no_container "$ID"
}
