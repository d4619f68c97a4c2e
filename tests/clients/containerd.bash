# shellcheck shell=bash
# A private containerd for containerd.bats: its own config, root, state,
# sockets and plugin dir under SUITE_DIR, no CRI plugin, the overlayfs
# snapshotter, debug logs (shim output included) in SUITE_DIR/containerd.log.
#
# Tasks run with Debian's containerd-shim-runc-v2 (io.containerd.runc.v2),
# whose runc options are set per container by `ctr run --runc-binary
# RUNTIME --runc-root RUNTIME_ROOT` (options.BinaryName and options.Root;
# containerd 1.6 has no daemon-wide runc options outside the CRI plugin).
# The daemon config also points the legacy io.containerd.runtime.v1.linux
# runtime (containerd-shim) at RUNTIME, the config-only way of 1.6.
#
# Every container lives in the ctr namespace CTRD_NS (= SUITE_TAG), so its
# cgroups are /CTRD_NS/ID in every hierarchy and its runtime state is
# RUNTIME_ROOT/CTRD_NS/ID.

load helpers

# ctrd_start: write the config, start containerd, wait for it, import IMAGE.
ctrd_start() {
	suite_init ctrd
	export CTRD_DIR=$SUITE_DIR/containerd
	export CTRD_SOCK=$CTRD_DIR/containerd.sock
	export CTRD_NS=$SUITE_TAG
	export CTRD_LOG=$SUITE_DIR/containerd.log
	mkdir -p "$CTRD_DIR" "$SUITE_DIR/fifo"
	# Nothing started here writes in the caller's cwd.
	cd "$SUITE_DIR"
	# containerd 1.6 puts shim sockets in /run/containerd/s whatever its
	# config says: note whether they were there, to leave the host as found.
	[ -e /run/containerd ] || : >"$SUITE_DIR/made-run-containerd"
	[ -e /run/containerd/s ] || : >"$SUITE_DIR/made-run-containerd-s"
	# Its cleanup of a dead shim runs the runtime with --root
	# /run/containerd/runc/NAMESPACE when the bundle is already gone (the
	# runtime makes that dir): same.
	[ -e /run/containerd/runc ] || : >"$SUITE_DIR/made-run-containerd-runc"
	cat >"$CTRD_DIR/config.toml" <<EOF
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp",
]

[grpc]
  address = "$CTRD_SOCK"

[ttrpc]
  address = "$CTRD_SOCK.ttrpc"

[debug]
  address = "$CTRD_DIR/debug.sock"
  level = "debug"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"

[plugins."io.containerd.runtime.v1.linux"]
  shim = "containerd-shim"
  runtime = "$RUNTIME"
  runtime_root = "$RUNTIME_ROOT/v1"
  no_shim = false
EOF
	# In its own session: a ^C of the run must not kill it before the
	# suite's teardown has removed its tasks.
	setsid containerd --config "$CTRD_DIR/config.toml" </dev/null >>"$CTRD_LOG" 2>&1 3>&- &
	if ! wait_until 60 ctr --address "$CTRD_SOCK" version; then
		tail -20 "$CTRD_LOG" >&2
		return 1
	fi
	pgrep -f "^containerd --config $CTRD_DIR/config.toml\$" >"$SUITE_DIR/containerd.pid"
	ctr_ images import "$IMAGE_TAR" >&2
}

# ctrd_stop: remove what is left in the namespace, stop containerd, clean.
ctrd_stop() {
	[ -n "${SUITE_DIR:-}" ] || return 0
	cd /
	if [ -S "${CTRD_SOCK:-}" ]; then
		ctrd_remove_all
		ctr_ images rm "$IMAGE" >/dev/null 2>&1 || true
		ctr_ namespaces rm "$CTRD_NS" >/dev/null 2>&1 || true
	fi
	stop_pid "$(cat "$SUITE_DIR/containerd.pid" 2>/dev/null)" 30
	# Shims that outlived containerd (none should), by their -address.
	local p
	for p in $(shim_pids); do kill -KILL "$p" 2>/dev/null || true; done
	remove_cgroups "$CTRD_NS"
	rmdir "/run/containerd/runc/$CTRD_NS" 2>/dev/null || true
	if [ -e "$SUITE_DIR/made-run-containerd-runc" ]; then
		rmdir /run/containerd/runc 2>/dev/null || true
	fi
	if [ -e "$SUITE_DIR/made-run-containerd-s" ]; then
		rmdir /run/containerd/s 2>/dev/null || true
	fi
	if [ -e "$SUITE_DIR/made-run-containerd" ]; then
		rmdir /run/containerd 2>/dev/null || true
	fi
	suite_remove_dir
}

# ctr_ ARGS...: ctr on the private daemon, in the suite's namespace.
ctr_() {
	timeout -k 5 "$CLIENT_TIMEOUT" ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS" "$@" 3>&-
}

# ctr_run ARGS...: `ctr run` with the runtime under test as the shim's runc
# (BinaryName) and its private root (Root); FIFOs in the suite's dir.
ctr_run() {
	ctr_ run --fifo-dir "$SUITE_DIR/fifo" --runc-binary "$RUNTIME" --runc-root "$RUNTIME_ROOT" "$@"
}

# ctr_exec ARGS...: `ctr task exec` with FIFOs in the suite's dir.
ctr_exec() {
	ctr_ task exec --fifo-dir "$SUITE_DIR/fifo" "$@"
}

# ctr_start_task ID CMD...: a detached task of IMAGE running CMD.
ctr_start_task() {
	local id=$1
	shift
	ctr_run -d --null-io "$IMAGE" "$id" "$@" >/dev/null || {
		fail "ctr run -d $id failed"
		return 1
	}
}

# task_status ID: RUNNING, PAUSED, STOPPED, ... as `ctr task ls` says.
task_status() {
	ctr_ task ls | awk -v id="$1" '$1 == id {print $3}'
}

# task_pid ID: the host pid of the task's init.
task_pid() {
	ctr_ task ls | awk -v id="$1" '$1 == id {print $2}'
}

# task_is ID STATUS: for wait_until.
task_is() {
	local st
	st=$(task_status "$1")
	[ "$st" = "$2" ] || {
		echo "task $1 is '$st', want $2"
		return 1
	}
}

# shim_pids: the shims of the private daemon (v2 and v1 both take -address).
shim_pids() {
	pgrep -f -- "^[^ ]*containerd-shim[^ ]* .*-address $CTRD_SOCK( |\$)" 2>/dev/null || true
}

# runtime_state ID: the runtime's own `state` of task ID (as the shim sees it).
runtime_state() {
	"$RUNTIME" --root "$RUNTIME_ROOT/$CTRD_NS" state "$1"
}

# ctrd_remove_all: kill and delete every task and container of the namespace.
ctrd_remove_all() {
	local t c
	for t in $(ctr_ task ls -q 2>/dev/null); do
		ctr_ task kill -a -s KILL "$t" >/dev/null 2>&1 || true
	done
	for t in $(ctr_ task ls -q 2>/dev/null); do
		wait_until 30 task_is "$t" STOPPED >/dev/null 2>&1 || true
		ctr_ task rm -f "$t" >/dev/null 2>&1 || true
	done
	for c in $(ctr_ containers ls -q 2>/dev/null); do
		ctr_ containers rm "$c" >/dev/null 2>&1 || true
	done
	ctr_ snapshots ls 2>/dev/null | awk 'NR > 1 && $3 == "Active" {print $1}' | while read -r s; do
		ctr_ snapshots rm "$s" >/dev/null 2>&1 || true
	done
	return 0
}

# ctrd_leaks: one line per thing left by the tasks of the namespace.
ctrd_leaks() {
	local t c d
	for t in $(ctr_ task ls -q 2>/dev/null); do echo "task: $t"; done
	for c in $(ctr_ containers ls -q 2>/dev/null); do echo "container: $c"; done
	for d in $(runtime_state_dirs); do echo "runtime state: $d"; done
	for d in $(shim_pids); do echo "shim: $d $(tr '\0' ' ' <"/proc/$d/cmdline" 2>/dev/null)"; done
	# Mounts: rootfs of tasks under the daemon's state dir, and anything in
	# the runtime root (nothing else of the suite is mounted while it runs).
	suite_mounts | grep -e "/state/" -e "$RUNTIME_ROOT" | sed 's/^/mount: /'
	# Cgroups of tasks: /CTRD_NS/ID; /CTRD_NS itself stays until the end.
	cgroup_children "$CTRD_NS" | sed 's/^/cgroup: /'
	host_leaks
}

# ctrd_no_leaks: fail (after waiting up to 30s) if anything is left.
ctrd_no_leaks() {
	local deadline=$((SECONDS + 30)) l
	while :; do
		l=$(ctrd_leaks)
		[ -z "$l" ] && return 0
		((SECONDS >= deadline)) && break
		sleep 0.2
	done
	fail "left behind: $l"
}

# ctrd_alive: fail at once (not after every ctr's dial timeout) when the
# private containerd is gone.
ctrd_alive() {
	local pid
	pid=$(cat "$SUITE_DIR/containerd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || {
		fail "the private containerd (pid ${pid:-?}) is not running; its log: $CTRD_LOG"
		return 1
	}
}

# Per test: remove what the test left, prove that nothing is left.
ctrd_test_teardown() {
	ctrd_alive || return 1
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		echo "# containerd log (errors, last 20):" >&2
		grep -E 'level=error' "$CTRD_LOG" | tail -20 | sed 's/^/#   /' >&2
	fi
	ctrd_remove_all
	ctrd_no_leaks
}
