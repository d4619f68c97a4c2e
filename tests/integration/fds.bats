#!/usr/bin/env bats
# File descriptors: nothing of berth or of its caller reaches the container
# but stdio, --preserve-fds and LISTEN_FDS; stdio pass through as they are
# (pipes, files, a closed stdin), in the foreground and detached, except
# that the host's /dev/null becomes the container's (as with runc).

load helpers

# fd_link PID N: what fd N of PID is, as the host sees it, or "closed".
fd_link() {
	readlink "/proc/$1/fd/$2" 2>/dev/null || echo closed
}

# assert_same_stdio PID REF: fds 0, 1 and 2 of PID are those of REF.
assert_same_stdio() {
	local n
	for n in 0 1 2; do
		[ "$(fd_link "$1" "$n")" = "$(fd_link "$2" "$n")" ] ||
			fail "fd $n of the container process is '$(fd_link "$1" "$n")', the caller gave '$(fd_link "$2" "$n")'"
	done
}

# assert_fd PID N WANT: fd N of PID is WANT (see fd_link).
assert_fd() {
	local got
	got=$(fd_link "$1" "$2")
	[ "$got" = "$3" ] || fail "fd $2 of $1 ($(cmdline "$1")) is '$got', want '$3'"
}

# start_bg ARGS...: the runtime in the background with the caller's
# redirections (and no timeout wrapper, so that BG is the runtime's pid).
start_bg() {
	# 0<&0: an explicit stdin, or the shell gives the job /dev/null
	"$BERTH" --root "$BERTH_ROOT" "$@" 0<&0 3>&- &
	BG=$!
	track "$BG"
}

# wait_bg STATUS: wait for the background runtime; it must exit with STATUS.
wait_bg() {
	local rc=0
	wait_for pid_gone "$BG"
	wait "$BG" || rc=$?
	[ "$rc" = "$1" ] || fail "runtime exited $rc, want $1"
}

# is_cmd PID CMDLINE: PID runs CMDLINE (after its exec).
is_cmd() {
	[ "$(cmdline "$1")" = "$2" ]
}

# without_stdin CMD...: CMD with fd 0 closed (closed here, inside bats'
# `run`, so that its output pipe cannot take fd 0).
without_stdin() {
	"$@" 0<&-
}

# start_container: create and start $ID running sleep 300; INIT_PID.
start_container() {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	INIT_PID=$(state_field "$ID" pid)
}

# The container's own listing of its fds: those of ls itself (0 1 2 and the
# directory it reads), "-", then those of the shell that runs it (no pipes:
# the shell must hold no fd of its own while ls looks).
LIST_FDS='ls -1 /proc/self/fd; echo -; ls -1 /proc/$$/fd; :'

# fds_are SELF SHELL: $output is the LIST_FDS listing of ls's fds SELF and
# the shell's fds SHELL (space-separated), after any lines before it.
fds_are() {
	local want got
	want=$(printf '%s\n' $1 - $2)
	got=$(tail -n "$(wc -l <<<"$want")" <<<"$output")
	[ "$got" = "$want" ] || fail "fds (ls's, then the shell's): $(echo $got), want $(echo $want); output: $output"
}

@test "run: no fd of the caller or of berth reaches the container" {
	exec 7</etc/hostname 8>"$TEST_DIR/x" 9</dev/null
	set_cmd "$LIST_FDS"
	# berth_fds keeps every fd of the caller (3 is bats' own); --log opens one more
	run --separate-stderr berth_fds --log "$TEST_DIR/berth.log" run --bundle "$BUNDLE" "$ID"
	exec 7<&- 8>&- 9<&-
	assert_status 0
	fds_are "0 1 2 3" "0 1 2"
}

@test "exec: no fd of the caller or of berth reaches the exec'd process" {
	start_container
	exec 7</etc/hostname 8>"$TEST_DIR/x" 9</dev/null
	run --separate-stderr berth_fds --log "$TEST_DIR/berth.log" exec "$ID" sh -c "$LIST_FDS"
	exec 7<&- 8>&- 9<&-
	assert_status 0
	fds_are "0 1 2 3" "0 1 2"
	# with a terminal (berth proxies it) too, under `script` for a terminal
	echo "$LIST_FDS" >"$TEST_DIR/list.sh"
	run script -qec "timeout --foreground 60 $BERTH --root $BERTH_ROOT --log $TEST_DIR/berth.log exec -t $ID sh -c \"\$(cat $TEST_DIR/list.sh)\" 7</etc/hostname" /dev/null
	assert_status 0
	output=$(printf '%s' "$output" | tr -d '\r\000' | sed 's/\^@//g')
	fds_are "0 1 2 3" "0 1 2"
}

@test "create and start: the container's process holds only its stdio" {
	exec 7</etc/hostname 8>"$TEST_DIR/x" 9</dev/null
	set_args sleep 300
	berth_fds --log "$TEST_DIR/berth.log" create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	berth_fds start "$ID"
	exec 7<&- 8>&- 9<&-
	local pid
	pid=$(state_field "$ID" pid)
	wait_for is_cmd "$pid" "sleep 300"
	run ls "/proc/$pid/fd"
	assert_output "0
1
2"
	# and an exec'd detached process likewise
	run_nowait berth_fds exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 301 7</etc/hostname
	assert_status 0
	run ls "/proc/$(cat "$TEST_DIR/exec.pid")/fd"
	assert_output "0
1
2"
}

@test "--preserve-fds 2 passes exactly fds 3 and 4 to run and exec" {
	echo three >"$TEST_DIR/f3"
	echo four >"$TEST_DIR/f4"
	echo five >"$TEST_DIR/f5"
	set_cmd "cat <&3; cat <&4; $LIST_FDS"
	run --separate-stderr berth_fds run --preserve-fds 2 --bundle "$BUNDLE" "$ID" \
		3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f5" 6<"$TEST_DIR/f5"
	assert_status 0
	assert_output "three
four
$(printf '%s\n' 0 1 2 3 4 5 - 0 1 2 3 4)"
	start_container
	run --separate-stderr berth_fds exec --preserve-fds 2 "$ID" sh -c "cat <&3; cat <&4; $LIST_FDS" \
		3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f5" 6<"$TEST_DIR/f5"
	assert_status 0
	assert_output "three
four
$(printf '%s\n' 0 1 2 3 4 5 - 0 1 2 3 4)"
}

@test "--preserve-fds or LISTEN_FDS past the fds the caller passed fail: berth's own fds never reach the container" {
	# The caller passes fd 3 only: fd 4 on would be berth's own (the state
	# dir's lock, the init pipe); a host directory fd is a way out of the
	# container, and the lock held by the container would block start.
	echo three >"$TEST_DIR/f3"
	set_args true
	run --separate-stderr berth_fds run --preserve-fds 2 --bundle "$BUNDLE" "$ID" 3<"$TEST_DIR/f3" 4<&-
	assert_status 1
	assert_error "unable to stat preserved-fd 1 (of 2): stat /proc/self/fd/4: no such file or directory" # runc's words
	assert_no_container "$ID"
	run --separate-stderr berth_fds create --preserve-fds 1 --bundle "$BUNDLE" "$ID" 3<&-
	assert_status 1
	assert_error "unable to stat preserved-fd 0 (of 1): stat /proc/self/fd/3: no such file or directory"
	assert_no_container "$ID"
	# a hole counts: fds 3 and 5, but not 4
	run --separate-stderr berth_fds run --preserve-fds 3 --bundle "$BUNDLE" "$ID" 3<"$TEST_DIR/f3" 4<&- 5<"$TEST_DIR/f3"
	assert_status 1
	assert_error "unable to stat preserved-fd 1 (of 3): stat /proc/self/fd/4: no such file or directory"
	run --separate-stderr sh -c 'export LISTEN_PID=$$ LISTEN_FDS=2; exec "$@"' sh \
		"$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" 3<"$TEST_DIR/f3" 4<&-
	assert_status 1
	assert_error "LISTEN_FDS=2, but fd 4 was not passed to berth"
	assert_no_container "$ID"

	# a negative count is refused (runc takes it as none)
	run --separate-stderr berth run --preserve-fds -1 --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "--preserve-fds must not be negative, got -1"
	assert_no_container "$ID"

	start_container
	run --separate-stderr berth_fds exec --preserve-fds 1 "$ID" true 3<&-
	assert_status 255
	assert_error "unable to stat preserved-fd 0 (of 1): stat /proc/self/fd/3: no such file or directory"
}

@test "LISTEN_FDS=2 with berth's pid: fds 3 and 4 pass, LISTEN_PID is the process's own" {
	echo three >"$TEST_DIR/f3"
	echo four >"$TEST_DIR/f4"
	set_cmd "echo \"fds=\$LISTEN_FDS pid=\$LISTEN_PID self=\$\$\"; cat <&3; cat <&4; $LIST_FDS"
	# LISTEN_PID must be the pid of the runtime itself: the shell execs it
	run --separate-stderr sh -c 'export LISTEN_PID=$$ LISTEN_FDS=2; exec "$@"' sh \
		"$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" \
		3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f4"
	assert_status 0
	assert_output "fds=2 pid=1 self=1
three
four
$(printf '%s\n' 0 1 2 3 4 5 - 0 1 2 3 4)"
}

@test "LISTEN_FDS=1 and --preserve-fds 1 add up: fds 3 and 4" {
	echo three >"$TEST_DIR/f3"
	echo four >"$TEST_DIR/f4"
	set_cmd "echo \"fds=\$LISTEN_FDS\"; cat <&3; cat <&4; $LIST_FDS"
	run --separate-stderr sh -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' sh \
		"$BERTH" --root "$BERTH_ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
		3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f4"
	assert_status 0
	assert_output "fds=1
three
four
$(printf '%s\n' 0 1 2 3 4 5 - 0 1 2 3 4)"
}

@test "LISTEN_FDS with a LISTEN_PID that is not berth's: no fd and no LISTEN_* pass" {
	echo three >"$TEST_DIR/f3"
	set_cmd "echo \"fds=\${LISTEN_FDS-unset} pid=\${LISTEN_PID-unset}\"; $LIST_FDS"
	run --separate-stderr sh -c 'export LISTEN_PID=1 LISTEN_FDS=2; exec "$@"' sh \
		"$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" \
		3<"$TEST_DIR/f3" 4<"$TEST_DIR/f3"
	assert_status 0
	assert_output "fds=unset pid=unset
$(printf '%s\n' 0 1 2 3 - 0 1 2)"
}

@test "exec with LISTEN_FDS: the fds pass and LISTEN_PID is the exec'd process's pid" {
	start_container
	echo three >"$TEST_DIR/f3"
	echo four >"$TEST_DIR/f4"
	run --separate-stderr sh -c 'export LISTEN_PID=$$ LISTEN_FDS=2; exec "$@"' sh \
		"$BERTH" --root "$BERTH_ROOT" exec "$ID" \
		sh -c "echo \"fds=\$LISTEN_FDS pid-is-self=\$([ \"\$LISTEN_PID\" = \$\$ ] && echo yes)\"; cat <&3; cat <&4; $LIST_FDS" \
		3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f4"
	assert_status 0
	assert_output "fds=2 pid-is-self=yes
three
four
$(printf '%s\n' 0 1 2 3 4 5 - 0 1 2 3 4)"
}

@test "foreground run: stdio pass through as they are (pipes, files, /dev/null)" {
	set_args sleep 300
	local in out pid
	# stdin and stdout pipes, stderr a file
	exec {in}< <(true) {out}> >(exec 3>&-; cat >/dev/null)
	start_bg run --bundle "$BUNDLE" "$ID" <&$in >&$out 2>"$TEST_DIR/err"
	wait_for_status "$ID" running
	pid=$(state_field "$ID" pid)
	assert_same_stdio "$pid" "$BG"
	assert_fd "$pid" 0 "$(fd_link $BASHPID "$in")"
	assert_match '^pipe:' "$(fd_link "$pid" 0)"
	assert_fd "$pid" 1 "$(fd_link $BASHPID "$out")"
	assert_fd "$pid" 2 "$TEST_DIR/err"
	berth kill "$ID" KILL
	wait_bg 137
	exec {in}<&- {out}>&-
	# /dev/null everywhere
	start_bg run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>/dev/null
	wait_for_status "$ID" running
	pid=$(state_field "$ID" pid)
	assert_same_stdio "$pid" "$BG"
	assert_fd "$pid" 0 /dev/null
	assert_fd "$pid" 1 /dev/null
	assert_fd "$pid" 2 /dev/null
	berth kill "$ID" KILL
	wait_bg 137
	# a file in, and stdout and stderr the same file
	echo in >"$TEST_DIR/in"
	start_bg run --bundle "$BUNDLE" "$ID" <"$TEST_DIR/in" >"$TEST_DIR/out" 2>&1
	wait_for_status "$ID" running
	pid=$(state_field "$ID" pid)
	assert_same_stdio "$pid" "$BG"
	assert_fd "$pid" 0 "$TEST_DIR/in"
	assert_fd "$pid" 1 "$TEST_DIR/out"
	assert_fd "$pid" 2 "$TEST_DIR/out"
	berth kill "$ID" KILL
	wait_bg 137
}

@test "foreground exec: stdio pass through as they are (pipes, files, /dev/null)" {
	start_container
	local in out pid
	exec {in}< <(true) {out}> >(exec 3>&-; cat >/dev/null)
	start_bg exec --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 301 <&$in >&$out 2>"$TEST_DIR/err"
	wait_for_file "$TEST_DIR/exec.pid"
	pid=$(cat "$TEST_DIR/exec.pid")
	assert_same_stdio "$pid" "$BG"
	assert_fd "$pid" 0 "$(fd_link $BASHPID "$in")"
	assert_match '^pipe:' "$(fd_link "$pid" 0)"
	assert_fd "$pid" 2 "$TEST_DIR/err"
	kill -9 "$pid"
	wait_bg 137
	exec {in}<&- {out}>&-
	rm -f "$TEST_DIR/exec.pid"
	start_bg exec --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 302 </dev/null >"$TEST_DIR/out" 2>&1
	wait_for_file "$TEST_DIR/exec.pid"
	pid=$(cat "$TEST_DIR/exec.pid")
	assert_same_stdio "$pid" "$BG"
	assert_fd "$pid" 0 /dev/null
	assert_fd "$pid" 1 "$TEST_DIR/out"
	assert_fd "$pid" 2 "$TEST_DIR/out"
	kill -9 "$pid"
	wait_bg 137
}

@test "stdio on the host's /dev/null is reopened on the container's own, as runc does (so criu can dump it)" {
	# Each fd's mount, looked up among the container's mounts: the
	# host's /dev is not one of them, the container's /dev is. stdout is a
	# file of the host, not /dev/null: it stays as it is.
	set_cmd 'for f in 0 1 2; do m=$(awk "/^mnt_id:/ {print \$2}" /proc/self/fdinfo/$f); echo "$f:$(awk -v m="$m" "\$1 == m {print \$5}" /proc/self/mountinfo)"; done'
	# (Detached: runc's foreground run relays stdio through pipes.)
	berth create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>/dev/null
	berth start "$ID"
	wait_for_status "$ID" stopped
	run cat "$TEST_DIR/out"
	assert_output $'0:/dev\n1:\n2:/dev'
	berth delete "$ID"
	# Still the null device, open for reading and writing.
	set_cmd 'read -r l && echo "read: $l"; echo gone >&0 && echo written; stat -L -c %t:%T /proc/self/fd/0'
	berth create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1
	berth start "$ID"
	wait_for_status "$ID" stopped
	run cat "$TEST_DIR/out"
	assert_output $'written\n1:3'
}

@test "a non-root process gets its stdio pipes and can reopen them (/dev/stdout); the caller's files stay the caller's" {
	# runc also hands regular files and devices (a host file, the
	# caller's terminal) to the container's user: berth does not
	# (docs/design.md, "Where berth differs").
	: >"$TEST_DIR/in"
	: >"$TEST_DIR/err"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'stat -L -c %u /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; echo via-reopen >/dev/stdout; exec sleep 300'
	local out
	exec {out}> >(exec 3>&-; cat >"$TEST_DIR/out")
	berth create --bundle "$BUNDLE" "$ID" <"$TEST_DIR/in" >&$out 2>"$TEST_DIR/err"
	exec {out}>&-
	berth start "$ID"
	wait_for grep -qx via-reopen "$TEST_DIR/out"
	[ "$(cat "$TEST_DIR/out")" = $'0\n1000\n0\nvia-reopen' ] || fail "run: $(cat "$TEST_DIR/out") $(cat "$TEST_DIR/err")"
	[ "$(stat -c %u "$TEST_DIR/in" "$TEST_DIR/err")" = $'0\n0' ] || fail "host files chowned"
	# The same for exec.
	run berth exec --user 1000 "$ID" sh -c 'stat -L -c %u /proc/self/fd/1; echo exec-reopen >/dev/stdout'
	assert_status 0
	assert_output $'1000\nexec-reopen'
}

@test "a closed stdin stays closed: run, exec and create" {
	set_args ls -l /proc/self/fd/0
	run --separate-stderr without_stdin berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "No such file or directory" "$stderr"
	assert_output ""
	# with stdin open the same command shows it
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID" </dev/null
	assert_status 0
	assert_contains "/proc/self/fd/0 -> /dev/null"

	start_container
	run --separate-stderr without_stdin berth exec "$ID" ls -l /proc/self/fd/0
	assert_status 1
	assert_contains "No such file or directory" "$stderr"

	local id2
	id2=$(new_id)
	set_args ls -l /proc/self/fd/0
	berth create --bundle "$BUNDLE" "$id2" 0<&- >"$TEST_DIR/out" 2>&1
	berth start "$id2"
	wait_for_status "$id2" stopped
	run cat "$TEST_DIR/out"
	assert_contains "No such file or directory"
	assert_not_contains "/proc/self/fd/0 ->"
}

@test "create (detached) hands the caller's stdio to the container unchanged" {
	echo line-in >"$TEST_DIR/in"
	local errw
	exec {errw}> >(exec 3>&-; cat >"$TEST_DIR/err.copy")
	set_cmd 'read l; echo "out $l"; echo "err $l" >&2; exec sleep 300'
	berth create --bundle "$BUNDLE" "$ID" <"$TEST_DIR/in" >"$TEST_DIR/out" 2>&$errw
	berth start "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	wait_for is_cmd "$pid" "sleep 300"
	assert_fd "$pid" 0 "$TEST_DIR/in"
	assert_fd "$pid" 1 "$TEST_DIR/out"
	assert_fd "$pid" 2 "$(fd_link $BASHPID "$errw")"
	exec {errw}>&-
	[ "$(cat "$TEST_DIR/out")" = "out line-in" ]
	wait_for grep -qx "err line-in" "$TEST_DIR/err.copy"
}

@test "run -d and exec -d hand the caller's stdio to the process unchanged" {
	share_dir
	set_cmd 'echo run-out; echo run-err >&2; exec sleep 300'
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/run.out" 2>"$TEST_DIR/run.err"
	wait_for_file "$TEST_DIR/run.err"
	[ "$(cat "$TEST_DIR/run.out")" = run-out ]
	[ "$(cat "$TEST_DIR/run.err")" = run-err ]
	berth exec -d "$ID" sh -c 'echo exec-out; echo exec-err >&2; touch /mnt/done' </dev/null >"$TEST_DIR/exec.out" 2>"$TEST_DIR/exec.err"
	wait_for test -e "$SHARED/done"
	[ "$(cat "$TEST_DIR/exec.out")" = exec-out ]
	[ "$(cat "$TEST_DIR/exec.err")" = exec-err ]
}
