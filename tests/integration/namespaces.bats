#!/usr/bin/env bats
# namespaces, checked from inside the container

load helpers

host_ns() {
	readlink "/proc/self/ns/$1"
}

# ns_of TYPE...: print TYPE=ns:[inode] for each TYPE, from inside the container
ns_script() {
	local t s=""
	for t in "$@"; do
		s="$s echo $t=\$(readlink /proc/self/ns/$t);"
	done
	echo "$s"
}

@test "default namespaces: pid net ipc uts mnt are new, the rest are the host's" {
	set_cmd "$(ns_script pid net ipc uts mnt user cgroup)"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local t
	for t in pid net ipc uts mnt; do
		assert_contains "$t="
		assert_not_contains "$t=$(host_ns "$t")"
	done
	for t in user cgroup; do
		assert_contains "$t=$(host_ns "$t")"
	done
}

@test "pid: the process is pid 1 and ps shows only the container's processes" {
	set_cmd 'echo pid=$$; ps -o pid,args; true'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = "pid=1" ] || fail "$output"
	# header, sh, ps (busybox sh may run ps without exec: "{ps} sh -c ...")
	[ "${#lines[@]}" -eq 4 ] || fail "ps shows more than sh and ps: $output"
	assert_match '^ *1 sh -c echo pid' "${lines[2]}"
	assert_match '^ *[0-9]+ .*ps' "${lines[3]}"
}

@test "net: only lo, and lo is up" {
	set_cmd 'ip -o link; ls /sys/class/net'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "more than lo: $output"
	assert_match '^1: lo: <LOOPBACK,UP,LOWER_UP>' "${lines[0]}"
	[ "${lines[1]}" = lo ]
}

@test "net: ip addresses of lo (127.0.0.1) are there" {
	set_cmd 'ip -o addr show dev lo'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "inet 127.0.0.1/8"
}

@test "ipc: a SysV shared memory segment of the host is not visible" {
	command -v ipcmk >/dev/null || skip "ipcmk not installed"
	local shmid
	shmid=$(ipcmk -M 4096 | awk '{print $NF}')
	[ -n "$shmid" ]
	set_cmd 'cat /proc/sysvipc/shm; echo ipc=$(readlink /proc/self/ns/ipc)'
	run berth run --bundle "$BUNDLE" "$ID"
	ipcrm -m "$shmid"
	assert_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "shm segments visible inside: $output"
	assert_not_contains "ipc=$(host_ns ipc)"
}

@test "uts: hostname from the config" {
	local hn
	hn=$(hostname)
	update_config '.hostname = "h-inside"'
	set_cmd 'hostname; uname -n'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "h-inside
h-inside"
	[ "$(hostname)" = "$hn" ] || fail "host's hostname changed"
}

@test "uts: domainname from the config" {
	local dn
	dn=$(cat /proc/sys/kernel/domainname)
	update_config '.hostname = "h-inside" | .domainname = "d.example"'
	set_args cat /proc/sys/kernel/domainname
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "d.example"
	[ "$(cat /proc/sys/kernel/domainname)" = "$dn" ] || fail "host's domainname changed"
}

@test "mount: the container's mounts are not in the host's namespace" {
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(host_ns mnt)" ]
	# the container's /proc is mounted in its own namespace only
	grep -q " / /proc " "/proc/$pid/mountinfo"
	! grep -q " $ROOTFS/proc " /proc/self/mountinfo
}

@test "user: uid/gid mappings, and files owned by the mapped ids" {
	use_private_rootfs
	map_userns
	share_dir
	update_config '.process.capabilities.bounding += ["CAP_CHOWN"]
		| .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]'
	set_cmd 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; stat -c %u:%g /bin/busybox
		touch /mnt/byroot; touch /mnt/by1000; chown 1000:1000 /mnt/by1000
		echo user=$(readlink /proc/self/ns/user)'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local norm
	norm=$(printf '%s\n' "${lines[@]:0:2}" | awk '{print $1, $2, $3}')
	[ "$norm" = "0 100000 65536
0 100000 65536" ] || fail "maps: $output"
	[ "${lines[2]}" = 0 ] && [ "${lines[3]}" = 0 ] || fail "id: $output"
	[ "${lines[4]}" = 0:0 ] || fail "rootfs owned by host 100000 must be 0:0 inside: $output"
	assert_not_contains "user=$(host_ns user)"
	[ "$(stat -c %u:%g "$SHARED/byroot")" = 100000:100000 ]
	[ "$(stat -c %u:%g "$SHARED/by1000")" = 101000:101000 ]
}

@test "user: the host sees the container's process under the mapped uid" {
	use_private_rootfs
	chown -R -h 100000:100000 "$PRIVATE_ROOTFS"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	wait_for_status "$ID" running
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 100000 ]
	[ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = 200000 ]
	run awk '{print $1, $2, $3}' "/proc/$pid/uid_map"
	assert_output "0 100000 65536"
}

@test "cgroup: /proc/self/cgroup shows / inside a cgroup namespace" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_cmd 'cat /proc/self/cgroup; echo cgroup=$(readlink /proc/self/ns/cgroup)'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_not_contains "cgroup=$(host_ns cgroup)"
	local l n=0
	for l in "${lines[@]}"; do
		[[ $l == cgroup=* ]] && continue
		[[ $l == *:/ ]] || fail "not / inside: $l"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "cgroup: without a cgroup namespace the full path shows" {
	set_args cat /proc/self/cgroup
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "/$ID"
}

@test "time: boottime and monotonic offsets from linux.timeOffsets" {
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 1000000, "nanosecs": 0}, "monotonic": {"secs": 86400}}'
	set_cmd 'cat /proc/self/timens_offsets; cut -d" " -f1 /proc/uptime; echo time=$(readlink /proc/self/ns/time)'
	local host_up
	host_up=$(cut -d' ' -f1 /proc/uptime | cut -d. -f1)
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_not_contains "time=$(host_ns time)"
	local offs
	offs=$(printf '%s\n' "${lines[@]}" | awk '$1 == "monotonic" || $1 == "boottime" {print $1, $2, $3}' | sort)
	[ "$offs" = "boottime 1000000 0
monotonic 86400 0" ] || fail "timens_offsets: $output"
	local up
	up=$(printf '%s\n' "${lines[@]}" | grep -E '^[0-9]+\.[0-9]+$' | cut -d. -f1)
	[ -n "$up" ] && [ "$up" -ge $((host_up + 1000000)) ] && [ "$up" -lt $((host_up + 1000000 + 60)) ] ||
		fail "uptime inside $up, host $host_up: $output"
}

@test "join: an existing network namespace by path (ip netns)" {
	local ns=$TAG-ns
	ip netns add "$ns"
	local inode
	inode=$(stat -L -c %i "/run/netns/$ns")
	update_config '(.linux.namespaces[] | select(.type == "network")) .path = $p' --arg p "/run/netns/$ns"
	set_cmd 'echo net=$(readlink /proc/self/ns/net)'
	run berth run --bundle "$BUNDLE" "$ID"
	ip netns del "$ns"
	assert_status 0
	assert_output "net=net:[$inode]"
}

@test "join: a user namespace by path and a network namespace it does not own (the host's named one), as newer runc" {
	# Root in the joined user namespace may not join a network namespace
	# of the host's: berth joins that one first, as root on the host.
	use_private_rootfs
	# The user namespace: another container's.
	map_userns
	set_args sleep 300
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	local holder ns=$TAG-ns want
	holder=$(state_field "$ID" pid)
	ip netns add "$ns"
	# sysfs cannot be mounted from a user namespace that does not own the
	# network namespace: bind the host's.
	update_config 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(select(.type != "network" and .type != "user"))
			+ [{"type": "network", "path": $n}, {"type": "user", "path": $u}]
		| .mounts |= map(if .type == "sysfs" then {"destination": "/sys", "type": "bind", "source": "/sys", "options": ["rbind", "ro"]} else . end)' \
		--arg n "/run/netns/$ns" --arg u "/proc/$holder/ns/user"
	want="net=net:[$(stat -L -c %i "/run/netns/$ns")] $(readlink "/proc/$holder/ns/user")"
	set_cmd 'echo "net=$(readlink /proc/self/ns/net) $(readlink /proc/self/ns/user)"; id -u'
	run berth run --bundle "$BUNDLE" "$(new_id)"
	berth delete -f "$ID"
	ip netns del "$ns"
	assert_status 0
	assert_output "$want
0"
}

# in_netns NS CMD...: CMD in the network namespace NS only (ip netns exec
# would also mount a new /sys, hiding the cgroup hierarchies).
in_netns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

@test "linux.netDevices: a device of berth's network namespace moves in, renamed, with its address, up; the namespace's end destroys a veth" {
	# berth runs in a namespace of the test's own, where a veth pair waits
	local ns=$TAG-nd
	ip netns add "$ns"
	in_netns "$ns" ip link add nd0 type veth peer name nd1
	in_netns "$ns" ip addr add 192.0.2.1/24 dev nd0
	in_netns "$ns" ip addr add 2001:db8::1/64 dev nd0 nodad
	in_netns "$ns" ip link set nd1 up
	update_config '.linux.netDevices = {"nd0": {"name": "eth7"}}'
	set_cmd 'ip -o link show eth7; ip -o addr show eth7 | grep -v "fe80::"; ip link show nd0 >/dev/null 2>&1 && echo nd0-inside || echo no-nd0'
	run in_netns "$ns" "$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID"
	# the kernel tears a namespace down in the background
	wait_for sh -c "! nsenter --net=/run/netns/$ns ip link show nd1 >/dev/null 2>&1" || true
	local after
	after=$(in_netns "$ns" ip -o link show 2>&1)
	ip netns del "$ns"
	assert_status 0
	assert_match '^[0-9]+: eth7@if[0-9]+: <BROADCAST,MULTICAST,UP,LOWER_UP[,>]' "${lines[0]}"
	assert_contains "eth7    inet 192.0.2.1/24 "
	assert_contains "eth7    inet6 2001:db8::1/64 "
	# the old name is gone inside, and the pair went with the namespace
	[ "${lines[-1]}" = no-nd0 ] || fail "nd0 inside: $output"
	[[ $after != *nd0* && $after != *nd1* ]] || fail "left in the runtime's namespace: $after"
}

@test "linux.netDevices: a missing device, or a name taken inside, fails create with one line and leaves nothing" {
	local ns=$TAG-nd
	ip netns add "$ns"
	in_netns "$ns" ip link add nd0 type veth peer name nd1
	set_args true
	update_config '.linux.netDevices = {"nosuch0": {}}'
	run --separate-stderr in_netns "$ns" "$BERTH" --root "$BERTH_ROOT" create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error 'linux.netDevices["nosuch0"]: no network device "nosuch0" in berth'"'"'s network namespace'
	assert_no_container "$ID"
	update_config '.linux.netDevices = {"nd0": {"name": "lo"}}'
	run --separate-stderr in_netns "$ns" "$BERTH" --root "$BERTH_ROOT" create --bundle "$BUNDLE" "$ID"
	wait_for sh -c "! nsenter --net=/run/netns/$ns ip link show nd1 >/dev/null 2>&1" || true
	local after
	after=$(in_netns "$ns" ip -o link show 2>&1)
	ip netns del "$ns"
	assert_status 1
	assert_error 'linux.netDevices["nd0"]: rename it to "lo": file exists'
	assert_no_container "$ID"
	# the failed container's namespace took the veth with it
	[[ $after != *nd0* ]] || fail "nd0 left behind: $after"
}

@test "join: another container's uts namespace via /proc/PID/ns/uts" {
	local other
	other=$(new_id other)
	update_config '.hostname = "first-uts"'
	set_args sleep 300
	berth create --bundle "$BUNDLE" "$other"
	local pid
	pid=$(state_field "$other" pid)
	update_config 'del(.hostname) | (.linux.namespaces[] | select(.type == "uts")) .path = $p' --arg p "/proc/$pid/ns/uts"
	set_cmd 'hostname; echo uts=$(readlink /proc/self/ns/uts)'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "first-uts
uts=$(readlink "/proc/$pid/ns/uts")"
	# the first container is unaffected
	run state_field "$other" status
	assert_output created
}

@test "join: a mount namespace by path; its own cgroup mounts are what the container gets" {
	# A mount namespace without any cgroup mount: a container that joins it
	# cannot have one at /sys/fs/cgroup, whatever berth's own namespace has.
	unshare -m --propagation private sh -c 'umount -R /sys/fs/cgroup && exec sleep 300' &
	local holder=$!
	track "$holder"
	wait_for \
		sh -c "! grep -q ' - cgroup' /proc/$holder/mountinfo && [ \$(readlink /proc/$holder/ns/mnt) != $(host_ns mnt) ]"
	update_config '(.linux.namespaces[] | select(.type == "mount")) .path = $p' --arg p "/proc/$holder/ns/mnt"
	run berth run --bundle "$BUNDLE" "$ID"
	kill "$holder"
	assert_status 1
	assert_contains "(/sys/fs/cgroup): no cgroup filesystem is mounted"
	# and one that keeps them has them
	unshare -m --propagation private sleep 300 &
	holder=$!
	track "$holder"
	wait_for sh -c "[ \$(readlink /proc/$holder/ns/mnt) != $(host_ns mnt) ]"
	update_config '(.linux.namespaces[] | select(.type == "mount")) .path = $p' --arg p "/proc/$holder/ns/mnt"
	set_cmd 'grep -c " - cgroup" /proc/self/mountinfo'
	run berth run --bundle "$BUNDLE" "$ID"
	kill "$holder"
	assert_status 0
	[ "$output" -ge 1 ] || fail "no cgroup mount: $output"
}

@test "no network namespace in the config: the host's is shared" {
	update_config '.linux.namespaces -= [{"type": "network"}]'
	set_cmd 'echo net=$(readlink /proc/self/ns/net)'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "net=$(host_ns net)"
}

# berth_init_execs NAME: the pids that executed `berth init` in NAME's trace.
berth_init_execs() {
	grep -E '^[0-9]+ +execve(at)?\(.*\["berth", "init"\]' "$TEST_DIR/$1.strace" | cut -d' ' -f1
}

@test "a config that only makes namespaces needs no stage: berth clones the init into them; a join goes through the stage" {
	set_args sleep 300
	strace_berth create create --bundle "$BUNDLE" "$ID"
	local pid execs other
	pid=$(state_field "$ID" pid)
	execs=$(berth_init_execs create)
	[ "$execs" = "$pid" ] || fail "berth init executed by '$execs', not by the init $pid alone"
	# so the namespaces came with a clone (the cgroup one is the init's)
	grep -qE "^[0-9]+ +clone3?\(.*CLONE_NEWNS.*CLONE_NEWPID" "$TEST_DIR/create.strace" ||
		fail "no clone made the namespaces: $(grep clone "$TEST_DIR/create.strace")"
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(host_ns pid)" ] || fail "the init is in the host's pid namespace"
	berth start "$ID"
	run berth exec "$ID" cat /proc/1/comm
	assert_output sleep

	# joining the first container's uts namespace: a stage joins it and
	# forks the init
	other=$(new_id other)
	update_config '(.linux.namespaces[] | select(.type == "uts")) .path = $p' --arg p "/proc/$pid/ns/uts"
	strace_berth join create --bundle "$BUNDLE" "$other"
	local opid
	opid=$(state_field "$other" pid)
	execs=$(berth_init_execs join)
	[ -n "$execs" ] && [ "$execs" != "$opid" ] || fail "berth init executed by '$execs'; the init $opid should not have"
	[ "$(readlink "/proc/$opid/ns/uts")" = "$(readlink "/proc/$pid/ns/uts")" ] || fail "the uts namespace was not joined"
	[ "$(readlink "/proc/$opid/ns/net")" != "$(readlink "/proc/$pid/ns/net")" ] || fail "no new network namespace"
}
