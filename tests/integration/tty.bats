#!/usr/bin/env bats
# Terminals: process.terminal with --console-socket (the pty master sent over
# a unix socket to tests/cmd/recvtty), and the pty berth proxies itself in
# the foreground (driven under util-linux `script`, which gives it a
# terminal): output, input, raw mode, restoring the caller's terminal,
# window size and SIGWINCH.

load helpers

setup_file() {
	build_tool recvtty
}

# start_recvtty MODE [STDIN]: recvtty listening on $SOCK, writing the pty
# name it receives to $TEST_DIR/ptyname and what the pty prints to
# $TEST_DIR/tty.out.
start_recvtty() {
	SOCK=$TEST_DIR/tty.sock
	"$RECVTTY_BIN" -mode "$1" -pty-name-file "$TEST_DIR/ptyname" "$SOCK" \
		<"${2:-/dev/null}" >"$TEST_DIR/tty.out" 2>"$TEST_DIR/tty.err" 3>&- &
	RECV_PID=$!
	track "$RECV_PID"
	wait_for test -S "$SOCK"
}

# wait_recvtty: wait until recvtty ends (the pty hung up: every process that
# had it is gone); it must have got exactly one fd and a payload (exit 0).
# The pty's output, without CRs, in $TTY_OUT.
wait_recvtty() {
	local rc=0
	wait_for pid_gone "$RECV_PID"
	wait "$RECV_PID" || rc=$?
	[ "$rc" = 0 ] || fail "recvtty: exit $rc: $(cat "$TEST_DIR/tty.err")"
	TTY_OUT=$(tr -d '\r' <"$TEST_DIR/tty.out")
}

# in_terminal SCRIPT: run the shell SCRIPT under `script`, in a new pty of
# 100x30 whose settings are saved before and after (stty.before/after).
# $RT in SCRIPT is the runtime with its state root. Sets status and
# output (CRs and the terminal's echo of NUL removed).
in_terminal() {
	local rt="timeout --foreground -k 5 $BERTH_TIMEOUT $BERTH --root $BERTH_ROOT"
	local body="RT='$rt'
stty cols 100 rows 30
stty -g >'$TEST_DIR/stty.before'
$1
echo status=\$?
stty -g >'$TEST_DIR/stty.after'"
	run script -qec "$body" /dev/null
	output=$(printf '%s' "$output" | tr -d '\r\000' | sed 's/\^@//g')
	mapfile -t lines <<<"$output"
}

# assert_terminal_restored: the caller's terminal settings after berth are
# what they were before.
assert_terminal_restored() {
	local before after
	before=$(cat "$TEST_DIR/stty.before")
	after=$(cat "$TEST_DIR/stty.after")
	[ -n "$before" ] || fail "no stty -g before"
	[ "$before" = "$after" ] || fail "terminal settings not restored: before $before, after $after"
}

# a pty name as `tty` prints it and berth sends it
pty_name_re='^/dev/pts/[0-9]+$'

@test "create --console-socket: one pty fd, the process's stdio, tty and consoleSize" {
	update_config '.process.terminal = true | .process.consoleSize = {"height": 25, "width": 90}'
	set_cmd 'tty; stty size; ls -1 /proc/$$/fd
		[ "$(stat -c %t:%T /dev/console)" = "$(stat -L -c %t:%T /proc/$$/fd/0)" ] && echo console-is-the-pty
		echo done'
	start_recvtty single
	run_nowait berth create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_status 0
	run state_field "$ID" status
	assert_output created
	berth start "$ID"
	wait_recvtty
	local name
	name=$(head -n1 <<<"$TTY_OUT")
	[[ "$name" =~ $pty_name_re ]] || fail "tty printed: $TTY_OUT"
	# stdio are the pty and nothing else is open; /dev/console is the pty too
	[ "$TTY_OUT" = "$name
25 90
0
1
2
console-is-the-pty
done" ] || fail "output: $TTY_OUT"
	# create's own stdio got nothing of the process
	[ ! -s "$TEST_DIR/nowait.out" ]
	wait_for_status "$ID" stopped
}

@test "the console socket message's payload is the pty name" {
	update_config '.process.terminal = true'
	set_args tty
	start_recvtty null
	run_nowait berth run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_recvtty
	run cat "$TEST_DIR/ptyname"
	# runc 1.1.5 sends "/dev/ptmx" (the master's file name) instead
	[[ "$output" =~ $pty_name_re ]] || fail "payload: '$output', want /dev/pts/N"
}

@test "run -d --console-socket: stdin and stdout through the pty" {
	update_config '.process.terminal = true'
	set_cmd 'read l; echo "got $l"; tty'
	printf 'hello-in\n' >"$TEST_DIR/input"
	start_recvtty single "$TEST_DIR/input"
	run_nowait berth run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output ""
	wait_recvtty
	assert_contains "got hello-in" "$TTY_OUT"
	[[ "$(tail -n1 <<<"$TTY_OUT")" =~ $pty_name_re ]] || fail "output: $TTY_OUT"
	wait_for_status "$ID" stopped
}

@test "exec -t -d --console-socket: the exec'd process gets its own pty" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	start_recvtty single
	run_nowait berth exec -t -d --console-socket "$SOCK" "$ID" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; echo done'
	assert_status 0
	assert_output ""
	wait_recvtty
	local name
	name=$(head -n1 <<<"$TTY_OUT")
	[[ "$name" =~ $pty_name_re ]] || fail "output: $TTY_OUT"
	[ "$TTY_OUT" = "$name
all-tty
done" ] || fail "output: $TTY_OUT"
	# the container's init has no terminal
	run berth exec "$ID" sh -c 'tty; ls -l /proc/1/fd/0'
	assert_contains "not a tty"
	assert_not_contains "/dev/pts/"
}

@test "exec -d -p process.json with terminal and consoleSize" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	cat >"$TEST_DIR/process.json" <<'EOF'
{
	"terminal": true,
	"consoleSize": {"height": 33, "width": 111},
	"user": {"uid": 0, "gid": 0},
	"args": ["sh", "-c", "tty; stty size"],
	"env": ["PATH=/bin"],
	"cwd": "/"
}
EOF
	start_recvtty single
	run_nowait berth exec -d --console-socket "$SOCK" -p "$TEST_DIR/process.json" "$ID"
	assert_status 0
	wait_recvtty
	[[ "$(head -n1 <<<"$TTY_OUT")" =~ $pty_name_re ]] || fail "output: $TTY_OUT"
	[ "$(tail -n1 <<<"$TTY_OUT")" = "33 111" ] || fail "output: $TTY_OUT"
}

@test "a terminal without a console socket while detaching fails and leaves nothing" {
	update_config '.process.terminal = true'
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "cannot allocate tty if " "$stderr"
	assert_contains " will detach without setting console socket" "$stderr"
	assert_no_container "$ID"
	run_nowait berth run -d --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "will detach without setting console socket" "$stderr"
	assert_no_container "$ID"
	# exec -t -d likewise, and the container is left alone
	update_config '.process.terminal = false'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run_nowait berth exec -t -d "$ID" sleep 300
	assert_status 255
	assert_contains "will detach without setting console socket" "$stderr"
	run berth ps -f json "$ID"
	assert_output "[$(state_field "$ID" pid)]"
}

@test "a console socket without a terminal, or without detaching, is refused like runc" {
	# runc's checkTerminal: "cannot use console socket if runc will not
	# detach or allocate tty"; nothing needs to listen on the socket.
	local sock=$TEST_DIR/nobody.sock
	set_args sleep 300
	run_nowait berth create --console-socket "$sock" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "cannot use console socket if " "$stderr"
	assert_no_container "$ID"
	update_config '.process.terminal = true'
	set_args true
	run --separate-stderr berth run --console-socket "$sock" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "cannot use console socket if " "$stderr"
	assert_no_container "$ID"
	update_config '.process.terminal = false'
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run --separate-stderr berth exec -d --console-socket "$sock" "$ID" true
	assert_status 255
	assert_contains "cannot use console socket if " "$stderr"
	run --separate-stderr berth exec -t --console-socket "$sock" "$ID" true
	assert_status 255
	assert_contains "cannot use console socket if " "$stderr"
}

@test "run in the foreground with a terminal: berth proxies the pty, restores the caller's terminal" {
	update_config '.process.terminal = true'
	set_cmd 'tty; stty size; echo hello-from-tty; exit 3'
	in_terminal "\$RT run --bundle '$BUNDLE' '$ID'"
	assert_status 0
	[[ "${lines[0]}" =~ $pty_name_re ]] || fail "output: $output"
	[ "${lines[1]}" = "30 100" ] || fail "window size not passed on: $output"
	[ "${lines[2]}" = hello-from-tty ] || fail "output: $output"
	[ "${lines[3]}" = status=3 ] || fail "exit status not passed on: $output"
	assert_terminal_restored
	assert_no_container "$ID"
}

@test "exec -t in the foreground: berth proxies the pty, restores the caller's terminal" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	# the size may be set just after the process starts: wait for it
	in_terminal "\$RT exec -t '$ID' sh -c 'tty; i=0; while [ \"\$(stty size)\" = \"0 0\" ] && [ \$i -lt 40 ]; do sleep 0.05; i=\$((i+1)); done; stty size; echo hello-exec; exit 4'"
	assert_status 0
	[[ "${lines[0]}" =~ $pty_name_re ]] || fail "output: $output"
	[ "${lines[1]}" = "30 100" ] || fail "window size not passed on: $output"
	[ "${lines[2]}" = hello-exec ] || fail "output: $output"
	[ "${lines[3]}" = status=4 ] || fail "exit status not passed on: $output"
	assert_terminal_restored
	run state_field "$ID" status
	assert_output running
}

@test "input through the proxied pty reaches the process; the caller's terminal is raw meanwhile" {
	share_dir
	update_config '.process.terminal = true'
	set_cmd 'echo ready >/mnt/ready; read l; echo "got $l"; stty -g >/mnt/inner'
	# script's stdin is the feeder: it types once the container reads
	run script -qec "timeout --foreground -k 5 $BERTH_TIMEOUT $BERTH --root $BERTH_ROOT run --bundle $BUNDLE $ID; echo status=\$?" /dev/null \
		< <(
			for ((i = 0; i < 200; i++)); do [ -e "$SHARED/ready" ] && break; sleep 0.05; done
			sleep 0.2
			printf 'typed-%s\n' "$TAG"
			sleep 1
		)
	output=$(printf '%s' "$output" | tr -d '\r\000' | sed 's/\^@//g')
	assert_contains "got typed-$TAG"
	assert_contains "status=0"
	# echoed once, by the container's pty: the caller's terminal did not
	# echo too (raw), and did not turn the typed LF into CR LF twice
	[ "$(grep -c "^typed-$TAG\$" <<<"$output")" = 1 ] || fail "typed line echoed $(grep -c "^typed-$TAG\$" <<<"$output") times: $output"
}

@test "SIGWINCH: a resize of the caller's terminal reaches the container" {
	share_dir
	update_config '.process.terminal = true'
	cat >"$SHARED/c.sh" <<'EOF'
trap 'echo "winch $(stty size)"; stty size >/mnt/size' WINCH
echo "start $(stty size)"
echo ready >/mnt/ready
while [ ! -e /mnt/stop ]; do sleep 0.05; done
echo end
EOF
	set_args sh /mnt/c.sh
	# a helper in the background resizes the terminal once the container
	# runs (the kernel sends SIGWINCH to berth, in the foreground group),
	# waits for the container to see it, then lets it end
	in_terminal "(
	for i in \$(seq 200); do [ -e '$SHARED/ready' ] && break; sleep 0.05; done
	stty cols 120 rows 40 </dev/tty
	for i in \$(seq 200); do [ \"\$(cat '$SHARED/size' 2>/dev/null)\" = '40 120' ] && break; sleep 0.05; done
	touch '$SHARED/stop'
) &
\$RT run --bundle '$BUNDLE' '$ID'"
	assert_status 0
	assert_contains "start 30 100"
	assert_contains "winch 40 120"
	assert_contains "end"
	assert_contains "status=0"
	[ "$(cat "$SHARED/size")" = "40 120" ]
}

@test "exec -t with stdin not a terminal: output still flows, without CRs" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run --separate-stderr berth exec -t "$ID" sh -c 'tty; echo hello; exit 5'
	assert_status 5
	[[ "${lines[0]}" =~ $pty_name_re ]] || fail "output: $output"
	[ "${lines[1]}" = hello ] || fail "output: $(printf '%q' "$output")"
}

@test "a non-root process owns its pty and can reopen it (/dev/stdout), run and exec -t" {
	update_config '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'stat -c "owner=%u" $(tty); echo via-reopen >/dev/stdout'
	start_recvtty single
	run_nowait berth run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_recvtty
	assert_contains "owner=1000" "$TTY_OUT"
	assert_contains "via-reopen" "$TTY_OUT"
	assert_not_contains "ermission denied" "$TTY_OUT"

	local id2
	id2=$(new_id)
	update_config '.process.terminal = false | .process.user = {"uid": 0, "gid": 0}'
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$id2"
	berth start "$id2"
	in_terminal "\$RT exec -t -u 1000 '$id2' sh -c 'stat -c owner=%u \$(tty); echo via-reopen >/dev/stdout'"
	assert_status 0
	assert_contains "owner=1000"
	assert_contains "via-reopen"
	assert_not_contains "ermission denied"
	assert_contains "status=0"
}

@test "exec into a container that has a terminal: no terminal unless -t" {
	update_config '.process.terminal = true'
	set_args sleep 300
	start_recvtty null
	run_nowait berth run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_status 0
	run berth exec "$ID" tty
	assert_status 1
	assert_output "not a tty"
	# the init has the pty
	local pid
	pid=$(state_field "$ID" pid)
	[[ "$(readlink "/proc/$pid/fd/0")" == /dev/pts/* ]] || fail "init's stdin: $(readlink "/proc/$pid/fd/0")"
	berth kill "$ID" KILL
	wait_recvtty
}

@test "Ctrl-C typed at the proxied terminal goes to the container's pty, not to berth" {
	share_dir
	update_config '.process.terminal = true'
	set_cmd 'trap "echo got-int; exit 3" INT; echo ready >/mnt/ready; while :; do sleep 0.05; done'
	run script -qec "timeout --foreground -k 5 $BERTH_TIMEOUT $BERTH --root $BERTH_ROOT run --bundle $BUNDLE $ID; echo status=\$?" /dev/null \
		< <(
			for ((i = 0; i < 200; i++)); do [ -e "$SHARED/ready" ] && break; sleep 0.05; done
			sleep 0.2
			printf '\003'
			sleep 1
		)
	output=$(printf '%s' "$output" | tr -d '\r\000' | sed 's/\^@//g')
	assert_contains "got-int"
	assert_contains "status=3"
}

@test "a console socket nobody listens on: create and exec -t -d fail and leave nothing" {
	update_config '.process.terminal = true'
	set_args sleep 300
	run_nowait berth create --console-socket "$TEST_DIR/nobody.sock" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "nobody.sock" "$stderr"
	assert_no_container "$ID"
	update_config '.process.terminal = false'
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run_nowait berth exec -t -d --console-socket "$TEST_DIR/nobody.sock" "$ID" sleep 301
	assert_status 255
	assert_contains "nobody.sock" "$stderr"
	run berth ps -f json "$ID"
	assert_output "[$(state_field "$ID" pid)]"
}

# fields 1, 5 and 6 of /proc/self/stat: pid, process group, session
@test "session: the init and each exec'd process lead their own session, with a terminal or without (as runc)" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run berth exec "$ID" cut -d' ' -f1,5,6 /proc/1/stat
	assert_output "1 1 1"
	run berth exec "$ID" sh -c 'cut -d" " -f1,5,6 /proc/self/stat'
	assert_status 0
	local pid=${output%% *}
	[ "$output" = "$pid $pid $pid" ] || fail "exec'd process: pid, pgrp, session: $output"
	in_terminal "\$RT exec -t '$ID' sh -c 'cut -d\" \" -f1,5,6 /proc/self/stat'"
	pid=${lines[0]%% *}
	[ "${lines[0]}" = "$pid $pid $pid" ] || fail "exec -t: pid, pgrp, session: $output"
}
