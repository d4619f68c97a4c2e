# shellcheck shell=bash
# Common setup, teardown and assertions for the berth integration suites.
#
# Every test runs the runtime through $BERTH (default: the repo's ./berth), so
# the same suite can be pointed at another runtime for comparison:
#     BERTH=/usr/sbin/runc bats tests/integration/run.bats
#
# setup_common gives each test:
#   TAG        a random token in every name the test makes (IDs, dirs, netns)
#   ID         a first container ID (more with new_id)
#   TEST_DIR   a private scratch dir; BUNDLE=$TEST_DIR/bundle with config.json
#              whose root.path points at the shared, read-only busybox rootfs
#              (use_private_rootfs gives the test its own writable copy)
# and snapshots the host so that teardown_common can prove the test left
# nothing behind: state dirs under $BERTH_ROOT, cgroup dirs, mounts,
# processes and network namespaces.

bats_require_minimum_version 1.5.0

INTEGRATION_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$INTEGRATION_ROOT/../.." && pwd)

BERTH=${BERTH:-$REPO_ROOT/berth}
# One state root per bats run (shared by its tests, which run one at a time),
# so that two runs on one machine never see each other's containers.
BERTH_ROOT=${BERTH_ROOT:-/run/berth-test/${BATS_RUN_TMPDIR##*/}}
BUSYBOX_BUNDLE=${BUSYBOX_BUNDLE:-$INTEGRATION_ROOT/bundle}
ROOTFS=$BUSYBOX_BUNDLE/rootfs
# Upper bound for one runtime invocation, so a hung runtime fails a test
# instead of hanging the suite.
BERTH_TIMEOUT=${BERTH_TIMEOUT:-60}
TEST_TMP_BASE=${BERTH_TEST_TMP:-/tmp/berth-it}
# Seconds one test may take before the watchdog kills its processes (which
# also unblocks a `run` waiting on a pipe that a stray process holds open).
BERTH_TEST_TIMEOUT=${BERTH_TEST_TIMEOUT:-90}

# build_tool NAME: a helper from tests/cmd, built once.
# shellcheck source=tests/integration/build-tool.bash
. "$INTEGRATION_ROOT/build-tool.bash"

# strace_berth NAME ARGS...: berth ARGS under strace, following every
# process; what they wrote, cloned and executed goes to
# $TEST_DIR/NAME.strace, with the paths of the fds written to. strace would
# follow a container that create leaves running too: once berth has
# exited, the shell in between stops strace, which lets the rest go.
# berth's status is returned.
strace_berth() {
	local out=$TEST_DIR/$1.strace
	shift
	strace -f -I 2 -y -qq -e trace=write,clone,clone3,execve,execveat -e signal=none -o "$out" \
		bash -c '"$@"; echo $? >"$0.status"; kill $PPID' "$out" "$BERTH" --root "$BERTH_ROOT" "$@" 3>&- || true
	return "$(cat "$out.status")"
}

# berth ARGS...: the runtime under test with the test-private state root.
# fd 3 (bats' own output) is closed so that nothing the runtime leaves running
# can hold the test run open.
berth() {
	timeout --foreground -k 5 "$BERTH_TIMEOUT" "$BERTH" --root "$BERTH_ROOT" "$@" 3>&-
}

# berth_fds ARGS...: like berth, but keeps every fd the caller opened
# (for --preserve-fds).
berth_fds() {
	timeout --foreground -k 5 "$BERTH_TIMEOUT" "$BERTH" --root "$BERTH_ROOT" "$@"
}

# runtime_spec_version: the "spec: X" line of --version: the ociVersion
# that state and hooks report (runc's is its own, not the config's).
runtime_spec_version() {
	"$BERTH" --version | sed -n 's/^spec: //p'
}

# is_cgroup2: the host (or the VM of `make test-vm`) is cgroup v2 only.
is_cgroup2() {
	[ -f /sys/fs/cgroup/cgroup.controllers ]
}

# ---------------------------------------------------------------- config

# new_id [NAME]: a container ID unique to this test, remembered for teardown.
new_id() {
	local n
	n=$(($(wc -l <"$TEST_DIR/ids") + 1))
	local id="$TAG-${1:-c$n}"
	echo "$id" >>"$TEST_DIR/ids"
	echo "$id"
}

# use_private_rootfs: give this test its own writable copy of the rootfs at
# $BUNDLE/rootfs (root.path "rootfs", relative to the bundle, like runc spec).
use_private_rootfs() {
	cp -a "$ROOTFS" "$BUNDLE/rootfs"
	update_config '.root.path = "rootfs"'
	PRIVATE_ROOTFS=$BUNDLE/rootfs
}

# map_userns: a new user namespace mapping ids 0-65535 to 100000-165535 on
# the host, and the private rootfs (use_private_rootfs) owned by its root.
map_userns() {
	chown -R -h 100000:100000 "$PRIVATE_ROOTFS"
	add_userns
}

# add_userns: a new user namespace mapping 0-65535 to 100000-165535, on
# the shared rootfs as it is (its files owned by unmapped ids).
add_userns() {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# update_config FILTER [JQ ARGS...]: edit $BUNDLE/config.json with jq.
update_config() {
	local filter=$1
	shift
	jq "$@" "$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# set_args ARG...: the container's process.args.
set_args() {
	local args
	args=$(jq -cn '$ARGS.positional' --args -- "$@")
	update_config '.process.args = $a' --argjson a "$args"
}

# set_cmd SCRIPT: run SCRIPT with the container's sh -c.
set_cmd() {
	set_args sh -c "$1"
}

# add_mount JSON: append one mount object to config.json.
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# bind_json SRC DEST [OPTIONS]: a bind mount object (OPTIONS a JSON array,
# default ["bind"]).
bind_json() {
	jq -cn --arg s "$1" --arg d "$2" --argjson o "${3:-[\"bind\"]}" \
		'{destination: $d, type: "bind", source: $s, options: $o}'
}

# share_dir: bind-mount a fresh host dir $SHARED (rw) at /mnt in the
# container: a channel for files written inside and read by the test.
share_dir() {
	SHARED=$TEST_DIR/shared
	mkdir -p "$SHARED"
	chmod 0777 "$SHARED"
	add_mount "{\"destination\":\"/mnt\",\"type\":\"bind\",\"source\":\"$SHARED\",\"options\":[\"rbind\",\"rw\"]}"
}

# cmdline PID: the process's argv, space separated.
cmdline() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | sed 's/ $//'
}

# pid_gone PID: true once PID is gone or a zombie.
pid_gone() {
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# ---------------------------------------------------------------- running and waiting

# run_nowait CMD...: like bats' `run --separate-stderr`, for commands that
# leave a container holding their stdout/stderr (create, run -d): those are
# files here, not pipes, so the test does not wait for the container to exit.
# Sets status, output (stdout then stderr), lines, stderr, stderr_lines.
run_nowait() {
	local o=$TEST_DIR/nowait.out e=$TEST_DIR/nowait.err
	status=0
	"$@" >"$o" 2>"$e" </dev/null || status=$?
	stderr=$(cat "$e")
	output=$(cat "$o")
	mapfile -t lines <<<"$output"
	[ -n "$output" ] || lines=()
	mapfile -t stderr_lines <<<"$stderr"
	[ -n "$stderr" ] || stderr_lines=()
	[ -z "$stderr" ] || output=${output:+$output$'\n'}$stderr
	return 0
}

# state_field ID FIELD: one field of `state ID`.
state_field() {
	berth state "$1" | jq -r ".$2"
}

# wait_for_status ID STATUS [SECONDS]: poll `state` until it says STATUS.
wait_for_status() {
	local id=$1 want=$2 secs=${3:-10} st=
	local i n=$((secs * 20))
	for ((i = 0; i < n; i++)); do
		st=$(berth state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || st=
		[ "$st" = "$want" ] && return 0
		sleep 0.05
	done
	fail "container $id: status '$st', want '$want' after ${secs}s"
}

# wait_for CMD...: poll CMD (a function or command) for up to 10s.
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	fail "timed out waiting for: $*"
}

# wait_for_file FILE: poll until FILE exists and is not empty.
wait_for_file() {
	wait_for test -s "$1"
}

# ---------------------------------------------------------------- asserts

# assert_status N: the last `run` exited with N.
assert_status() {
	[ "$status" -eq "$1" ] || fail "exit status $status, want $1; output: $output"
}

# assert_fails: the last `run` exited non-zero.
assert_fails() {
	[ "$status" -ne 0 ] || fail "exit status 0, want non-zero; output: $output"
}

# assert_output STRING: the last `run` printed exactly STRING.
assert_output() {
	[ "$output" = "$1" ] || fail "output: '$output', want '$1'"
}

# assert_contains STRING [TEXT]: TEXT (default: $output) contains STRING.
assert_contains() {
	local text=${2-$output}
	[[ "$text" == *"$1"* ]] || fail "'$text' does not contain '$1'"
}

# assert_not_contains STRING [TEXT]
assert_not_contains() {
	local text=${2-$output}
	[[ "$text" != *"$1"* ]] || fail "'$text' contains '$1'"
}

# assert_match REGEX [TEXT]
assert_match() {
	local text=${2-$output}
	[[ "$text" =~ $1 ]] || fail "'$text' does not match /$1/"
}

# assert_one_line_error: after `run --separate-stderr`, stderr holds exactly
# one non-empty line.
assert_one_line_error() {
	[ "${#stderr_lines[@]}" -eq 1 ] && [ -n "${stderr_lines[0]}" ] ||
		fail "stderr has ${#stderr_lines[@]} lines, want 1: '$stderr'"
}

# assert_no_container ID: the runtime does not know ID and left no trace.
assert_no_container() {
	local id=$1
	if berth state "$id" >/dev/null 2>&1; then
		fail "container $id still exists"
	fi
	[ ! -e "$BERTH_ROOT/$id" ] || fail "state dir $BERTH_ROOT/$id still exists"
	local d
	d=$(find /sys/fs/cgroup -type d -name "$id" 2>/dev/null)
	[ -z "$d" ] || fail "cgroup dirs left: $d"
}

# error_msg [TEXT]: the message of a one-line error (default: $stderr), with a
# logrus text wrapper (time="..." level=error msg="...") removed and unquoted,
# so that tests can compare messages whatever the log format.
error_msg() {
	local text=${1-$stderr}
	text=${text%%$'\n'*}
	if [[ "$text" =~ ^time=\"[^\"]*\"\ level=[a-z]+\ msg=\"(.*)\"$ ]]; then
		text=${BASH_REMATCH[1]}
		text=${text//\\\"/\"}
		text=${text//\\\\/\\}
	fi
	printf '%s\n' "$text"
}

# assert_error STRING: the one-line error on stderr contains STRING.
assert_error() {
	assert_one_line_error
	assert_contains "$1" "$(error_msg)"
}

# fail MSG: print MSG and return 1 (an assertion failure).
fail() {
	echo "FAIL: $*" >&2
	return 1
}

# ---------------------------------------------------------------- watchdog

# tagged_pids: pids of processes that belong to this test: the tag in their
# cmdline (runtime invocations, bundle paths) or in their environment
# (container processes), other than the test's own shells.
tagged_pids() {
	local f pid re
	re=$(tag_regex)
	for f in $(
		grep -l -a -e "$re" /proc/[0-9]*/cmdline 2>/dev/null
		grep -l -a -e "BERTH_TEST_TA[G]=$TAG" /proc/[0-9]*/environ 2>/dev/null
	); do
		pid=${f#/proc/}
		pid=${pid%%/*}
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		echo "$pid"
	done | sort -u
}

start_watchdog() {
	(
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		sleep "$BERTH_TEST_TIMEOUT" &
		sp=$!
		wait "$sp"
		echo "test still running after ${BERTH_TEST_TIMEOUT}s; killed: $(tagged_pids | tr '\n' ' ')" >"$TEST_DIR/watchdog"
		tagged_pids | xargs -r kill -9 2>/dev/null
	) </dev/null >/dev/null 2>&1 3>&- &
	WATCHDOG_PID=$!
}

stop_watchdog() {
	[ -n "${WATCHDOG_PID:-}" ] || return 0
	kill -TERM "$WATCHDOG_PID" 2>/dev/null || true
	wait "$WATCHDOG_PID" 2>/dev/null || true
	WATCHDOG_PID=
}

# ---------------------------------------------------------------- leak check

# A regex for the tag that does not match its own text in a grep cmdline.
tag_regex() {
	echo "${TAG:0:2}[${TAG:2:1}]${TAG:3}"
}

snapshot() {
	echo "## root"
	ls -A "$BERTH_ROOT" 2>/dev/null | sort
	echo "## mounts"
	cut -d' ' -f5 /proc/self/mountinfo | sort
	echo "## rootfs"
	find "$ROOTFS" -xdev -printf '%P %y %m %U %G\n' 2>/dev/null | sort
}

section() {
	sed -n "/^## $1\$/,/^## /p" | sed '/^## /d'
}

# leaks: print one line per thing this test left behind (empty: none).
leaks() {
	local before=$TEST_DIR/snapshot.before now=$TEST_DIR/snapshot.now
	local re
	re=$(tag_regex)
	snapshot >"$now"

	# New entries under the state root.
	comm -13 <(section root <"$before") <(section root <"$now") | sed 's/^/state: /'

	# Cgroup dirs named with the test's tag, under every hierarchy, and the
	# processes still in them (e.g. an init that never exec'd).
	local d p
	for d in $(find /sys/fs/cgroup -type d -path "*${TAG}*" 2>/dev/null); do
		echo "cgroup: $d"
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			echo "process: $p $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null) (in $d)"
		done
	done

	# New mount points under anything this test owns.
	comm -13 <(section mounts <"$before") <(section mounts <"$now") |
		grep -E -e "$re" -e "^$ROOTFS(/|\$)" -e "^$BERTH_ROOT(/|\$)" | sed 's/^/mount: /'

	# The shared rootfs must not change.
	diff <(section rootfs <"$before") <(section rootfs <"$now") | grep '^[<>]' | sed 's/^/rootfs: /'

	# Processes of the test's containers (tag in environ), or mentioning the
	# test's IDs or bundle in their cmdline.
	local f pid
	for pid in $(tagged_pids); do
		echo "process: $pid $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)"
	done
	# Processes whose cwd or root is in the test's dirs.
	for f in $(find /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 0 -lname "*${TAG}*" 2>/dev/null); do
		pid=${f#/proc/}
		pid=${pid%%/*}
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		echo "process: $pid $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null) (${f##*/} $(readlink "$f"))"
	done

	# Network namespaces named by the test.
	ip netns list 2>/dev/null | grep -e "$re" | sed 's/^/netns: /'
	return 0
}

# cleanup_leaks: remove, by name, whatever leaks reported (only the test's).
cleanup_leaks() {
	local kind what rest
	while read -r kind what rest; do
		case $kind in
		process:) kill -9 "$what" 2>/dev/null || true ;;
		esac
	done <"$TEST_DIR/leaks"
	sleep 0.2
	grep '^mount: ' "$TEST_DIR/leaks" | cut -d' ' -f2 | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	grep '^cgroup: ' "$TEST_DIR/leaks" | cut -d' ' -f2 | awk '{print length, $0}' | sort -rn | cut -d' ' -f2- |
		while read -r d; do
			rmdir "$d" 2>/dev/null || true
		done
	grep '^state: ' "$TEST_DIR/leaks" | cut -d' ' -f2 | while read -r s; do
		[ -z "$s" ] || rm -rf --one-file-system "${BERTH_ROOT:?}/$s" || true
	done
	if grep -q '^rootfs: ' "$TEST_DIR/leaks"; then
		# Rebuild the shared rootfs so that later tests start clean.
		rm -f "$BUSYBOX_BUNDLE/.stamp"
		bash "$INTEGRATION_ROOT/mkbundle.sh" "$BUSYBOX_BUNDLE" >&2 || true
	fi
	grep '^netns: ' "$TEST_DIR/leaks" | cut -d' ' -f2 | while read -r n; do
		ip netns del "$n" 2>/dev/null || true
	done
	return 0
}

# delete_all: delete -f every container this test named.
delete_all() {
	local id
	{
		cat "$TEST_DIR/ids" 2>/dev/null
		berth list -q 2>/dev/null | grep -F "$TAG" || true
	} | sort -u | while read -r id; do
		[ -z "$id" ] || berth delete -f "$id" >/dev/null 2>&1 || true
	done
	return 0
}

# track PID: a background process of the test, killed in teardown if the
# test failed before it ended.
track() {
	echo "$1" >>"$TEST_DIR/bg.pids"
}

# kill_tracked: SIGKILL (and reap, when ours) every tracked process.
kill_tracked() {
	local p
	for p in $(cat "$TEST_DIR/bg.pids" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# thaw_test_cgroups: thaw every frozen cgroup this test made, so that a
# runtime that fails to delete a paused container cannot leave frozen
# processes (that nothing could kill) and cgroups behind.
thaw_test_cgroups() {
	local f
	[ -n "${TAG:-}" ] || return 0
	for f in $(find /sys/fs/cgroup -path "*${TAG}*" \( -name freezer.state -o -name cgroup.freeze \) 2>/dev/null); do
		case $f in
		*/freezer.state) echo THAWED >"$f" 2>/dev/null || true ;;
		*) echo 0 >"$f" 2>/dev/null || true ;;
		esac
	done
}

teardown_common() {
	[ -n "${TAG:-}" ] && [ -d "${TEST_DIR:-}" ] || return 0
	cd /
	stop_watchdog
	kill_tracked
	local i ok=
	delete_all
	# Deleting is synchronous, but reaping of killed processes is not.
	for ((i = 0; i < 40; i++)); do
		leaks >"$TEST_DIR/leaks"
		if ! [ -s "$TEST_DIR/leaks" ]; then
			ok=1
			break
		fi
		sleep 0.05
	done
	if [ -z "$ok" ]; then
		echo "# LEAK CHECK: test left behind:" >&2
		sed 's/^/#   /' "$TEST_DIR/leaks" >&2
		cleanup_leaks
	fi
	# Remove test-made netns even when the test bailed out early.
	ip netns list 2>/dev/null | awk '{print $1}' | grep -F "$TAG" | while read -r n; do
		ip netns del "$n" 2>/dev/null || true
	done
	if [ -s "$TEST_DIR/watchdog" ]; then
		echo "# WATCHDOG: $(cat "$TEST_DIR/watchdog")" >&2
		ok=
	fi
	rm -rf --one-file-system "$TEST_DIR" 2>/dev/null || true
	# An empty state root goes, so each test also covers its creation.
	rmdir "$BERTH_ROOT" 2>/dev/null || true
	[ -n "$ok" ]
}

# ---------------------------------------------------------------- setup and teardown

setup_common() {
	# Never read the terminal or CI's missing stdin by accident.
	exec </dev/null

	[ -x "$ROOTFS/bin/busybox" ] || bash "$INTEGRATION_ROOT/mkbundle.sh" "$BUSYBOX_BUNDLE" >&2

	TAG=bt$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	TEST_DIR=$TEST_TMP_BASE/$TAG
	BUNDLE=$TEST_DIR/bundle
	mkdir -p "$BUNDLE"
	: >"$TEST_DIR/ids"
	ID=$(new_id)

	# The tag in the container's environment lets teardown find every process
	# of the test's containers, whatever their cmdline.
	jq --arg root "$ROOTFS" --arg tag "BERTH_TEST_TAG=$TAG" \
		'.root.path = $root | .process.env += [$tag]' \
		"$BUSYBOX_BUNDLE/config.json" >"$BUNDLE/config.json"

	snapshot >"$TEST_DIR/snapshot.before"
	start_watchdog
}

setup() {
	setup_common
}

teardown() {
	teardown_common
}
