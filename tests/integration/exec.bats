#!/usr/bin/env bats
# exec: every flag of runc exec on a running busybox container, the
# namespaces and cgroup the process joins, and exec in every wrong state.

load helpers

setup_file() {
	build_tool recvtty
}

teardown() {
	# a failed --ignore-paused test must not leave a frozen container
	thaw_test_cgroups
	teardown_common
}

# start_container: create and start $ID (init: sleep 300, unless the test
# set other args); its host pid in $INIT_PID.
start_container() {
	if [ "$(jq -r '.process.args[0]' "$BUNDLE/config.json")" = sh ] &&
		[ "$(jq '.process.args | length' "$BUNDLE/config.json")" = 1 ]; then
		set_args sleep 300
	fi
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	INIT_PID=$(state_field "$ID" pid)
	[ -d "/proc/$INIT_PID" ] || fail "no init pid: '$INIT_PID'"
}

# cgroup_dir CONTROLLERS PATH: the host dir of one /proc/PID/cgroup line.
cgroup_dir() {
	case $1 in
	"")
		if [ -d /sys/fs/cgroup/unified ]; then echo "/sys/fs/cgroup/unified$2"; else echo "/sys/fs/cgroup$2"; fi
		;;
	name=*) echo "/sys/fs/cgroup/${1#name=}$2" ;;
	*) echo "/sys/fs/cgroup/$1$2" ;;
	esac
}

# make_sub_cgroup PID NAME [CONTROLLER]: mkdir NAME under PID's cgroup in
# every hierarchy (or only CONTROLLER's), ready to take processes.
make_sub_cgroup() {
	local pid=$1 name=$2 only=${3:-} n ctrls path d
	while IFS=: read -r n ctrls path; do
		if [ -n "$only" ]; then
			[[ ",$ctrls," == *",$only,"* ]] || continue
		fi
		d=$(cgroup_dir "$ctrls" "$path")
		mkdir "$d/$name"
		# v1 cpuset cgroups start empty and take no process; v2 inherits
		if ! is_cgroup2 && [ -f "$d/cpuset.cpus" ]; then
			cat "$d/cpuset.cpus" >"$d/$name/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/$name/cpuset.mems"
		fi
	done <"/proc/$pid/cgroup"
}


@test "exec: stdout, stderr and the exit status (0, N, 128+9, 128+10)" {
	start_container
	run --separate-stderr berth exec "$ID" sh -c 'echo to-stdout; echo to-stderr >&2'
	assert_status 0
	assert_output to-stdout
	[ "$stderr" = to-stderr ] || fail "stderr: '$stderr'"
	run berth exec "$ID" sh -c 'exit 42'
	assert_status 42
	assert_output ""
	run berth exec "$ID" sh -c 'kill -9 $$'
	assert_status 137
	run berth exec "$ID" sh -c 'kill -USR1 $$'
	assert_status 138
	# the container is untouched by its exec'd processes
	run state_field "$ID" status
	assert_output running
	[ "$(state_field "$ID" pid)" = "$INIT_PID" ]
}

@test "exec: stdin passes through" {
	start_container
	run berth exec "$ID" sh -c 'read a; read b; echo "got $b $a"' < <(printf 'one\ntwo\n')
	assert_status 0
	assert_output "got two one"
}

@test "exec -p process.json: args, env, cwd and user from the file" {
	start_container
	cat >"$TEST_DIR/process.json" <<'EOF'
{
	"terminal": false,
	"user": {"uid": 1000, "gid": 100, "additionalGids": [5]},
	"args": ["sh", "-c", "echo \"foo=$FOO term=${TERM:-unset}\"; pwd; id -u; id -g; id -G"],
	"env": ["PATH=/bin:/usr/bin", "FOO=from-json"],
	"cwd": "/tmp"
}
EOF
	run --separate-stderr berth exec -p "$TEST_DIR/process.json" "$ID"
	assert_status 0
	# nothing of the container's own process (TERM=xterm) leaks in
	assert_output "foo=from-json term=unset
/tmp
1000
100
100 5"
}

@test "exec -p process.json: rlimits, noNewPrivileges and capabilities from the file" {
	update_config '.process.noNewPrivileges = false'
	start_container
	cat >"$TEST_DIR/process.json" <<'EOF'
{
	"user": {"uid": 0, "gid": 0},
	"args": ["sh", "-c", "ulimit -Sn; ulimit -Hn; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status"],
	"env": ["PATH=/bin"],
	"cwd": "/",
	"rlimits": [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 512}],
	"noNewPrivileges": true,
	"capabilities": {
		"bounding": ["CAP_CHOWN", "CAP_KILL"],
		"effective": ["CAP_CHOWN", "CAP_KILL"],
		"permitted": ["CAP_CHOWN", "CAP_KILL"]
	}
}
EOF
	run --separate-stderr berth exec -p "$TEST_DIR/process.json" "$ID"
	assert_status 0
	# CAP_CHOWN(0) + CAP_KILL(5)
	assert_output "256
512
CapEff:	0000000000000021
NoNewPrivs:	1"
	# the container's own process keeps its settings
	[ "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$INIT_PID/status")" = 0 ]
}

@test "exec -p process.json: umask, ioPriority, scheduler and the session keyring" {
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	start_container
	cat >"$TEST_DIR/process.json" <<'EOF'
{
	"user": {"uid": 0, "gid": 0, "umask": 63},
	"args": ["sh", "-c", "umask; ionice -p $$; grep -E '^policy' /proc/self/sched | tr -d ' '"],
	"env": ["PATH=/bin"],
	"cwd": "/",
	"ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 0},
	"scheduler": {"policy": "SCHED_BATCH"}
}
EOF
	run --separate-stderr berth exec -p "$TEST_DIR/process.json" "$ID"
	assert_status 0
	assert_output "0077
idle
policy:3"
	run berth exec "$ID" cat /proc/keys
	assert_match "keyring +_ses\\.$ID: "
}

@test "exec: the user is looked up in the container's /etc files, even through symlinks that point outside it" {
	# berth reads them through the container's root (openat2
	# RESOLVE_IN_ROOT): an absolute symlink must not reach the host's file.
	# Fails with a lookup through /proc/PID/root/etc/passwd, where the
	# kernel resolves an absolute symlink against the reader's root (HOME
	# would be /host-leak).
	use_private_rootfs
	local host=$TEST_DIR/host-passwd
	echo "bb:x:1000:1000::/host-leak:/bin/sh" >"$host"
	echo "leak:x:4242:bb" >"$TEST_DIR/host-group"
	rm -f "$BUNDLE/rootfs/etc/passwd" "$BUNDLE/rootfs/etc/group"
	ln -s "$host" "$BUNDLE/rootfs/etc/passwd"
	ln -s "../../../../../../../../..$TEST_DIR/host-group" "$BUNDLE/rootfs/etc/group"
	start_container
	run berth exec -u 1000:1000 "$ID" sh -c 'echo $HOME; id -G'
	assert_status 0
	assert_output "/
1000"
	# With the container's own files, HOME comes from them.
	rm "$BUNDLE/rootfs/etc/passwd"
	echo "bb:x:1000:1000::/home/inside:/bin/sh" >"$BUNDLE/rootfs/etc/passwd"
	run berth exec -u 1000:1000 "$ID" sh -c 'echo $HOME'
	assert_output /home/inside
}

@test "a fifo as the container's /etc/group blocks neither create nor exec" {
	# Only regular files are read (procplan.go); opening a fifo would wait
	# for a writer forever.
	use_private_rootfs
	rm -f "$BUNDLE/rootfs/etc/group"
	mkfifo "$BUNDLE/rootfs/etc/group"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	start_container
	run berth exec -u 1000 "$ID" id -u
	assert_status 0
	assert_output 1000
}

@test "exec: the process gets the container's seccomp profile" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_container
	run berth exec "$ID" mkdir /tmp/x
	assert_status 1
	assert_contains "Operation not permitted"
	run berth exec "$ID" sh -c 'cat /etc/hostname >/dev/null && echo allowed'
	assert_status 0
	assert_output allowed
	run berth exec "$ID" grep Seccomp: /proc/self/status
	assert_output "Seccomp:	2"
}

@test "exec --cwd must be absolute; --pid-file may be relative" {
	start_container
	run --separate-stderr berth exec --cwd etc "$ID" pwd
	assert_status 255
	assert_one_line_error
	cd "$TEST_DIR"
	run_nowait berth exec -d --pid-file rel.pid "$ID" sleep 300
	assert_status 0
	[ -s "$TEST_DIR/rel.pid" ] || fail "no $TEST_DIR/rel.pid"
	[ "$(cmdline "$(cat "$TEST_DIR/rel.pid")")" = "sleep 300" ]
}

@test "exec -p with a bad process.json fails" {
	start_container
	echo '{"args": [], "cwd": "/"}' >"$TEST_DIR/empty-args.json"
	run --separate-stderr berth exec -p "$TEST_DIR/empty-args.json" "$ID"
	assert_status 255
	assert_one_line_error
	echo '{"args": ["true"], "cwd": "/", ' >"$TEST_DIR/broken.json"
	run --separate-stderr berth exec -p "$TEST_DIR/broken.json" "$ID"
	assert_status 255
	assert_one_line_error
	run --separate-stderr berth exec -p "$TEST_DIR/missing.json" "$ID"
	assert_status 255
	assert_error "no such file or directory"
}

@test "exec --cwd: the process starts there; a missing cwd fails" {
	start_container
	run berth exec --cwd /etc "$ID" pwd
	assert_status 0
	assert_output /etc
	run berth exec "$ID" pwd
	assert_output /
	run --separate-stderr berth exec --cwd /nonexistent "$ID" pwd
	assert_status 255
	assert_error 'chdir to cwd ("/nonexistent") set in config.json failed: no such file or directory'
}

@test "exec -e: adds variables and overrides the container's" {
	start_container
	run --separate-stderr berth exec -e FOO=bar -e TERM=dumb -e PATH=/bin "$ID" env
	assert_status 0
	local foo term path
	foo=$(grep '^FOO=' <<<"$output")
	term=$(grep '^TERM=' <<<"$output")
	path=$(grep '^PATH=' <<<"$output")
	[ "$foo" = FOO=bar ] || fail "FOO: '$foo' in: $output"
	# overridden, not added a second time: getenv() of most programs
	# returns the first entry, so a duplicate keeps the old value
	[ "$term" = TERM=dumb ] || fail "TERM entries: '$term' (want exactly TERM=dumb) in: $output"
	[ "$path" = PATH=/bin ] || fail "PATH entries: '$path' in: $output"
	assert_contains "HOME=/root"
	assert_contains "BERTH_TEST_TAG=$TAG"
	# a comma is part of the value, as in runc: one -e, one variable
	run --separate-stderr berth exec -e NO_PROXY=a,b "$ID" sh -c 'echo "$NO_PROXY"'
	assert_status 0
	assert_output "a,b"
}

@test "exec -u uid and uid:gid" {
	start_container
	run berth exec -u 1000 "$ID" sh -c 'id -u; id -g; echo $HOME'
	assert_status 0
	# the gid stays the container's (0); HOME from /etc/passwd
	assert_output "1000
0
/home/bb"
	run berth exec -u 1000:100 "$ID" id
	assert_status 0
	assert_output "uid=1000(bb) gid=100(users)"
	run berth exec -u 65534:65534 "$ID" id -u
	assert_output 65534
	run --separate-stderr berth exec -u bb "$ID" id
	assert_status 255
	# runc's whole text, which names strconv.Atoi
	assert_error 'exec failed: parsing bb as int for uid failed: strconv.Atoi: parsing "bb": invalid syntax'
	run --separate-stderr berth exec -u 1000:bb "$ID" id
	assert_status 255
	assert_error 'parsing bb as int for gid failed'
}

@test "exec -g: additional gids" {
	start_container
	run berth exec -u 1000:1000 -g 10 -g 20 "$ID" id -G
	assert_status 0
	assert_output "1000 10 20"
	run berth exec -u 1000:1000 "$ID" id -G
	assert_output "1000"
	# one gid per flag, as in runc
	run --separate-stderr berth exec -g 10,20 "$ID" id -G
	assert_status 1
	assert_error 'invalid value "10,20" for flag -g: strconv.ParseInt: parsing "10,20": invalid syntax'
}

@test "exec --cap: added to the bounding, permitted and effective sets" {
	start_container
	# the default spec: CAP_KILL(5) CAP_NET_BIND_SERVICE(10) CAP_AUDIT_WRITE(29)
	run berth exec "$ID" grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	assert_status 0
	assert_output "CapInh:	0000000000000000
CapPrm:	0000000020000420
CapEff:	0000000020000420
CapBnd:	0000000020000420
CapAmb:	0000000000000000"
	# + CAP_NET_RAW(13) + CAP_SYS_ADMIN(21); inheritable stays empty (CVE-2022-29162)
	run berth exec -c CAP_SYS_ADMIN -c CAP_NET_RAW "$ID" grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	assert_status 0
	assert_output "CapInh:	0000000000000000
CapPrm:	0000000020202420
CapEff:	0000000020202420
CapBnd:	0000000020202420
CapAmb:	0000000000000000"
	# and it works: CAP_SYS_ADMIN may set the (private) hostname
	run berth exec "$ID" hostname "x$TAG"
	assert_fails
	run berth exec --cap CAP_SYS_ADMIN "$ID" sh -c "hostname y$TAG && hostname"
	assert_status 0
	assert_output "y$TAG"
	# the container's init keeps its own sets
	[ "$(awk '/^CapEff:/ {print $2}' "/proc/$INIT_PID/status")" = 0000000020000420 ]
}

@test "exec --no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	start_container
	run berth exec "$ID" grep NoNewPrivs /proc/self/status
	assert_status 0
	assert_output "NoNewPrivs:	0"
	run berth exec --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
	assert_status 0
	assert_output "NoNewPrivs:	1"
}

@test "exec --apparmor and --process-label on a host without AppArmor and SELinux fail" {
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || [ -e /sys/fs/selinux/enforce ]; then
		skip "this host has AppArmor or SELinux"
	fi
	start_container
	# a requested profile/label that cannot be applied is an error, never a
	# silent no-op (runc 1.1.5 fails both too)
	run --separate-stderr berth exec --apparmor "berth-test-$TAG" "$ID" true
	assert_status 255
	assert_one_line_error
	assert_match '[Aa]pp[Aa]rmor' "$(error_msg)"
	run --separate-stderr berth exec --process-label "system_u:system_r:container_t:s0" "$ID" true
	assert_status 255
	assert_error "selinux label is specified in config, but selinux is disabled or not supported"
	# neither failure harmed the container
	run berth exec "$ID" echo ok
	assert_output ok
}

@test "exec --preserve-fds 2: fds 3 and 4 reach the process, 5 does not" {
	start_container
	echo three >"$TEST_DIR/f3"
	echo four >"$TEST_DIR/f4"
	echo five >"$TEST_DIR/f5"
	run berth_fds exec --preserve-fds 2 "$ID" sh -c 'cat <&3; cat <&4; ls /proc/$$/fd; :' \
		3<"$TEST_DIR/f3" 4<"$TEST_DIR/f4" 5<"$TEST_DIR/f5"
	assert_status 0
	assert_output "three
four
0
1
2
3
4"
}

@test "exec --cgroup SUB: the process runs in a pre-created sub-cgroup of every hierarchy" {
	start_container
	make_sub_cgroup "$INIT_PID" "sub$TAG"
	run --separate-stderr berth exec --cgroup "sub$TAG" "$ID" cat /proc/self/cgroup
	assert_status 0
	local want
	want=$(sed "s|\$|/sub$TAG|" "/proc/$INIT_PID/cgroup")
	assert_output "$want"
	# a sub-cgroup that does not exist is an error
	run --separate-stderr berth exec --cgroup "nosuch$TAG" "$ID" true
	assert_status 255
	assert_error "nosuch$TAG"
	assert_error "no such file or directory"
	# "/" is the container's own cgroup; ".." is refused (runc's words)
	run --separate-stderr berth exec --cgroup / "$ID" cat /proc/self/cgroup
	assert_status 0
	assert_output "$(cat "/proc/$INIT_PID/cgroup")"
	run --separate-stderr berth exec --cgroup .. "$ID" true
	assert_status 255
	assert_error "bad sub cgroup path"
	if ! is_cgroup2; then
		run --separate-stderr berth exec --cgroup whaaat:/ "$ID" true
		assert_status 255
		assert_error "unknown controller whaaat"
	fi
}

@test "exec on cgroup v2 into a container that nests cgroups: the process joins init's cgroup, as runc's does" {
	is_cgroup2 || skip "v1 hierarchies take processes at any level"
	start_container
	local cg d
	cg=$(sed -n 's/^0:://p' "/proc/$INIT_PID/cgroup")
	d=/sys/fs/cgroup$cg
	# what systemd or docker inside a container do: init in a leaf, and a
	# controller enabled for the children, so $d itself takes no process
	mkdir "$d/init.scope"
	echo "$INIT_PID" >"$d/init.scope/cgroup.procs"
	echo +memory >"$d/cgroup.subtree_control"
	run sh -c "echo \$\$ >$d/cgroup.procs"
	[ "$status" -ne 0 ] || fail "the nested container's cgroup took a process"
	run --separate-stderr berth exec "$ID" cat /proc/self/cgroup
	assert_status 0
	assert_output "0::$cg/init.scope"
	# a --cgroup that cannot take the process is an error, not a fallback
	mkdir "$d/sub$TAG" "$d/sub$TAG/leaf"
	echo +memory >"$d/sub$TAG/cgroup.subtree_control"
	run --separate-stderr berth exec --cgroup "sub$TAG" "$ID" true
	assert_status 255
	assert_error "resource busy"
}

@test "exec --cgroup memory:SUB: only the memory hierarchy uses the sub-cgroup" {
	is_cgroup2 && skip "controller:path is for cgroup v1"
	start_container
	make_sub_cgroup "$INIT_PID" "sub$TAG" memory
	run --separate-stderr berth exec --cgroup "memory:sub$TAG" "$ID" cat /proc/self/cgroup
	assert_status 0
	local want
	want=$(sed "/^[0-9]*:memory:/ s|\$|/sub$TAG|" "/proc/$INIT_PID/cgroup")
	assert_output "$want"
	# and the sub-cgroup holds processes while they run
	run_nowait berth exec -d --pid-file "$TEST_DIR/exec.pid" --cgroup "memory:sub$TAG" "$ID" sleep 300
	assert_status 0
	local pid d
	pid=$(cat "$TEST_DIR/exec.pid")
	d=$(cgroup_dir memory "$(awk -F: '$2 == "memory" {print $3}' "/proc/$INIT_PID/cgroup")")
	grep -qx "$pid" "$d/sub$TAG/cgroup.procs" || fail "$pid not in $d/sub$TAG: $(cat "$d/sub$TAG/cgroup.procs")"
}

@test "exec --ignore-paused: runs in a paused container once it is resumed" {
	share_dir
	start_container
	berth pause "$ID"
	run --separate-stderr berth exec "$ID" true
	assert_status 255
	assert_error "cannot exec in a paused container"
	(
		berth exec --ignore-paused "$ID" sh -c 'echo ran >/mnt/ran; echo out'
		echo $? >"$TEST_DIR/exec.rc"
	) >"$TEST_DIR/exec.out" 2>"$TEST_DIR/exec.err" 3>&- &
	# it joined the frozen cgroup: it cannot run before the resume
	sleep 0.5
	[ ! -e "$SHARED/ran" ] || fail "the process ran in a frozen cgroup"
	run state_field "$ID" status
	assert_output paused
	berth resume "$ID"
	wait_for_file "$TEST_DIR/exec.rc"
	[ "$(cat "$TEST_DIR/exec.rc")" = 0 ] || fail "exec: $(cat "$TEST_DIR/exec.rc"): $(cat "$TEST_DIR/exec.err")"
	[ "$(cat "$TEST_DIR/exec.out")" = out ]
	[ "$(cat "$SHARED/ran")" = ran ]
}

@test "exec -d --pid-file: returns at once; the process shows in ps until it exits" {
	share_dir
	start_container
	run_nowait berth exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" \
		sh -c 'echo started >/mnt/started; while [ ! -e /mnt/stop ]; do sleep 0.05; done; echo bye'
	assert_status 0
	assert_output ""
	local pid
	pid=$(cat "$TEST_DIR/exec.pid")
	[[ "$pid" =~ ^[0-9]+$ ]] || fail "pid file: '$pid'"
	wait_for_file "$SHARED/started"
	[[ "$(cmdline "$pid")" == "sh -c echo started"* ]] || fail "pid $pid is '$(cmdline "$pid")'"
	# in the container's pid namespace
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INIT_PID/ns/pid")" ]
	run berth ps -f json "$ID"
	assert_status 0
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output" >/dev/null || fail "$pid not in ps: $output"
	run berth ps "$ID"
	assert_status 0
	[ -n "$(awk -v p="$pid" '$2 == p' <<<"$output")" ] || fail "no row with PID $pid: $output"
	touch "$SHARED/stop"
	wait_for pid_gone "$pid"
	run berth ps -f json "$ID"
	assert_output "[$INIT_PID]"
	# detached: its stdio was the caller's (here, files)
	[ "$(cat "$TEST_DIR/nowait.out")" = bye ]
}

@test "exec --pidfd-socket: the receiver gets a pidfd of the exec'd process" {
	start_container
	"$RECVTTY_BIN" -pidfd "$TEST_DIR/pidfd.sock" >"$TEST_DIR/pidfd.out" 2>"$TEST_DIR/pidfd.err" 3>&- &
	local rpid=$!
	track "$rpid"
	wait_for test -S "$TEST_DIR/pidfd.sock"
	run_nowait berth exec -d --pid-file "$TEST_DIR/exec.pid" --pidfd-socket "$TEST_DIR/pidfd.sock" "$ID" sleep 300
	assert_status 0
	local rc=0
	wait "$rpid" || rc=$?
	[ "$rc" = 0 ] || fail "recvtty -pidfd: exit $rc: $(cat "$TEST_DIR/pidfd.err")"
	run cat "$TEST_DIR/pidfd.out"
	assert_output "anon_inode:[pidfd]
$(cat "$TEST_DIR/exec.pid")"
}

@test "exec in a created (not started) container runs, and the container stays created" {
	share_dir
	set_cmd 'echo started >/mnt/started; exec sleep 300'
	berth create --bundle "$BUNDLE" "$ID"
	run --separate-stderr berth exec "$ID" sh -c 'echo hello; readlink /proc/self/ns/pid'
	assert_status 0
	[ "${lines[0]}" = hello ] || fail "output: $output"
	[ "${lines[1]}" = "$(readlink "/proc/$(state_field "$ID" pid)/ns/pid")" ] || fail "not in the container's pid namespace: $output"
	run state_field "$ID" status
	assert_output created
	[ ! -e "$SHARED/started" ]
	berth start "$ID"
	wait_for_file "$SHARED/started"
}

@test "exec in a stopped container fails with exit 255" {
	set_args true
	berth create --bundle "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	run --separate-stderr berth exec "$ID" echo hello
	assert_status 255
	assert_error "cannot exec in a stopped container"
	assert_output ""
}

@test "exec in an unknown container fails with exit 255" {
	run --separate-stderr berth exec "$TAG-nosuch" true
	assert_status 255
	assert_error "container does not exist"
	assert_no_container "$TAG-nosuch"
}

@test "exec without a command is a usage error" {
	start_container
	run --separate-stderr berth exec "$ID"
	assert_fails
	assert_error "exec failed: process args cannot be empty" # runc's words
	run --separate-stderr berth exec
	assert_fails
}

@test "exec of a missing binary, a non-executable file and a missing path" {
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}'
	start_container
	run --separate-stderr berth exec "$ID" "nosuch$TAG"
	assert_status 255
	assert_error "exec: \"nosuch$TAG\": executable file not found in \$PATH"
	run --separate-stderr berth exec "$ID" /etc/passwd
	assert_status 255
	assert_error 'exec: "/etc/passwd": permission denied'
	run --separate-stderr berth exec "$ID" "/nonexistent/$TAG"
	assert_status 255
	assert_error "exec: \"/nonexistent/$TAG\": stat /nonexistent/$TAG: no such file or directory"
	# The PATH search skips what is not executable (/etc/hostname), a
	# missing dir, and takes the first binary: /bin/hostname.
	run --separate-stderr berth exec -e PATH=/etc:/nonexistent:/bin "$ID" hostname
	assert_status 0
	run --separate-stderr berth exec -e PATH=/etc:/nonexistent "$ID" hostname
	assert_status 255
	assert_error 'exec: "hostname": executable file not found in $PATH'
	# A script whose interpreter is missing: execve itself fails, which
	# fails the exec too (runc 1.1.5's exec succeeds, and the process
	# prints the error and exits 1; docs/design.md).
	berth exec "$ID" sh -c 'printf "#!/nonexistent\n" >/tmp/run.sh; chmod 755 /tmp/run.sh'
	run --separate-stderr berth exec "$ID" /tmp/run.sh
	assert_status 255
	assert_error "exec /tmp/run.sh: no such file or directory"
	# nothing of the failed execs is left in the container
	run berth ps -f json "$ID"
	assert_output "[$INIT_PID]"
}

@test "exec joins every namespace of the container's init" {
	start_container
	local ns names inside want
	names=$(ls "/proc/$INIT_PID/ns")
	[ -n "$names" ]
	run berth exec "$ID" sh -c 'for n in '"$(echo $names)"'; do echo "$n $(readlink /proc/$$/ns/$n)"; done'
	assert_status 0
	want=$(for ns in $names; do echo "$ns $(readlink "/proc/$INIT_PID/ns/$ns")"; done)
	assert_output "$want"
	# and those are the container's, not the host's
	for ns in pid net ipc uts mnt; do
		[ "$(readlink "/proc/$INIT_PID/ns/$ns")" != "$(readlink "/proc/$$/ns/$ns")" ] || fail "init shares the host's $ns namespace"
	done
	# in the pid namespace, the exec'd process is not pid 1 and sees init as 1
	run berth exec "$ID" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	[ "${lines[0]}" != 1 ] && [ "${lines[1]}" = "sleep 300 " ] || fail "$output"
}

@test "exec: the process is in the container's cgroups" {
	start_container
	run berth exec "$ID" cat /proc/self/cgroup
	assert_status 0
	assert_output "$(cat "/proc/$INIT_PID/cgroup")"
	assert_contains "$ID"
	# and the host sees it in the cgroup of the container while it runs
	run_nowait berth exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 300
	assert_status 0
	local pid
	pid=$(cat "$TEST_DIR/exec.pid")
	[ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$INIT_PID/cgroup")" ]
}

@test "exec into a container with a user namespace" {
	add_userns
	start_container
	run berth exec "$ID" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user'
	assert_status 0
	local norm
	norm=$(printf '%s\n' "${lines[@]:0:2}" | awk '{print $1, $2, $3}')
	[ "$norm" = "0 100000 65536
0 100000 65536" ] || fail "maps: $output"
	[ "${lines[2]}" = 0 ] || fail "uid: $output"
	[ "${lines[3]}" = "$(readlink "/proc/$INIT_PID/ns/user")" ] || fail "user ns: $output"
	[ "${lines[3]}" != "$(readlink /proc/self/ns/user)" ]
	# the host sees the exec'd process under the mapped uid; -u maps too
	run_nowait berth exec -d -u 1000 --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 300
	assert_status 0
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$(cat "$TEST_DIR/exec.pid")/status")" = 101000 ]
}

@test "exec into a container with a time namespace sees its offsets" {
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 1000000, "nanosecs": 0}}'
	start_container
	local host_up up
	host_up=$(cut -d' ' -f1 /proc/uptime | cut -d. -f1)
	run berth exec "$ID" sh -c 'cut -d" " -f1 /proc/uptime | cut -d. -f1; readlink /proc/self/ns/time; readlink /proc/self/ns/time_for_children'
	assert_status 0
	up=${lines[0]}
	[ "$up" -ge $((host_up + 1000000)) ] && [ "$up" -lt $((host_up + 1000000 + 60)) ] ||
		fail "uptime inside $up, host $host_up: $output"
	[ "${lines[1]}" = "$(readlink "/proc/$INIT_PID/ns/time")" ] || fail "time ns: $output"
	[ "${lines[2]}" = "$(readlink "/proc/$INIT_PID/ns/time")" ] || fail "time_for_children: $output"
}

@test "exec into a container with a cgroup namespace" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	start_container
	run berth exec "$ID" sh -c 'cat /proc/self/cgroup; readlink /proc/self/ns/cgroup'
	assert_status 0
	local l n=0
	for l in "${lines[@]}"; do
		[[ $l == cgroup:* ]] && continue
		[[ $l == *:/ ]] || fail "not / inside the cgroup namespace: $l"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
	[ "${lines[-1]}" = "$(readlink "/proc/$INIT_PID/ns/cgroup")" ] || fail "cgroup ns: $output"
	[ "${lines[-1]}" != "$(readlink /proc/self/ns/cgroup)" ]
}
