#!/usr/bin/env bats
# crash: berth killed (SIGKILL) at every named step of create, start, exec and
# delete, through the fault-injection build (go build -tags faultinject,
# BERTH_FAULT=<step>; see libcontainer/fault_on.go). After each crash `state`
# must say something true, `delete --force` must succeed, and teardown's leak
# check proves nothing is left: state dir, cgroup, mount, process, netns.

load helpers

BERTH_FAULT_BIN=${BERTH_FAULT_BIN:-$REPO_ROOT/berth-fault}

setup() {
	[ -x "$BERTH_FAULT_BIN" ] || fail "no fault-injection build at $BERTH_FAULT_BIN (make berth-fault)"
	setup_common
	set_args sleep 300
	update_config '.hooks = {"createRuntime": [{"path": "/bin/true"}], "poststop": [{"path": "/bin/true"}]}'
}

# crash_at STEP ARGS...: run the fault build with ARGS and require that it
# died at STEP. setsid keeps its death (and anything it kills) away from bats.
crash_at() {
	local step=$1
	shift
	# Output to files, not a pipe: a created container keeps them open.
	run_nowait env BERTH_FAULT="$step" setsid timeout -k 5 60 "$BERTH_FAULT_BIN" --root "$BERTH_ROOT" "$@"
	[ "$status" -eq 137 ] || fail "berth did not die at $step (status $status): $output"
}

# recovers ID [STATUS...]: state is one of STATUS (or "does not exist"), then
# delete --force succeeds and the container is gone.
recovers() {
	local id=$1
	shift
	run --separate-stderr berth state "$id"
	if [ "$status" -eq 0 ]; then
		local s
		s=$(jq -r .status <<<"$output")
		[[ " $* " == *" $s "* ]] || fail "state after the crash is '$s', want one of: $*"
	else
		assert_error "container does not exist"
	fi
	run berth delete --force "$id"
	assert_status 0
	assert_no_container "$id"
}

create_steps=(
	create:after-state-dir create:after-stage create:after-cgroup create:after-namespaces
	create:after-state create:before-hooks create:after-hooks
	init:after-propagation init:after-rootfs-bind init:after-mount-0 init:after-mount-3
	init:after-devices init:after-pivot init:after-masks init:before-ready create:before-pid-file
)

@test "crash during create, at every step: delete --force leaves nothing" {
	for step in "${create_steps[@]}"; do
		local id
		id=$(new_id)
		crash_at "$step" create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$id"
		recovers "$id" stopped creating created
		# The ID is free again.
		run_nowait berth create --bundle "$BUNDLE" "$id"
		assert_status 0
		berth delete --force "$id"
	done
}

@test "crash during start: the container runs or is stopped, and delete --force cleans" {
	for step in start:after-fifo-open start:before-poststart; do
		local id
		id=$(new_id)
		run_nowait berth create --bundle "$BUNDLE" "$id"
		crash_at "$step" start "$id"
		recovers "$id" running stopped
	done
}

@test "crash during delete: a second delete --force finishes the job" {
	for step in delete:after-kill delete:after-cgroup delete:before-poststop; do
		local id
		id=$(new_id)
		run_nowait berth create --bundle "$BUNDLE" "$id"
		berth start "$id"
		crash_at "$step" delete --force "$id"
		recovers "$id" stopped running
	done
}

@test "crash during exec: the container is untouched" {
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	for step in exec:after-stage exec:after-cgroup; do
		crash_at "$step" exec "$ID" sleep 100
		run state_field "$ID" status
		assert_output running
	done
	run berth exec "$ID" echo still-fine
	assert_status 0
	assert_output still-fine
}

@test "crash in create, then the same ID created by a normal berth works" {
	crash_at create:after-namespaces create --bundle "$BUNDLE" "$ID"
	berth delete --force "$ID"
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	assert_status 0
	berth start "$ID"
	run state_field "$ID" status
	assert_output running
}

@test "a stage that dies after forking the init, before reporting it: create and exec fail at once and leave nothing" {
	# The init holds the init pipe open too: berth must notice the stage's
	# death itself, not wait for the pipe's end. A user namespace makes
	# create use a stage; exec always does.
	add_userns
	run_nowait env BERTH_FAULT=stage:after-clone timeout -k 5 20 "$BERTH_FAULT_BIN" --root "$BERTH_ROOT" create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "nsenter: init stage exited without reporting (exit status 1)"
	assert_no_container "$ID"
	run_nowait berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	run_nowait env BERTH_FAULT=stage:after-clone timeout -k 5 20 "$BERTH_FAULT_BIN" --root "$BERTH_ROOT" exec "$ID" sleep 100
	assert_status 255
	assert_error "nsenter: init stage exited without reporting (exit status 1)"
	run state_field "$ID" status
	assert_output running
}
