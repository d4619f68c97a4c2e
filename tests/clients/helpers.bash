# shellcheck shell=bash
# Common code of the client suites (containerd.bats, podman.bats): the
# runtime under test, a private scratch dir per suite, the locally built
# busybox image, waiting, assertions and host-side checks.
#
#   BERTH               the runtime under test (default: the repo's ./berth);
#                       BERTH=/usr/sbin/runc runs the same scenarios on runc
#   BERTH_CLIENTS_TMP   where suites make their private dirs (/tmp/berth-clients)
#   CLIENT_TIMEOUT      upper bound in seconds for one client command (120)
#   BERTH_CLIENTS_KEEP  if set, keep each suite's dir (logs, configs) at the end
#
# Every suite copies the runtime into its own dir first (so that a rebuild of
# ./berth during the run changes nothing) under its own name, berth or runc:
# the shims and podman word their errors after it.

bats_require_minimum_version 1.5.0

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CLIENTS_DIR/../.." && pwd)
BERTH=${BERTH:-$REPO_ROOT/berth}
RUNTIME_NAME=$(basename "$BERTH")
CLIENTS_TMP=${BERTH_CLIENTS_TMP:-/tmp/berth-clients}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-120}
IMAGE_TAR=${BERTH_CLIENTS_IMAGE:-$CLIENTS_DIR/image/busybox-oci.tar}
IMAGE=localhost/berth-busybox:latest

# ---------------------------------------------------------------- the suite

# suite_init PREFIX: make the suite's private dir and runtime copy. Sets and
# exports SUITE_TAG (PREFIX + random hex, part of every name the suite
# makes: dirs, namespaces, cgroups), SUITE_DIR, RUNTIME (the copy) and
# RUNTIME_ROOT (its private state root).
suite_init() {
	[ -x "$BERTH" ] || {
		echo "runtime under test $BERTH is missing (make build)" >&2
		return 1
	}
	[ -s "$IMAGE_TAR" ] || bash "$CLIENTS_DIR/mkimage.sh" "$IMAGE_TAR" >&2
	export SUITE_TAG="$1$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
	export SUITE_DIR=$CLIENTS_TMP/$SUITE_TAG
	mkdir -p "$SUITE_DIR/bin" "$SUITE_DIR/share"
	chmod 0755 "$CLIENTS_TMP" "$SUITE_DIR"
	export RUNTIME=$SUITE_DIR/bin/$RUNTIME_NAME
	cp "$BERTH" "$RUNTIME"
	export RUNTIME_ROOT=$SUITE_DIR/runtime-root
	# What the host had before, for host_leaks.
	{
		echo "## netns"
		ls -A /run/netns 2>/dev/null | sort
		echo "## links"
		ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort
	} >"$SUITE_DIR/host.before"
}

# suite_cleanup_mounts: lazily unmount everything under SUITE_DIR, deepest first.
suite_cleanup_mounts() {
	[ -n "${SUITE_DIR:-}" ] || return 0
	local m
	suite_mounts | awk '{print length, $0}' | sort -rn | cut -d' ' -f2- | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

# suite_mounts: mount points under SUITE_DIR.
suite_mounts() {
	awk -v d="$SUITE_DIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo
}

# remove_cgroups NAME: remove the cgroup tree /NAME from every hierarchy,
# deepest first (it must hold no process by then).
remove_cgroups() {
	local name=$1 d i
	[ -n "$name" ] || return 0
	kill_cgroup_procs "$name"
	for ((i = 0; i < 50; i++)); do
		[ -z "$(for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
			[ -d "$d" ] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
		done)" ] && break
		sleep 0.1
	done
	for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
	done
}

# kill_cgroup_procs NAME: SIGKILL every process left in the cgroup tree
# /NAME (of any hierarchy), so that the tree can be removed.
kill_cgroup_procs() {
	local d
	[ -n "$1" ] || return 0
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -u | xargs -r kill -KILL 2>/dev/null
	return 0
}

# cgroup_children NAME: the cgroup dirs below /NAME (not /NAME itself).
cgroup_children() {
	local d
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[ -d "$d" ] && find "$d" -mindepth 1 -type d
	done 2>/dev/null
	return 0
}

# suite_remove_dir: remove SUITE_DIR (after its mounts).
suite_remove_dir() {
	[ -n "${SUITE_DIR:-}" ] && [ -d "$SUITE_DIR" ] || return 0
	suite_cleanup_mounts
	if [ -n "${BERTH_CLIENTS_KEEP:-}" ]; then
		echo "# kept $SUITE_DIR (BERTH_CLIENTS_KEEP)" >&3
		return 0
	fi
	rm -rf --one-file-system "$SUITE_DIR" 2>/dev/null || {
		suite_cleanup_mounts
		rm -rf --one-file-system "$SUITE_DIR"
	}
	rmdir "$CLIENTS_TMP" 2>/dev/null || true
}

# host_leaks: what the suite added to the host's network namespaces and links.
host_leaks() {
	local now
	now=$(
		echo "## netns"
		ls -A /run/netns 2>/dev/null | sort
		echo "## links"
		ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort
	)
	diff <(cat "$SUITE_DIR/host.before") <(echo "$now") | grep '^>' | sed 's/^> /new: /' || true
}

# runtime_state_dirs: container state dirs left under RUNTIME_ROOT (at any
# depth: containerd's shim adds the namespace as a level).
runtime_state_dirs() {
	find "$RUNTIME_ROOT" -name state.json 2>/dev/null | xargs -r -n1 dirname
}

# stop_pid PID [SECONDS]: SIGTERM PID, wait, then SIGKILL.
stop_pid() {
	local pid=$1 secs=${2:-20} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		# A zombie child of ours is gone for every purpose here.
		grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- waiting

# wait_until SECONDS CMD...: poll CMD every 0.1s until it succeeds; fail
# with the last output after SECONDS.
wait_until() {
	local secs=$1
	shift
	local deadline=$((SECONDS + secs)) out
	while :; do
		if out=$("$@" 2>&1); then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			fail "timed out after ${secs}s waiting for: $* (last output: $out)"
			return 1
		fi
		sleep 0.1
	done
}

# in_pty CMD...: run CMD in a new pseudo-terminal of 40 rows and 100 columns
# (script(1)), with no stdin; prints what the terminal showed, without CRs
# and NULs; returns CMD's exit status.
in_pty() {
	local q
	printf -v q '%q ' "$@"
	# script runs the command with $SHELL, and %q may produce bash-only
	# $'...' quoting: name bash, whatever the caller's SHELL is.
	SHELL=/bin/bash timeout -k 5 "$CLIENT_TIMEOUT" script -qefc "stty rows 40 cols 100; $q" /dev/null </dev/null 3>&- |
		tr -d '\r\000'
	return "${PIPESTATUS[0]}"
}

# ---------------------------------------------------------------- asserts

fail() {
	echo "FAIL: $*" >&2
	return 1
}

assert_status() {
	[ "$status" -eq "$1" ] || fail "exit status $status, want $1; output: $output"
}

assert_success() {
	assert_status 0
}

assert_fails() {
	[ "$status" -ne 0 ] || fail "exit status 0, want non-zero; output: $output"
}

assert_output() {
	[ "$output" = "$1" ] || fail "output: '$output', want '$1'"
}

# assert_line STRING: one line of the last output is exactly STRING.
assert_line() {
	local l
	for l in "${lines[@]}"; do
		[ "$l" = "$1" ] && return 0
	done
	fail "no line '$1' in output: $output"
}

assert_contains() {
	local text=${2-$output}
	[[ "$text" == *"$1"* ]] || fail "'$text' does not contain '$1'"
}

assert_match() {
	local text=${2-$output}
	[[ "$text" =~ $1 ]] || fail "'$text' does not match /$1/"
}

# assert_equal GOT WANT [WHAT]
assert_equal() {
	[ "$1" = "$2" ] || fail "${3:-value}: '$1', want '$2'"
}

# status_field FIELD: the value of "FIELD:" in the last output, a copy of a
# /proc/PID/status (tabs and spaces trimmed).
status_field() {
	printf '%s\n' "$output" | awk -v f="$1:" '$1 == f {print $2}'
}

# cap_mask CAP_NUMBER...: the 16-hex-digit capability mask with those bits.
cap_mask() {
	local m=0 b
	for b in "$@"; do
		m=$((m | (1 << b)))
	done
	printf '%016x\n' "$m"
}

# cap_or MASK BITS...: MASK with BITS set; cap_clear MASK BITS...: cleared.
cap_or() {
	local m=$((16#$1)) b
	shift
	for b in "$@"; do m=$((m | (1 << b))); done
	printf '%016x\n' "$m"
}
cap_clear() {
	local m=$((16#$1)) b
	shift
	for b in "$@"; do m=$((m & ~(1 << b))); done
	printf '%016x\n' "$m"
}

# host_cap_bound: this host's bounding set (all a privileged container gets).
host_cap_bound() {
	awk '$1 == "CapBnd:" {print $2}' /proc/self/status
}

# ---------------------------------------------------------------- containers on the host

# cgroup2_host: /sys/fs/cgroup is cgroup v2 alone (the VM lane), not this
# host's v1 hybrid.
cgroup2_host() {
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
}

# cgroup_of PID [CONTROLLER]: PID's cgroup as the host sees it: in the v1
# CONTROLLER hierarchy (memory's by default), or its only one on v2.
cgroup_of() {
	if cgroup2_host; then
		sed -n 's/^0:://p' "/proc/$1/cgroup"
	else
		awk -F: -v c="${2:-memory}" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3}' "/proc/$1/cgroup"
	fi
}

# cgroup_file PID CONTROLLER FILE: the value of FILE in PID's cgroup of the
# v1 CONTROLLER hierarchy (on v2, of its one cgroup), read from the host.
cgroup_file() {
	local pid=$1 ctl=$2 file=$3 path dir=/sys/fs/cgroup/$2
	path=$(cgroup_of "$pid" "$ctl")
	cgroup2_host && dir=/sys/fs/cgroup
	[ -n "$path" ] || {
		fail "pid $pid has no $ctl cgroup"
		return 1
	}
	cat "$dir$path/$file"
}

# v2_knob V1FILE V1VALUE: the cgroup v2 file and value that stand for a v1
# one, as runc converts them ("file value").
v2_knob() {
	case $1 in
	memory.limit_in_bytes) echo "memory.max $2" ;;
	cpu.cfs_quota_us) echo "cpu.max $2" ;;
	cpu.cfs_period_us) echo "cpu.max $2" ;;
	cpu.shares) # the curve of runc >= 1.3 and crun
		echo "cpu.weight $(awk -v s="$2" 'BEGIN { l = log(s) / log(2); w = exp(((l * l + 125 * l) / 612 - 7 / 34) * log(10)); c = int(w); if (w - c > 1e-9) c++; print c }')" ;;
	freezer.state) echo "cgroup.freeze $([ "$2" = FROZEN ] && echo 1 || echo 0)" ;;
	*) echo "$1 $2" ;;
	esac
}

# assert_cgroup PID CONTROLLER V1FILE WANT: PID's cgroup has WANT in the v1
# file, or on a v2 host its v2 counterpart (v2_knob; cpu.max's quota is its
# first field, the period its second).
assert_cgroup() {
	local pid=$1 ctl=$2 file=$3 want=$4 got
	if cgroup2_host; then
		read -r file want <<<"$(v2_knob "$3" "$4")"
		got=$(cgroup_file "$pid" "$ctl" "$file") || return 1
		case $3 in
		cpu.cfs_quota_us) got=${got% *} ;;
		cpu.cfs_period_us) got=${got#* } ;;
		esac
	else
		got=$(cgroup_file "$pid" "$ctl" "$file") || return 1
	fi
	assert_equal "$got" "$want" "$file"
}

# cgroup_inside CONTROLLER V1FILE: where the container sees that file of its
# own cgroup.
cgroup_inside() {
	if cgroup2_host; then
		echo "/sys/fs/cgroup/$(v2_knob "$2" 0 | cut -d' ' -f1)"
	else
		echo "/sys/fs/cgroup/$1/$2"
	fi
}

# pid_alive PID: PID exists and is not a zombie.
pid_alive() {
	[ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

pid_gone() {
	! pid_alive "$1"
}

# require_criu: skip unless `criu check` passes on this kernel (asked once
# per run). Debian's criu 3.17 fails on a recent host kernel; the hybrid
# boot of the VM lane (`make test-vm`) runs the checkpoint tests.
require_criu() {
	local f=$BATS_RUN_TMPDIR/criu-check
	[ -f "$f" ] || { criu check >/dev/null 2>&1 && echo yes >"$f" || echo no >"$f"; }
	[ "$(cat "$f")" = yes ] || skip "criu check fails on this kernel ($(uname -r))"
}

# count_above READER NAME N: the counter READER NAME prints is above N
# (for wait_until; the checkpoint tests' counters).
count_above() {
	local c
	c=$("$1" "$2")
	[ "${c:-0}" -gt "$3" ] || {
		echo "count of $2 is '$c', want above $3"
		return 1
	}
}
