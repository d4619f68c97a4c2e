#!/usr/bin/env bats
# checkpoint, restore: criu dumps a container's processes and brings them
# back as the same container, with its namespaces, mounts, cgroup, limits
# and stdio pipes.
#
# criu has to work on the kernel: Debian's criu 3.17 fails on a recent
# host kernel and works in the cgroup v2 VM (`make test-vm`), which runs
# this suite. Where it cannot, the tests that need criu are skipped, and
# the ones of bad input still run.

load helpers

# require_criu: skip unless `criu check` passes here (asked once per run).
require_criu() {
	local f=$BATS_RUN_TMPDIR/criu-check
	[ -f "$f" ] || { criu check >/dev/null 2>&1 && echo yes >"$f" || echo no >"$f"; }
	[ "$(cat "$f")" = yes ] || skip "criu check fails on this kernel ($(uname -r))"
}

# piped CMD...: CMD with its stdin, stdout and stderr on pipes, its output
# appended to $TEST_DIR/piped.out; sets status. criu dumps pipes, but not
# files outside the container (the same with runc): a container to
# checkpoint gets pipes, a terminal, /dev/null or its own files.
piped() {
	status=0
	"$@" < <(:) > >(cat >>"$TEST_DIR/piped.out") 2>&1 || status=$?
}

# start_counter: a detached container that writes a counter to
# $SHARED/count every 0.1s (from its own pid namespace's pid 1). Each value
# is written aside and renamed: a dump between the truncation and the
# write would leave the file empty.
start_counter() {
	share_dir
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/mnt/count.tmp; mv /mnt/count.tmp /mnt/count; sleep 0.1; done'
	piped berth run -d --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_for_file "$SHARED/count"
}

# restore_detached [FLAGS...]: restore $ID -d from $TEST_DIR/img.
restore_detached() {
	piped berth restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$@" "$ID"
	[ "$status" -eq 0 ] || fail "restore: status $status: $(cat "$TEST_DIR/piped.out")"
}

count() {
	cat "$SHARED/count" 2>/dev/null
}

# counter_runs: the counter goes up within 2s.
counter_runs() {
	local a
	a=$(count)
	wait_for counter_moved_from "$a"
}

counter_moved_from() {
	[ "$(count)" != "$1" ]
}

# counter_stopped: the counter stays put for 0.5s.
counter_stopped() {
	local a
	a=$(count)
	sleep 0.5
	[ "$(count)" = "$a" ] || fail "counter moved from $a to $(count)"
}

@test "checkpoint dumps and ends the container, restore brings it back" {
	require_criu
	start_counter
	run --separate-stderr berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_status 0
	[ -s "$TEST_DIR/img/inventory.img" ] || fail "no images in $TEST_DIR/img: $(ls "$TEST_DIR/img")"
	[ -s "$TEST_DIR/img/descriptors.json" ] || fail "no descriptors.json"
	# As runc: the container is gone, its processes with it.
	assert_no_container "$ID"
	counter_stopped

	restore_detached --pid-file "$TEST_DIR/pid"
	[ "$(state_field "$ID" status)" = running ]
	[ "$(cat "$TEST_DIR/pid")" = "$(state_field "$ID" pid)" ]
	counter_runs
	# The same process tree: sh is pid 1 of its pid namespace still.
	run --separate-stderr berth exec "$ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" = 0 ] || fail "exec: status $status: $stderr"
	assert_contains "while :"
	local pid
	pid=$(state_field "$ID" pid)
	[ "$(cmdline "$pid")" = "$(berth exec "$ID" cat /proc/1/cmdline | tr '\0' ' ' | sed 's/ $//')" ]
	# It is in the container's cgroup.
	berth ps "$ID" | grep -qw "$pid"

	berth delete -f "$ID"
	assert_no_container "$ID"
}

@test "checkpoint --leave-running keeps the container running" {
	require_criu
	start_counter
	run --separate-stderr berth checkpoint --leave-running --image-path "$TEST_DIR/img" "$ID"
	assert_status 0
	[ "$(state_field "$ID" status)" = running ]
	counter_runs
	berth delete -f "$ID"
	# The images restore a second copy under the same ID.
	restore_detached
	counter_runs
	berth delete -f "$ID"
}

@test "checkpoint --page-server sends the memory to criu's page server" {
	require_criu
	start_counter
	mkdir "$TEST_DIR/pages"
	criu page-server -D "$TEST_DIR/pages" --address 127.0.0.1 --port 27099 -o ps.log -v4 &
	track $!
	wait_for sh -c "ss -Hltn 'sport = :27099' | grep -q ."
	run --separate-stderr berth checkpoint --page-server 127.0.0.1:27099 --image-path "$TEST_DIR/img" "$ID"
	assert_status 0
	ls "$TEST_DIR/pages"/pages-*.img >/dev/null || fail "the page server got no pages: $(ls "$TEST_DIR/pages")"
	! ls "$TEST_DIR/img"/pages-*.img 2>/dev/null || fail "pages were written locally too"
	# With the page server's images beside the others, it restores.
	local f
	for f in "$TEST_DIR/pages"/*.img; do
		[ -e "$TEST_DIR/img/${f##*/}" ] || cp "$f" "$TEST_DIR/img/"
	done
	restore_detached
	counter_runs
	berth delete -f "$ID"
}

@test "lazy pages: checkpoint serves the memory, restore fetches it on demand" {
	require_criu
	start_counter
	# checkpoint --lazy-pages dumps all but the memory, then serves it on
	# the page server until the restored process has it all; it writes a
	# NUL to --status-fd once it serves.
	mkfifo "$TEST_DIR/status"
	berth checkpoint --lazy-pages --page-server 127.0.0.1:27098 --status-fd 5 \
		--image-path "$TEST_DIR/img" "$ID" 5>"$TEST_DIR/status" &
	local ck=$!
	track $ck
	[ "$(head -c1 "$TEST_DIR/status" | od -An -tx1 | tr -d ' ')" = 00 ] || fail "no NUL on the status fd"
	counter_stopped
	criu lazy-pages --page-server --address 127.0.0.1 --port 27098 -D "$TEST_DIR/img" -o lazy.log -v4 &
	track $!
	# Under another ID: the first is deleted once its memory is served.
	local id2
	id2=$(new_id)
	piped berth restore -d --lazy-pages --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$id2"
	[ "$status" -eq 0 ] || fail "restore: status $status: $(cat "$TEST_DIR/piped.out")"
	counter_runs
	wait "$ck" || fail "checkpoint --lazy-pages failed: $(grep Error "$TEST_DIR/img/dump.log")"
	assert_no_container "$ID"
	berth delete -f "$id2"
}

@test "the annotation org.criu.config names criu's configuration file" {
	require_criu
	echo "log-file=from-annotation.log" >"$TEST_DIR/criu.conf"
	update_config '.annotations["org.criu.config"] = $f' --arg f "$TEST_DIR/criu.conf"
	start_counter
	run --separate-stderr berth checkpoint --work-path "$TEST_DIR/work" --image-path "$TEST_DIR/img" "$ID"
	assert_status 0
	[ -s "$TEST_DIR/work/from-annotation.log" ] || fail "criu did not read the file: $(ls "$TEST_DIR/work")"
	[ ! -e "$TEST_DIR/work/dump.log" ]
	restore_detached --work-path "$TEST_DIR/work"
	[ -s "$TEST_DIR/work/from-annotation.log" ]
	counter_runs
	berth delete -f "$ID"
}

@test "checkpoint of a paused container, restore resumes it" {
	require_criu
	start_counter
	berth pause "$ID"
	run --separate-stderr berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_status 0
	assert_no_container "$ID"
	restore_detached
	[ "$(state_field "$ID" status)" = running ]
	counter_runs
	berth delete -f "$ID"
}

@test "pre-dump, then a dump on top of it, restores" {
	require_criu
	start_counter
	run --separate-stderr berth checkpoint --pre-dump --image-path "$TEST_DIR/pre" "$ID"
	assert_status 0
	[ "$(state_field "$ID" status)" = running ]
	counter_runs
	run --separate-stderr berth checkpoint --parent-path ../pre --image-path "$TEST_DIR/img" "$ID"
	assert_status 0
	assert_no_container "$ID"
	[ -L "$TEST_DIR/img/parent" ] || fail "the dump has no parent link"
	restore_detached
	counter_runs
	berth delete -f "$ID"
}

@test "restore keeps a read-only root read-only, and the memory limit" {
	require_criu
	update_config '.root.readonly = true | .linux.resources.memory.limit = 67108864'
	start_counter
	run --separate-stderr berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_status 0
	restore_detached
	run --separate-stderr berth exec "$ID" touch /newfile
	assert_fails
	assert_contains "Read-only file system" "$stderr"
	local pid cg
	pid=$(state_field "$ID" pid)
	if is_cgroup2; then
		cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		[ "$(cat "$cg/memory.max")" = 67108864 ]
	else
		cg=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
		[ "$(cat "$cg/memory.limit_in_bytes")" = 67108864 ]
	fi
	# The container's view of its cgroup is its own cgroup again.
	berth exec "$ID" cat /proc/self/cgroup
	berth delete -f "$ID"
}

@test "a container with a cgroup namespace restores into it" {
	require_criu
	update_config '.linux.namespaces += [{type: "cgroup"}]'
	start_counter
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	restore_detached
	counter_runs
	run --separate-stderr berth exec "$ID" cat /proc/1/cgroup
	assert_status 0
	if is_cgroup2; then
		assert_output "0::/"
	else
		assert_contains ":memory:/"
	fi
	berth delete -f "$ID"
}

@test "a network namespace joined by path is left out of the dump and rejoined" {
	require_criu
	local ns=$TAG-net inode
	ip netns add "$ns"
	inode=$(stat -L -c %i "/run/netns/$ns")
	update_config '(.linux.namespaces[] | select(.type == "network")) .path = $p' --arg p "/run/netns/$ns"
	start_counter
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	restore_detached
	counter_runs
	[ "$(stat -L -c %i "/proc/$(state_field "$ID" pid)/ns/net")" = "$inode" ]
	berth delete -f "$ID"
	ip netns del "$ns"
}

@test "restore hands the checkpointed stdout pipe's role to its own stdout" {
	require_criu
	set_cmd 'i=0; while :; do i=$((i+1)); echo "n$i"; sleep 0.1; done'
	berth run -d --bundle "$BUNDLE" "$ID" > >(cat >"$TEST_DIR/out1") 2>&1 < <(:)
	wait_for grep -q n3 "$TEST_DIR/out1"
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	grep -q pipe: "$TEST_DIR/img/descriptors.json"
	berth restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID" > >(cat >"$TEST_DIR/out2") 2>&1 < <(:)
	# The numbers go on where they stopped, into the new pipe.
	wait_for grep -q . "$TEST_DIR/out2"
	local last first
	last=$(tail -n1 "$TEST_DIR/out1" | tr -d n)
	first=$(head -n1 "$TEST_DIR/out2" | tr -d n)
	[ "$first" -gt "$last" ] || fail "after restore: n$first, before: n$last"
	berth delete -f "$ID"
}

# recvtty N: a recvtty receiving one pty master on $TEST_DIR/ttyN.sock,
# writing what the pty prints to $TEST_DIR/ttyN.out.
recvtty() {
	"$RECVTTY_BIN" -mode single "$TEST_DIR/tty$1.sock" </dev/null >"$TEST_DIR/tty$1.out" 2>&1 3>&- &
	track $!
	wait_for test -S "$TEST_DIR/tty$1.sock"
}

@test "a terminal's container restores with a new pty sent to --console-socket" {
	require_criu
	build_tool recvtty
	update_config '.process.terminal = true'
	set_cmd 'i=0; while :; do i=$((i+1)); echo "n$i"; sleep 0.1; done'
	recvtty 1
	berth run -d --console-socket "$TEST_DIR/tty1.sock" --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	wait_for grep -q n3 "$TEST_DIR/tty1.out"
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	recvtty 2
	piped berth restore -d --console-socket "$TEST_DIR/tty2.sock" --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_for grep -q n "$TEST_DIR/tty2.out"
	local last first
	last=$(tr -d '\r' <"$TEST_DIR/tty1.out" | grep '^n' | tail -n1 | tr -d n)
	first=$(tr -d '\r' <"$TEST_DIR/tty2.out" | grep '^n' | head -n1 | tr -d n)
	[ "$first" -gt "$last" ] || fail "after restore: n$first, before: n$last"
	# The process's stdio is the new pty.
	berth exec "$ID" sh -c 'readlink /proc/1/fd/0' | grep -q '^/dev/pts/'
	berth delete -f "$ID"
}

@test "restore in the foreground waits for the process and returns its status" {
	require_criu
	share_dir
	# Counts to 40 (4s), then exits 7.
	set_cmd 'i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo $i >/mnt/count.tmp; mv /mnt/count.tmp /mnt/count; sleep 0.1; done; exit 7'
	piped berth run -d --bundle "$BUNDLE" "$ID"
	wait_for_file "$SHARED/count"
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	run --separate-stderr berth restore --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
	assert_status 7
	[ "$(count)" = 40 ]
	# Deleted on exit, as run does.
	assert_no_container "$ID"
}

@test "restore in the foreground of a terminal proxies the container's new pty" {
	require_criu
	build_tool recvtty
	update_config '.process.terminal = true'
	set_cmd 'i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo "n$i"; sleep 0.1; done; exit 3'
	recvtty 1
	berth run -d --console-socket "$TEST_DIR/tty1.sock" --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	wait_for grep -q n3 "$TEST_DIR/tty1.out"
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	# berth under `script`, which gives it a terminal: no --console-socket.
	run script -qec "timeout --foreground 60 $BERTH --root $BERTH_ROOT restore --image-path $TEST_DIR/img --bundle $BUNDLE $ID; echo status=\$?" /dev/null
	output=$(tr -d '\r' <<<"$output")
	assert_contains "n30"
	assert_contains "status=3"
	assert_no_container "$ID"
}

@test "restore runs the prestart and createRuntime hooks with the restored pid" {
	require_criu
	share_dir
	set_cmd 'while :; do sleep 1; done'
	local hook=$TEST_DIR/hook.sh
	printf '#!/bin/sh\ncat >>%s/$1.state\n' "$TEST_DIR" >"$hook"
	chmod +x "$hook"
	piped berth run -d --bundle "$BUNDLE" "$ID"
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	update_config '.hooks.prestart = [{path: $h, args: ["hook", "prestart"]}] |
		.hooks.createRuntime = [{path: $h, args: ["hook", "createRuntime"]}]' --arg h "$hook"
	restore_detached
	local pid
	pid=$(state_field "$ID" pid)
	[ "$(jq -r .pid "$TEST_DIR/prestart.state")" = "$pid" ]
	[ "$(jq -r .pid "$TEST_DIR/createRuntime.state")" = "$pid" ]
	berth delete -f "$ID"
}

@test "a container given the host's /dev/null (podman's stdin) is checkpointed and restored" {
	require_criu
	share_dir
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/mnt/count.tmp; mv /mnt/count.tmp /mnt/count; sleep 0.1; done'
	# The init's stdio was reopened on the container's own /dev/null,
	# which criu can dump (the host's it could not).
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	wait_for_file "$SHARED/count"
	berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_no_container "$ID"
	local before
	before=$(count)
	berth restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	[ "$(state_field "$ID" status)" = running ]
	counter_runs
	[ "$(count)" -gt "$before" ] || fail "the counter went back from $before to $(count)"
	berth delete -f "$ID"
}

@test "checkpoint of a container given a host file as stdout fails and leaves it running" {
	require_criu
	share_dir
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/mnt/count.tmp; mv /mnt/count.tmp /mnt/count; sleep 0.1; done'
	berth run -d --bundle "$BUNDLE" "$ID" < <(:) >"$TEST_DIR/out" 2>&1
	wait_for_file "$SHARED/count"
	run --separate-stderr berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_fails
	# criu's reason is quoted from its log, as runc does.
	assert_contains "Can't lookup mount" "$stderr"
	assert_contains "criu failed: type DUMP errno 0" "${stderr_lines[-1]}"
	[ "$(state_field "$ID" status)" = running ]
	counter_runs
	berth delete -f "$ID"
}

@test "restore of missing images fails and leaves nothing" {
	run --separate-stderr berth restore --image-path "$TEST_DIR/none" --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_error "descriptors.json: no such file or directory"
	assert_no_container "$ID"
}

@test "restore that criu fails leaves nothing: no state, cgroup or mount" {
	mkdir "$TEST_DIR/img"
	echo '["/dev/null","/dev/null","/dev/null"]' >"$TEST_DIR/img/descriptors.json"
	local mounts
	mounts=$(wc -l </proc/self/mountinfo)
	run --separate-stderr berth restore --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_contains "criu failed: type RESTORE" "${stderr_lines[-1]}"
	assert_no_container "$ID"
	[ "$(wc -l </proc/self/mountinfo)" = "$mounts" ] || fail "mounts left: $(grep criu-root /proc/self/mountinfo)"
}

@test "checkpoint refuses a created or unknown container" {
	berth create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run --separate-stderr berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_fails
	assert_error "Container cannot be checkpointed in created state"
	[ "$(state_field "$ID" status)" = created ]
	berth delete -f "$ID"
	run --separate-stderr berth checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_fails
	assert_error "container does not exist"
}

@test "checkpoint and restore refuse bad flags in one line" {
	set_args sleep 100
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	local bad
	for bad in "--manage-cgroups-mode=bogus|Invalid manage-cgroups-mode value \"bogus\"" \
		"--page-server=nocolon|Use --page-server ADDRESS:PORT to specify page server" \
		"--page-server=host:port|Invalid port number" \
		"--parent-path=/abs|--parent-path must be relative" \
		"--parent-path=nosuch|invalid --parent-path: stat $TEST_DIR/img/nosuch: no such file or directory" \
		"--empty-ns=ipc|namespace \"ipc\" is not supported"; do
		run --separate-stderr berth checkpoint --image-path "$TEST_DIR/img" "${bad%%|*}" "$ID"
		assert_fails
		assert_error "${bad#*|}"
	done
	[ "$(state_field "$ID" status)" = running ]
	run --separate-stderr berth restore --manage-cgroups-mode=bogus --bundle "$BUNDLE" "$(new_id)"
	assert_fails
	assert_error "Invalid manage-cgroups-mode value \"bogus\""
	berth delete -f "$ID"
}

@test "--criu names the criu binary checkpoint and restore run" {
	set_args sleep 100
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run --separate-stderr berth --criu "$TEST_DIR/no-criu" checkpoint --image-path "$TEST_DIR/img" "$ID"
	assert_fails
	assert_error "CRIU version check failed: fork/exec $TEST_DIR/no-criu: no such file or directory"
	[ "$(state_field "$ID" status)" = running ]
	berth delete -f "$ID"
	run --separate-stderr berth --criu "$TEST_DIR/no-criu" restore --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_error "CRIU version check failed"
	assert_no_container "$ID"
}

@test "features says checkpoint is enabled" {
	run --separate-stderr berth features
	assert_status 0
	[ "$(jq -r '.annotations["com.github.berth-runtime.berth.checkpoint.enabled"]' <<<"$output")" = true ]
}
