#!/usr/bin/env bats
# ps: the table (the host's ps, header plus the container's rows), json
# (the container's host pids), custom ps arguments, and the wrong states.

load helpers

# procs_file PID: the cgroup.procs of PID's pids cgroup (v1), or its cgroup (v2).
procs_file() {
	local p
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		p=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup$p/cgroup.procs"
	else
		p=$(awk -F: '$2 == "pids" {print $3}' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup/pids$p/cgroup.procs"
	fi
}

# start_family: a running container of three processes (sh and two
# sleeps); INIT_PID, and PIDS (the cgroup's procs, sorted, one a line).
start_family() {
	share_dir
	set_cmd 'sleep 300 & sleep 301 & echo ready >/mnt/ready; wait'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_file "$SHARED/ready"
	INIT_PID=$(state_field "$ID" pid)
	PROCS=$(procs_file "$INIT_PID")
	PIDS=$(sort -n "$PROCS")
	[ "$(wc -l <<<"$PIDS")" = 3 ] || fail "want 3 processes in $PROCS: $PIDS"
}

@test "ps: the header and exactly the container's rows, with host pids" {
	start_family
	# a host process that is not the container's must not show
	sleep 300 >/dev/null 2>&1 3>&- &
	local other=$!
	run --separate-stderr berth ps "$ID"
	kill "$other"
	assert_status 0
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]] || fail "header: ${lines[0]}"
	[ "${#lines[@]}" = 4 ] || fail "want the header and 3 rows: $output"
	local rows
	rows=$(printf '%s\n' "${lines[@]:1}" | awk '{print $2}' | sort -n)
	[ "$rows" = "$PIDS" ] || fail "PID column: $rows, want $PIDS"
	# the host's view: init's row has the host pid and the host's parent
	local initrow
	initrow=$(printf '%s\n' "${lines[@]:1}" | awk -v p="$INIT_PID" '$2 == p')
	[[ "$initrow" == *" sh -c sleep 300 & sleep 301 &"* ]] || fail "init row: $initrow"
	[ "$(awk '{print $3}' <<<"$initrow")" = "$(awk '/^PPid:/ {print $2}' "/proc/$INIT_PID/status")" ]
	assert_not_contains " $other "
	# -f table is the default
	local table=$output
	run --separate-stderr berth ps -f table "$ID"
	assert_status 0
	[ "$(awk '{print $2}' <<<"$output" | sort)" = "$(awk '{print $2}' <<<"$table" | sort)" ] || fail "-f table: $output"
}

@test "ps of a paused container lists its processes" {
	start_family
	berth pause "$ID"
	run --separate-stderr berth ps -f json "$ID"
	local rc=$status out=$output
	berth resume "$ID"
	[ "$rc" = 0 ] || fail "ps -f json of a paused container: exit $rc: $stderr"
	[ "$(jq '.[]' <<<"$out" | sort -n)" = "$PIDS" ] || fail "json: $out, cgroup: $PIDS"
}

@test "ps -f json: a JSON array of the container's host pids" {
	start_family
	run --separate-stderr berth ps -f json "$ID"
	assert_status 0
	[ "${#lines[@]}" = 1 ] || fail "want one line: $output"
	jq -e 'type == "array" and length == 3 and all(type == "number")' <<<"$output" >/dev/null || fail "output: $output"
	[ "$(jq '.[]' <<<"$output" | sort -n)" = "$PIDS" ] || fail "json: $output, cgroup: $PIDS"
	run --separate-stderr berth ps --format json "$ID"
	assert_status 0
	[ "$(jq '.[]' <<<"$output" | sort -n)" = "$PIDS" ] || fail "json: $output, cgroup: $PIDS"
	# it follows the cgroup: one more process shows, then goes
	run_nowait berth exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 302
	assert_status 0
	run berth ps -f json "$ID"
	[ "$(jq '.[]' <<<"$output" | sort -n)" = "$(sort -n "$PROCS")" ] || fail "json: $output"
	jq -e --argjson p "$(cat "$TEST_DIR/exec.pid")" 'length == 4 and index($p) != null' <<<"$output" >/dev/null || fail "json: $output"
}

@test "ps ID -o pid,comm: custom ps arguments" {
	start_family
	run --separate-stderr berth ps "$ID" -o pid,comm
	assert_status 0
	[ "$(echo ${lines[0]})" = "PID COMMAND" ] || fail "header: ${lines[0]}"
	local got want p
	got=$(printf '%s\n' "${lines[@]:1}" | awk '{print $1, $2}' | sort -n)
	want=$(for p in $PIDS; do echo "$p $(cat "/proc/$p/comm")"; done)
	[ "$got" = "$want" ] || fail "rows: $got, want $want"
}

@test "ps ID -- -o pid,comm: the ps arguments after --" {
	start_family
	run --separate-stderr berth ps "$ID" -- -o pid,comm
	assert_status 0
	[ "$(echo ${lines[0]})" = "PID COMMAND" ] || fail "header: ${lines[0]}"
	local got want p
	got=$(printf '%s\n' "${lines[@]:1}" | awk '{print $1, $2}' | sort -n)
	want=$(for p in $PIDS; do echo "$p $(cat "/proc/$p/comm")"; done)
	[ "$got" = "$want" ] || fail "rows: $got, want $want"
}

@test "ps with ps arguments that print no PID column fails" {
	start_family
	run --separate-stderr berth ps "$ID" -o comm
	assert_status 1
	assert_error "couldn't find PID field in ps output"
}

@test "ps with arguments ps refuses fails with what ps said" {
	start_family
	run --separate-stderr berth ps "$ID" bogus-option
	assert_status 1
	assert_error "exit status 1: error: unsupported option (BSD syntax)"
}

@test "ps of a created container shows its init" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run --separate-stderr berth ps -f json "$ID"
	assert_status 0
	assert_output "[$pid]"
	run --separate-stderr berth ps "$ID"
	assert_status 0
	[ "${#lines[@]}" = 2 ] && [ "$(awk '{print $2}' <<<"${lines[1]}")" = "$pid" ] || fail "output: $output"
}

@test "ps of a stopped container: the header only, and JSON null, as runc" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run --separate-stderr berth ps "$ID"
	assert_status 0
	[ "${#lines[@]}" = 1 ] && [[ "${lines[0]}" == UID* ]] || fail "output: $output"
	run --separate-stderr berth ps -f json "$ID"
	assert_status 0
	assert_output null
}

@test "ps of an unknown container, with no ID, and with a bad format fail" {
	run --separate-stderr berth ps "$TAG-nosuch"
	assert_status 1
	assert_error "container does not exist"
	run --separate-stderr berth ps -f json "$TAG-nosuch"
	assert_status 1
	assert_error "container does not exist"
	run --separate-stderr berth ps
	assert_status 1
	assert_contains 'requires a minimum of 1 argument(s)' "$stderr"
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth ps -f xml "$ID"
	assert_status 1
	assert_error "invalid format option"
}
