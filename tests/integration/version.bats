#!/usr/bin/env bats
# --version / -v

load helpers

@test "--version prints exactly: berth version X, commit: Y, spec: 1.x.y" {
	run --separate-stderr "$BERTH" --version
	assert_status 0
	[ "${#lines[@]}" -eq 3 ] || fail "want 3 lines, got ${#lines[@]}: $output"
	assert_match '^berth version [^ ]+$' "${lines[0]}"
	assert_match '^commit: [^ ]+$' "${lines[1]}"
	assert_match '^spec: 1\.[0-9]+\.[0-9]+(-[A-Za-z0-9.]+)?$' "${lines[2]}"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "-v prints the same as --version" {
	run "$BERTH" --version
	assert_status 0
	local long=$output
	run "$BERTH" -v
	assert_status 0
	assert_output "$long"
}

@test "version's spec line matches the ociVersion that spec writes" {
	run "$BERTH" --version
	assert_status 0
	local specver
	specver=$(printf '%s\n' "$output" | sed -n 's/^spec: //p')
	[ -n "$specver" ] || fail "no spec: line in: $output"
	cd "$TEST_DIR"
	run berth spec
	assert_status 0
	assert_output "" # spec prints nothing on success
	run jq -r .ociVersion config.json
	assert_output "$specver"
}
