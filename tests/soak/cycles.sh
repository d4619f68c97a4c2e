#!/bin/bash
# cycles.sh N: N sequential container cycles for soak.bats, each
#   run (foreground) of /bin/true; create, start, exec, kill, delete of a sleeper
# with snapshots of what a leak would change taken before and after:
#   fds      this shell's open fds (ls /proc/$$/fd)
#   mounts   the line count of /proc/self/mountinfo
#   cgroups  cgroup dirs naming $TAG, under every hierarchy
#   root     entries under $BERTH_ROOT
#   procs    processes with the test's tag in their environment
#   netns    `ip netns list` entries (names saved to compare)
# The snapshots go to $TEST_DIR/soak.before and $TEST_DIR/soak.after; a
# progress line every 100 cycles to fd 4 if it is open.
#
# soak.bats runs this in a mount namespace of its own (unshare -m,
# private propagation), so that the mount count is not moved by other suites
# running on the machine: berth runs in that namespace, so any mount it leaves
# in its caller's namespace shows up there. Copies of other suites' mounts
# (under /tmp, /run and /var) are detached first, so that this namespace
# does not keep them alive.
#
# Environment: BERTH BERTH_ROOT TAG TEST_DIR BUNDLE_TRUE BUNDLE_SLEEP.
set -u
n=${1:?cycles}
: "${BERTH:?}" "${BERTH_ROOT:?}" "${TAG:?}" "${TEST_DIR:?}" "${BUNDLE_TRUE:?}" "${BUNDLE_SLEEP:?}"

progress() {
	{ echo "# $*" >&4; } 2>/dev/null || true
}

if [ "${SOAK_NS:-}" = private ]; then
	cut -d' ' -f5 /proc/self/mountinfo | grep -E '^(/tmp/|/var/|/run/)' | grep -v -x /run/netns | sort -r |
		while read -r m; do
			umount -l "$m" 2>/dev/null || true
		done
fi

# rt ARGS...: the runtime, bounded in time, without the progress fd.
rt() {
	timeout -k 5 60 "$BERTH" --root "$BERTH_ROOT" "$@" 4>&-
}

snapshot() {
	echo "fds: $(ls /proc/$$/fd | sort -n | tr '\n' ' ')"
	echo "mounts: $(wc -l </proc/self/mountinfo)"
	echo "cgroups: $(find /sys/fs/cgroup -type d -path "*$TAG*" 2>/dev/null | sort | tr '\n' ' ')"
	echo "root: $(ls -A "$BERTH_ROOT" 2>/dev/null | sort | tr '\n' ' ')"
	echo "procs: $(grep -l -a -e "BERTH_TEST_TA[G]=$TAG" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | sort -n | tr '\n' ' ')"
	echo "netns: $(ip netns list 2>/dev/null | wc -l)"
	echo "netns-names: $(ip netns list 2>/dev/null | awk '{print $1}' | sort | tr '\n' ' ')"
}

die() {
	echo "cycle $i: $*: $(tr '\n' ' ' <"$TEST_DIR/soak.err" 2>/dev/null)" >&2
	rt delete --force "$TAG-run" >/dev/null 2>&1
	rt delete --force "$TAG-c" >/dev/null 2>&1
	exit 1
}

# Warm up once (the state root is created by the first container and
# removed by teardown), then snapshot.
i=0
rt run --bundle "$BUNDLE_TRUE" "$TAG-run" </dev/null >/dev/null 2>"$TEST_DIR/soak.err" || die "warm-up run"
snapshot >"$TEST_DIR/soak.before"

start=${EPOCHREALTIME/./}
for ((i = 1; i <= n; i++)); do
	rt run --bundle "$BUNDLE_TRUE" "$TAG-run" </dev/null >/dev/null 2>"$TEST_DIR/soak.err" || die "run exited $?"
	rt create --bundle "$BUNDLE_SLEEP" "$TAG-c" </dev/null >/dev/null 2>"$TEST_DIR/soak.err" || die "create"
	rt start "$TAG-c" 2>"$TEST_DIR/soak.err" || die "start"
	out=$(rt exec "$TAG-c" echo exec-ok 2>"$TEST_DIR/soak.err") || die "exec"
	[ "$out" = exec-ok ] || die "exec printed '$out'"
	rt kill "$TAG-c" KILL 2>"$TEST_DIR/soak.err" || die "kill"
	for ((w = 0; w < 400; w++)); do
		st=$(rt state "$TAG-c" 2>"$TEST_DIR/soak.err") || die "state"
		[[ $st == *'"status": "stopped"'* ]] && break
		sleep 0.02
	done
	[[ $st == *'"status": "stopped"'* ]] || die "not stopped 8 s after kill"
	rt delete "$TAG-c" 2>"$TEST_DIR/soak.err" || die "delete"
	if ((i % 100 == 0)); then
		now=${EPOCHREALTIME/./}
		progress "soak: $i/$n cycles, $(((now - start) / 1000 / i)) ms per cycle"
	fi
done
end=${EPOCHREALTIME/./}
snapshot >"$TEST_DIR/soak.after"
echo "cycles: $n ms: $(((end - start) / 1000))" >"$TEST_DIR/soak.time"
