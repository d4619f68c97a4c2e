#!/usr/bin/env bats
# run: create + start + wait, in the foreground or detached

load helpers

@test "run: exit code 0" {
	set_args true
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output ""
	assert_no_container "$ID"
}

# run starts what it created: its init waits for a byte on a socket run
# holds, and no exec fifo is made (an inode less; /run may be a disk).
@test "run makes no exec fifo; create still makes the one start opens" {
	set_args true
	strace -f -qq -e trace=mknod,mknodat -e signal=none -o "$TEST_DIR/run.strace" \
		"$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" 3>&-
	grep -q 'S_IFCHR' "$TEST_DIR/run.strace" || fail "no device node traced: the trace tells nothing"
	if grep 'S_IFIFO' "$TEST_DIR/run.strace"; then
		fail "run made a fifo"
	fi
	assert_no_container "$ID"
	set_args sh -c 'echo started >/dev/null'
	berth create --bundle "$BUNDLE" "$ID"
	[ -p "$BERTH_ROOT/$ID/exec.fifo" ] || fail "create made no exec fifo"
	run state_field "$ID" status
	assert_output created
	berth start "$ID"
	[ ! -e "$BERTH_ROOT/$ID/exec.fifo" ] || fail "start left the exec fifo"
	berth delete --force "$ID"
}

@test "run: exit code of the container process (3)" {
	set_cmd 'exit 3'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 3
	assert_no_container "$ID"
}

@test "run: 128+9 when the container's init is SIGKILLed from outside" {
	set_args sleep 300
	berth run --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID" >"$TEST_DIR/out" 2>&1 &
	local runpid=$!
	wait_for_file "$TEST_DIR/pid"
	wait_for_status "$ID" running
	kill -9 "$(cat "$TEST_DIR/pid")"
	local rc=0
	wait "$runpid" || rc=$?
	[ "$rc" -eq 137 ] || fail "run exited $rc, want 137; output: $(cat "$TEST_DIR/out")"
	assert_no_container "$ID"
}

@test "run: forwards SIGTERM to the container's process" {
	set_cmd 'trap "echo got TERM; exit 42" TERM; echo ready >/mnt/ready; while :; do sleep 0.05; done'
	share_dir
	# not through the timeout wrapper: $! must be the runtime itself
	"$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 3>&- &
	local runpid=$!
	wait_for_file "$SHARED/ready"
	kill -TERM "$runpid"
	local rc=0
	wait "$runpid" || rc=$?
	[ "$rc" -eq 42 ] || fail "run exited $rc, want 42; output: $(cat "$TEST_DIR/out")"
	grep -q 'got TERM' "$TEST_DIR/out"
}

@test "run: stdout and stderr pass through separately" {
	set_cmd 'echo to-stdout; echo to-stderr >&2'
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output to-stdout
	[ "$stderr" = to-stderr ] || fail "stderr: $stderr"
}

@test "run: stdin passes through (pipe in, pipe out)" {
	set_cmd 'tr a-z A-Z; echo done'
	run bash -c 'printf "hello\nworld\n" | "$0" --root "$1" run --bundle "$2" "$3"' \
		"$BERTH" "$BERTH_ROOT" "$BUNDLE" "$ID"
	assert_status 0
	assert_output "HELLO
WORLD
done"
}

@test "run: a large stdin and stdout stream through intact" {
	set_args sh -c 'cat; echo END'
	head -c 1048576 /dev/urandom | od -An -tx1 >"$TEST_DIR/in"
	berth run --bundle "$BUNDLE" "$ID" <"$TEST_DIR/in" >"$TEST_DIR/out"
	[ "$(tail -n1 "$TEST_DIR/out")" = END ]
	head -n -1 "$TEST_DIR/out" | cmp - "$TEST_DIR/in"
}

@test "run: stdin at EOF (closed input) does not hang" {
	set_args cat
	run berth run --bundle "$BUNDLE" "$ID" </dev/null
	assert_status 0
	assert_output ""
}

@test "run --detach: returns at once, container keeps running" {
	set_cmd 'echo detached-out; exec sleep 300'
	run_nowait berth run --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_for_status "$ID" running
	# the container's stdout is run's stdout
	wait_for grep -q detached-out "$TEST_DIR/nowait.out"
	berth kill "$ID" KILL
	wait_for_status "$ID" stopped
	# a detached container is not deleted when it stops
	run state_field "$ID" status
	assert_output stopped
	berth delete "$ID"
	assert_no_container "$ID"
}

@test "run --keep: the stopped container stays until deleted" {
	set_cmd 'exit 7'
	run berth run --keep --bundle "$BUNDLE" "$ID"
	assert_status 7
	run state_field "$ID" status
	assert_output stopped
	run berth delete "$ID"
	assert_status 0
	assert_no_container "$ID"
}

@test "run: the runtime is the subreaper of orphans (no pid namespace)" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	# /mnt/orphan appears once the subshell is gone and sleep is an orphan
	set_cmd '(sleep 300 & echo $! >/mnt/o); mv /mnt/o /mnt/orphan; while [ ! -e /mnt/go ]; do sleep 0.05; done'
	"$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 3>&- &
	local runpid=$!
	wait_for_file "$SHARED/orphan"
	local orphan ppid
	orphan=$(cat "$SHARED/orphan")
	check() { ppid=$(awk '/^PPid:/ {print $2}' "/proc/$orphan/status"); [ "$ppid" = "$runpid" ]; }
	wait_for check || fail "orphan's parent is $ppid, want the runtime ($runpid)"
	touch "$SHARED/go"
	wait "$runpid"
	# without a pid namespace, the runtime still cleans up the orphan
	wait_for pid_gone "$orphan"
}

@test "run --no-subreaper: orphans go to the host's reaper" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	# /mnt/orphan appears once the subshell is gone and sleep is an orphan
	set_cmd '(sleep 300 & echo $! >/mnt/o); mv /mnt/o /mnt/orphan; while [ ! -e /mnt/go ]; do sleep 0.05; done'
	"$BERTH" --root "$BERTH_ROOT" run --no-subreaper --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 3>&- &
	local runpid=$!
	wait_for_file "$SHARED/orphan"
	local orphan ppid
	orphan=$(cat "$SHARED/orphan")
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$orphan/status")
	[ -n "$ppid" ] && [ "$ppid" != "$runpid" ] || fail "orphan was reaped by the runtime despite --no-subreaper"
	touch "$SHARED/go"
	wait "$runpid"
	kill -9 "$orphan" 2>/dev/null || true
}

@test "run --no-pivot: the container still sees only its rootfs" {
	set_cmd 'ls /; head -n1 /proc/self/mountinfo | cut -d" " -f4,5'
	run berth run --no-pivot --bundle "$BUNDLE" "$ID"
	assert_status 0
	local want
	want="$(ls "$ROOTFS")
$ROOTFS /"
	assert_output "$want"
	assert_no_container "$ID"
}

@test "run: a new session keyring named _ses.ID" {
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	set_args cat /proc/keys
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match "keyring +_ses\\.$ID: "
}

@test "run --no-new-keyring: the caller's session keyring is kept" {
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	set_args cat /proc/keys
	run berth run --no-new-keyring --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_not_contains "_ses.$ID"
	assert_match 'keyring +_'
}

@test "run --preserve-fds 2: fds 3 and 4 reach the process, fd 5 does not" {
	echo three >"$TEST_DIR/f3"
	echo four >"$TEST_DIR/f4"
	echo five >"$TEST_DIR/f5"
	set_cmd 'cat <&3; cat <&4; if [ -e /proc/self/fd/5 ]; then echo fd5-leaked; fi'
	run berth_fds run --preserve-fds 2 --bundle "$BUNDLE" "$ID" 3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f5"
	assert_status 0
	assert_output "three
four"
}

@test "run: without --preserve-fds no fd above 2 reaches the process" {
	echo three >"$TEST_DIR/f3"
	set_cmd 'for n in 0 1 2 3 4 5 6 7 8 9 10 11 12; do [ -e /proc/self/fd/$n ] && echo $n; done; true'
	run berth_fds run --bundle "$BUNDLE" "$ID" 3<"$TEST_DIR/f3" 4<"$TEST_DIR/f3" 7<"$TEST_DIR/f3"
	assert_status 0
	assert_output "0
1
2"
}

@test "run with an ID in use fails and leaves the first container alone" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "exists" "$stderr"
	assert_one_line_error
	run state_field "$ID" status
	assert_output created
}

@test "run: the container, the hooks and berth's threads keep the caller's CPU mask and timer slack (but sysmon's)" {
	# berth's Go runtime starts pinned to one CPU and its monitor thread gets
	# 10 ms of timer slack (nsenter/goruntime.c): neither may leak.
	set_cmd 'cat /proc/self/timerslack_ns >/mnt/slack; grep Cpus_allowed_list /proc/self/status >/mnt/cpus; echo ready >/mnt/ready; sleep 300'
	share_dir
	# berth's Go side runs these two hooks.
	local hook
	for hook in createRuntime poststart; do
		update_config ".hooks.$hook = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"cat /proc/self/timerslack_ns >$TEST_DIR/$hook\"]}]"
	done
	local cpus
	cpus=$(grep Cpus_allowed_list /proc/self/status)
	# The caller's slack (70 µs, not the default 50) passes through exec.
	bash -c 'echo 70000 >/proc/$$/timerslack_ns && exec "$0" --root "$1" run --bundle "$2" "$3"' \
		"$BERTH" "$BERTH_ROOT" "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 3>&- &
	local runpid=$!
	wait_for_file "$SHARED/ready"
	[ "$(cat "$SHARED/slack")" = 70000 ] ||
		fail "the container's timer slack is $(cat "$SHARED/slack"), want the caller's 70000"
	[ "$(cat "$SHARED/cpus")" = "$cpus" ] ||
		fail "the container's $(cat "$SHARED/cpus"), want the caller's $cpus"
	for hook in createRuntime poststart; do
		wait_for_file "$TEST_DIR/$hook"
		[ "$(cat "$TEST_DIR/$hook")" = 70000 ] ||
			fail "the $hook hook's timer slack is $(cat "$TEST_DIR/$hook"), want the caller's 70000"
	done
	local tid slack slowed=()
	for tid in $(ls "/proc/$runpid/task"); do
		[ "$(grep Cpus_allowed_list "/proc/$runpid/task/$tid/status")" = "$cpus" ] ||
			fail "berth thread $tid: $(grep Cpus_allowed_list "/proc/$runpid/task/$tid/status"), want the caller's $cpus"
		slack=$(cat "/proc/$tid/timerslack_ns")
		case $slack in
		10000000) slowed+=("$tid") ;;
		70000) ;;
		*) fail "berth thread $tid has a timer slack of $slack" ;;
		esac
	done
	[ "${#slowed[@]}" = 1 ] && [ "${slowed[0]}" != "$runpid" ] ||
		fail "berth threads with 10 ms of slack: ${slowed[*]} (main thread $runpid), want one other than the main one"
	berth kill "$ID" KILL
	wait "$runpid" || true
}
