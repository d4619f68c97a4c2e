#!/usr/bin/env bats
# hooks: prestart, createRuntime, createContainer, startContainer, poststart, poststop

load helpers

# The hook: args NAME OUTDIR; appends NAME to OUTDIR/order and records its
# argv, environment, mount namespace and the state JSON from stdin. POSIX sh,
# so it runs under the host's /bin/sh and the container's busybox sh alike.
write_hook() {
	cat >"$1" <<-'EOF'
		#!/bin/sh
		name=$1
		out=$2
		echo "$name" >>"$out/order"
		echo "$*" >"$out/$name.args"
		env >"$out/$name.env"
		readlink /proc/self/ns/mnt >"$out/$name.mntns"
		pwd -P >"$out/$name.cwd"
		cat >"$out/$name.json"
	EOF
	chmod +x "$1"
}

# setup_hooks: every kind of hook, all recording to $HOOKS (/mnt inside).
setup_hooks() {
	HOOKS=$TEST_DIR/hooks
	mkdir -p "$HOOKS"
	write_hook "$TEST_DIR/hook.sh"
	use_private_rootfs
	write_hook "$PRIVATE_ROOTFS/hook.sh"
	add_mount "{\"destination\":\"/mnt\",\"type\":\"bind\",\"source\":\"$HOOKS\",\"options\":[\"rbind\",\"rw\"]}"
	update_config '.annotations = {"org.example.a": "b"}
		| def h(name): {"path": $p, "args": ["hook.sh", name, $o, "x y"], "env": ["HOOKVAR=value"]};
		.hooks = {
			"prestart": [h("prestart")],
			"createRuntime": [h("createRuntime")],
			"createContainer": [h("createContainer")],
			"startContainer": [{"path": "/hook.sh", "args": ["hook.sh", "startContainer", "/mnt", "x y"], "env": ["HOOKVAR=value"]}],
			"poststart": [h("poststart")],
			"poststop": [h("poststop")]
		}' --arg p "$TEST_DIR/hook.sh" --arg o "$HOOKS"
}

# line_of NAME: the line of NAME in the hooks' order file
line_of() {
	grep -n -x "$1" "$HOOKS/order" | cut -d: -f1
}

assert_before() {
	local a b
	a=$(line_of "$1")
	b=$(line_of "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] ||
		fail "hook $1 (line $a) did not run before $2 (line $b): $(tr '\n' ' ' <"$HOOKS/order")"
}

@test "hooks: every kind runs once, in the spec's order" {
	setup_hooks
	set_args true
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local h
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		[ "$(grep -c -x "$h" "$HOOKS/order")" = 1 ] || fail "$h ran $(grep -c -x "$h" "$HOOKS/order") times"
	done
	assert_before prestart createContainer
	assert_before createRuntime createContainer
	assert_before createContainer startContainer
	assert_before createContainer poststart
	assert_before startContainer poststop
	assert_before poststart poststop
}

@test "hooks: poststart runs after the process was started (after startContainer)" {
	# runc 1.1.5 runs poststart concurrently with startContainer
	setup_hooks
	set_args true
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_before startContainer poststart
}

@test "hooks: argv and env are the hook's own" {
	setup_hooks
	set_args true
	export LEAKY_CALLER_VAR=1
	run berth run --bundle "$BUNDLE" "$ID"
	unset LEAKY_CALLER_VAR
	assert_status 0
	local h
	for h in prestart createRuntime createContainer poststart poststop; do
		[ "$(cat "$HOOKS/$h.args")" = "$h $HOOKS x y" ] || fail "$h args: $(cat "$HOOKS/$h.args")"
		grep -q -x HOOKVAR=value "$HOOKS/$h.env" || fail "$h env: $(cat "$HOOKS/$h.env")"
		! grep -q LEAKY_CALLER_VAR "$HOOKS/$h.env" || fail "$h got the caller's environment"
	done
	[ "$(cat "$HOOKS/startContainer.args")" = "startContainer /mnt x y" ]
	grep -q -x HOOKVAR=value "$HOOKS/startContainer.env"
}

@test "hooks: create and run work from the bundle, as runc does: their hooks run there; start's and delete's where they are called" {
	setup_hooks
	set_args true
	local elsewhere=$TEST_DIR/elsewhere bundle h
	mkdir -p "$elsewhere"
	bundle=$(cd "$BUNDLE" && pwd -P)
	(cd "$elsewhere" && "$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID") || fail "run failed"
	for h in prestart createRuntime poststart poststop; do
		[ "$(cat "$HOOKS/$h.cwd")" = "$bundle" ] || fail "run: $h ran in $(cat "$HOOKS/$h.cwd")"
	done
	rm "$HOOKS"/*.cwd
	set_args sleep 300
	local id2
	id2=$(new_id)
	(cd "$elsewhere" && "$BERTH" --root "$BERTH_ROOT" create --bundle "$BUNDLE" "$id2" >/dev/null 2>&1) || fail "create failed"
	for h in prestart createRuntime; do
		[ "$(cat "$HOOKS/$h.cwd")" = "$bundle" ] || fail "create: $h ran in $(cat "$HOOKS/$h.cwd")"
	done
	(cd "$elsewhere" && "$BERTH" --root "$BERTH_ROOT" start "$id2" && "$BERTH" --root "$BERTH_ROOT" delete -f "$id2") || fail "start or delete failed"
	for h in poststart poststop; do
		[ "$(cat "$HOOKS/$h.cwd")" = "$(cd "$elsewhere" && pwd -P)" ] || fail "$h ran in $(cat "$HOOKS/$h.cwd")"
	done
}

@test "hooks: the state on stdin (id, pid, status, bundle, annotations)" {
	setup_hooks
	set_args sleep 300
	berth create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID"
	berth start "$ID"
	wait_for test -s "$HOOKS/poststart.json"
	berth delete -f "$ID"
	local pid h j specver
	pid=$(cat "$TEST_DIR/pid")
	specver=$(runtime_spec_version)
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		j=$(cat "$HOOKS/$h.json")
		[ "$(jq -r .id <<<"$j")" = "$ID" ] || fail "$h: $j"
		[ "$(jq -r .bundle <<<"$j")" = "$BUNDLE" ] || fail "$h: $j"
		[ "$(jq -r .ociVersion <<<"$j")" = "$specver" ] || fail "$h: ociVersion, want $specver: $j"
		[ "$(jq -c .annotations <<<"$j")" = '{"org.example.a":"b"}' ] || fail "$h: $j"
	done
	for h in prestart createRuntime; do
		j=$(cat "$HOOKS/$h.json")
		[ "$(jq -r .status <<<"$j")" = creating ] || fail "$h: $j"
		[ "$(jq -r .pid <<<"$j")" = "$pid" ] || fail "$h: pid, want $pid: $j"
	done
	[ "$(jq -r .status "$HOOKS/createContainer.json")" = creating ] || fail "$(cat "$HOOKS/createContainer.json")"
	[ "$(jq -r .status "$HOOKS/startContainer.json")" = created ] || fail "$(cat "$HOOKS/startContainer.json")"
	run jq -r .status "$HOOKS/poststart.json"
	[ "$output" = created ] || [ "$output" = running ] || fail "poststart status: $output"
	[ "$(jq -r .pid "$HOOKS/poststart.json")" = "$pid" ]
	[ "$(jq -r .status "$HOOKS/poststop.json")" = stopped ] || fail "$(cat "$HOOKS/poststop.json")"
}

@test "hooks: createContainer and startContainer run in the container's mount namespace" {
	setup_hooks
	set_args true
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local host
	host=$(readlink /proc/self/ns/mnt)
	[ "$(cat "$HOOKS/createRuntime.mntns")" = "$host" ]
	[ "$(cat "$HOOKS/prestart.mntns")" = "$host" ]
	[ "$(cat "$HOOKS/poststart.mntns")" = "$host" ]
	[ "$(cat "$HOOKS/poststop.mntns")" = "$host" ]
	[ "$(cat "$HOOKS/createContainer.mntns")" != "$host" ]
	[ "$(cat "$HOOKS/startContainer.mntns")" != "$host" ]
	[ "$(cat "$HOOKS/startContainer.mntns")" = "$(cat "$HOOKS/createContainer.mntns")" ]
}

@test "hooks: create runs up to createContainer; start runs the rest" {
	setup_hooks
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run cat "$HOOKS/order"
	assert_output "prestart
createRuntime
createContainer"
	berth start "$ID"
	wait_for test -s "$HOOKS/poststart.json"
	wait_for test -s "$HOOKS/startContainer.json"
	[ ! -e "$HOOKS/poststop.json" ]
	berth kill "$ID" KILL
	wait_for_status "$ID" stopped
	[ ! -e "$HOOKS/poststop.json" ] || fail "poststop ran before delete"
	berth delete "$ID"
	[ -s "$HOOKS/poststop.json" ]
}

@test "hooks: a failing createRuntime hook fails create and leaves nothing" {
	printf '#!/bin/sh\necho hook-was-here >&2\nexit 3\n' >"$TEST_DIR/fail.sh"
	chmod +x "$TEST_DIR/fail.sh"
	update_config '.hooks.createRuntime = [{"path": $p}]' --arg p "$TEST_DIR/fail.sh"
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_error "hook"
	assert_no_container "$ID"
}

@test "hooks: a hook that does not exist fails create and leaves nothing" {
	update_config '.hooks.createRuntime = [{"path": $p}]' --arg p "$TEST_DIR/no-such-hook"
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_error "no-such-hook"
	assert_no_container "$ID"
}

@test "hooks: a failing poststop hook is logged and later poststop hooks still run" {
	HOOKS=$TEST_DIR/hooks
	mkdir -p "$HOOKS"
	write_hook "$TEST_DIR/hook.sh"
	printf '#!/bin/sh\necho "$1" >>"$2/order"\nexit 1\n' >"$TEST_DIR/fail.sh"
	chmod +x "$TEST_DIR/fail.sh"
	update_config '.hooks.poststop = [
		{"path": $h, "args": ["hook.sh", "first", $o]},
		{"path": $f, "args": ["fail.sh", "failing", $o]},
		{"path": $h, "args": ["hook.sh", "third", $o]}]' --arg h "$TEST_DIR/hook.sh" --arg f "$TEST_DIR/fail.sh" --arg o "$HOOKS"
	set_args true
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "hook" "$stderr"
	run cat "$HOOKS/order"
	assert_output "first
failing
third"
	assert_no_container "$ID"
}

@test "hooks: a failing poststart hook is a warning, the container runs on (runtime spec; runc fails start)" {
	update_config '.hooks.poststart = [{"path": "/bin/false"}]'
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth start "$ID"
	assert_status 0
	assert_contains 'level=warning msg="error running poststart hook #0: exit status 1"' "$stderr"
	run state_field "$ID" status
	assert_output running
}

@test "hooks: a failing startContainer hook fails start saying so, and the process never runs (runtime spec; runc's start succeeds)" {
	share_dir
	update_config '.hooks.startContainer = [{"path": "/bin/false"}]'
	set_cmd 'echo ran >/mnt/ran'
	berth create --bundle "$BUNDLE" "$ID" 2>"$TEST_DIR/init.err"
	run --separate-stderr berth start "$ID"
	assert_status 1
	assert_error "error running startContainer hook #0: exit status 1"
	wait_for_status "$ID" stopped
	[ ! -e "$SHARED/ran" ] || fail "the process ran"
	# said once, by start (the init's stderr is create's caller's)
	[ ! -s "$TEST_DIR/init.err" ] || fail "the init printed: $(cat "$TEST_DIR/init.err")"
	berth delete "$ID"
	# run, in the foreground or not, says it once too, in runc's words
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "berth run failed: error running startContainer hook #0: exit status 1"
	assert_no_container "$ID"
	run --separate-stderr berth run -d --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "berth run failed: error running startContainer hook #0: exit status 1"
	assert_no_container "$ID"
	[ ! -e "$SHARED/ran" ] || fail "the process ran"
}

@test "hooks: a hook past its timeout is killed and create fails" {
	cat >"$TEST_DIR/sleep.sh" <<-EOF
		#!/bin/bash
		exec -a "hook-sleep-$TAG" sleep 60
	EOF
	chmod +x "$TEST_DIR/sleep.sh"
	update_config '.hooks.createRuntime = [{"path": $p, "timeout": 1}]' --arg p "$TEST_DIR/sleep.sh"
	set_args sleep 300
	local start=$SECONDS
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	[ $((SECONDS - start)) -lt 10 ] || fail "create took $((SECONDS - start))s with a 1s hook timeout"
	assert_match "createRuntime hook #0: hook ran past specified timeout of 1.0s" "$(error_msg)"
	assert_no_container "$ID"
	# the hook process was killed (teardown's leak check also looks for it)
	! grep -q -a "hook-sleep-$(tag_regex)" /proc/[0-9]*/cmdline
}

# The init runs createContainer and startContainer hooks itself (in C,
# nsenter/hooks.c): the failures below are its own, worded as runc's.

@test "hooks: a failing createContainer hook fails create with its status and stderr, and leaves nothing" {
	printf '#!/bin/sh\necho "hook-was-here\nsecond line" >&2\nexit 3\n' >"$TEST_DIR/fail.sh"
	chmod +x "$TEST_DIR/fail.sh"
	update_config '.hooks.createContainer = [{"path": $p}, {"path": $p}]' --arg p "$TEST_DIR/fail.sh"
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_one_line_error
	assert_match 'error running createContainer hook #0: exit status 3, stderr: hook-was-here \| second line' "$(error_msg)"
	assert_no_container "$ID"
}

@test "hooks: a createContainer hook that does not exist, or past its timeout, fails create" {
	update_config '.hooks.createContainer = [{"path": $p}]' --arg p "$TEST_DIR/no-such-hook"
	set_args sleep 300
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_match "createContainer hook #0: fork/exec $TEST_DIR/no-such-hook: no such file or directory" "$(error_msg)"
	assert_no_container "$ID"

	cat >"$TEST_DIR/sleep.sh" <<-EOF
		#!/bin/bash
		echo started
		exec -a "hook-sleep-$TAG" sleep 60
	EOF
	chmod +x "$TEST_DIR/sleep.sh"
	update_config '.hooks.createContainer = [{"path": $p, "timeout": 1}]' --arg p "$TEST_DIR/sleep.sh"
	local start=$SECONDS
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	[ $((SECONDS - start)) -lt 10 ] || fail "create took $((SECONDS - start))s with a 1s hook timeout"
	assert_match "createContainer hook #0: hook ran past specified timeout of 1.0s, stdout: started" "$(error_msg)"
	assert_no_container "$ID"
	! grep -q -a "hook-sleep-$(tag_regex)" /proc/[0-9]*/cmdline
}

@test "hooks: a createContainer hook that does not read its stdin, or leaves a child holding its output, does not fail create" {
	printf '#!/bin/sh\nexit 0\n' >"$TEST_DIR/noread.sh"
	# The child keeps stdout open for 30s: create waits one second for it.
	printf '#!/bin/sh\n(exec -a "hook-orphan-%s" sleep 30) &\nexit 0\n' "$TAG" >"$TEST_DIR/orphan.sh"
	chmod +x "$TEST_DIR/noread.sh" "$TEST_DIR/orphan.sh"
	set_args sleep 300
	# A state larger than a pipe holds: the write fails with EPIPE and
	# raises SIGPIPE once the hook has exited without reading it. Without a
	# pid namespace the init is not its namespace's pid 1, and SIGPIPE
	# would kill it.
	update_config '.hooks.createContainer = [{"path": $a}]
		| .annotations.big = ("x" * 200000)
		| .linux.namespaces |= map(select(.type != "pid"))' --arg a "$TEST_DIR/noread.sh"
	berth create --bundle "$BUNDLE" "$ID"
	berth delete --force "$ID"

	update_config '.hooks.createContainer = [{"path": $b}]
		| .linux.namespaces += [{"type": "pid"}]' --arg b "$TEST_DIR/orphan.sh"
	local start=$SECONDS
	berth create --bundle "$BUNDLE" "$ID"
	[ $((SECONDS - start)) -lt 10 ] || fail "create took $((SECONDS - start))s"
	# The orphan is in the container's pid namespace: it goes with it.
	berth delete --force "$ID"
}

@test "hooks: an init killed before it is ready fails create at once, with the signal named" {
	# The createContainer hook's parent is the init; without a pid namespace
	# the init is not its namespace's pid 1 and SIGKILL reaches it.
	printf '#!/bin/sh\nkill -9 $PPID\nsleep 5\n' >"$TEST_DIR/killer.sh"
	chmod +x "$TEST_DIR/killer.sh"
	update_config '.hooks.createContainer = [{"path": $p}]
		| .linux.namespaces |= map(select(.type != "pid"))' --arg p "$TEST_DIR/killer.sh"
	set_args sleep 300
	local start=$SECONDS
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_fails
	[ $((SECONDS - start)) -lt 30 ] || fail "create took $((SECONDS - start))s"
	assert_match "container init was killed by signal 9" "$(error_msg)"
	assert_no_container "$ID"
}
