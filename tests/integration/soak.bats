#!/usr/bin/env bats
# soak: many sequential lifecycles must leave the caller and the host exactly
# as they were, and a long-running foreground `run` must not grow while it
# forwards signals. `make test` runs a short version (SOAK_CYCLES=25);
# `make soak` runs SOAK_CYCLES=1000. The cycles themselves are
# tests/soak/cycles.sh. Numbers are printed as "# ..." lines.

# Cycles of (run; create, start, exec, kill, delete).
SOAK_CYCLES=${SOAK_CYCLES:-25}
# Signals forwarded by the foreground run.
SOAK_SIGNALS=${SOAK_SIGNALS:-500}
# How much the RSS of `berth run` may grow while forwarding them (kB).
SOAK_RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-1024}
# The watchdog must not cut a long soak short (a cycle takes well under 1 s).
BERTH_TEST_TIMEOUT=${BERTH_TEST_TIMEOUT:-$((120 + SOAK_CYCLES * 2))}

load helpers

SOAK_DIR=$REPO_ROOT/tests/soak

setup() {
	setup_common
	: >"$TEST_DIR/bg.pids"
}

note() {
	echo "# $*" >&3
}

# field NAME FILE: the value of "NAME: ..." in a snapshot.
field() {
	sed -n "s/^$1: //p" "$2"
}

@test "soak: SOAK_CYCLES cycles of run and create/start/exec/kill/delete leave fds, mounts, cgroups, state root and netns unchanged" {
	set_args /bin/true
	mkdir -p "$TEST_DIR/sleeper"
	jq '.process.args = ["sleep", "300"]' "$BUNDLE/config.json" >"$TEST_DIR/sleeper/config.json"
	new_id run >/dev/null
	new_id c >/dev/null
	local rc=0
	# In a mount namespace of its own (see cycles.sh); fd 4 shows progress.
	SOAK_NS=private BERTH="$BERTH" BERTH_ROOT="$BERTH_ROOT" TAG="$TAG" TEST_DIR="$TEST_DIR" \
		BUNDLE_TRUE="$BUNDLE" BUNDLE_SLEEP="$TEST_DIR/sleeper" \
		unshare --mount --propagation private "$SOAK_DIR/cycles.sh" "$SOAK_CYCLES" \
		</dev/null >"$TEST_DIR/soak.out" 2>&1 4>&3 3>&- || rc=$?
	[ "$rc" -eq 0 ] || fail "cycles.sh failed ($rc): $(cat "$TEST_DIR/soak.out")"
	local before=$TEST_DIR/soak.before after=$TEST_DIR/soak.after ms
	ms=$(sed -n 's/.* ms: //p' "$TEST_DIR/soak.time")
	note "soak: $SOAK_CYCLES cycles in $ms ms ($((ms / SOAK_CYCLES)) ms per cycle); mounts $(field mounts "$before") -> $(field mounts "$after"); fds '$(field fds "$before")' -> '$(field fds "$after")'; netns $(field netns "$before") -> $(field netns "$after")"
	local k
	for k in fds mounts cgroups root procs; do
		[ "$(field "$k" "$before")" = "$(field "$k" "$after")" ] ||
			fail "$k changed: before '$(field "$k" "$before")', after '$(field "$k" "$after")'"
	done
	# netns: berth never names one; other suites on the machine may add or
	# remove theirs meanwhile (named with their own tag), so only a count
	# change that is not theirs fails.
	if [ "$(field netns "$before")" != "$(field netns "$after")" ]; then
		local added
		added=$(comm -13 <(field netns-names "$before" | tr ' ' '\n' | sort) <(field netns-names "$after" | tr ' ' '\n' | sort))
		note "soak: netns count changed; new entries: ${added:-none} (removed ones are other suites')"
		assert_not_contains "$TAG" "$added"
		if grep -v -E '^$|^bt[0-9a-f]{8}|^cni-' <<<"$added"; then
			fail "netns entries appeared that no other suite names: $added"
		fi
	fi
}

# count_now: the number of USR1 the container has counted ("" if unknown).
count_now() {
	COUNT=
	read -r COUNT <"$SHARED/count" 2>/dev/null || true
}

# send_signals N: N × SIGUSR1 to the berth process, one at a time, each
# waited for until the container has counted it (standard signals that are
# pending at once would merge).
send_signals() {
	local n=$1 k w
	for ((k = 0; k < n; k++)); do
		SENT=$((SENT + 1))
		kill -USR1 "$BPID"
		for ((w = 0; w < 2500; w++)); do
			count_now
			[ "$COUNT" = "$SENT" ] && break
			read -r -t 0.002 -u "$TICK" _ || true
		done
		[ "$COUNT" = "$SENT" ] || fail "signal $SENT: the container counted '$COUNT' after 5 s"
	done
}

# vm NAME: a field of the berth process's /proc status, in kB.
vm() {
	sed -n "s/^$1:\s*\([0-9]*\) kB/\1/p" "/proc/$BPID/status"
}

@test "soak: a foreground run forwards SOAK_SIGNALS signals one by one; its RSS stays flat" {
	share_dir
	set_cmd 'n=0; trap "n=\$((n + 1)); echo \$n >/mnt/count" USR1; echo ready >/mnt/ready; sleep 100000 & while :; do wait $!; done'
	mkfifo "$TEST_DIR/tick"
	exec {TICK}<>"$TEST_DIR/tick"
	"$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/run.out" 2>"$TEST_DIR/run.err" 3>&- &
	BPID=$!
	track "$BPID"
	wait_for_file "$SHARED/ready"
	local rss_start fds_start threads_start rss0 rss1 hwm1 t0 t1
	rss_start=$(vm VmRSS)
	SENT=0
	send_signals 20
	rss0=$(vm VmRSS)
	fds_start=$(ls "/proc/$BPID/fd" | wc -l)
	threads_start=$(ls "/proc/$BPID/task" | wc -l)
	t0=$(date +%s%N)
	send_signals "$SOAK_SIGNALS"
	t1=$(date +%s%N)
	rss1=$(vm VmRSS)
	hwm1=$(vm VmHWM)
	local fds1 threads1
	fds1=$(ls "/proc/$BPID/fd" | wc -l)
	threads1=$(ls "/proc/$BPID/task" | wc -l)
	note "soak: $SOAK_SIGNALS signals forwarded in $(((t1 - t0) / 1000000)) ms; run VmRSS ${rss_start} kB at start, ${rss0} kB after 20 signals, ${rss1} kB after $SENT (VmHWM ${hwm1} kB); fds $fds_start -> $fds1; threads $threads_start -> $threads1"
	[ "$rss1" -le $((rss0 + SOAK_RSS_SLACK_KB)) ] || fail "RSS grew from $rss0 kB to $rss1 kB over $SOAK_SIGNALS signals"
	[ "$fds1" -eq "$fds_start" ] || fail "berth run's open fds went from $fds_start to $fds1"
	# exactly as many as were sent
	count_now
	[ "$COUNT" = "$SENT" ] || fail "the container counted $COUNT, sent $SENT"
	# the end: run exits with the container's 128+9 and deletes it
	berth kill "$ID" KILL
	local rc=0
	wait "$BPID" || rc=$?
	[ "$rc" -eq 137 ] || fail "berth run exited $rc, want 137; stderr: $(cat "$TEST_DIR/run.err")"
	[ ! -s "$TEST_DIR/run.err" ] || fail "berth run printed: $(cat "$TEST_DIR/run.err")"
	assert_no_container "$ID"
}
