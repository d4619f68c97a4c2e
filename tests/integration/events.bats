#!/usr/bin/env bats
# events: --stats (one JSON object in runc's schema), streaming stats at
# --interval, the end of the stream, errors. OOM events are covered in
# cgroups_resources.bats.

load helpers

start_sleeper() {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
}

@test "events --stats: one stats event in runc's schema" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	start_sleeper
	run --separate-stderr berth events --stats "$ID"
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "want one line, got: $output"
	local ev=${lines[0]}
	jq -e . >/dev/null <<<"$ev" || fail "not JSON: $ev"

	run jq -c '[.type, .id]' <<<"$ev"
	assert_output "[\"stats\",\"$ID\"]"
	# the top-level keys of runc's types.Stats, all present
	run jq -c '.data | keys' <<<"$ev"
	assert_output '["blkio","cpu","cpuset","hugetlb","intel_rdt","memory","network_interfaces","pids"]'
	# types: objects, and the two that may be null or empty
	run jq -r '.data | [(.cpu|type), (.cpuset|type), (.memory|type), (.pids|type), (.blkio|type), (.hugetlb|type), (.intel_rdt|type)] | join(" ")' <<<"$ev"
	assert_output "object object object object object object object"
	run jq -r '.data.network_interfaces | type' <<<"$ev"
	assert_match '^(null|array)$'

	# values that must be there for a live container
	run jq -r '.data.memory.usage.limit' <<<"$ev"
	assert_output 67108864
	run jq -r '.data.pids.limit' <<<"$ev"
	assert_output 50
	run jq -r '.data.pids.current >= 1 and .data.memory.usage.usage > 0 and .data.cpu.usage.total > 0' <<<"$ev"
	assert_output true
	# kernel/user are always there (no omitempty), in nanoseconds
	run jq -r '.data.cpu.usage | has("kernel") and has("user")' <<<"$ev"
	assert_output true
	# v1 reports the cpuset in use; runc reports none on v2 (no cpuset
	# stats there), and so does berth
	run jq -r '.data.cpuset.cpus | length' <<<"$ev"
	if is_cgroup2; then
		assert_output 0
	else
		[ "$output" -gt 0 ] || fail "no cpuset.cpus in the stats"
	fi
}

@test "events --stats works on created and paused containers" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth events --stats "$ID"
	assert_status 0
	run jq -r .type <<<"$output"
	assert_output stats
	berth pause "$ID"
	run --separate-stderr berth events --stats "$ID"
	assert_status 0
	run jq -r '.data.pids.current >= 1' <<<"$output"
	assert_output true
	berth resume "$ID"
}

@test "events streams a stats event every --interval and exits when the container stops" {
	start_sleeper
	local out=$TEST_DIR/events.out err=$TEST_DIR/events.err
	"$BERTH" --root "$BERTH_ROOT" events --interval 200ms "$ID" >"$out" 2>"$err" 3>&- &
	local ev=$!
	many() { [ "$(grep -c '"type":"stats"' "$out")" -ge 3 ]; }
	wait_for many || {
		kill "$ev"
		fail "stats lines: $(cat "$out" "$err")"
	}
	# nothing but complete stats events of this container
	run jq -r 'select(.type != "stats" or .id != "'"$ID"'") | .type' "$out"
	assert_output ""

	berth kill "$ID" KILL
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$ev" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$ev" 2>/dev/null; then
		kill "$ev"
		fail "events still running after the container stopped"
	fi
	local rc=0
	wait "$ev" || rc=$?
	[ "$rc" -eq 0 ] || fail "events exited $rc: $(cat "$err")"
}

@test "events errors: stopped or unknown container, bad interval, arguments" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run --separate-stderr berth events "$ID"
	assert_status 1
	assert_error "container with id $ID is not running"
	run --separate-stderr berth events --stats "$ID"
	assert_status 1
	assert_error "container with id $ID is not running"
	berth delete "$ID"

	run --separate-stderr berth events --stats "$ID"
	assert_status 1
	assert_error "container does not exist"

	start_sleeper
	run --separate-stderr berth events --interval 0s "$ID"
	assert_status 1
	assert_error "duration interval must be greater than 0"
	run --separate-stderr berth events --interval -1s "$ID"
	assert_status 1
	assert_error "duration interval must be greater than 0"
	run --separate-stderr berth events
	assert_status 1
	assert_contains 'requires exactly 1 argument(s)' "$stderr"
}
