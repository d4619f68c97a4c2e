#!/usr/bin/env bats
# Signals and reaping: foreground run and exec forward signals to the
# container's process and exit with its status (128+N when killed by signal
# N); run is a subreaper unless --no-subreaper and reaps orphans; kill --all
# reaches every process of the cgroup; kill never reaches a stopped
# container's (possibly recycled) pid.

load helpers

# start_bg ARGS...: the runtime in the background, with no timeout wrapper
# so that BG is the runtime's own pid (signals sent to BG reach it).
start_bg() {
	"$BERTH" --root "$BERTH_ROOT" "$@" >"$TEST_DIR/bg.out" 2>"$TEST_DIR/bg.err" </dev/null 3>&- &
	BG=$!
	track "$BG"
}

# wait_bg STATUS: wait for the background runtime; it must exit with STATUS.
wait_bg() {
	local rc=0
	wait_for pid_gone "$BG"
	wait "$BG" || rc=$?
	[ "$rc" = "$1" ] || fail "runtime exited $rc, want $1; stderr: $(cat "$TEST_DIR/bg.err")"
}

# trapper_script FILE: a shell script that appends the name of each
# signal it gets (HUP INT QUIT USR1 USR2 ALRM) to FILE, and exits 7 on TERM.
trapper_script() {
	cat <<EOF
for s in HUP INT QUIT USR1 USR2 ALRM; do trap "echo \$s >>$1" \$s; done
trap "echo TERM >>$1; exit 7" TERM
echo ready >$1.ready
while :; do sleep 0.05; done
EOF
}

# sigs_are FILE LINES...: FILE holds exactly LINES (polls: traps run
# between the sleeps).
sigs_are() {
	local f=$1 want
	shift
	want=$(printf '%s\n' "$@")
	check() { [ "$(cat "$f" 2>/dev/null)" = "$want" ]; }
	wait_for check || fail "signals received: '$(cat "$f" 2>/dev/null | tr '\n' ' ')', want '$*'"
}

# send_each PID FILE SIG...: send each SIG to PID, one at a time (a second
# pending signal of a kind would merge with the first), checking FILE.
send_each() {
	local pid=$1 f=$2 sig got=()
	shift 2
	for sig in "$@"; do
		kill -s "$sig" "$pid"
		got+=("$sig")
		sigs_are "$f" "${got[@]}"
	done
}

@test "foreground run forwards HUP INT QUIT USR1 USR2 ALRM and TERM to the container" {
	share_dir
	trapper_script /mnt/sigs >"$SHARED/trap.sh"
	set_args sh /mnt/trap.sh
	start_bg run --bundle "$BUNDLE" "$ID"
	wait_for_file "$SHARED/sigs.ready"
	send_each "$BG" "$SHARED/sigs" HUP INT QUIT USR1 USR2 ALRM
	# berth itself is still there, and so is the container
	run state_field "$ID" status
	assert_output running
	kill -TERM "$BG"
	sigs_are "$SHARED/sigs" HUP INT QUIT USR1 USR2 ALRM TERM
	# the trap's exit status is berth's
	wait_bg 7
	assert_no_container "$ID"
}

# berth runs in its own process group here, as a shell's foreground job
# would: a signal to the group (^C on a terminal) reaches berth, which
# forwards it. The container's processes lead their own session (as
# runc's do), so they get each signal once, not once more from the group.
@test "a signal to the foreground run's process group reaches the container once" {
	share_dir
	trapper_script /mnt/sigs >"$SHARED/trap.sh"
	set_args sh /mnt/trap.sh
	setsid "$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/bg.out" 2>"$TEST_DIR/bg.err" </dev/null 3>&- &
	BG=$!
	track "$BG"
	wait_for_file "$SHARED/sigs.ready"
	local pgid
	pgid=$(ps -o pgid= -p "$BG" | tr -d ' ')
	[ "$pgid" = "$BG" ] || fail "berth is not its group's leader (pgid $pgid, pid $BG)"
	kill -INT -- "-$pgid"
	kill -USR1 -- "-$pgid"
	sigs_are "$SHARED/sigs" INT USR1
	sleep 0.3 # a second delivery would have been trapped by now
	sigs_are "$SHARED/sigs" INT USR1
	kill -TERM "$BG"
	wait_bg 7
}

# 32 to 34 are libc's (musl, which berth links, keeps 34 too), and the Go
# runtime, runc's as well as berth's, leaves them alone.
@test "foreground run forwards real-time signals from SIGRTMIN (35) to 64" {
	share_dir
	cat >"$SHARED/trap.sh" <<'EOF'
for s in 35 36 50 64; do trap "echo $s >>/mnt/sigs" $s; done
trap "echo TERM >>/mnt/sigs; exit 7" TERM
echo ready >/mnt/sigs.ready
while :; do sleep 0.05; done
EOF
	set_args sh /mnt/trap.sh
	start_bg run --bundle "$BUNDLE" "$ID"
	wait_for_file "$SHARED/sigs.ready"
	send_each "$BG" "$SHARED/sigs" 35 36 50 64
	kill -TERM "$BG"
	sigs_are "$SHARED/sigs" 35 36 50 64 TERM
	wait_bg 7
}

@test "foreground run exits 128+N when the container process is killed by signal N" {
	# no pid namespace, so that the process is not an init immune to signals
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_args sleep 300
	start_bg run --bundle "$BUNDLE" "$ID"
	wait_for_status "$ID" running
	kill -TERM "$BG"
	wait_bg 143
	assert_no_container "$ID"

	set_cmd 'kill -USR2 $$'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 140

	# with a pid namespace: KILL from berth kill
	update_config '.linux.namespaces += [{"type": "pid"}]'
	set_args sleep 300
	start_bg run --bundle "$BUNDLE" "$ID"
	wait_for_status "$ID" running
	berth kill "$ID" KILL
	wait_bg 137
	assert_no_container "$ID"
}

@test "foreground exec forwards signals to the exec'd process and returns its status" {
	share_dir
	trapper_script /mnt/esigs >"$SHARED/trap.sh"
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	local init
	init=$(state_field "$ID" pid)
	start_bg exec "$ID" sh /mnt/trap.sh
	wait_for_file "$SHARED/esigs.ready"
	send_each "$BG" "$SHARED/esigs" HUP INT QUIT USR1 USR2 ALRM
	kill -TERM "$BG"
	sigs_are "$SHARED/esigs" HUP INT QUIT USR1 USR2 ALRM TERM
	wait_bg 7
	# the container's init got none of them
	[ "$(state_field "$ID" pid)" = "$init" ]
	run state_field "$ID" status
	assert_output running
	# a forwarded TERM that kills the exec'd process: 128+15
	start_bg exec --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 301
	wait_for_file "$TEST_DIR/exec.pid"
	kill -TERM "$BG"
	wait_bg 143
	run state_field "$ID" status
	assert_output running
}

@test "run is a subreaper: orphans are reparented to it and reaped (no pid namespace)" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	cat >"$SHARED/c.sh" <<'EOF'
sh -c 'sleep 300 & echo $! >/mnt/o1'
mv /mnt/o1 /mnt/orphan
sh -c '(while [ ! -e /mnt/die ]; do sleep 0.05; done) & echo $! >/mnt/o2'
mv /mnt/o2 /mnt/orphan2
while [ ! -e /mnt/go ]; do sleep 0.05; done
EOF
	set_args sh /mnt/c.sh
	start_bg run --bundle "$BUNDLE" "$ID"
	wait_for_file "$SHARED/orphan"
	wait_for_file "$SHARED/orphan2"
	local orphan orphan2 ppid
	orphan=$(cat "$SHARED/orphan")
	orphan2=$(cat "$SHARED/orphan2")
	ppid_is() { ppid=$(awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null); [ "$ppid" = "$2" ]; }
	wait_for ppid_is "$orphan" "$BG" || fail "orphan's parent is $ppid, want the runtime ($BG)"
	wait_for ppid_is "$orphan2" "$BG" || fail "orphan2's parent is $ppid, want the runtime ($BG)"
	# an orphan that exits is reaped by berth: no zombie is left
	touch "$SHARED/die"
	gone() { [ ! -e "/proc/$1" ]; }
	wait_for gone "$orphan2" || fail "orphan2 $orphan2 not reaped: $(grep State "/proc/$orphan2/status" 2>/dev/null)"
	[ -e "/proc/$BG" ] && [ -d "/proc/$orphan" ] || fail "runtime or orphan gone too early"
	touch "$SHARED/go"
	wait_bg 0
	# the container is deleted, and what it left is killed with it
	wait_for pid_gone "$orphan"
	assert_no_container "$ID"
}

@test "run --no-subreaper: orphans are not reparented to berth" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'sh -c "sleep 300 & echo \$! >/mnt/o1"; mv /mnt/o1 /mnt/orphan; while [ ! -e /mnt/go ]; do sleep 0.05; done'
	start_bg run --no-subreaper --bundle "$BUNDLE" "$ID"
	wait_for_file "$SHARED/orphan"
	local orphan ppid
	orphan=$(cat "$SHARED/orphan")
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$orphan/status")
	[ -n "$ppid" ] && [ "$ppid" != "$BG" ] || fail "orphan's parent is the runtime ($ppid) despite --no-subreaper"
	grep -q 'sleep' "/proc/$orphan/cmdline"
	touch "$SHARED/go"
	wait_bg 0
	wait_for pid_gone "$orphan"
}

@test "kill --all reaches every process in the container's cgroup, exec'd ones too" {
	share_dir
	cat >"$SHARED/child.sh" <<'EOF'
trap "echo $1 >>/mnt/got; exit 0" TERM
echo $1 >>/mnt/ready
while :; do sleep 0.05; done
EOF
	cat >"$SHARED/init.sh" <<'EOF'
for i in 1 2 3; do sh /mnt/child.sh child$i & done
trap "echo init >>/mnt/got" TERM
echo init >>/mnt/ready
while :; do sleep 0.05; done
EOF
	set_args sh /mnt/init.sh
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	berth exec -d "$ID" sh /mnt/child.sh exec1
	count() { [ "$(wc -l <"$SHARED/ready" 2>/dev/null)" = "$1" ]; }
	wait_for count 5
	run berth kill --all "$ID" TERM
	assert_status 0
	got() { [ "$(sort "$SHARED/got" 2>/dev/null | tr '\n' ' ')" = "child1 child2 child3 exec1 init " ]; }
	wait_for got || fail "got TERM: $(sort "$SHARED/got" 2>/dev/null | tr '\n' ' ')"
	run state_field "$ID" status
	assert_output running
	berth kill "$ID" KILL
	wait_for_status "$ID" stopped
}

@test "kill --all of a stopped container kills what its init left in the cgroup (no pid namespace)" {
	# what containerd's shim does when the init of a container without a pid
	# namespace exits: kill --all KILL on the stopped container
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_cmd 'sleep 300 & echo $! >/mnt/bg; exit 0'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	wait_for_file "$SHARED/bg"
	local bg
	bg=$(cat "$SHARED/bg")
	! pid_gone "$bg" || fail "the leftover process is already gone"
	run --separate-stderr berth kill --all "$ID" KILL
	assert_status 0
	wait_for pid_gone "$bg"
}

@test "kill KILL without a pid namespace ends every process of the container, init alive or gone (newer runc)" {
	share_dir
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_args sleep 300
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	berth exec -d --pid-file "$TEST_DIR/side.pid" "$ID" sleep 301 </dev/null >/dev/null 2>&1
	local side
	side=$(cat "$TEST_DIR/side.pid")
	berth kill "$ID" KILL
	wait_for_status "$ID" stopped
	wait_for pid_gone "$side"
	berth delete "$ID"
	# The init gone, a process it left: kill KILL ends it and succeeds.
	set_cmd 'sleep 300 & echo $! >/mnt/bg; exit 0'
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	wait_for_status "$ID" stopped
	wait_for_file "$SHARED/bg"
	local bg
	bg=$(cat "$SHARED/bg")
	! pid_gone "$bg" || fail "the leftover process is already gone"
	run --separate-stderr berth kill "$ID" KILL
	assert_status 0
	wait_for pid_gone "$bg"
}

@test "kill never reaches a dead init's pid: container not running" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	kill -9 "$pid"
	wait_for pid_gone "$pid"
	run --separate-stderr berth kill "$ID" KILL
	assert_status 1
	assert_error "container not running"
	run state_field "$ID" status
	assert_output stopped
}

@test "kill never reaches a recycled pid: another process at the recorded pid" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	kill -9 "$pid"
	wait_for pid_gone "$pid"
	# a host process now holds the pid the state records (the runtimes'
	# own state.json: berth's init_pid, runc's init_process_pid)
	sleep 300 </dev/null >/dev/null 2>&1 3>&- &
	local other=$!
	track "$other"
	local st=$BERTH_ROOT/$ID/state.json
	[ -f "$st" ] || skip "no $st"
	jq --argjson p "$other" 'if has("init_pid") then .init_pid = $p else .init_process_pid = $p end' "$st" >"$st.new"
	mv "$st.new" "$st"
	run --separate-stderr berth kill "$ID" KILL
	assert_status 1
	assert_error "container not running"
	run state_field "$ID" status
	assert_output stopped
	run berth delete "$ID"
	assert_status 0
	# the process at the recycled pid was never signalled
	sleep 0.2
	[ -d "/proc/$other" ] && ! pid_gone "$other" || fail "the recycled pid $other was killed"
	kill "$other"
}

@test "a SIGTERM sent through --pidfd-socket the moment create hands out the pidfd stops the container (20 times)" {
	# The init sets its handlers before it says "ready": a pid
	# namespace's init without one would drop the signal, and the
	# container would stay created (seen 2 times in 30 before).
	build_tool recvtty
	set_args sleep 300
	local i rpid id
	for i in $(seq 20); do
		id=$(new_id "p$i")
		rm -f "$TEST_DIR/pidfd.sock"
		"$RECVTTY_BIN" -pidfd -signal 15 "$TEST_DIR/pidfd.sock" >/dev/null 2>"$TEST_DIR/pidfd.err" 3>&- &
		rpid=$!
		track "$rpid"
		wait_for test -S "$TEST_DIR/pidfd.sock"
		berth create --pidfd-socket "$TEST_DIR/pidfd.sock" --bundle "$BUNDLE" "$id" </dev/null
		wait "$rpid" || fail "recvtty: $(cat "$TEST_DIR/pidfd.err")"
		wait_for_status "$id" stopped
		berth delete "$id"
	done
}
