#!/usr/bin/env bats
# security_caps: process.capabilities from inside real containers: the five
# sets, the default spec's empty inheritable and ambient sets
# (CVE-2022-29162), unknown names, ambient capabilities of a non-root user
# across exec, and what a missing CAP_NET_RAW or CAP_SYS_ADMIN forbids.
#
# Weakened builds (a copy of the tree, never /work/main, `make build`, then
# BERTH=copy/berth bats this file) used to check that the tests can fail:
#   nocaps     libcontainer/caps_linux.go apply() and applyBounding()
#              return nil at once (init keeps all of root's capabilities):
#              the five-set, CVE-2022-29162, ambient, ping and mount tests
#              fail;
#   specinh    specconv/example.go's default spec with Inheritable and
#              Ambient = caps() (runc < 1.1.2): the CVE-2022-29162 test fails;
#   noambient  the SetAmbient loop of caps_linux.go apply() removed: the
#              five-set and the ambient-across-exec tests fail;
#   capsunknown  specconv checkCapabilities and caps_linux.go newCapSet
#              skipping unknown names: the unknown-name test fails.

load helpers

setup() {
	setup_common
	cd "$BUNDLE"
}

# The capability numbers of linux/capability.h.
declare -gA CAPNUM=(
	[CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3 [CAP_FSETID]=4
	[CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8 [CAP_LINUX_IMMUTABLE]=9
	[CAP_NET_BIND_SERVICE]=10 [CAP_NET_BROADCAST]=11 [CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13
	[CAP_IPC_LOCK]=14 [CAP_IPC_OWNER]=15 [CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18
	[CAP_SYS_PTRACE]=19 [CAP_SYS_PACCT]=20 [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22 [CAP_SYS_NICE]=23
	[CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25 [CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27 [CAP_LEASE]=28
	[CAP_AUDIT_WRITE]=29 [CAP_AUDIT_CONTROL]=30 [CAP_SETFCAP]=31
)

# capmask CAP...: the /proc/PID/status hex mask of these capabilities.
capmask() {
	local m=0 c
	for c in "$@"; do
		m=$((m | (1 << CAPNUM[$c])))
	done
	printf '%016x\n' "$m"
}

# capsets FILE: the five Cap* lines of a status file, as "Inh Prm Eff Bnd Amb".
capsets() {
	awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ {printf "%s%s", sep, $2; sep=" "} END {print ""}' "$1"
}

# set_caps SET CAP...: process.capabilities.SET = [CAP...].
set_caps() {
	local set=$1
	shift
	update_config ".process.capabilities.$set = \$c" --argjson c "$(jq -cn '$ARGS.positional' --args -- "$@")"
}

@test "capabilities: all five sets are what the spec says, in init and after exec" {
	# Fails with: nocaps (init keeps everything), noambient (CapAmb 0).
	local bnd=(CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SYS_CHROOT CAP_AUDIT_WRITE CAP_SETFCAP)
	local prm=(CAP_CHOWN CAP_KILL CAP_NET_RAW CAP_SYS_CHROOT CAP_AUDIT_WRITE)
	local eff=(CAP_CHOWN CAP_KILL)
	local inh=(CAP_KILL CAP_NET_RAW CAP_SYS_CHROOT)
	local amb=(CAP_NET_RAW CAP_SYS_CHROOT)
	set_caps bounding "${bnd[@]}"
	set_caps permitted "${prm[@]}"
	set_caps effective "${eff[@]}"
	set_caps inheritable "${inh[@]}"
	set_caps ambient "${amb[@]}"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'grep ^Cap /proc/self/status'

	# Init, set up and waiting for start, has exactly the five sets.
	run_nowait berth create "$ID"
	assert_status 0
	local pid want
	pid=$(state_field "$ID" pid)
	want="$(capmask "${inh[@]}") $(capmask "${prm[@]}") $(capmask "${eff[@]}") $(capmask "${bnd[@]}") $(capmask "${amb[@]}")"
	run capsets "/proc/$pid/status"
	assert_output "$want"

	# After exec a non-root process keeps inheritable, bounding and ambient;
	# permitted and effective become the ambient set (no file capabilities).
	run berth start "$ID"
	assert_status 0
	wait_for grep -q CapAmb "$TEST_DIR/nowait.out"
	run capsets "$TEST_DIR/nowait.out"
	assert_output "$(capmask "${inh[@]}") $(capmask "${amb[@]}") $(capmask "${amb[@]}") $(capmask "${bnd[@]}") $(capmask "${amb[@]}")"
	berth delete -f "$ID"

	# Root would get its bounding set as permitted at exec, but under
	# no_new_privs (the bundle's default) it keeps no more than it had: the
	# permitted set, which is also effective.
	update_config '.process.user = {"uid": 0, "gid": 0}'
	run berth run "$ID"
	assert_status 0
	echo "$output" >"$TEST_DIR/root.status"
	run capsets "$TEST_DIR/root.status"
	assert_output "$(capmask "${inh[@]}") $(capmask "${prm[@]}") $(capmask "${prm[@]}") $(capmask "${bnd[@]}") $(capmask "${amb[@]}")"
}

@test "CVE-2022-29162: the default spec leaves inheritable and ambient empty, so file-inheritable capabilities grant nothing" {
	# Fails with: specinh (CapInh = the default set, and the file's
	# inheritable cap_net_bind_service becomes effective for uid 1000).
	mkdir "$TEST_DIR/spec"
	(cd "$TEST_DIR/spec" && "$BERTH" spec)
	run jq -c '.process.capabilities | [.inheritable, .ambient]' "$TEST_DIR/spec/config.json"
	assert_output '[null,null]'
	cp -a "$ROOTFS" "$BUNDLE/rootfs"
	# A binary whose file capabilities are inheritable+effective: exec gives
	# it (process inheritable & file inheritable). docker runs with
	# noNewPrivileges false, which lets file capabilities work.
	mkdir "$BUNDLE/rootfs/cap"
	cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/cap/busybox"
	setcap cap_net_bind_service,cap_kill+ei "$BUNDLE/rootfs/cap/busybox"
	jq --arg tag "BERTH_TEST_TAG=$TAG" '.root.path = "rootfs" | .process.terminal = false
		| .process.env += [$tag] | .process.noNewPrivileges = false
		| .process.args = ["sh", "-c", "grep -E \"^Cap(Inh|Amb):\" /proc/self/status; /cap/busybox grep -E \"^Cap(Prm|Eff):\" /proc/self/status"]' \
		"$TEST_DIR/spec/config.json" >"$BUNDLE/config.json"
	local zero=0000000000000000 u
	for u in 0 1000; do
		update_config '.process.user = {"uid": $u, "gid": $u}' --argjson u "$u"
		run berth run "$ID"
		assert_status 0
		assert_contains "CapInh:	$zero"
		assert_contains "CapAmb:	$zero"
		if [ "$u" = 1000 ]; then
			assert_contains "CapPrm:	$zero"
			assert_contains "CapEff:	$zero"
		fi
	done
	# Control: with inheritable set, the file's inheritable caps are granted.
	set_caps inheritable CAP_NET_BIND_SERVICE
	run berth run "$ID"
	assert_status 0
	assert_contains "CapEff:	$(capmask CAP_NET_BIND_SERVICE)"

	# exec --cap adds to bounding, effective and permitted, never inheritable.
	set_caps inheritable
	update_config '.process.args = ["sleep", "100"]'
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec --cap CAP_NET_RAW "$ID" grep -E '^Cap(Inh|Amb|Bnd):' /proc/self/status
	assert_status 0
	assert_contains "CapInh:	$zero"
	assert_contains "CapAmb:	$zero"
	assert_contains "CapBnd:	$(capmask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW)"

	# The test bundle (runc 1.1.5's spec) lists ambient without inheritable:
	# ambient stays empty, as in runc.
	berth delete -f "$ID"
	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.args = ["grep", "-E", "^Cap(Inh|Amb|Eff):", "/proc/self/status"]'
	run berth run "$ID"
	assert_status 0
	assert_output "CapInh:	$zero
CapEff:	$zero
CapAmb:	$zero"
}

@test "capabilities: an unknown name in any set is a one-line error naming it and leaves nothing" {
	# Fails with: capsunknown (create succeeds).
	local set
	for set in bounding effective permitted inheritable ambient; do
		cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
		update_config '.root.path = $r' --arg r "$ROOTFS"
		update_config ".process.capabilities.$set = [\"CAP_KILL\", \"CAP_BOGUS\"]"
		run_nowait berth create "$ID"
		assert_fails
		assert_error "process.capabilities.$set[1]"
		assert_contains 'CAP_BOGUS' "$(error_msg)"
		assert_no_container "$ID"
	done
}

@test "capabilities: a non-root user with ambient capabilities keeps them across exec and can use them" {
	# Fails with: noambient (CapAmb 0, ping denied), nocaps.
	local c
	for c in bounding effective permitted inheritable ambient; do
		set_caps "$c" CAP_NET_RAW
	done
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	# sh, then grep and ping: two execs past the one of init.
	set_cmd 'grep CapAmb /proc/self/status; id -u; ping -c1 -W2 127.0.0.1 >/dev/null && echo ping-ok'
	run berth run "$ID"
	assert_status 0
	assert_output "CapAmb:	$(capmask CAP_NET_RAW)
1000
ping-ok"
	# exec too.
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" sh -c 'grep CapAmb /proc/self/status; ping -c1 -W2 127.0.0.1 >/dev/null && echo ping-ok'
	assert_output "CapAmb:	$(capmask CAP_NET_RAW)
ping-ok"
}

@test "capabilities: without CAP_NET_RAW ping fails, with it ping works" {
	# Fails with: nocaps (ping works without the capability).
	set_cmd 'ping -c1 -W2 127.0.0.1 >/dev/null 2>&1 && echo ping-ok || echo ping-denied'
	run berth run "$ID"
	assert_status 0
	assert_output ping-denied
	update_config '.process.capabilities |= with_entries(.value += ["CAP_NET_RAW"])'
	run berth run "$ID"
	assert_output ping-ok
}

@test "capabilities: without CAP_SYS_ADMIN mount fails, with it mount works" {
	# Fails with: nocaps (the mount works without the capability).
	set_cmd 'mount -t tmpfs t /mnt 2>&1 && echo mount-ok'
	run berth run "$ID"
	assert_output "mount: permission denied (are you root?)"
	update_config '.process.capabilities |= (.bounding += ["CAP_SYS_ADMIN"] | .effective += ["CAP_SYS_ADMIN"] | .permitted += ["CAP_SYS_ADMIN"])'
	run berth run "$ID"
	assert_output mount-ok
}
