#!/usr/bin/env bats
# hostile: broken, absurd and malicious input. Each case either works end to
# end or fails with a non-zero exit and ONE line on stderr that names the
# problem (for a config error: its JSON path), and leaves nothing behind
# (teardown's leak check: state dir, cgroups, mounts, processes, netns).
# Timings of the big cases are printed as "# ..." lines (bats shows them).

load helpers

setup() {
	setup_common
	# what this suite mounts itself (state roots) and alternative state roots
	: >"$TEST_DIR/own-mounts"
	: >"$TEST_DIR/own-roots"
}

teardown() {
	local r m id
	# containers that a test made under a state root of its own
	while read -r r; do
		for id in $(cat "$TEST_DIR/ids" 2>/dev/null); do
			timeout -k 5 30 "$BERTH" --root "$r" delete -f "$id" >/dev/null 2>&1 || true
		done
	done <"$TEST_DIR/own-roots"
	# our own mounts, deepest first, even when the test failed half-way
	sort -r "$TEST_DIR/own-mounts" 2>/dev/null | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	teardown_common
}

# note MSG: a line in bats' output (timings, what the runtime did).
note() {
	echo "# $*" >&3
}

# now_ms: wall clock in milliseconds.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# create_fails [RUNTIME ARGS...]: create $ID must fail with one line on
# stderr and leave no container.
create_fails() {
	run_nowait berth "$@" create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_no_container "$ID"
}

# config_rejected FILTER PATH [JQ ARGS...]: with FILTER applied to a fresh copy
# of the config, create fails with one line naming PATH and leaves nothing.
config_rejected() {
	local filter=$1 path=$2
	shift 2
	cp "$BUNDLE/config.json.pristine" "$BUNDLE/config.json"
	update_config "$filter" "$@"
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ] || fail "$filter: create succeeded"
	assert_one_line_error || fail "$filter: $stderr"
	assert_contains "$path" "$(error_msg)" || fail "$filter: the error does not name $path"
	assert_no_container "$ID" || fail "$filter: left a container"
}

# pristine: keep the test's config to start each case of a loop from.
pristine() {
	cp "$BUNDLE/config.json" "$BUNDLE/config.json.pristine"
}

# ---------------------------------------------------------------- the file itself

@test "an empty config.json, or one of only whitespace" {
	: >"$BUNDLE/config.json"
	create_fails
	assert_match "empty|EOF" "$(error_msg)"
	printf ' \n\t\n' >"$BUNDLE/config.json"
	create_fails
	assert_match "empty|EOF" "$(error_msg)"
}

@test "a truncated config.json, cut anywhere" {
	cp "$BUNDLE/config.json" "$TEST_DIR/full.json"
	local size n
	size=$(stat -c %s "$TEST_DIR/full.json")
	for n in 1 17 $((size / 3)) $((size / 2)) $((size - 2)); do
		head -c "$n" "$TEST_DIR/full.json" >"$BUNDLE/config.json"
		create_fails || fail "cut at $n bytes"
		assert_match "truncated|unexpected end|EOF" "$(error_msg)"
	done
}

@test "a config.json that is not UTF-8" {
	set_args echo aHEREb
	cp "$BUNDLE/config.json" "$TEST_DIR/c.json"
	# \xff\xfe in the hostname
	jq '.hostname = "hostHERE"' "$TEST_DIR/c.json" | sed 's/hostHERE/host\xff\xfe/' >"$BUNDLE/config.json"
	create_fails
	assert_contains "UTF-8" "$(error_msg)"
	# \xc0\xaf (an overlong "/") in an argument
	sed 's/aHEREb/a\xc0\xafb/' "$TEST_DIR/c.json" >"$BUNDLE/config.json"
	create_fails
	assert_contains "UTF-8" "$(error_msg)"
}

@test "a huge config.json: valid, padded to 100 MB with whitespace, works end to end" {
	set_args echo big-ok
	{
		jq . "$BUNDLE/config.json" | head -c -2
		head -c 100000000 /dev/zero | tr '\0' ' '
		echo '}'
	} >"$TEST_DIR/big.json"
	mv "$TEST_DIR/big.json" "$BUNDLE/config.json"
	jq -e .process "$BUNDLE/config.json" >/dev/null
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	t1=$(now_ms)
	note "100 MB config.json: run took $((t1 - t0)) ms (status $status)"
	assert_status 0
	assert_output big-ok
	assert_no_container "$ID"
	rm -f "$BUNDLE/config.json"
}

@test "a config with a 10 MB annotation value works end to end" {
	set_args sleep 300
	head -c 10000000 /dev/zero | tr '\0' a >"$TEST_DIR/ann"
	update_config '.annotations = {"big": $a}' --rawfile a "$TEST_DIR/ann"
	rm "$TEST_DIR/ann"
	local t0 t1 t2 t3
	t0=$(now_ms)
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	t1=$(now_ms)
	assert_status 0
	[ "$(berth state "$ID" | jq -r '.annotations.big | length')" = 10000000 ]
	t2=$(now_ms)
	berth start "$ID"
	run state_field "$ID" status
	assert_output running
	run berth exec "$ID" echo exec-ok
	assert_status 0
	assert_output exec-ok
	t3=$(now_ms)
	run berth delete --force "$ID"
	assert_status 0
	note "10 MB annotation: create $((t1 - t0)) ms, state $((t2 - t1)) ms, start+exec $((t3 - t2)) ms, delete $(($(now_ms) - t3)) ms"
	assert_no_container "$ID"
}

# ---------------------------------------------------------------- types and numbers

@test "wrong types: the error names the JSON path" {
	pristine
	config_rejected '.process.user.uid = "x"' process.user.uid
	config_rejected '.process.user.gid = true' process.user.gid
	config_rejected '.mounts = "x"' mounts
	config_rejected '.mounts[1].options = "ro"' 'mounts[1].options'
	config_rejected '.linux.namespaces = {}' linux.namespaces
	config_rejected '.linux.namespaces[0] = "pid"' 'linux.namespaces[0]'
	config_rejected '.process.args = "sh"' process.args
	config_rejected '.process.env = [1]' 'process.env'
	config_rejected '.process.terminal = "no"' process.terminal
	config_rejected '.root = ["rootfs"]' root
	config_rejected '.hostname = 5' hostname
	config_rejected '.linux.resources.memory = {"limit": "1g"}' linux.resources.memory.limit
	config_rejected '.process.rlimits[0].soft = "x"' 'process.rlimits'
	config_rejected '.linux.sysctl = ["a"]' linux.sysctl
}

@test "negative or overflowing numbers: the error names the JSON path" {
	pristine
	config_rejected '.process.user.uid = -1' process.user.uid
	config_rejected '.process.user.gid = 4294967296' process.user.gid
	config_rejected '.process.user.additionalGids = [-1]' process.user.additionalGids
	config_rejected '.process.oomScoreAdj = 5000' process.oomScoreAdj
	config_rejected '.process.oomScoreAdj = -1001' process.oomScoreAdj
	config_rejected '.linux.resources.memory = {"limit": 1e30}' linux.resources.memory.limit
	config_rejected '.linux.resources.memory = {"limit": -5}' linux.resources.memory.limit
	config_rejected '.linux.resources.pids = {"limit": 9e99}' linux.resources.pids.limit
	config_rejected '.linux.resources.cpu = {"shares": -1}' linux.resources.cpu.shares
}

@test "absurd rlimits: RLIMIT_NOFILE 1e18, soft > hard, unknown type, duplicates" {
	pristine
	# 10^18 written out (jq would print 1e+18, which is not an integer)
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": "BIG", "hard": "BIG"}]'
	sed -i 's/"BIG"/1000000000000000000/g' "$BUNDLE/config.json"
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_match "RLIMIT_NOFILE|rlimit" "$(error_msg)"
	assert_no_container "$ID"
	note "RLIMIT_NOFILE 1e18: $(error_msg)"

	config_rejected '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]' 'process.rlimits[0]'
	config_rejected '.process.rlimits = [{"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]' 'RLIMIT_FOO'
	config_rejected '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}, {"type": "RLIMIT_NOFILE", "soft": 2, "hard": 2}]' 'process.rlimits[1]'
}

@test "an rlimit of 2^64-1 is unlimited and works" {
	set_cmd 'ulimit -t'
	# last: jq would turn 2^64-1 into a float
	update_config '.process.rlimits = [{"type": "RLIMIT_CPU", "soft": "MAX", "hard": "MAX"}]'
	sed -i 's/"MAX"/18446744073709551615/g' "$BUNDLE/config.json"
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output unlimited
}

# ---------------------------------------------------------------- paths

@test "mount destination /../../etc lands inside the rootfs" {
	use_private_rootfs
	update_config '.root.readonly = false'
	add_mount '{"destination": "/../../etc", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	add_mount '{"destination": "/mnt/../../../../mnt", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	set_cmd "grep -c -e ' /etc ' -e ' /mnt ' /proc/self/mountinfo; touch /etc/hostile-$TAG /mnt/hostile-$TAG && echo written"
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output $'2\nwritten'
	[ ! -e "/etc/hostile-$TAG" ] || fail "the container wrote the host's /etc"
	[ ! -e "/mnt/hostile-$TAG" ] || fail "the container wrote the host's /mnt"
	[ ! -e "$PRIVATE_ROOTFS/etc/hostile-$TAG" ] || fail "the file went under the tmpfs"
	[ -e "$PRIVATE_ROOTFS/etc/passwd" ]
}

@test "root.path ../x is relative to the bundle" {
	cp -a "$ROOTFS" "$TEST_DIR/x"
	update_config '.root.path = "../x"'
	set_cmd "echo relative-ok; touch /tmp/mark-$TAG"
	update_config '.root.readonly = false'
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output relative-ok
	[ -e "$TEST_DIR/x/tmp/mark-$TAG" ] || fail "the container did not run in \$BUNDLE/../x"
	# ../missing names root.path (or the path) and creates nothing
	update_config '.root.path = "../missing"'
	create_fails
	assert_contains missing "$(error_msg)"
	[ ! -e "$TEST_DIR/missing" ]
}

@test "a rootfs that is a symlink to a directory works" {
	ln -s "$ROOTFS" "$TEST_DIR/rootfs-link"
	update_config '.root.path = $p' --arg p "$TEST_DIR/rootfs-link"
	set_args cat /etc/hostname
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output berth-test
}

@test "a rootfs that is a dangling symlink: one-line error" {
	ln -s "$TEST_DIR/nowhere" "$TEST_DIR/rootfs-link"
	update_config '.root.path = $p' --arg p "$TEST_DIR/rootfs-link"
	create_fails
	assert_match "rootfs-link|nowhere" "$(error_msg)"
	[ ! -e "$TEST_DIR/nowhere" ] || fail "create made the symlink's target"
}

@test "a rootfs that is a regular file: one-line error" {
	echo not-a-dir >"$TEST_DIR/rootfs-file"
	update_config '.root.path = $p' --arg p "$TEST_DIR/rootfs-file"
	create_fails
	assert_contains rootfs-file "$(error_msg)"
	assert_match "not a directory" "$(error_msg)"
}

@test "10 000 tmpfs mounts: the container sees them all; delete leaves none" {
	use_private_rootfs
	update_config '.mounts += [range(10000) as $i | {"destination": "/m/\($i)", "type": "tmpfs", "source": "tmpfs", "options": ["size=4k"]}]'
	set_args sleep 300
	local t0 t1 t2 t3
	t0=$(now_ms)
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	t1=$(now_ms)
	assert_status 0
	berth start "$ID"
	run berth exec "$ID" sh -c "grep -c ' /m/' /proc/self/mountinfo"
	t2=$(now_ms)
	assert_status 0
	assert_output 10000
	run berth delete --force "$ID"
	t3=$(now_ms)
	assert_status 0
	note "10000 mounts: create $((t1 - t0)) ms, start+exec $((t2 - t1)) ms, delete $((t3 - t2)) ms"
	assert_no_container "$ID"
	[ "$(grep -c " $PRIVATE_ROOTFS/m/" /proc/self/mountinfo)" = 0 ]
}

# ---------------------------------------------------------------- id maps

# userns_maps UIDMAPS GIDMAPS: a user namespace with these maps (jq values).
userns_maps() {
	cp "$BUNDLE/config.json.pristine" "$BUNDLE/config.json"
	update_config ".linux.namespaces += [{\"type\": \"user\"}] | .linux.uidMappings = $1 | .linux.gidMappings = $2"
}

@test "bad uid/gid maps: size 0, no gid map, maps without a user namespace, over 340 lines" {
	pristine
	local ok='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	config_rejected ".linux.namespaces += [{\"type\": \"user\"}] | .linux.uidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 0}] | .linux.gidMappings = $ok" 'linux.uidMappings'
	config_rejected ".linux.namespaces += [{\"type\": \"user\"}] | .linux.uidMappings = $ok" 'linux.gidMappings'
	config_rejected ".linux.uidMappings = $ok | .linux.gidMappings = $ok" 'linux.uidMappings'
	config_rejected ".linux.namespaces += [{\"type\": \"user\"}] | .linux.uidMappings = [range(341) as \$i | {\"containerID\": \$i, \"hostID\": (100000 + \$i), \"size\": 1}] | .linux.gidMappings = $ok" 'linux.uidMappings'
}

# maps_fail_cleanly: create with the current maps must fail in one line within
# 10 s (not hang: a create takes well under a second here) and leave nothing.
maps_fail_cleanly() {
	local BERTH_TIMEOUT=10 t0
	t0=$(now_ms)
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] ||
		fail "create hung: killed by timeout after $(($(now_ms) - t0)) ms (status $status): $output"
	assert_fails
	assert_one_line_error
	assert_match "uidMappings|gidMappings|uid_map|gid_map" "$(error_msg)"
	assert_no_container "$ID"
}

@test "overlapping uid map ranges (container side): a clean error, no hang" {
	pristine
	userns_maps '[{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 500, "hostID": 300000, "size": 1000}]' \
		'[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	maps_fail_cleanly
}

@test "overlapping gid map ranges (host side): a clean error, no hang" {
	pristine
	userns_maps '[{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'[{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 2000, "hostID": 100500, "size": 1000}]'
	maps_fail_cleanly
}

@test "340 uid map lines, over the kernel's 4 KB map write: a clean error, no hang" {
	pristine
	# 340 lines is the kernel's limit, but "N 100N 1\n" x 340 is > 4095 bytes
	userns_maps '[range(340) as $i | {"containerID": $i, "hostID": (100000 + $i), "size": 1}]' \
		'[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	maps_fail_cleanly
}

# ---------------------------------------------------------------- hooks

@test "a missing createRuntime hook binary: create fails in one line, nothing left" {
	set_args sleep 300
	update_config '.hooks = {"createRuntime": [{"path": $p}]}' --arg p "$TEST_DIR/no-such-hook"
	create_fails
	assert_contains no-such-hook "$(error_msg)"
}

@test "a missing poststart hook binary: warned about, the container keeps running (runtime-spec)" {
	set_args sleep 300
	update_config '.hooks = {"poststart": [{"path": $p}]}' --arg p "$TEST_DIR/no-such-hook"
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_status 0
	run --separate-stderr berth start "$ID"
	note "poststart hook missing: start exit $status, stderr: $stderr"
	assert_status 0
	assert_one_line_error
	assert_contains no-such-hook "$stderr"
	run state_field "$ID" status
	assert_output running
}

# ---------------------------------------------------------------- the state root

# own_root DIR: use DIR as a state root in this test (teardown cleans it).
own_root() {
	echo "$1" >>"$TEST_DIR/own-roots"
}

@test "a read-only state root: create fails in one line, nothing left" {
	set_args sleep 300
	mkdir -p "$TEST_DIR/ro-src" "$TEST_DIR/ro"
	mount --bind "$TEST_DIR/ro-src" "$TEST_DIR/ro"
	echo "$TEST_DIR/ro" >>"$TEST_DIR/own-mounts"
	mount -o remount,bind,ro "$TEST_DIR/ro"
	local r
	for r in "$TEST_DIR/ro" "$TEST_DIR/ro/sub"; do
		own_root "$r"
		run_nowait berth --root "$r" create --bundle "$BUNDLE" "$ID"
		assert_fails
		assert_one_line_error
		assert_match "read-only file system" "$(error_msg)"
		[ -z "$(ls -A "$TEST_DIR/ro-src")" ] || fail "left in the state root: $(ls -A "$TEST_DIR/ro-src")"
		assert_no_container "$ID"
	done
}

@test "a state root under a regular file: create fails in one line, nothing left" {
	set_args sleep 300
	echo file >"$TEST_DIR/afile"
	own_root "$TEST_DIR/afile/sub"
	run_nowait berth --root "$TEST_DIR/afile/sub" create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_match "not a directory" "$(error_msg)"
	assert_no_container "$ID"
	[ "$(cat "$TEST_DIR/afile")" = file ]
}

@test "a full state root (1 MB tmpfs, filled): create fails with ENOSPC in one line, no partial dir" {
	set_args sleep 300
	local full=$TEST_DIR/full root=$TEST_DIR/full/root free
	mkdir -p "$full"
	mount -t tmpfs -o size=1M "tmpfs-$TAG" "$full"
	echo "$full" >>"$TEST_DIR/own-mounts"
	own_root "$root"
	# with 0, 4 and 8 KB free, each write of create in turn hits ENOSPC
	for free in 0 4 8; do
		rm -rf "${full:?}"/*
		dd if=/dev/zero of="$full/fill" bs=1k count=$((1024 - free)) 2>/dev/null || true
		run_nowait berth --root "$root" create --bundle "$BUNDLE" "$ID"
		assert_fails
		assert_one_line_error || fail "free ${free}k"
		assert_match "no space left on device|ENOSPC" "$(error_msg)"
		[ ! -e "$root/$ID" ] || fail "free ${free}k: partial state dir left: $(ls -A "$root/$ID")"
		assert_no_container "$ID"
	done
	# a 10 MB annotation cannot be saved in 1 MB either
	rm -rf "${full:?}"/*
	head -c 10000000 /dev/zero | tr '\0' a >"$TEST_DIR/ann"
	update_config '.annotations = {"big": $a}' --rawfile a "$TEST_DIR/ann"
	run_nowait berth --root "$root" create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_match "no space left on device|ENOSPC" "$(error_msg)"
	[ ! -e "$root/$ID" ] || fail "partial state dir left: $(ls -A "$root/$ID")"
}

# ---------------------------------------------------------------- a corrupt state.json

# corrupt_state CONTENT: create a sleeping container, then overwrite its
# state.json with CONTENT. Sets PID and CGROUPS (its cgroup dirs).
corrupt_state() {
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_status 0
	berth start "$ID"
	PID=$(state_field "$ID" pid)
	CGROUPS=$(find /sys/fs/cgroup -type d -name "$ID")
	[ -n "$CGROUPS" ]
	printf '%s' "$1" >"$BERTH_ROOT/$ID/state.json"
}

# delete_force_cleans: delete --force succeeds (at most a one-line warning)
# and the process, the cgroups and the state dir are gone.
delete_force_cleans() {
	run --separate-stderr berth delete --force "$ID"
	assert_status 0
	[ "${#stderr_lines[@]}" -le 1 ] || fail "delete --force: $stderr"
	local i
	for ((i = 0; i < 100; i++)); do
		pid_gone "$PID" && break
		sleep 0.05
	done
	pid_gone "$PID" || fail "the container's init $PID still runs: $(cmdline "$PID")"
	local d
	for d in $CGROUPS; do
		[ ! -d "$d" ] || fail "cgroup left: $d"
	done
	[ ! -e "$BERTH_ROOT/$ID" ] || fail "state dir left"
}

@test "a corrupt state.json (garbage): state and delete report it in one line, delete --force cleans" {
	corrupt_state 'garbage{'
	run --separate-stderr berth state "$ID"
	assert_fails
	assert_one_line_error
	assert_match "state|invalid character" "$(error_msg)"
	run --separate-stderr berth delete "$ID"
	assert_fails
	assert_one_line_error
	[ -d "/proc/$PID" ] || fail "delete without --force killed the container"
	run --separate-stderr berth list
	note "list with a corrupt state.json: exit $status; the ID in stdout: $(grep -c -F "$ID" <<<"$output"); stderr: ${stderr:-none}"
	delete_force_cleans
}

@test "an empty state.json: state reports it, delete --force cleans" {
	corrupt_state ''
	run --separate-stderr berth state "$ID"
	assert_fails
	assert_one_line_error
	run --separate-stderr berth delete "$ID"
	assert_fails
	assert_one_line_error
	delete_force_cleans
}

@test "a state.json of valid JSON without the container's data ({}): delete --force still cleans" {
	corrupt_state '{}'
	run --separate-stderr berth state "$ID"
	note "state.json {}: state exit $status: $(jq -c '{status, pid}' <<<"$output" 2>/dev/null) $stderr"
	run --separate-stderr berth delete "$ID"
	note "state.json {}: delete exit $status: $stderr"
	if [ "$status" -eq 0 ] && ! pid_gone "$PID"; then
		fail "plain delete removed the container's state but left its init $PID running (and its cgroups)"
	fi
	delete_force_cleans
}
