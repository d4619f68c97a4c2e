#!/usr/bin/env bats
# kill

load helpers

# A container whose init traps HUP, USR1, USR2 and TERM and appends each
# signal's name to /mnt/sigs; TERM also makes it exit.
start_trapper() {
	share_dir
	set_cmd 'for s in HUP USR1 USR2; do trap "echo $s >>/mnt/sigs" $s; done
		trap "echo TERM >>/mnt/sigs; exit 0" TERM
		echo ready >/mnt/ready
		while :; do sleep 0.05; done'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_file "$SHARED/ready"
}

# sigs_are LINES: /mnt/sigs holds exactly LINES (polls: traps run between sleeps).
sigs_are() {
	check() { [ "$(cat "$SHARED/sigs" 2>/dev/null)" = "$1" ]; }
	wait_for check "$1" || fail "signals received: '$(cat "$SHARED/sigs" 2>/dev/null)', want '$1'"
}

@test "kill: default signal is SIGTERM" {
	start_trapper
	run berth kill "$ID"
	assert_status 0
	assert_output ""
	sigs_are TERM
	wait_for_status "$ID" stopped
}

@test "kill: signal by name, with and without SIG, and by number" {
	start_trapper
	# one at a time: a second pending signal of a kind is merged with the first
	berth kill "$ID" USR1
	sigs_are USR1
	berth kill "$ID" SIGUSR1
	sigs_are "USR1
USR1"
	berth kill "$ID" 10
	sigs_are "USR1
USR1
USR1"
	berth kill "$ID" HUP
	sigs_are "USR1
USR1
USR1
HUP"
	berth kill "$ID" 1 # SIGHUP
	sigs_are "USR1
USR1
USR1
HUP
HUP"
	berth kill "$ID" SIGUSR2
	sigs_are "USR1
USR1
USR1
HUP
HUP
USR2"
	run state_field "$ID" status
	assert_output running
	berth kill "$ID" SIGTERM
	wait_for_status "$ID" stopped
}

@test "kill KILL / SIGKILL / 9 stop the container" {
	local sig
	set_args sleep 300
	for sig in KILL SIGKILL 9; do
		berth create --bundle "$BUNDLE" "$ID"
		berth start "$ID"
		run berth kill "$ID" "$sig"
		assert_status 0
		wait_for_status "$ID" stopped
		berth delete "$ID"
	done
}

@test "kill: an unhandled SIGTERM does not stop a pid-namespace init" {
	# the kernel drops signals to a namespace's init that it doesn't handle
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run berth kill "$ID" TERM
	assert_status 0
	sleep 0.2
	run state_field "$ID" status
	assert_output running
}

@test "kill a created container" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run berth kill "$ID" KILL
	assert_status 0
	wait_for_status "$ID" stopped
	wait_for pid_gone "$pid"
}

# created_after_kill SIGNAL: the status of a newly created container after
# `kill SIGNAL` (given the signal 0.3 s to act). The init's stderr is left
# out: runc's prints a goroutine dump for QUIT and SEGV.
created_after_kill() {
	berth create --bundle "$BUNDLE" "$ID" 2>/dev/null
	berth kill "$ID" "$1"
	sleep 0.3
	state_field "$ID" status
	berth delete --force "$ID"
}

@test "kill a created container: the signals that end runc's init end it, the others are ignored; the process starts with every signal at its default" {
	set_args sleep 300
	local sig
	# runc's init is a Go program: these end it, the kernel would drop them
	# for a pid namespace's init without a handler
	for sig in TERM HUP INT QUIT SEGV SYS; do
		run created_after_kill "$sig"
		assert_output stopped
	done
	for sig in USR1 USR2 PIPE ALRM 40; do
		run created_after_kill "$sig"
		assert_output created
	done
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	for sig in TERM USR1 ALRM; do
		run created_after_kill "$sig"
		[ "$output" = "$([ $sig = TERM ] && echo stopped || echo created)" ] || fail "$sig without a pid namespace: $output"
	done
	# once started, the process has every signal at its default, as with
	# runc, even those the caller ignores (nohup); only 32-34 pass as they
	# are, which the C library keeps for itself
	local keep=$(((1 << 31) | (1 << 32) | (1 << 33)))
	local want
	want=$(printf 'SigIgn:\t%016x\nSigCgt:\t%016x' $((0x$(awk '/^SigIgn/ { print $2 }' /proc/self/status) & keep)) 0)
	set_args grep -E '^Sig(Cgt|Ign)' /proc/self/status
	run sh -c 'trap "" HUP INT QUIT PIPE TSTP TTOU; exec "$@"' sh "$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "$want"
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	# a detached exec too (a foreground one catches every signal itself)
	sh -c 'trap "" HUP INT QUIT PIPE TSTP TTOU; exec "$@"' sh "$BERTH" --root "$BERTH_ROOT" \
		exec -d "$ID" grep -E '^Sig(Cgt|Ign)' /proc/self/status >"$TEST_DIR/sigs"
	wait_for grep -q SigCgt "$TEST_DIR/sigs"
	[ "$(cat "$TEST_DIR/sigs")" = "$want" ] || fail "exec -d: $(cat "$TEST_DIR/sigs"), want $want"
}

@test "kill: an unknown signal fails" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth kill "$ID" FOO
	assert_status 1
	assert_error 'unknown signal "FOO"'
	run state_field "$ID" status
	assert_output created
}

@test "kill: a number goes to the kernel as runc sends it: 0 checks the init is there, 100 is refused by the kill" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth kill "$ID" 0
	assert_status 0
	run --separate-stderr berth kill --all "$ID" 0
	assert_status 0
	run --separate-stderr berth kill "$ID" 100
	assert_status 1
	assert_error "unable to signal init: invalid argument"
	run state_field "$ID" status
	assert_output created
	berth kill "$ID" KILL
	wait_for_status "$ID" stopped
	run --separate-stderr berth kill "$ID" 0
	assert_status 1
	assert_error "container not running"
}

@test "kill a stopped container: container not running, exit 1" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run --separate-stderr berth kill "$ID" KILL
	assert_status 1
	assert_error "container not running"
	# the default signal too
	run --separate-stderr berth kill "$ID"
	assert_status 1
	assert_error "container not running"
}

@test "kill a nonexistent container: container does not exist, exit 1" {
	run --separate-stderr berth kill "$ID" KILL
	assert_status 1
	assert_contains "container does not exist" "$stderr"
	assert_one_line_error
}

@test "kill without arguments is a usage error" {
	run berth kill
	assert_status 1
}

@test "kill --all signals every process of the container (no pid namespace)" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'sleep 300 & echo $! >/mnt/bg; sleep 301 & echo $! >/mnt/bg2; exec sleep 302'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_file "$SHARED/bg2"
	local init bg bg2
	init=$(state_field "$ID" pid)
	bg=$(cat "$SHARED/bg")
	bg2=$(cat "$SHARED/bg2")
	run berth kill --all "$ID" KILL
	assert_status 0
	wait_for pid_gone "$init"
	wait_for pid_gone "$bg"
	wait_for pid_gone "$bg2"
	wait_for_status "$ID" stopped
}

@test "kill without --all signals only init (no pid namespace), but for KILL (signals.bats)" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'sleep 300 & echo $! >/mnt/bg; exec sleep 302'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_file "$SHARED/bg"
	local init bg
	init=$(state_field "$ID" pid)
	bg=$(cat "$SHARED/bg")
	berth kill "$ID" TERM
	wait_for pid_gone "$init"
	! pid_gone "$bg" || fail "kill without --all killed a non-init process"
	wait_for_status "$ID" stopped
	# delete reaps what is left in the container's cgroup
	berth delete -f "$ID"
	wait_for pid_gone "$bg"
}
