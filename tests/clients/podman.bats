#!/usr/bin/env bats
# The runtime under podman and conmon (Debian's podman 4.3), cgroupfs
# manager, file events, private storage. See podman.bash.

load podman

setup_file() {
	pm_start
}

teardown_file() {
	pm_argv
	pm_stop
}

setup() {
	exec </dev/null
	# conmon writes files (its "oom" file) in its cwd, which is podman's.
	cd "$SUITE_DIR/cwd"
	pm_argv
	ID=t$BATS_TEST_NUMBER
}

teardown() {
	pm_test_teardown
}

# Capability numbers (linux/capability.h).
declare -gA CAP=([CHOWN]=0 [DAC_OVERRIDE]=1 [FOWNER]=3 [FSETID]=4 [KILL]=5 [SETGID]=6
	[SETUID]=7 [SETPCAP]=8 [NET_BIND_SERVICE]=10 [NET_ADMIN]=12 [NET_RAW]=13
	[SYS_CHROOT]=18 [SYS_ADMIN]=21 [MKNOD]=27 [AUDIT_WRITE]=29 [SETFCAP]=31)

default_caps() {
	local c bits=()
	for c in "${PM_DEFAULT_CAPS[@]}"; do bits+=("${CAP[$c]}"); done
	cap_mask "${bits[@]}"
}

# ---------------------------------------------------------------- run and exit codes

@test "run: output, pid 1 and exit code 0" {
	run pm run --rm "$IMAGE" sh -c 'echo hello; echo "pid=$$"'
	assert_success
	assert_output $'hello\npid=1'
}

@test "run: exit codes N, 126 (not executable), 127 (no such file, not in PATH)" {
	run pm run --rm "$IMAGE" sh -c 'exit 7'
	assert_status 7
	# podman maps the runtime's error texts to 126 and 127 and shows the
	# message of its JSON log line.
	run pm run --rm "$IMAGE" /etc/passwd
	assert_status 126
	assert_output "Error: $PM_RUNTIME: $RUNTIME_NAME create failed: unable to start container process: exec: \"/etc/passwd\": permission denied: OCI permission denied"
	run -127 pm run --rm "$IMAGE" /nonexistent
	assert_status 127
	assert_output "Error: $PM_RUNTIME: $RUNTIME_NAME create failed: unable to start container process: exec: \"/nonexistent\": stat /nonexistent: no such file or directory: OCI runtime attempted to invoke a command that was not found"
	run -127 pm run --rm "$IMAGE" nonexistent-cmd
	assert_status 127
	assert_output "Error: $PM_RUNTIME: $RUNTIME_NAME create failed: unable to start container process: exec: \"nonexistent-cmd\": executable file not found in \$PATH: OCI runtime attempted to invoke a command that was not found"
}

# ---------------------------------------------------------------- process

@test "env: the image's, -e, --env-file, and podman's own" {
	printf 'FROMFILE=yes\nSPACED=a b\n' >"$SUITE_DIR/$ID.env"
	run pm run --rm -e FOO=bar --env-file "$SUITE_DIR/$ID.env" "$IMAGE" sh -c 'echo "$FOO|$FROMFILE|$SPACED|$PATH|$HOME|$container"'
	assert_success
	assert_output "bar|yes|a b|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|/root|podman"
}

@test "workdir: -w, as root and as a user" {
	run pm run --rm -w /tmp "$IMAGE" pwd
	assert_success
	assert_output /tmp
	run pm run --rm -w /home/bb --user bb "$IMAGE" sh -c 'pwd; touch mine && stat -c %U mine'
	assert_success
	assert_output $'/home/bb\nbb'
}

@test "user: --user uid:gid, a name, --group-add" {
	run pm run --rm --user 1000:1000 "$IMAGE" sh -c 'id -u; id -g; grep -E "^(Uid|Gid):" /proc/self/status'
	assert_success
	assert_line 1000
	assert_match $'Uid:\t1000\t1000\t1000\t1000'
	assert_match $'Gid:\t1000\t1000\t1000\t1000'
	run pm run --rm --user bb "$IMAGE" id
	assert_success
	assert_output "uid=1000(bb) gid=1000(bb) groups=100(users),1000(bb)"
	run pm run --rm --user 1000:1000 --group-add 5 "$IMAGE" id -G
	assert_success
	assert_output "1000 5"
}

@test "hostname: --hostname, and the short ID by default" {
	run pm run --rm --hostname berth-host "$IMAGE" sh -c 'hostname; cat /etc/hostname'
	assert_success
	assert_output $'berth-host\nberth-host'
	pm run --name "$ID" "$IMAGE" hostname >/dev/null
	local id
	id=$(pm_field "$ID" '{{.Id}}')
	run pm logs "$ID"
	assert_output "${id:0:12}"
	[ "$(hostname)" != berth-host ] || fail "the host's hostname changed"
}

# ---------------------------------------------------------------- filesystem

@test "read-only: / is ro, podman's /tmp /run /var/tmp tmpfs are not" {
	run pm run --rm --read-only "$IMAGE" sh -c '
		touch /x 2>&1
		awk "\$2 == \"/\" {split(\$4, o, \",\"); print \"root \" o[1]}" /proc/mounts
		for d in /tmp /run /var/tmp; do touch $d/x && echo "$d writable"; done'
	assert_success
	assert_line "touch: /x: Read-only file system"
	assert_line "root ro"
	assert_line "/tmp writable"
	assert_line "/run writable"
	assert_line "/var/tmp writable"
}

@test "tmpfs: --tmpfs with size and mode on a new dir" {
	run pm run --rm --tmpfs /scratch:rw,size=1m,mode=1770 "$IMAGE" sh -c '
		awk "\$2 == \"/scratch\" {print \$3, \$4}" /proc/mounts
		stat -c %a /scratch
		echo data >/scratch/f && cat /scratch/f'
	assert_success
	assert_match '^tmpfs rw,.*size=1024k'
	assert_line 1770
	assert_line data
}

@test "tmpfs: on an image dir, podman's tmpcopyup copies its content and mode" {
	# podman adds "tmpcopyup" to every --tmpfs: the tmpfs starts as a copy of
	# the image's /home (0755, with bb/ owned by bb).
	run pm run --rm --tmpfs /home "$IMAGE" sh -c 'stat -c "%a %U" /home /home/bb'
	assert_success
	assert_output $'755 root\n755 bb'
}

@test "read-only: a user can write podman's /tmp and /var/tmp tmpfs (1777)" {
	run pm run --rm --read-only --user bb "$IMAGE" sh -c '
		stat -c %a /tmp /var/tmp
		touch /tmp/x /var/tmp/x && echo user-writes-tmp'
	assert_success
	assert_output $'1777\n1777\nuser-writes-tmp'
}

@test "bind mounts: -v ro and rw, --mount type=bind" {
	local share=$SUITE_DIR/share/$ID
	mkdir -p "$share"
	echo from-host >"$share/in"
	run pm run --rm -v "$share:/ro:ro" -v "$share:/rw" --mount "type=bind,src=$share,dst=/m2,ro=true" "$IMAGE" sh -c '
		cat /ro/in; touch /ro/x 2>&1; touch /m2/x 2>&1; echo from-container >/rw/out'
	assert_success
	assert_line from-host
	assert_line "touch: /ro/x: Read-only file system"
	assert_line "touch: /m2/x: Read-only file system"
	assert_equal "$(cat "$share/out")" from-container "file written through the rw mount"
}

@test "bind mounts: rshared on a host whose / is shared (systemd's)" {
	local share=$SUITE_DIR/share/$ID
	mkdir -p "$share"
	echo from-host >"$share/in"
	# podman, conmon and the container in a mount namespace whose / is
	# shared; podman then asks for rootfsPropagation rshared (its storage
	# keeps the rootfs on a private mount; mounts.bats tries a rootfs that
	# is a shared mount)
	run timeout -k 5 "$CLIENT_TIMEOUT" unshare -m --propagation shared sh -c 'mount --make-rshared / && exec "$@"' sh \
		"${PODMAN[@]}" run --rm --cgroup-parent "/$PM_CGROUP_PARENT" -v "$share:/s:rshared" "$IMAGE" \
		sh -c 'cat /s/in; grep " / " /proc/self/mountinfo' 3>&-
	assert_success
	assert_line from-host
}

@test "volumes: a named volume outlives its container" {
	pm volume create "v$ID" >/dev/null
	run pm run --rm -v "v$ID:/vol" "$IMAGE" sh -c 'echo kept >/vol/f'
	assert_success
	run pm run --rm -v "v$ID:/vol:ro" "$IMAGE" sh -c 'cat /vol/f; touch /vol/g 2>&1; true'
	assert_success
	assert_line kept
	assert_line "touch: /vol/g: Read-only file system"
	local mp
	mp=$(pm volume inspect -f '{{.Mountpoint}}' "v$ID")
	[[ "$mp" == "$SUITE_DIR/"* ]] || fail "volume at $mp, outside the suite's dir"
	assert_equal "$(cat "$mp/f")" kept "the volume's file on the host"
	pm volume rm "v$ID" >/dev/null
}

# ---------------------------------------------------------------- resources

@test "--cgroup-manager systemd: the container in podman's scope under machine.slice, its limits applied" {
	[ -d /run/systemd/system ] || skip "systemd is not init here (the systemd VM lane runs this)"
	# podman's own default where systemd is init: --systemd-cgroup and a
	# slice:prefix:name cgroupsPath for the runtime
	run timeout -k 5 "$CLIENT_TIMEOUT" "${PODMAN[@]}" --cgroup-manager systemd run --rm --cgroupns host \
		--memory 64m "$IMAGE" sh -c 'cat /proc/self/cgroup' 3>&-
	assert_success
	assert_match '^0::/machine\.slice/libpod-[0-9a-f]{64}\.scope$'
	local scope=${output#0::}
	run timeout -k 5 "$CLIENT_TIMEOUT" "${PODMAN[@]}" --cgroup-manager systemd run --rm --memory 64m --pids-limit 99 \
		"$IMAGE" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max 3>&-
	assert_success
	assert_output $'67108864\n99'
	# the scope is gone with the container
	[ ! -d "/sys/fs/cgroup$scope" ] || fail "scope $scope left behind"
	grep -q "^--systemd-cgroup" "$SUITE_DIR/runtime-calls.log" || grep -q " --systemd-cgroup" "$SUITE_DIR/runtime-calls.log" ||
		fail "podman did not pass --systemd-cgroup: $(tail -3 "$SUITE_DIR/runtime-calls.log")"
}

@test "memory limit: the cgroup file, inside and from the host; the OOM kill" {
	pm_run_d "$ID" --memory 64m "$IMAGE" sleep 1000
	local pid
	pid=$(pm_pid "$ID")
	assert_cgroup "$pid" memory memory.limit_in_bytes 67108864
	run pm exec "$ID" cat "$(cgroup_inside memory memory.limit_in_bytes)"
	assert_output 67108864
	pm rm -f -t 0 "$ID" >/dev/null

	# The OOM killer in that cgroup: the process is killed (137), the
	# cgroup counts it. (State.OOMKilled stays false on Debian 12's podman
	# 4.3 + conmon 2.1.6 whatever the runtime: conmon writes its "oom" file
	# in its cwd, not where podman looks.)
	pm_run_d "$ID-oom" --memory 16m "$IMAGE" sh -c 'tail /dev/zero; echo "tail: $?"; sleep 1000'
	wait_until 60 sh -c "\"\$@\" logs $ID-oom | grep -qx 'tail: 137'" _ "${PODMAN[@]}"
	local oom=memory.oom_control
	cgroup2_host && oom=memory.events
	assert_match 'oom_kill [1-9]' "$(cgroup_file "$(pm_pid "$ID-oom")" memory "$oom")"
}

@test "cpu limits: --cpus, --cpu-shares, --cpuset-cpus" {
	pm_run_d "$ID" --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 "$IMAGE" sleep 1000
	local pid
	pid=$(pm_pid "$ID")
	assert_cgroup "$pid" cpu cpu.cfs_quota_us 50000
	assert_cgroup "$pid" cpu cpu.cfs_period_us 100000
	assert_cgroup "$pid" cpu cpu.shares 512
	assert_cgroup "$pid" cpuset cpuset.cpus 0
	run pm exec "$ID" grep Cpus_allowed_list /proc/self/status
	assert_output $'Cpus_allowed_list:\t0'
}

@test "pids limit: --pids-limit, and the configured default" {
	pm_run_d "$ID" --pids-limit 100 "$IMAGE" sleep 1000
	assert_cgroup "$(pm_pid "$ID")" pids pids.max 100
	run pm exec "$ID" cat "$(cgroup_inside pids pids.max)"
	assert_output 100
	pm_run_d "$ID-default" "$IMAGE" sleep 1000
	assert_cgroup "$(pm_pid "$ID-default")" pids pids.max 2048
}

@test "ulimits: the configured defaults and --ulimit" {
	run pm run --rm "$IMAGE" sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
	assert_success
	assert_output $'20000\n20000\n32768'
	run pm run --rm --ulimit nofile=1234:2345 --ulimit nproc=500:600 "$IMAGE" sh -c 'ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu'
	assert_success
	assert_output $'1234\n2345\n500\n600'
}

@test "sysctl: namespaced sysctls set inside, the host's unchanged" {
	local fwd shm
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	shm=$(cat /proc/sys/kernel/shm_rmid_forced)
	run pm run --rm --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shm_rmid_forced=1 "$IMAGE" \
		cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced
	assert_success
	assert_output $'1\n1'
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd" "host ip_forward"
	assert_equal "$(cat /proc/sys/kernel/shm_rmid_forced)" "$shm" "host shm_rmid_forced"
}

# ---------------------------------------------------------------- security

@test "capabilities: the default set, --cap-add, --cap-drop" {
	local caps='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'
	run pm run --rm "$IMAGE" sh -c "$caps"
	assert_success
	local def
	def=$(default_caps)
	assert_equal "$(status_field CapEff)" "$def" "default CapEff"
	assert_equal "$(status_field CapBnd)" "$def" "default CapBnd"
	assert_equal "$(status_field CapAmb)" 0000000000000000 "default CapAmb"
	run pm run --rm --cap-add NET_ADMIN --cap-drop CHOWN "$IMAGE" sh -c "$caps"'
		touch /f; chown 1000 /f 2>&1; ip link set lo mtu 1500 && echo net-admin'
	assert_success
	assert_equal "$(status_field CapEff)" "$(cap_clear "$(cap_or "$def" "${CAP[NET_ADMIN]}")" "${CAP[CHOWN]}")" "CapEff with cap-add/drop"
	assert_line "chown: /f: Operation not permitted"
	assert_line net-admin
}

@test "no-new-privileges: off by default, on with --security-opt" {
	run pm run --rm "$IMAGE" grep NoNewPrivs /proc/self/status
	assert_output $'NoNewPrivs:\t0'
	run pm run --rm --security-opt no-new-privileges "$IMAGE" grep NoNewPrivs /proc/self/status
	assert_output $'NoNewPrivs:\t1'
}

@test "seccomp: podman's default profile is in force, unconfined is not" {
	run pm run --rm "$IMAGE" grep -E '^Seccomp(_filters)?:' /proc/self/status
	assert_success
	assert_line $'Seccomp:\t2'
	run pm run --rm --security-opt seccomp=unconfined "$IMAGE" grep '^Seccomp:' /proc/self/status
	assert_output $'Seccomp:\t0'
}

@test "AppArmor: podman's default profile confines the container, unconfined does not" {
	grep -q Y /sys/module/apparmor/parameters/enabled 2>/dev/null && command -v apparmor_parser >/dev/null ||
		skip "AppArmor is not enforced here (the VM lane runs this)"
	run pm run --rm "$IMAGE" cat /proc/self/attr/current
	assert_success
	assert_match '^containers-default-[0-9.]+ \(enforce\)$'
	run pm run --rm --security-opt apparmor=unconfined "$IMAGE" cat /proc/self/attr/current
	assert_output unconfined
}

# ---------------------------------------------------------------- terminals and stdio

@test "-t: a terminal of the caller's size, and the exit code" {
	run in_pty "${PODMAN[@]}" run --cgroup-parent "/$PM_CGROUP_PARENT" --rm -t "$IMAGE" sh -c '
		tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-tty
		i=0; s=
		while [ $i -lt 100 ]; do s=$(stty size 2>/dev/null); [ -n "$s" ] && [ "$s" != "0 0" ] && break; i=$((i+1)); sleep 0.1; done
		echo "size=$s"; exit 4'
	assert_status 4
	assert_contains /dev/pts/0
	assert_contains stdio-is-tty
	assert_contains "size=40 100"
}

@test "-i: stdin reaches the container; without -i it does not" {
	run bash -c 'printf "line1\nline2\n" | "$@"' _ "${PODMAN[@]}" run --cgroup-parent "/$PM_CGROUP_PARENT" --rm -i "$IMAGE" sh -c 'cat; exit 6'
	assert_status 6
	assert_output $'line1\nline2'
	run bash -c 'echo ignored | "$@"' _ "${PODMAN[@]}" run --cgroup-parent "/$PM_CGROUP_PARENT" --rm "$IMAGE" sh -c 'cat; echo end'
	assert_success
	assert_output end
}

# ---------------------------------------------------------------- lifecycle

@test "detach, logs, stop (SIGTERM), rm; the file events" {
	pm_run_d "$ID" "$IMAGE" sh -c 'echo started; trap "echo got TERM; exit 3" TERM; while :; do sleep 0.1; done'
	wait_until 30 sh -c "\"\$@\" logs $ID | grep -q started" _ "${PODMAN[@]}"
	local pid
	pid=$(pm_pid "$ID")
	pid_alive "$pid"
	pm stop -t 20 "$ID" >/dev/null
	pid_gone "$pid"
	assert_equal "$(pm_field "$ID" '{{.State.Status}} {{.State.ExitCode}}')" "exited 3" "state after stop"
	run pm logs "$ID"
	assert_output $'started\ngot TERM'
	run pm events --stream=false --filter "container=$ID" --format '{{.Status}}'
	assert_line start
	assert_line died
	pm rm "$ID" >/dev/null
	run pm ps -aq
	assert_output ""
	run pm inspect "$ID"
	assert_fails
}

@test "kill: a signal the container traps, and the default SIGKILL" {
	pm_run_d "$ID" "$IMAGE" sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done'
	pm kill -s USR1 "$ID" >/dev/null
	wait_until 30 pm_is "$ID" exited
	assert_equal "$(pm_field "$ID" '{{.State.ExitCode}}')" 42 "exit code after USR1"
	pm_run_d "$ID-k" "$IMAGE" sleep 1000
	pm kill "$ID-k" >/dev/null
	wait_until 30 pm_is "$ID-k" exited
	assert_equal "$(pm_field "$ID-k" '{{.State.ExitCode}}')" 137 "exit code after kill"
}

@test "pause and unpause: the freezer, podman's and the runtime's status" {
	pm_run_d "$ID" "$IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/c; mv /tmp/c /tmp/count; sleep 0.05; done'
	local pid id a b
	pid=$(pm_pid "$ID")
	id=$(pm_field "$ID" '{{.Id}}')
	wait_until 30 test -s "/proc/$pid/root/tmp/count"
	pm pause "$ID" >/dev/null
	assert_equal "$(pm_field "$ID" '{{.State.Status}}')" paused "podman status"
	assert_equal "$(runtime_state "$id" | jq -r .status)" paused "runtime status"
	assert_cgroup "$pid" freezer freezer.state FROZEN
	a=$(cat "/proc/$pid/root/tmp/count")
	sleep 0.5
	b=$(cat "/proc/$pid/root/tmp/count")
	assert_equal "$b" "$a" "counter while paused"
	pm unpause "$ID" >/dev/null
	assert_equal "$(pm_field "$ID" '{{.State.Status}}')" running "podman status"
	assert_equal "$(runtime_state "$id" | jq -r .status)" running "runtime status"
	assert_cgroup "$pid" freezer freezer.state THAWED
	wait_until 10 sh -c "[ \"\$(cat /proc/$pid/root/tmp/count)\" -gt $b ]"
}

@test "exec: output and exit code, -e, -u, -w, -t; not in a stopped container" {
	pm_run_d "$ID" "$IMAGE" sleep 1000
	run pm exec "$ID" sh -c 'echo exec-out; cat /proc/1/cmdline | tr "\0" " "; echo; exit 3'
	assert_status 3
	assert_output $'exec-out\nsleep 1000 '
	run pm exec -e FOO=bar -u 1000 -w /tmp "$ID" sh -c 'echo "$FOO"; id -u; pwd'
	assert_success
	assert_output $'bar\n1000\n/tmp'
	run in_pty "${PODMAN[@]}" exec -t "$ID" sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; exit 5'
	assert_status 5
	assert_match '/dev/pts/[0-9]+'
	assert_contains stdin-is-tty
	run -127 pm exec "$ID" /nonexistent
	assert_status 127
	assert_contains 'stat /nonexistent: no such file or directory'
	pm stop -t 0 "$ID" >/dev/null
	run pm exec "$ID" true
	assert_fails
	assert_contains "can only create exec sessions on running containers"
}

@test "top: the container's processes" {
	pm_run_d "$ID" "$IMAGE" sh -c 'sleep 1000 & wait'
	wait_until 30 sh -c "\"\$@\" top $ID | grep -q 'sleep 1000'" _ "${PODMAN[@]}"
	run pm top "$ID" pid user args
	assert_success
	assert_match $'(^|\n)1 +root +sh -c sleep 1000 & wait'
	assert_match $'\n[0-9]+ +root +sleep 1000'
}

@test "inspect: the runtime, the running init's pid and cgroup" {
	pm_run_d "$ID" "$IMAGE" sleep 1000
	local pid id
	pid=$(pm_pid "$ID")
	id=$(pm_field "$ID" '{{.Id}}')
	assert_equal "$(pm_field "$ID" '{{.OCIRuntime}}')" "$PM_RUNTIME" OCIRuntime
	assert_equal "$(pm_field "$ID" '{{.State.Running}}')" true State.Running
	pid_alive "$pid"
	assert_equal "$(cat "/proc/$pid/comm")" sleep "comm of State.Pid"
	assert_equal "$(cgroup_of "$pid")" "/$PM_CGROUP_PARENT/libpod-$id" cgroup
	assert_equal "$(runtime_state "$id" | jq -r .pid)" "$pid" "runtime state pid"
}

@test "restart: a new init, the same container" {
	pm_run_d "$ID" "$IMAGE" sh -c 'echo started; sleep 1000'
	local p1 p2
	p1=$(pm_pid "$ID")
	pm restart -t 0 "$ID" >/dev/null
	wait_until 30 pm_is "$ID" running
	p2=$(pm_pid "$ID")
	[ "$p1" != "$p2" ] || fail "same pid $p1 after restart"
	pid_gone "$p1"
	pid_alive "$p2"
	wait_until 30 sh -c "[ \"\$(\"\$@\" logs $ID | grep -c started)\" = 2 ]" _ "${PODMAN[@]}"
}

@test "--rm: the container and its runtime state are gone at exit" {
	run pm run --rm --name "$ID" "$IMAGE" echo bye
	assert_success
	assert_output bye
	run pm container exists "$ID"
	assert_status 1
	[ -z "$(runtime_state_dirs)" ] || fail "runtime state left: $(runtime_state_dirs)"
}

@test "--init: catatonit is pid 1 and forwards SIGTERM" {
	run pm run --rm --init "$IMAGE" sh -c 'cat /proc/1/comm; echo "pid=$$"'
	assert_success
	assert_line podman-init
	[ "${lines[1]}" != pid=1 ] || fail "the command is pid 1"
	pm_run_d "$ID" --init "$IMAGE" sleep 1000
	local t=$SECONDS
	pm stop -t 30 "$ID" >/dev/null
	((SECONDS - t < 20)) || fail "stop waited for the timeout: SIGTERM was not forwarded"
	assert_equal "$(pm_field "$ID" '{{.State.ExitCode}}')" 143 "exit code"
}

@test "--privileged: every capability of the host, its devices, no seccomp" {
	run pm run --rm --privileged "$IMAGE" sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev | wc -l'
	assert_success
	assert_equal "$(status_field CapEff)" "$(host_cap_bound)" "privileged CapEff"
	assert_equal "$(status_field Seccomp)" 0 "privileged Seccomp"
	assert_equal "${lines[2]}" "$(ls /dev | wc -l)" "entries in /dev"
}

@test "--device: a host device node under another name" {
	run pm run --rm --device /dev/null:/dev/mynull "$IMAGE" sh -c 'stat -c "%F %t:%T" /dev/mynull; echo x >/dev/mynull && echo written'
	assert_success
	assert_output $'character special file 1:3\nwritten'
}

@test "--uidmap/--gidmap: a user namespace, root inside is 100000 outside" {
	pm_run_d "$ID" --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMAGE" sh -c 'touch /mine; sleep 1000'
	local pid
	pid=$(pm_pid "$ID")
	run cat "/proc/$pid/uid_map"
	assert_match '^ +0 +100000 +65536$'
	assert_equal "$(stat -c %u "/proc/$pid")" 100000 "host uid of the container's init"
	run pm exec "$ID" sh -c 'id -u; stat -c %u /mine'
	assert_output $'0\n0'
}

# ---------------------------------------------------------------- namespaces

@test "network: none has only lo; slirp4netns gives tap0 and a default route" {
	run pm run --rm --network none "$IMAGE" sh -c 'ls /sys/class/net'
	assert_success
	assert_output lo
	run pm run --rm --network slirp4netns "$IMAGE" sh -c 'ip -4 -o addr show tap0; ip route'
	assert_success
	assert_match 'tap0 +inet 10\.0\.2\.100/24'
	assert_match 'default via 10\.0\.2\.2 dev tap0'
}

@test "--pid=host: the host's processes are visible" {
	run pm run --rm --pid=host "$IMAGE" sh -c 'cat /proc/1/comm; echo "pid=$$"'
	assert_success
	assert_line "$(cat /proc/1/comm)"
	[ "${lines[1]}" != pid=1 ] || fail "pid namespace not shared"
}

# ---------------------------------------------------------------- checkpoint

# pm_counter NAME [OPTIONS]: a detached container whose shell counts in
# /count, ten times a second (renamed into place: a dump in the middle of
# a write would leave it empty).
pm_counter() {
	local name=$1
	shift
	pm_run_d "$name" "$@" "$IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count.tmp; mv /count.tmp /count; sleep 0.1; done'
}

# pm_count NAME: the counter, read inside the container.
pm_count() {
	pm exec "$1" cat /count
}


@test "checkpoint and restore: the same processes go on counting" {
	require_criu
	pm_counter "$ID"
	local id
	id=$(pm_field "$ID" '{{.Id}}')
	wait_until 30 count_above pm_count "$ID" 10
	run runtime_state "$id"
	assert_success
	run pm container checkpoint "$ID"
	assert_success
	assert_output "$ID"
	assert_equal "$(pm_field "$ID" '{{.State.Status}} {{.State.Checkpointed}}')" "exited true" "state after checkpoint"
	run runtime_state "$id"
	assert_fails
	# The counter as the dump left it, in the container's upper dir.
	local before
	before=$(cat "$(pm_field "$ID" '{{.GraphDriver.Data.UpperDir}}')/count")
	run pm container restore "$ID"
	assert_success
	assert_output "$ID"
	assert_equal "$(pm_field "$ID" '{{.State.Status}} {{.State.Restored}}')" "running true" "state after restore"
	# A restarted shell would count from 1 again.
	local after
	after=$(pm_count "$ID")
	[ "$after" -ge "$before" ] || fail "counter is $after after restore, was $before: not the same shell"
	wait_until 30 count_above pm_count "$ID" "$after"
	run runtime_state "$id"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running "runtime state status"
	assert_equal "$(jq -r .pid <<<"$output")" "$(pm_pid "$ID")" "runtime state pid"
	pm stop -t 0 "$ID" >/dev/null
}

@test "checkpoint --leave-running, and --export then restore --import as a new container" {
	require_criu
	pm_counter "$ID"
	wait_until 30 count_above pm_count "$ID" 10
	run pm container checkpoint --leave-running "$ID"
	assert_success
	pm_is "$ID" running
	local c
	c=$(pm_count "$ID")
	wait_until 30 count_above pm_count "$ID" "$c"

	pm container checkpoint --export "$SUITE_DIR/$ID.tar.gz" "$ID" >/dev/null
	[ -s "$SUITE_DIR/$ID.tar.gz" ] || fail "no exported checkpoint"
	local before
	before=$(cat "$(pm_field "$ID" '{{.GraphDriver.Data.UpperDir}}')/count")
	pm rm "$ID" >/dev/null
	run pm container restore --import "$SUITE_DIR/$ID.tar.gz" --name "$ID-i"
	assert_success
	pm_is "$ID-i" running
	c=$(pm_count "$ID-i")
	[ "$c" -ge "$before" ] || fail "counter is $c after import, was $before: not the same shell"
	wait_until 30 count_above pm_count "$ID-i" "$c"
	pm stop -t 0 "$ID-i" >/dev/null
}

# ---------------------------------------------------------------- many

@test "five containers at once" {
	local i pids=() p
	for i in 1 2 3 4 5; do
		pm run -d --name "$ID-$i" "$IMAGE" sh -c "echo $i >/tmp/me; sleep 1000" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "a podman run -d failed"
	done
	local seen=
	for i in 1 2 3 4 5; do
		wait_until 30 pm_is "$ID-$i" running
		p=$(pm_pid "$ID-$i")
		[[ " $seen " != *" $p "* ]] || fail "two containers with pid $p"
		seen="$seen $p"
		run pm exec "$ID-$i" cat /tmp/me
		assert_output "$i"
	done
	pids=()
	for i in 1 2 3 4 5; do
		pm stop -t 0 "$ID-$i" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "a podman stop failed"
	done
	for i in 1 2 3 4 5; do
		assert_equal "$(pm_field "$ID-$i" '{{.State.Status}}')" exited "status of $ID-$i"
	done
}

@test "after all the containers: no runtime state, conmon, mount or cgroup is left" {
	pm_run_d "$ID" "$IMAGE" sleep 1000
	[ -n "$(conmon_pids)" ] || fail "no conmon while a container runs"
	[ -n "$(runtime_state_dirs)" ] || fail "no runtime state while a container runs"
	pm_remove_all
	pm_no_leaks
	[ -z "$(ls -A "$RUNTIME_ROOT")" ] || fail "runtime root not empty: $(ls -A "$RUNTIME_ROOT")"
}
