#!/usr/bin/env bats
# The runtime under a private containerd (Debian's 1.6) and its
# io.containerd.runc.v2 shim, driven with ctr. See containerd.bash.

load containerd

setup_file() {
	ctrd_start
}

teardown_file() {
	ctrd_stop
}

setup() {
	exec </dev/null
	cd "$SUITE_DIR"
	ctrd_alive
	ID=t$BATS_TEST_NUMBER
	# ctr with the private daemon and namespace, and the options of `ctr
	# run` that make the shim use the runtime under test, as argv arrays for
	# in_pty (which needs a command, not a function).
	CTR=(ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS")
	RUNC_OPTS=(--fifo-dir "$SUITE_DIR/fifo" --runc-binary "$RUNTIME" --runc-root "$RUNTIME_ROOT")
}

teardown() {
	ctrd_test_teardown
}

# Capabilities by number (linux/capability.h).
CAP_CHOWN=0 CAP_DAC_OVERRIDE=1 CAP_FOWNER=3 CAP_FSETID=4 CAP_KILL=5 CAP_SETGID=6
CAP_SETUID=7 CAP_SETPCAP=8 CAP_NET_BIND_SERVICE=10 CAP_NET_RAW=13 CAP_SYS_CHROOT=18
CAP_SYS_ADMIN=21 CAP_MKNOD=27 CAP_AUDIT_WRITE=29 CAP_SETFCAP=31

# containerd's default set (oci.populateDefaultUnixSpec).
default_caps() {
	cap_mask $CAP_CHOWN $CAP_DAC_OVERRIDE $CAP_FSETID $CAP_FOWNER $CAP_MKNOD $CAP_NET_RAW \
		$CAP_SETGID $CAP_SETUID $CAP_SETFCAP $CAP_SETPCAP $CAP_NET_BIND_SERVICE \
		$CAP_SYS_CHROOT $CAP_KILL $CAP_AUDIT_WRITE
}

@test "ctr run: output, pid 1 and exit code 0" {
	run ctr_run --rm "$IMAGE" "$ID" sh -c 'echo hello; echo "pid=$$"; read -r c </proc/1/comm; echo "$c"'
	assert_success
	assert_output $'hello\npid=1\nsh'
}

@test "ctr run: the task's exit code N is ctr's" {
	run ctr_run --rm "$IMAGE" "$ID" sh -c 'exit 3'
	assert_status 3
	run ctr_run --rm "$IMAGE" "$ID" sh -c 'exit 200'
	assert_status 200
}

@test "ctr run: environment from the image and --env" {
	run ctr_run --rm --env FOO=bar --env 'SPACED=a b' "$IMAGE" "$ID" sh -c 'echo "$FOO|$SPACED|$PATH|$HOME"'
	assert_success
	assert_output "bar|a b|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|/root"
}

@test "ctr run -t: a terminal of the caller's size, and the exit code" {
	# The size reaches the container after start (the shim resizes the
	# console once ctr sends it): poll for it.
	run in_pty "${CTR[@]}" run "${RUNC_OPTS[@]}" --rm -t "$IMAGE" "$ID" sh -c '
		tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-tty
		i=0; s=
		while [ $i -lt 100 ]; do s=$(stty size 2>/dev/null); [ -n "$s" ] && [ "$s" != "0 0" ] && break; i=$((i+1)); sleep 0.1; done
		echo "size=$s"; exit 5'
	assert_status 5
	assert_contains /dev/pts/0
	assert_contains stdio-is-tty
	assert_contains "size=40 100"
}

@test "detached task: list, runtime state, cgroup, kill (SIGTERM), delete" {
	ctr_start_task "$ID" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	wait_until 30 task_is "$ID" RUNNING
	local pid
	pid=$(task_pid "$ID")
	pid_alive "$pid"
	# The shim's runtime knows it, with the same pid, at its private root.
	run runtime_state "$ID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running "runtime state status"
	assert_equal "$(jq -r .pid <<<"$output")" "$pid" "runtime state pid"
	# The init is in the cgroup ctr asked for (/NAMESPACE/ID).
	assert_equal "$(cgroup_of "$pid")" "/$CTRD_NS/$ID" cgroup
	ctr_ task kill "$ID"
	wait_until 30 task_is "$ID" STOPPED
	pid_gone "$pid"
	run ctr_ task rm "$ID"
	assert_success
	assert_contains "exit code 42"
	ctr_ containers rm "$ID"
	[ ! -e "$RUNTIME_ROOT/$CTRD_NS/$ID" ] || fail "runtime state of $ID left"
}

@test "task kill --all: every process of the task, exec'd ones too" {
	ctr_start_task "$ID" sleep 1000
	wait_until 30 task_is "$ID" RUNNING
	ctr_exec -d --exec-id side "$ID" sleep 1001
	local pid side
	pid=$(task_pid "$ID")
	wait_until 30 pgrep -f '^sleep 1001$'
	side=$(pgrep -f '^sleep 1001$' | while read -r p; do
		[ "$(cgroup_of "$p")" = "/$CTRD_NS/$ID" ] && echo "$p"
	done)
	[ -n "$side" ] || fail "exec'd sleep not found in the task's cgroup"
	ctr_ task kill --all -s KILL "$ID"
	wait_until 30 task_is "$ID" STOPPED
	wait_until 30 pid_gone "$pid"
	wait_until 30 pid_gone "$side"
	run ctr_ task rm "$ID"
	assert_contains "exit code 137"
}

@test "exec: output, exit code, the task's namespaces and cgroup, --user and --cwd" {
	ctr_start_task "$ID" sleep 1000
	wait_until 30 task_is "$ID" RUNNING
	run ctr_exec --exec-id e1 "$ID" sh -c 'echo exec-out; cat /proc/1/comm; [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo same-cgroup; exit 7'
	assert_status 7
	assert_line exec-out
	assert_line sleep
	assert_line same-cgroup
	run ctr_exec --exec-id e2 --user 1000 --cwd /tmp "$ID" sh -c 'id -u; id -g; pwd'
	assert_success
	assert_output $'1000\n1000\n/tmp'
}

@test "exec -t: a terminal, and the exit code" {
	ctr_start_task "$ID" sleep 1000
	wait_until 30 task_is "$ID" RUNNING
	run in_pty "${CTR[@]}" task exec --fifo-dir "$SUITE_DIR/fifo" -t --exec-id e1 "$ID" sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; exit 4'
	assert_status 4
	assert_match '/dev/pts/[0-9]+'
	assert_contains stdin-is-tty
}

@test "exec of a missing binary: the runtime's error in ctr's output" {
	ctr_start_task "$ID" sleep 1000
	wait_until 30 task_is "$ID" RUNNING
	run ctr_exec --exec-id e1 "$ID" /nonexistent
	assert_status 1
	assert_output 'ctr: OCI runtime exec failed: exec failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory: unknown'
	# The task goes on.
	task_is "$ID" RUNNING
}

@test "task ps (runtime ps --format json): the init and an exec'd process" {
	ctr_start_task "$ID" sleep 1000
	wait_until 30 task_is "$ID" RUNNING
	ctr_exec -d --exec-id side "$ID" sleep 1002
	local pid
	pid=$(task_pid "$ID")
	wait_until 30 pgrep -f '^sleep 1002$'
	run ctr_ task ps "$ID"
	assert_success
	assert_equal "${#lines[@]}" 3 "lines of ctr task ps"
	printf '%s\n' "${lines[@]}" | grep -Eq "^$pid +-\$" || fail "init pid $pid not in: $output"
	assert_match "ExecID:side"
}

@test "pause and resume: the freezer, the task and runtime status" {
	ctr_start_task "$ID" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/c; mv /tmp/c /tmp/count; sleep 0.05; done'
	wait_until 30 task_is "$ID" RUNNING
	local pid a b
	pid=$(task_pid "$ID")
	wait_until 30 test -s "/proc/$pid/root/tmp/count"
	ctr_ task pause "$ID"
	assert_equal "$(task_status "$ID")" PAUSED "task status"
	assert_equal "$(runtime_state "$ID" | jq -r .status)" paused "runtime status"
	assert_cgroup "$pid" freezer freezer.state FROZEN
	a=$(cat "/proc/$pid/root/tmp/count")
	sleep 0.5
	b=$(cat "/proc/$pid/root/tmp/count")
	assert_equal "$b" "$a" "counter while paused"
	ctr_ task resume "$ID"
	assert_equal "$(task_status "$ID")" RUNNING "task status"
	assert_equal "$(runtime_state "$ID" | jq -r .status)" running "runtime status"
	assert_cgroup "$pid" freezer freezer.state THAWED
	wait_until 10 sh -c "[ \"\$(cat /proc/$pid/root/tmp/count)\" -gt $b ]"
}

@test "task metrics: memory limit and usage, cpu, pids" {
	ctr_run -d --null-io --memory-limit 33554432 "$IMAGE" "$ID" sh -c 'sleep 1000 & sleep 1001 & wait' >/dev/null
	wait_until 30 task_is "$ID" RUNNING
	wait_until 30 sh -c "[ \"\$(ctr --address $CTRD_SOCK --namespace $CTRD_NS task metrics --format json $ID | jq .pids.current)\" = 3 ]"
	run ctr_ task metrics --format json "$ID"
	assert_success
	if cgroup2_host; then
		# containerd's v2 metrics
		assert_equal "$(jq .memory.usage_limit <<<"$output")" 33554432 "memory.usage_limit"
		jq -e '.memory.usage > 0' <<<"$output" >/dev/null || fail "no memory usage: $output"
		jq -e '.cpu.usage_usec > 0' <<<"$output" >/dev/null || fail "no cpu usage: $output"
	else
		assert_equal "$(jq .memory.usage.limit <<<"$output")" 33554432 "memory.usage.limit"
		jq -e '.memory.usage.usage > 0' <<<"$output" >/dev/null || fail "no memory usage: $output"
		jq -e '.cpu.usage.total > 0' <<<"$output" >/dev/null || fail "no cpu usage: $output"
	fi
	assert_equal "$(jq .pids.current <<<"$output")" 3 "pids.current"
	run ctr_ task metrics "$ID"
	assert_success
	if cgroup2_host; then
		assert_match "memory.usage_limit +33554432"
	else
		assert_match "memory.limit_in_bytes +33554432"
	fi
}

@test "memory limit: the OOM kill, exit 137 and the /tasks/oom event" {
	local share=$SUITE_DIR/share/$ID evpid pid
	mkdir -p "$share"
	"${CTR[@]}" events >"$SUITE_DIR/events.$ID" 2>&1 </dev/null 3>&- &
	evpid=$!
	ctr_run -d --null-io --memory-limit 16777216 \
		--mount "type=bind,src=$share,dst=/mnt,options=rbind:rw" \
		"$IMAGE" "$ID" sh -c 'while [ ! -e /mnt/go ]; do sleep 0.05; done; tail /dev/zero' >/dev/null
	wait_until 30 task_is "$ID" RUNNING
	pid=$(task_pid "$ID")
	assert_cgroup "$pid" memory memory.limit_in_bytes 16777216
	touch "$share/go"
	wait_until 60 task_is "$ID" STOPPED
	wait_until 30 grep -q "/tasks/oom {\"container_id\":\"$ID\"}" "$SUITE_DIR/events.$ID"
	kill "$evpid" 2>/dev/null || true
	wait "$evpid" 2>/dev/null || true
	run ctr_ task rm "$ID"
	assert_contains "exit code 137"
}

@test "read-only rootfs: / is ro, /dev is not" {
	run ctr_run --rm --read-only "$IMAGE" "$ID" sh -c '
		touch /x 2>&1
		awk "\$2 == \"/\" {split(\$4, o, \",\"); print \"root \" o[1]}" /proc/mounts
		touch /dev/y && echo dev-writable'
	assert_success
	assert_line "touch: /x: Read-only file system"
	assert_line "root ro"
	assert_line dev-writable
}

@test "bind mounts: a read-only and a read-write one" {
	local share=$SUITE_DIR/share/$ID
	mkdir -p "$share"
	echo from-host >"$share/in"
	run ctr_run --rm \
		--mount "type=bind,src=$share,dst=/ro,options=rbind:ro" \
		--mount "type=bind,src=$share,dst=/rw,options=rbind:rw" \
		"$IMAGE" "$ID" sh -c 'cat /ro/in; touch /ro/x 2>&1; echo from-container >/rw/out'
	assert_success
	assert_line from-host
	assert_line "touch: /ro/x: Read-only file system"
	assert_equal "$(cat "$share/out")" from-container "file written through the rw mount"
}

@test "user, groups and hostname from the spec (ctr run --config)" {
	local rootfs=$SUITE_DIR/rootfs.$ID
	extract_image_rootfs "$rootfs"
	ctr oci spec | jq --arg root "$rootfs" '
		.hostname = "berth-host" |
		.process.user = {uid: 1000, gid: 1000, additionalGids: [100]} |
		.process.env = ["PATH=/bin"] |
		.process.args = ["sh", "-c", "hostname; id; grep -E \"^(NoNewPrivs|CapEff):\" /proc/self/status"] |
		.root = {path: $root, readonly: true}' >"$SUITE_DIR/spec.$ID.json"
	run ctr_run --rm --config "$SUITE_DIR/spec.$ID.json" "$ID"
	assert_success
	assert_line berth-host
	assert_line "uid=1000(bb) gid=1000(bb) groups=100(users)"
	# Non-root: no effective capabilities, and no_new_privs as the spec says.
	assert_equal "$(status_field NoNewPrivs)" 1 NoNewPrivs
	assert_equal "$(status_field CapEff)" 0000000000000000 CapEff
	[ "$(hostname)" != berth-host ] || fail "the host's hostname changed"
}

@test "capabilities: containerd's default set, --cap-add, --cap-drop, --privileged" {
	local caps='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'
	run ctr_run --rm "$IMAGE" "$ID" sh -c "$caps"
	assert_success
	local def
	def=$(default_caps)
	assert_equal "$(status_field CapEff)" "$def" "default CapEff"
	assert_equal "$(status_field CapBnd)" "$def" "default CapBnd"
	assert_equal "$(status_field CapInh)" 0000000000000000 "default CapInh"
	assert_equal "$(status_field CapAmb)" 0000000000000000 "default CapAmb"

	run ctr_run --rm --cap-add CAP_SYS_ADMIN --cap-drop CAP_NET_RAW "$IMAGE" "$ID" sh -c "$caps"
	assert_success
	assert_equal "$(status_field CapEff)" "$(cap_clear "$(cap_or "$def" $CAP_SYS_ADMIN)" $CAP_NET_RAW)" "CapEff with cap-add/drop"

	run ctr_run --rm --privileged "$IMAGE" "$ID" sh -c "$caps; [ -e /dev/kmsg ] && echo host-devices"
	assert_success
	assert_equal "$(status_field CapEff)" "$(host_cap_bound)" "privileged CapEff"
	[ ! -e /dev/kmsg ] || assert_line host-devices
}

@test "ctr run options: --net-host, --seccomp, --allow-new-privs, --no-pivot, --cpus" {
	run ctr_run --rm --net-host --seccomp --allow-new-privs "$IMAGE" "$ID" sh -c '
		ls /sys/class/net; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	assert_success
	local ifc
	for ifc in $(ls /sys/class/net); do assert_line "$ifc"; done
	assert_equal "$(status_field Seccomp)" 2 "Seccomp with --seccomp"
	assert_equal "$(status_field NoNewPrivs)" 0 "NoNewPrivs with --allow-new-privs"
	run ctr_run --rm "$IMAGE" "$ID" sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	assert_equal "$(status_field Seccomp)" 0 "Seccomp by default"
	assert_equal "$(status_field NoNewPrivs)" 1 "NoNewPrivs by default"
	run ctr_run --rm --no-pivot "$IMAGE" "$ID" sh -c 'ls /bin/busybox /etc/passwd'
	assert_success
	ctr_run -d --null-io --cpus 0.25 --cpu-shares 256 "$IMAGE" "$ID" sleep 1000 >/dev/null
	wait_until 30 task_is "$ID" RUNNING
	local pid
	pid=$(task_pid "$ID")
	assert_cgroup "$pid" cpu cpu.cfs_quota_us 25000
	assert_cgroup "$pid" cpu cpu.shares 256
}

@test "user namespace: ctr run --uidmap/--gidmap" {
	ctr_run -d --null-io --uidmap 0:200000:65536 --gidmap 0:200000:65536 "$IMAGE" "$ID" sh -c 'touch /mine; sleep 1000' >/dev/null
	wait_until 30 task_is "$ID" RUNNING
	local pid
	pid=$(task_pid "$ID")
	run cat "/proc/$pid/uid_map"
	assert_match '^ +0 +200000 +65536$'
	assert_equal "$(stat -c %u "/proc/$pid")" 200000 "host uid of the task's init"
	run ctr_exec --exec-id e1 "$ID" sh -c 'id -u; stat -c %u /mine'
	assert_output $'0\n0'
}

@test "several tasks at once: five started together, each in its own cgroup" {
	local i pids=() p
	for i in 1 2 3 4 5; do
		ctr_start_task "$ID-$i" sh -c "echo $i >/tmp/me; sleep 1000" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "a ctr run -d failed"
	done
	local seen=
	for i in 1 2 3 4 5; do
		wait_until 30 task_is "$ID-$i" RUNNING
		p=$(task_pid "$ID-$i")
		[[ " $seen " != *" $p "* ]] || fail "two tasks with pid $p"
		seen="$seen $p"
		assert_equal "$(cgroup_of "$p")" "/$CTRD_NS/$ID-$i" "cgroup of task $i"
		run ctr_exec --exec-id e "$ID-$i" cat /tmp/me
		assert_output "$i"
	done
	for i in 1 2 3 4 5; do
		ctr_ task kill -s KILL "$ID-$i" &
	done
	wait
	for i in 1 2 3 4 5; do
		wait_until 30 task_is "$ID-$i" STOPPED
	done
}

# task_count ID: the counter of a task, read by an exec.
task_count() {
	ctr_exec --exec-id "count$RANDOM" "$1" cat /count
}


@test "checkpoint (containers checkpoint --task) and restore --live: the same shell goes on counting" {
	require_criu
	local ref=localhost/checkpoint-$ID:1
	# --null-io: the shim gives the runtime the host's /dev/null as stdio,
	# which criu can dump only because the runtime reopened it on the
	# container's own.
	ctr_start_task "$ID" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count.tmp; mv /count.tmp /count; sleep 0.1; done'
	wait_until 30 task_is "$ID" RUNNING
	wait_until 30 count_above task_count "$ID" 10
	# The task is dumped and left running; its rw layer goes with it.
	run ctr_ containers checkpoint --task --rw "$ID" "$ref"
	assert_success
	task_is "$ID" RUNNING
	ctr_ task kill -s KILL "$ID"
	wait_until 30 task_is "$ID" STOPPED
	ctr_ task rm "$ID" >/dev/null
	ctr_ containers rm "$ID"

	run ctr_ containers restore --live --rw "$ID" "$ref"
	assert_success
	wait_until 30 task_is "$ID" RUNNING
	# A new shell would count from 1; the dumped one goes on from where it
	# was at the dump, at or above 10.
	local after
	after=$(task_count "$ID")
	[ "$after" -ge 10 ] || fail "counter is $after after restore: not the dumped shell"
	wait_until 30 count_above task_count "$ID" "$after"
	run runtime_state "$ID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running "runtime state status"
	assert_equal "$(jq -r .pid <<<"$output")" "$(task_pid "$ID")" "runtime state pid"
	ctr_ task kill -s KILL "$ID"
	wait_until 30 task_is "$ID" STOPPED
	ctr_ images rm "$ref" >/dev/null
}

@test "a missing binary: the runtime's one-line error is ctr's, and nothing is left" {
	run ctr_run --rm "$IMAGE" "$ID" /nonexistent
	assert_status 1
	assert_output "ctr: failed to create shim task: OCI runtime create failed: $RUNTIME_NAME create failed: unable to start container process: exec: \"/nonexistent\": stat /nonexistent: no such file or directory: unknown"
	run ctr_run --rm "$IMAGE" "$ID" nonexistent-cmd
	assert_status 1
	assert_output "ctr: failed to create shim task: OCI runtime create failed: $RUNTIME_NAME create failed: unable to start container process: exec: \"nonexistent-cmd\": executable file not found in \$PATH: unknown"
	[ -z "$(runtime_state_dirs)" ] || fail "runtime state left: $(runtime_state_dirs)"
	[ -z "$(cgroup_children "$CTRD_NS")" ] || fail "cgroups left: $(cgroup_children "$CTRD_NS")"
}

@test "the legacy v1 runtime, pointed at the runtime by the daemon config" {
	cgroup2_host && skip "containerd's legacy runtime knows cgroup v1 only"
	run ctr_ run --rm --fifo-dir "$SUITE_DIR/fifo" --runtime io.containerd.runtime.v1.linux \
		"$IMAGE" "$ID" sh -c 'echo v1; grep memory /proc/self/cgroup; exit 6'
	assert_status 6
	assert_line v1
	assert_match "memory:/$CTRD_NS/$ID"
	ctr_ run -d --null-io --fifo-dir "$SUITE_DIR/fifo" --runtime io.containerd.runtime.v1.linux \
		"$IMAGE" "$ID" sleep 1000 >/dev/null
	wait_until 30 task_is "$ID" RUNNING
	# Its state is where the config says (runtime_root/NAMESPACE/ID).
	[ -f "$RUNTIME_ROOT/v1/$CTRD_NS/$ID/state.json" ] || fail "no state in $RUNTIME_ROOT/v1/$CTRD_NS/$ID"
}

@test "after all the tasks: no runtime state, shim, mount or cgroup is left" {
	ctr_start_task "$ID" sleep 1000
	wait_until 30 task_is "$ID" RUNNING
	[ -n "$(shim_pids)" ] || fail "no shim while a task runs"
	[ -n "$(runtime_state_dirs)" ] || fail "no runtime state while a task runs"
	ctrd_remove_all
	ctrd_no_leaks
	run ctr_ task ls -q
	assert_output ""
	run ctr_ containers ls -q
	assert_output ""
}

# extract_image_rootfs DIR: the layer of IMAGE_TAR unpacked in DIR.
extract_image_rootfs() {
	local dir=$1 manifest layer
	mkdir -p "$dir"
	manifest=$(tar -xOf "$IMAGE_TAR" index.json | jq -r '.manifests[0].digest | sub("sha256:"; "")')
	layer=$(tar -xOf "$IMAGE_TAR" "blobs/sha256/$manifest" | jq -r '.layers[0].digest | sub("sha256:"; "")')
	tar -xOf "$IMAGE_TAR" "blobs/sha256/$layer" | tar -x -C "$dir"
}
