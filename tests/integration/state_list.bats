#!/usr/bin/env bats
# state and list

load helpers

LIST_HEADER='ID          PID         STATUS      BUNDLE      CREATED     OWNER'

# A state root of the test's own, so that list sees only this test's containers.
private_root() {
	BERTH_ROOT=$TEST_DIR/root
}

# expected_table ROW...: rows of tab-separated cells laid out like Go's
# tabwriter.NewWriter(out, 12, 1, 3, ' ', 0), which runc list uses: every
# column but the last is as wide as its widest cell + 3, at least 12.
expected_table() {
	printf '%s\n' "$@" | awk -F'\t' '
		{ rows[NR] = $0; n = NF; for (i = 1; i < NF; i++) if (length($i) + 3 > w[i]) w[i] = length($i) + 3 }
		END {
			for (r = 1; r <= NR; r++) {
				split(rows[r], c, "\t"); line = ""
				for (i = 1; i < n; i++) { wi = w[i] < 12 ? 12 : w[i]; line = line sprintf("%-" wi "s", c[i]) }
				print line c[n]
			}
		}'
}

@test "state: the fields runc prints, and nothing else" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run berth state "$ID"
	assert_status 0
	local json=$output
	run jq -c 'keys_unsorted' <<<"$json"
	assert_output '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]'
	[ "$(jq -r .id <<<"$json")" = "$ID" ]
	[ "$(jq -r .status <<<"$json")" = created ]
	[ "$(jq -r .bundle <<<"$json")" = "$BUNDLE" ]
	[ "$(jq -r .rootfs <<<"$json")" = "$ROOTFS" ]
	# the runtime's spec version, whatever the config says (like runc)
	[ "$(jq -r .ociVersion <<<"$json")" = "$(runtime_spec_version)" ]
	# runc leaves owner empty in state (list fills it in)
	[ "$(jq -r .owner <<<"$json")" = "" ]
	local pid
	pid=$(jq -r .pid <<<"$json")
	[ "$pid" -gt 1 ] && [ -d "/proc/$pid" ]
	# pretty-printed, two-space indent, like runc
	[ "$(sed -n 2p <<<"$json")" = "  \"ociVersion\": \"$(jq -r .ociVersion <<<"$json")\"," ] ||
		fail "not indented like runc: $json"
}

@test "state: created is RFC3339Nano in UTC, close to now" {
	set_args sleep 300
	local before after
	before=$(date +%s)
	berth create --bundle "$BUNDLE" "$ID"
	after=$(date +%s)
	run state_field "$ID" created
	assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$'
	local t
	t=$(date -d "$output" +%s)
	[ "$t" -ge $((before - 1)) ] && [ "$t" -le $((after + 1)) ] || fail "created $output not between $before and $after"
}

@test "state: status created -> running -> stopped; pid 0 when stopped" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run state_field "$ID" status
	assert_output created
	berth start "$ID"
	run state_field "$ID" status
	assert_output running
	local pid
	pid=$(state_field "$ID" pid)
	kill -9 "$pid"
	wait_for_status "$ID" stopped
	run state_field "$ID" pid
	assert_output 0
	# created does not change
	run berth state "$ID"
	assert_status 0
}

@test "state: annotations appear when set" {
	set_args sleep 300
	update_config '.annotations = {"org.example.key": "value", "x": "y z"}'
	berth create --bundle "$BUNDLE" "$ID"
	run berth state "$ID"
	assert_status 0
	run jq -c .annotations <<<"$output"
	assert_output '{"org.example.key":"value","x":"y z"}'
	run jq -c 'keys_unsorted' <<<"$(berth state "$ID")"
	assert_output '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]'
}

@test "state of a nonexistent container fails" {
	run --separate-stderr berth state "$ID"
	assert_status 1
	assert_contains "container does not exist" "$stderr"
	assert_one_line_error
	[ -z "$output" ]
}

@test "list: empty root prints only the header" {
	private_root
	run --separate-stderr berth list
	assert_status 0
	assert_output "$LIST_HEADER"
}

@test "list: a root that does not exist yet is empty, not an error" {
	BERTH_ROOT=$TEST_DIR/nonexistent/root
	run berth list
	assert_status 0
	assert_output "$LIST_HEADER"
	run berth list -q
	assert_status 0
	assert_output ""
	# nor made by it (runc makes it)
	[ ! -e "$TEST_DIR/nonexistent" ] || fail "list made the root"
}

@test "list -f json: null when empty" {
	private_root
	run --separate-stderr berth list -f json
	assert_status 0
	assert_output null
	run --separate-stderr berth list --format json
	assert_output null
	# a whole line, newline included, as runc's json.Encoder writes it
	berth list -f json | cmp - <(printf 'null\n') || fail "not null and a newline"
}

@test "list: table of containers, laid out like runc's tabwriter" {
	private_root
	set_args sleep 300
	local id2
	id2=$(new_id long-container-name)
	berth create --bundle "$BUNDLE" "$ID"
	berth create --bundle "$BUNDLE" "$id2"
	berth start "$id2"
	run berth list
	assert_status 0
	local c1 c2 p1 p2
	c1=$(state_field "$ID" created)
	c2=$(state_field "$id2" created)
	p1=$(state_field "$ID" pid)
	p2=$(state_field "$id2" pid)
	local want
	want=$(expected_table \
		"ID	PID	STATUS	BUNDLE	CREATED	OWNER" \
		"$ID	$p1	created	$BUNDLE	$c1	root" \
		"$id2	$p2	running	$BUNDLE	$c2	root")
	[ "$output" = "$want" ] || fail "list output:
$output
want:
$want"
}

@test "list: stopped containers show pid 0" {
	private_root
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run berth list
	assert_status 0
	[ "${#lines[@]}" -eq 2 ]
	read -r id pid st rest <<<"${lines[1]}"
	[ "$id" = "$ID" ] && [ "$pid" = 0 ] && [ "$st" = stopped ] || fail "row: ${lines[1]}"
}

@test "list: a state dir it cannot load is skipped with a line on stderr, as runc" {
	private_root
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	# a create that has not written its state yet, and a corrupt state file
	mkdir "$BERTH_ROOT/half-made" "$BERTH_ROOT/corrupt"
	echo '{"id": ' >"$BERTH_ROOT/corrupt/state.json"
	run --separate-stderr berth list -q
	assert_status 0
	assert_output "$ID"
	assert_contains "load container half-made: container does not exist" "$stderr"
	assert_contains "load container corrupt: " "$stderr"
	[ "$(wc -l <<<"$stderr")" = 2 ] || fail "stderr: $stderr"
	rmdir "$BERTH_ROOT/half-made"
	rm -r "$BERTH_ROOT/corrupt"
}

@test "list -q: only the IDs, sorted" {
	private_root
	set_args sleep 300
	local a b
	b=$(new_id b)
	a=$(new_id a)
	berth create --bundle "$BUNDLE" "$b"
	berth create --bundle "$BUNDLE" "$a"
	run berth list -q
	assert_status 0
	assert_output "$a
$b"
	run berth list --quiet
	assert_output "$a
$b"
}

@test "list -f json: one array of state objects with owner" {
	private_root
	set_args sleep 300
	update_config '.annotations = {"k": "v"}'
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth list -f json
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "want one line of JSON: $output"
	[ "$(berth list -f json | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ] || fail "the JSON does not end with a newline"
	run jq -c '.[0] | keys_unsorted' <<<"$output"
	assert_output '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]'
	local json
	json=$(berth list -f json)
	[ "$(jq -r 'length' <<<"$json")" = 1 ]
	[ "$(jq -r '.[0].id' <<<"$json")" = "$ID" ]
	[ "$(jq -r '.[0].status' <<<"$json")" = created ]
	[ "$(jq -r '.[0].pid' <<<"$json")" = "$(state_field "$ID" pid)" ]
	[ "$(jq -r '.[0].owner' <<<"$json")" = root ]
	[ "$(jq -r '.[0].bundle' <<<"$json")" = "$BUNDLE" ]
	[ "$(jq -r '.[0].created' <<<"$json")" = "$(state_field "$ID" created)" ]
	[ "$(jq -c '.[0].annotations' <<<"$json")" = '{"k":"v"}' ]
}

@test "list -f with an unknown format fails" {
	private_root
	run --separate-stderr berth list -f yaml
	assert_status 1
	assert_contains "invalid format option" "$stderr"
}

@test "--root: containers live under the root they were created in" {
	set_args sleep 300
	local other=$TEST_DIR/other-root
	run_nowait "$BERTH" --root "$other" create --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ -d "$other/$ID" ] || fail "no state dir $other/$ID"
	# A root it made is root's alone, as runc's; the state dir 0711.
	[ "$(stat -c %a "$other" "$other/$ID")" = $'700\n711' ] || fail "modes: $(stat -c '%a %n' "$other" "$other/$ID")"
	run "$BERTH" --root "$other" list -q
	assert_output "$ID"
	run berth list -q
	assert_not_contains "$ID"
	run berth state "$ID"
	assert_status 1
	run "$BERTH" --root "$other" delete -f "$ID"
	assert_status 0
	[ ! -e "$other/$ID" ]
}
