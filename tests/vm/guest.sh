#!/bin/bash
# guest.sh ENV_FILE: runs inside the VM as PID 1 (after tests/vm/init
# switched root to the host's tree, read-only, on a cgroup v2 only kernel).
# It checks that the host really is cgroup v2 only, runs the Go test
# binaries and bats suites named in ENV_FILE (written by run.sh), prints
# their output on the console, and ends with marker lines that run.sh
# reads:
#   BERTHVM-BOOTED uptime=SECONDS
#   BERTHVM-SUITE NAME rc=N seconds=N passed=N failed=N skipped=N
#   BERTHVM-RESULT rc=N passed=N failed=N skipped=N
# then powers the VM off. If this script dies, PID 1 exits, the kernel
# panics (panic=-1) and qemu (-no-reboot) exits without a result line.
set -u
# (All in one block, parsed before it runs: editing this file during a
# run cannot change what the run does.)
{
# shellcheck disable=SC1090
. "$1"

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp LANG=C.UTF-8
# The suites' helpers (tests/cmd) were built by the host before boot, in
# BERTH_TOOL_CACHE: no compiler runs here (TCG once crashed the go tool,
# 2026-11-28). Should one be missing, build_tool still builds it with the
# host's module and build caches, seen through the overlay; no network.
export GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-mod=mod
cd /

echo "BERTHVM-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime)"

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}

total_pass=0 total_fail=0 total_skip=0 rc_all=0

# The tests run in sessions of their own (setsid -w, outside timeout so that
# its kill reaches them all), as from a login on a real host: in PID 1's
# session (sid 0) criu fails its autofs check and cannot dump shell jobs.

# result NAME RC SECONDS PASSED FAILED SKIPPED: one suite's marker line.
result() {
	echo "BERTHVM-SUITE $1 rc=$2 seconds=$3 passed=$4 failed=$5 skipped=$6"
	total_pass=$((total_pass + $4))
	total_fail=$((total_fail + $5))
	total_skip=$((total_skip + $6))
	[ "$2" -eq 0 ] || rc_all=1
}

# ---------------------------------------------------------------- the host

hostname berth-vm
ip link set lo up
echo "== kernel: $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2 / 1024 " MiB"}' /proc/meminfo)"
echo "== cgroup mounts:"
awk '$9 ~ /^cgroup/ { print "   " $5, $9, $11 }' /proc/self/mountinfo
echo "== /proc/self/cgroup: $(cat /proc/self/cgroup)"
echo "== controllers: $(cat /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)"
echo "== overlay: $(grep -w overlay /proc/filesystems | tr -s '\t ' ' ')"

# The lane is worthless on a host that is not v2 only (or, with HYBRID=1,
# hybrid): fail it outright.
layout_ok=1
if [ "${HYBRID:-}" = 1 ]; then
	[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] && [ -f /sys/fs/cgroup/unified/cgroup.controllers ] || {
		echo "BERTHVM-ERROR not a hybrid layout"
		layout_ok=
	}
elif [ "$(awk '$9 == "cgroup"' /proc/self/mountinfo | wc -l)" -ne 0 ]; then
	echo "BERTHVM-ERROR cgroup v1 hierarchies are mounted"
	layout_ok=
fi
if [ "${HYBRID:-}" != 1 ] && [ "$(awk '$9 == "cgroup2" && $5 == "/sys/fs/cgroup"' /proc/self/mountinfo | wc -l)" -ne 1 ]; then
	echo "BERTHVM-ERROR cgroup2 is not mounted at /sys/fs/cgroup"
	layout_ok=
fi
# Without systemd everything runs in the root cgroup, as on the host; under
# systemd (SYSTEMD=1) this script is berth-vm.service, and systemd is init.
want_cg=0::/
[ "${SYSTEMD:-}" != 1 ] || want_cg=0::/system.slice/berth-vm.service
if [ "${HYBRID:-}" != 1 ] && [ "$(cat /proc/self/cgroup)" != "$want_cg" ]; then
	echo "BERTHVM-ERROR /proc/self/cgroup is $(cat /proc/self/cgroup), not only $want_cg"
	layout_ok=
fi
if [ "${SYSTEMD:-}" = 1 ] && ! [ -d /run/systemd/system ]; then
	echo "BERTHVM-ERROR systemd is not running (no /run/systemd/system)"
	layout_ok=
fi
if [ "${HYBRID:-}" != 1 ] && grep -q -v '^#' /proc/cgroups 2>/dev/null && awk '!/^#/ && $2 != 0 { bad = 1 } END { exit !bad }' /proc/cgroups; then
	echo "BERTHVM-ERROR a v1 controller is bound to a v1 hierarchy: $(cat /proc/cgroups)"
	layout_ok=
fi
if [ -z "$layout_ok" ]; then
	result layout 1 0 0 1 0
	echo "BERTHVM-RESULT rc=1 passed=$total_pass failed=$total_fail skipped=$total_skip"
	poweroff_now
fi

# ---------------------------------------------------------------- a script

# BERTH_VM_SCRIPT (run.sh): a host script to run here instead of the
# suites, to look into something on the v2 host; its exit code is the result.
if [ -n "${SCRIPT:-}" ]; then
	echo "==== script $SCRIPT"
	start=$SECONDS
	(cd "$REPO" && setsid -w bash "$SCRIPT") </dev/null 2>&1
	rc=$?
	result "script" "$rc" $((SECONDS - start)) $((rc == 0)) $((rc != 0)) 0
	GO_TESTS= BATS_SUITES=
fi

# ---------------------------------------------------------------- go test

# GO_TESTS: "PKGDIR:BINARY ..." (PKGDIR relative to the repo; the binary
# runs there, as `go test` would run it).
for t in $GO_TESTS; do
	pkg=${t%%:*} bin=${t#*:}
	name=go:$pkg
	echo
	echo "==== $name (BERTH_TEST_HOST_V2=1 $bin -test.v)"
	out=/tmp/go-test.out
	start=$SECONDS
	(cd "$REPO/$pkg" && BERTH_TEST_HOST_V2=1 setsid -w timeout -k 10 "$GO_TEST_TIMEOUT" "$bin" -test.v -test.count=1 -test.timeout "${GO_TEST_TIMEOUT}s") >"$out" 2>&1
	rc=$?
	cat "$out"
	# Top-level tests only (subtests are indented).
	p=$(grep -c '^--- PASS' "$out")
	f=$(grep -c '^--- FAIL' "$out")
	s=$(grep -c '^--- SKIP' "$out")
	# A crash or timeout may print no --- FAIL line: count it as one.
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	result "$name" "$rc" $((SECONDS - start)) "$p" "$f" "$s"
done

# ---------------------------------------------------------------- bats

# BATS_SUITES: "NAME[:REGEX] ..." (tests/integration/NAME.bats, or
# tests/clients/X.bats for a NAME clients/X; with REGEX, only the tests
# whose name matches it, as bats -f does; "." stands in for spaces). BATS_JOBS workers take suites from the list in order, each
# running one bats at a time (the suites keep each test's things apart by
# its tag, and each bats run has its own state root). A suite's output is
# printed in one block when it ends.
export BERTH BERTH_TEST_TIMEOUT BERTH_TIMEOUT BERTH_TOOL_CACHE
read -r -a suites <<<"$BATS_SUITES"
q=/tmp/bats-queue
mkdir -p "$q"
echo 0 >"$q/next"
: >"$q/results"

# next_suite: the index of the next suite to run (one per call, any worker).
next_suite() {
	(
		flock 9
		i=$(cat "$q/next")
		echo $((i + 1)) >"$q/next"
		echo "$i"
	) 9>"$q/lock"
}

run_suite() {
	local s=$1 worker=$2 file path filter out rc start p f sk
	file=${s%%:*}
	filter=
	[ "$s" = "$file" ] || filter=${s#*:}
	out=$q/$worker.out
	start=$SECONDS
	args=(-T)
	[ -z "$filter" ] || args+=(-f "$filter")
	echo "---- bats $file.bats${filter:+ -f '$filter'} started (worker $worker)"
	path=$REPO/tests/integration/$file.bats
	[ "${file#clients/}" = "$file" ] || path=$REPO/tests/$file.bats
	setsid -w timeout -k 10 "$BATS_SUITE_TIMEOUT" bats "${args[@]}" "$path" </dev/null >"$out" 2>&1
	rc=$?
	sk=$(grep -c '^ok .* # skip' "$out")
	p=$(($(grep -c '^ok ' "$out") - sk))
	f=$(grep -c '^not ok ' "$out")
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	(
		flock 9
		echo
		echo "==== bats $file.bats${filter:+ -f '$filter'} (worker $worker, $((SECONDS - start))s, exit $rc)"
		cat "$out"
		echo "BERTHVM-SUITE bats:$s rc=$rc seconds=$((SECONDS - start)) passed=$p failed=$f skipped=$sk"
		echo "$rc $p $f $sk" >>"$q/results"
	) 9>"$q/print"
}

worker() {
	local i
	while i=$(next_suite) && [ "$i" -lt "${#suites[@]}" ]; do
		run_suite "${suites[$i]}" "$1"
	done
}

pids=()
for ((w = 1; w <= BATS_JOBS; w++)); do
	worker "$w" &
	pids+=($!)
done
wait "${pids[@]}"
while read -r rc p f sk; do
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + sk))
	[ "$rc" -eq 0 ] || rc_all=1
done <"$q/results"
n=$(wc -l <"$q/results")
if [ "$n" -ne "${#suites[@]}" ]; then
	echo "BERTHVM-ERROR only $n of ${#suites[@]} bats suites reported a result"
	rc_all=1
	total_fail=$((total_fail + ${#suites[@]} - n))
fi

# ---------------------------------------------------------------- the end

echo
echo "== kernel errors (dmesg -l emerg,alert,crit,err):"
dmesg -l emerg,alert,crit,err 2>/dev/null | tail -n 40 | sed 's/^/   /'
# (under systemd, less systemd's own: its slices, init.scope, this service;
# with HYBRID=1, below the hierarchies' roots)
depth=1
[ "${HYBRID:-}" != 1 ] || depth=2
left=$(find /sys/fs/cgroup -mindepth "$depth" -type d 2>/dev/null |
	grep -v -x -e '/sys/fs/cgroup/[a-z-]*\.slice' -e /sys/fs/cgroup/init.scope -e /sys/fs/cgroup/system.slice/berth-vm.service)
if [ -n "$left" ]; then
	echo "== cgroups left behind in the VM:"
	echo "$left" | sed 's/^/   /'
fi
echo "BERTHVM-RESULT rc=$rc_all passed=$total_pass failed=$total_fail skipped=$total_skip uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff_now
exit
}
