#!/usr/bin/env bats
# spec: the default config.json

load helpers

RUNC_MASKED='["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/sys/firmware","/proc/scsi"]'
RUNC_READONLY='["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]'
RUNC_CAPS='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'
# what runc 1.2+ added to its default spec since 1.1.5; allowed, not required
NEWER_RUNC_MASKED='["/sys/devices/virtual/powercap"]'
NEWER_RUNC_NAMESPACES='["cgroup"]'

# namespaces_are FILE WANT(json array): the namespace types are WANT, in that
# order, possibly with the newer runc defaults after them.
namespaces_are() {
	local got
	got=$(jq -c '[.linux.namespaces[].type]' "$1")
	[ "$(jq -c --argjson n "$NEWER_RUNC_NAMESPACES" '. - $n' <<<"$got")" = "$2" ] ||
		fail "namespaces $got, want $2 (+ $NEWER_RUNC_NAMESPACES)"
}

@test "spec writes config.json in the current directory" {
	cd "$TEST_DIR"
	run berth spec
	assert_status 0
	[ -f config.json ] || fail "no config.json"
	run jq -e . config.json
	assert_status 0
	# runc writes the file 0666 &^ umask
	[ "$(jq -r .process.terminal config.json)" = true ]
	[ "$(jq -c .process.args config.json)" = '["sh"]' ]
	[ "$(jq -r .process.cwd config.json)" = / ]
	[ "$(jq -r .root.path config.json)" = rootfs ]
	[ "$(jq -r .root.readonly config.json)" = true ]
	[ "$(jq -r .process.noNewPrivileges config.json)" = true ]
	[ "$(jq -c '[.process.user.uid, .process.user.gid]' config.json)" = '[0,0]' ]
	[ "$(jq -c '.process.rlimits' config.json)" = '[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}]' ]
	namespaces_are config.json '["pid","network","ipc","uts","mount"]'
	[ "$(jq -c '[.mounts[].destination]' config.json)" = '["/proc","/dev","/dev/pts","/dev/shm","/dev/mqueue","/sys","/sys/fs/cgroup"]' ]
	[ "$(jq -c '.linux.resources.devices' config.json)" = '[{"allow":false,"access":"rwm"}]' ]
}

@test "spec: masked and read-only paths are runc's" {
	cd "$TEST_DIR"
	berth spec
	# runc 1.1.5's list, in its order, plus at most the paths newer runc masks
	run jq -c --argjson n "$NEWER_RUNC_MASKED" '.linux.maskedPaths - $n' config.json
	assert_output "$RUNC_MASKED"
	run jq -c .linux.readonlyPaths config.json
	assert_output "$RUNC_READONLY"
}

@test "spec: capabilities are runc's; no inheritable set" {
	cd "$TEST_DIR"
	berth spec
	local set
	for set in bounding effective permitted; do
		run jq -c ".process.capabilities.$set" config.json
		assert_output "$RUNC_CAPS"
	done
	run jq -c '.process.capabilities.inheritable // []' config.json
	assert_output '[]'
	# runc 1.1 lists the same three as ambient; an empty ambient set is also safe.
	run jq -c '.process.capabilities.ambient // []' config.json
	[ "$output" = "$RUNC_CAPS" ] || [ "$output" = "[]" ] || fail "ambient: $output"
}

@test "spec --bundle DIR writes DIR/config.json" {
	mkdir "$TEST_DIR/b"
	cd /
	run berth spec --bundle "$TEST_DIR/b"
	assert_status 0
	[ -f "$TEST_DIR/b/config.json" ]
	[ ! -e /config.json ]
	run berth spec -b "$TEST_DIR/b"
	assert_fails
}

@test "spec --bundle with a missing dir fails" {
	run --separate-stderr berth spec --bundle "$TEST_DIR/nonexistent"
	assert_status 1
	assert_error "chdir $TEST_DIR/nonexistent: no such file or directory" # runc's words
	[ ! -e "$TEST_DIR/nonexistent" ]
}

@test "spec refuses to overwrite an existing config.json" {
	cd "$TEST_DIR"
	echo '{"keep":"me"}' >config.json
	run --separate-stderr berth spec
	assert_status 1
	assert_contains "File config.json exists. Remove it first" "$stderr"
	assert_one_line_error
	[ "$(cat config.json)" = '{"keep":"me"}' ]
}

@test "spec --rootless: user namespace with the caller's ids, no network namespace" {
	cd "$TEST_DIR"
	run berth spec --rootless
	assert_status 0
	[ "$(jq -c --argjson n "$NEWER_RUNC_NAMESPACES" '[.linux.namespaces[].type] - $n | sort' config.json)" = '["ipc","mount","pid","user","uts"]' ] ||
		fail "namespaces: $(jq -c '[.linux.namespaces[].type]' config.json)"
	[ "$(jq -c '.linux.uidMappings' config.json)" = "[{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]" ]
	[ "$(jq -c '.linux.gidMappings' config.json)" = "[{\"containerID\":0,\"hostID\":$(id -g),\"size\":1}]" ]
	# /sys can't be mounted without a netns of our own: it is bind-mounted.
	[ "$(jq -r '.mounts[] | select(.destination == "/sys") | .type' config.json)" = none ]
	jq -e '.mounts[] | select(.destination == "/sys") | .options | index("rbind")' config.json
	# no gid= on devpts: the group may not be mapped
	run jq -c '.mounts[] | select(.destination == "/dev/pts") | .options' config.json
	assert_not_contains "gid="
	# no resources: an unprivileged user can't set them
	run jq -c '.linux.resources' config.json
	assert_output null
	run jq -c --argjson n "$NEWER_RUNC_MASKED" '.linux.maskedPaths - $n' config.json
	assert_output "$RUNC_MASKED"
}
