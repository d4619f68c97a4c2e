#!/usr/bin/env bats
# concurrency: callers racing each other and the container. Shims and
# orchestrators run the runtime in parallel, kill it on timeouts and race
# kill/delete against the container's own exit: only runc's documented
# errors may appear, state stays consistent, no signal ever reaches a process
# that is not the container's (canary processes with known pids, some of them
# on a recycled container pid, record every signal they get), and teardown's
# leak check proves nothing is left.

# Rounds of the kill/delete/state race (each 1-3 s here).
RACE_ROUNDS=${RACE_ROUNDS:-6}
# The watchdog must not cut many rounds short.
BERTH_TEST_TIMEOUT=${BERTH_TEST_TIMEOUT:-$((90 + RACE_ROUNDS * 6))}

load helpers

setup() {
	setup_common
	: >"$TEST_DIR/bg.pids"
	: >"$TEST_DIR/canaries"
	mkfifo "$TEST_DIR/canary.fifo"
}

teardown() {
	local p
	[ -f "$TEST_DIR/stop" ] || touch "$TEST_DIR/stop" 2>/dev/null || true
	for p in $(cat "$TEST_DIR/bg.pids" 2>/dev/null); do
		wait_gone_or_kill "$p"
	done
	for p in $(cut -d' ' -f1 "$TEST_DIR/canaries" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	teardown_common
}

# wait_gone_or_kill PID: give a background job of the test 10 s to finish.
wait_gone_or_kill() {
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

note() {
	echo "# $*" >&3
}

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# ---------------------------------------------------------------- canaries

# canary NAME: (in a child) become a bash that logs every catchable signal it
# gets to $TEST_DIR/canary.NAME.log and otherwise blocks forever without
# forking (read on a fifo it holds open for both ends).
canary() {
	exec bash -c 'log=$1; for s in HUP INT QUIT USR1 USR2 TERM ALRM CONT TSTP TTIN TTOU WINCH PIPE; do trap "echo $s >>$log" $s; done; exec 9<>"$2"; while :; do read -r -u 9 _; done' \
		canary "$TEST_DIR/canary.$1.log" "$TEST_DIR/canary.fifo" </dev/null >/dev/null 2>&1 3>&-
}

# spawn_canary NAME: a canary with any pid; sets CANARY_PID.
spawn_canary() {
	canary "$1" &
	CANARY_PID=$!
	echo "$CANARY_PID $1" >>"$TEST_DIR/canaries"
}

# spawn_canary_at PID NAME: a canary with exactly pid PID (a recycled pid:
# ns_last_pid is set just before the fork; other forks on the machine may win
# the pid, so retry). Sets CANARY_PID; fails if PID could not be had.
spawn_canary_at() {
	local want=$1 i c
	for ((i = 0; i < 300; i++)); do
		[ -e "/proc/$want" ] && { sleep 0.01; continue; }
		echo $((want - 1)) >/proc/sys/kernel/ns_last_pid
		canary "$2" &
		c=$!
		if [ "$c" = "$want" ]; then
			CANARY_PID=$c
			echo "$c $2" >>"$TEST_DIR/canaries"
			return 0
		fi
		kill -9 "$c" 2>/dev/null
		wait "$c" 2>/dev/null
	done
	return 1
}

# canaries_untouched: every canary is alive, not stopped, and logged nothing.
canaries_untouched() {
	local pid name st bad=
	while read -r pid name; do
		st=$(sed -n 's/^State:\s*\(.\).*/\1/p' "/proc/$pid/status" 2>/dev/null) || st=
		case $st in
		S | R | D) ;;
		*) bad+=" canary $name (pid $pid) is ${st:-gone};" ;;
		esac
		if [ -s "$TEST_DIR/canary.$name.log" ]; then
			bad+=" canary $name (pid $pid) got: $(tr '\n' ' ' <"$TEST_DIR/canary.$name.log");"
		fi
	done <"$TEST_DIR/canaries"
	[ -z "$bad" ] || fail "a process outside the container was signalled:$bad"
}

# ---------------------------------------------------------------- same ID

@test "20 parallel creates of one ID: exactly one wins, the others say it already exists" {
	set_args sleep 300
	local i pids=()
	for i in $(seq 20); do
		(
			rc=0
			berth create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid.$i" "$ID" \
				>"$TEST_DIR/c.$i.out" 2>"$TEST_DIR/c.$i.err" </dev/null || rc=$?
			echo "$rc" >"$TEST_DIR/c.$i.rc"
		) &
		pids+=($!)
		track $!
	done
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	local winners=() rc msg
	for i in $(seq 20); do
		rc=$(cat "$TEST_DIR/c.$i.rc")
		if [ "$rc" = 0 ]; then
			winners+=("$i")
			[ ! -s "$TEST_DIR/c.$i.err" ] || fail "the winner printed: $(cat "$TEST_DIR/c.$i.err")"
			continue
		fi
		[ "$(wc -l <"$TEST_DIR/c.$i.err")" = 1 ] || fail "loser $i: stderr: $(cat "$TEST_DIR/c.$i.err")"
		msg=$(error_msg "$(cat "$TEST_DIR/c.$i.err")")
		assert_contains "container with given ID already exists" "$msg"
		[ ! -e "$TEST_DIR/pid.$i" ] || fail "loser $i wrote a pid file"
	done
	[ "${#winners[@]}" -eq 1 ] || fail "${#winners[@]} creates succeeded: ${winners[*]}"
	# state: created, with the winner's pid; exactly one init exists
	local pid
	pid=$(cat "$TEST_DIR/pid.${winners[0]}")
	run state_field "$ID" status
	assert_output created
	[ "$(state_field "$ID" pid)" = "$pid" ] || fail "state pid $(state_field "$ID" pid), pid file $pid"
	local d
	for d in $(find /sys/fs/cgroup -type d -name "$ID"); do
		[ "$(cat "$d/cgroup.procs")" = "$pid" ] || fail "$d holds: $(cat "$d/cgroup.procs" | tr '\n' ' ')"
	done
	[ "$(berth list -q | grep -c -x -F "$ID")" = 1 ]
	# and it is a working container, the only one with the test's environment
	berth start "$ID"
	run state_field "$ID" status
	assert_output running
	local inits
	inits=$(grep -l -a -e "BERTH_TEST_TA[G]=$TAG" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | sort -u | tr '\n' ' ')
	[ "$inits" = "$pid " ] || fail "container processes: '$inits', want only $pid"
	run berth delete --force "$ID"
	assert_status 0
	assert_no_container "$ID"
}

# ---------------------------------------------------------------- many IDs

# lifecycle ID: create, start, kill, wait for stopped, delete; the first
# failing step and its error go to $TEST_DIR/life.ID.
lifecycle() {
	local id=$1 out=$TEST_DIR/life.$1 st i
	exec >"$out" 2>&1 </dev/null
	berth create --bundle "$BUNDLE" "$id" >"$out.create" 2>&1 || { echo "create failed: $(cat "$out.create")"; return 1; }
	berth start "$id" || { echo "start failed"; return 1; }
	[ "$(berth state "$id" | jq -r .status)" = running ] || { echo "not running after start"; return 1; }
	berth kill "$id" KILL || { echo "kill failed"; return 1; }
	for ((i = 0; i < 400; i++)); do
		st=$(berth state "$id" | jq -r .status)
		[ "$st" = stopped ] && break
		sleep 0.05
	done
	[ "$st" = stopped ] || { echo "status $st 20s after kill"; return 1; }
	berth delete "$id" || { echo "delete failed"; return 1; }
	echo ok
}

@test "50 IDs created, started, killed and deleted in parallel: all succeed, nothing left" {
	set_args sleep 300
	local i id ids=() pids=() t0
	for i in $(seq 50); do
		ids+=("$(new_id "p$i")")
	done
	t0=$(now_ms)
	for id in "${ids[@]}"; do
		lifecycle "$id" &
		pids+=($!)
		track $!
	done
	local failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || failed=$((failed + 1))
	done
	note "50 parallel lifecycles: $(($(now_ms) - t0)) ms"
	local bad=
	for id in "${ids[@]}"; do
		[ "$(cat "$TEST_DIR/life.$id")" = ok ] || bad+="$id: $(tr '\n' ' ' <"$TEST_DIR/life.$id"); "
	done
	[ -z "$bad" ] && [ "$failed" -eq 0 ] || fail "$failed failed: $bad"
	run berth list -q
	assert_status 0
	assert_not_contains "$TAG"
	for id in "${ids[@]}"; do
		[ ! -e "$BERTH_ROOT/$id" ] || fail "state dir of $id left"
	done
}

# ---------------------------------------------------------------- racing the exit

# hammer NAME DELAY ARGS...: run `berth ARGS` in a loop, after DELAY seconds,
# until $TEST_DIR/stop exists; stderr to $TEST_DIR/h.NAME.err.
hammer() {
	local name=$1 delay=$2
	shift 2
	exec </dev/null >/dev/null 2>>"$TEST_DIR/h.$name.err"
	sleep "$delay"
	while [ ! -e "$TEST_DIR/stop" ]; do
		berth "$@" >/dev/null || true
	done
}

# rnd: a random delay of 0 to 0.6 s, the container's lifetime too.
rnd() {
	echo "0.$((RANDOM % 6))$((RANDOM % 10))"
}

# allowed_errors FILE...: every line is one of runc's documented errors for
# a container that exits or goes away under the caller.
allowed_errors() {
	local line msg bad=
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		msg=$(error_msg "$line")
		case $msg in
		"container not running") ;;
		"container does not exist") ;;
		"cannot delete container "*" that is not stopped: "*) ;;
		*) bad+="$line"$'\n' ;;
		esac
	done < <(cat "$@")
	[ -z "$bad" ] || fail "unexpected errors: $bad"
}

@test "kill, delete and state racing with the container's own exit: only documented errors, no stray signal" {
	local round id pid cid t0 recycled=0 tries=0 counts
	spawn_canary fixed1
	spawn_canary fixed2
	t0=$(now_ms)
	for ((round = 1; round <= RACE_ROUNDS; round++)); do
		id=$(new_id "r$round")
		# pid 1 of the container: sleep, which exits by itself after 0-0.6 s
		set_args sleep "$(rnd)"
		rm -f "$TEST_DIR/stop"
		run_nowait berth run -d --bundle "$BUNDLE" "$id"
		assert_status 0
		pid=$(state_field "$id" pid 2>/dev/null) || pid=
		local hp=()
		# harmless ones at once, deadly ones after a random delay, so that
		# they hit the container before, during or after its own exit
		hammer state 0 state "$id" &
		hp+=($!)
		hammer delete 0 delete "$id" &
		hp+=($!)
		hammer killUSR1 0 kill "$id" USR1 &
		hp+=($!)
		hammer killTERM "$(rnd)" kill "$id" TERM &
		hp+=($!)
		hammer killKILL "$(rnd)" kill "$id" KILL &
		hp+=($!)
		hammer deleteF "$(rnd)" delete --force "$id" &
		hp+=($!)
		printf '%s\n' "${hp[@]}" >>"$TEST_DIR/bg.pids"
		# as soon as the init is gone, put a canary on its pid while the
		# hammers still run: they must never signal it
		if [ -n "$pid" ] && [ "$pid" != 0 ] && [ "$pid" != null ]; then
			tries=$((tries + 1))
			local i
			for ((i = 0; i < 400; i++)); do
				[ -e "/proc/$pid" ] || break
				sleep 0.01
			done
			if spawn_canary_at "$pid" "recycled$round"; then
				recycled=$((recycled + 1))
			fi
		fi
		# hammer until the container is gone, then a little longer
		for ((i = 0; i < 200; i++)); do
			[ -e "$BERTH_ROOT/$id" ] || break
			sleep 0.05
		done
		sleep 0.3
		touch "$TEST_DIR/stop"
		for cid in "${hp[@]}"; do
			wait "$cid" || true
		done
		assert_no_container "$id"
	done
	counts=$(for f in "$TEST_DIR"/h.*.err; do
		printf '%s=%s ' "${f##*/h.}" "$(wc -l <"$f")"
	done)
	note "race: $RACE_ROUNDS rounds in $(($(now_ms) - t0)) ms; canaries on a recycled init pid: $recycled of $tries; error lines: ${counts//.err/}"
	note "race errors: $(cat "$TEST_DIR"/h.*.err | while IFS= read -r l; do error_msg "$l"; done | sed "s/$TAG-r[0-9]*/ID/" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
	allowed_errors "$TEST_DIR"/h.*.err
	canaries_untouched
}

# exited_container ID: a started container whose init has exited and whose
# pid is free again (reaped). Sets PID.
exited_container() {
	set_args sh -c 'exit 0'
	run_nowait berth create --bundle "$BUNDLE" "$1"
	assert_status 0
	PID=$(state_field "$1" pid)
	berth start "$1"
	local i
	for ((i = 0; i < 400; i++)); do
		[ -e "/proc/$PID" ] || return 0
		sleep 0.025
	done
	fail "init $PID of $1 still exists"
}

@test "a recycled init pid (a canary now has it) is never signalled by kill, state, delete or delete --force" {
	local id
	for id in "$ID" "$(new_id)"; do
		exited_container "$id"
		spawn_canary_at "$PID" "on-$id" || fail "could not get pid $PID back for a canary"
		run state_field "$id" status
		assert_output stopped
		local sig
		for sig in KILL TERM USR1 HUP; do
			run --separate-stderr berth kill "$id" "$sig"
			assert_fails
			assert_error "container not running"
		done
		run --separate-stderr berth kill --all "$id" KILL
		[ "$status" -eq 0 ] || assert_error "container not running"
		run berth ps "$id"
		if [ "$id" = "$ID" ]; then
			run berth delete "$id"
		else
			run berth delete --force "$id"
		fi
		assert_status 0
		assert_no_container "$id"
	done
	sleep 0.2
	canaries_untouched
}

@test "delete --force while create is still running (a slow createRuntime hook): both finish, nothing left" {
	printf '#!/bin/sh\ntouch "%s"\nsleep 1.5\n' "$TEST_DIR/in-hook" >"$TEST_DIR/slow-hook"
	chmod +x "$TEST_DIR/slow-hook"
	set_args sleep 300
	update_config '.hooks = {"createRuntime": [{"path": $p}]}' --arg p "$TEST_DIR/slow-hook"
	berth create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/create.out" 2>"$TEST_DIR/create.err" </dev/null &
	local cp=$! st
	track "$cp"
	# wait until the create is in its hook
	wait_for test -e "$TEST_DIR/in-hook"
	st=$(berth state "$ID" 2>&1 | jq -r .status 2>/dev/null) || st=
	note "state during the hook: ${st:-(an error)}"
	local t0 rc=0
	t0=$(now_ms)
	run --separate-stderr berth delete --force "$ID"
	note "delete --force during create: exit $status after $(($(now_ms) - t0)) ms"
	assert_status 0
	wait "$cp" || rc=$?
	note "the create: exit $rc: $(cat "$TEST_DIR/create.err")"
	[ "$rc" -eq 0 ] || [ "$(wc -l <"$TEST_DIR/create.err")" -eq 1 ] || fail "create failed with: $(cat "$TEST_DIR/create.err")"
	# a delete --force that succeeded means gone: the create must not
	# bring the container back after it
	assert_no_container "$ID"
}
