#!/usr/bin/env bats
# security_seccomp: linux.seccomp from inside real containers: every action,
# errnoRet/defaultErrnoRet, argument conditions, several rules for one
# syscall, unknown syscall names, flags, architectures, a docker-style
# default profile, noNewPrivileges true and false, exec, and SCMP_ACT_NOTIFY
# with tests/cmd/seccomp-agent.
#
# Weakened builds (a copy of the tree, never /work/main, `make build`, then
# BERTH=copy/berth bats this file) used to check that the tests can fail:
#   noseccomp  libcontainer/seccomp_setup.go loadSeccomp returns nil first
#              thing: every test that expects a denial fails (all but the
#              config-error test);
#   noargs     libcontainer/seccomp/plan.go conditions() always returns
#              [][]cond{nil}: the argument-condition tests fail;
#   execnofilter  prepareProcess (process_linux.go) skips the filter when
#              it.cfg.Exec: "exec gets the container's filter" fails;
#   nnpfalse   the `scmp != nil && !proc.NoNewPrivileges` load removed:
#              the noNewPrivileges=false test and the docker-style profile
#              test fail.
# Each test names the ones that fail it.

load helpers

setup_file() {
	build_tool secprobe
	build_tool seccomp-agent
}

setup() {
	setup_common
	cd "$BUNDLE"
}

# install_probe: a private rootfs with tests/cmd/secprobe at /bin/secprobe.
install_probe() {
	use_private_rootfs
	cp "$SECPROBE_BIN" "$PRIVATE_ROOTFS/bin/secprobe"
}

# seccomp JSON: the container's linux.seccomp.
seccomp() {
	update_config '.linux.seccomp = $s' --argjson s "$1"
}

# add_caps CAP...: add capabilities to the bounding, effective and permitted sets.
add_caps() {
	local c
	for c in "$@"; do
		update_config '.process.capabilities |= (.bounding += [$c] | .effective += [$c] | .permitted += [$c])' --arg c "$c"
	done
}

# deny_mkdir ACTION [EXTRA JSON]: a profile that allows everything but
# mkdir/mkdirat, which get ACTION (EXTRA is merged into the rule).
deny_mkdir() {
	seccomp "$(jq -cn --arg a "$1" --argjson x "${2:-{\}}" \
		'{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: $a} + $x]}')"
}

# kmsg_count PATTERN: lines of the kernel log matching PATTERN (grep -E).
kmsg_count() {
	dmesg 2>/dev/null | grep -cE "$1" || true
}

@test "seccomp: SCMP_ACT_KILL, KILL_PROCESS and KILL_THREAD kill the process with SIGSYS (run exits 159)" {
	# Fails with: noseccomp (mkdir runs: EROFS, exit 1).
	set_args mkdir /tmp/x
	run berth run "$ID"
	assert_status 1 # control: /tmp is on the read-only root
	local a
	for a in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD; do
		deny_mkdir "$a"
		run berth run "$ID"
		[ "$status" -eq 159 ] || fail "$a: exit status $status, want 159 (SIGSYS); output: $output"
		assert_no_container "$ID"
	done
}

@test "seccomp: SCMP_ACT_TRAP sends a SIGSYS the process can catch" {
	# Fails with: noseccomp (no "caught SIGSYS").
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["umask"],"action":"SCMP_ACT_TRAP"}]}'
	set_cmd 'trap "echo caught SIGSYS" SYS; umask 077; echo still running'
	run berth run "$ID"
	assert_status 0
	assert_contains "caught SIGSYS"
	assert_contains "still running"
}

@test "seccomp: SCMP_ACT_ERRNO fails the syscall with errnoRet, EPERM without one" {
	# Fails with: noseccomp (the directories get made).
	set_cmd 'mkdir /dev/shm/x && echo made'
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 18}'
	run berth run "$ID"
	assert_status 1
	assert_contains "Invalid cross-device link" # EXDEV = 18
	deny_mkdir SCMP_ACT_ERRNO
	run berth run "$ID"
	assert_status 1
	assert_contains "Operation not permitted"
	assert_not_contains made
}

@test "seccomp: SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS" {
	# Fails with: noseccomp.
	set_cmd 'mkdir /dev/shm/x && echo made'
	deny_mkdir SCMP_ACT_TRACE
	run berth run "$ID"
	assert_status 1
	assert_contains "Function not implemented"
}

@test "seccomp: SCMP_ACT_LOG lets the syscall run and logs it; the LOG flag logs SCMP_ACT_ERRNO too" {
	# Fails with: noseccomp (nothing logged).
	dmesg >/dev/null 2>&1 || skip "cannot read the kernel log"
	install_probe
	# A command name of our own, to find our lines in the kernel log.
	local comm=lg${TAG:2:8}
	cp "$SECPROBE_BIN" "$PRIVATE_ROOTFS/bin/$comm"
	set_args "$comm" syscall mkdir str:/dev/shm/x 0755
	# The audit record's code is the action: SECCOMP_RET_LOG 0x7ffc0000,
	# SECCOMP_RET_ERRNO 0x50000.
	local before
	before=$(kmsg_count "comm=\"$comm\".* code=0x7ffc0000")
	deny_mkdir SCMP_ACT_LOG
	run berth run "$ID"
	assert_status 0
	assert_contains "ok 0"
	wait_for test "$(kmsg_count "comm=\"$comm\".* code=0x7ffc0000")" -gt "$before"

	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 18}'
	run berth run "$ID"
	assert_output EXDEV
	[ "$(kmsg_count "comm=\"$comm\".* code=0x50000")" -eq 0 ] || fail "SCMP_ACT_ERRNO logged without the LOG flag"
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG"]'
	run berth run "$ID"
	assert_output EXDEV
	wait_for test "$(kmsg_count "comm=\"$comm\".* code=0x50000")" -gt 0
}

# docker_profile: moby's default profile, shortened but of the same shape:
# defaultAction SCMP_ACT_ERRNO, three architectures, ~350 allowed syscalls
# (none newer than futex_waitv), clone allowed only without namespace flags,
# clone3 ENOSYS. unshare, mount, umount2, pivot_root, setns, keyctl, add_key,
# request_key and cachestat are not in it.
docker_profile() {
	local names
	names=$(
		cat <<-'EOF'
			accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32
			clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
			clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2
			dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait
			epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
			fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat fcntl
			fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64
			fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu
			getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups
			getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
			getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname
			getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch
			inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents
			io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit io_uring_enter io_uring_register
			io_uring_setup ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown
			lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr
			lstat lstat64 madvise membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat
			mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive
			mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv
			msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat _newselect open
			openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect
			poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6
			pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom
			recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat renameat2
			restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo
			rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo
			sched_getaffinity sched_getattr sched_getparam sched_get_priority_max sched_get_priority_min
			sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity
			sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop
			semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid
			setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid
			setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32
			setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32
			setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn
			socket socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync
			sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun
			timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime
			timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit
			umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid
			waitpid write writev arch_prctl modify_ldt personality
		EOF
	)
	jq -cn --arg names "$names" '{
		defaultAction: "SCMP_ACT_ERRNO",
		defaultErrnoRet: 1,
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		syscalls: [
			{names: ($names | split("\\s+"; null) | map(select(. != ""))), action: "SCMP_ACT_ALLOW"},
			{names: ["clone"], action: "SCMP_ACT_ALLOW",
			 args: [{index: 0, value: 2114060288, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ"}]},
			{names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38}
		]}'
}

@test "seccomp: a docker-style default profile denies unshare, mount and keyctl with defaultErrnoRet; syscalls newer than it get ENOSYS" {
	# Fails with: noseccomp (everything works, as in the control run),
	# nnpfalse (no filter with noNewPrivileges false).
	install_probe
	# With CAP_SYS_ADMIN only seccomp stands in the way; noNewPrivileges
	# false, as docker runs, so that init sets itself up under the filter.
	add_caps CAP_SYS_ADMIN
	update_config '.process.noNewPrivileges = false'
	# cachestat (451) is newer than the profile's newest (futex_waitv, 449).
	set_cmd 'unshare -Um true && echo unshare-ok
		mount -t tmpfs t /mnt && echo mount-ok
		secprobe syscall keyctl 0 -3 0
		secprobe syscall nr:451 -1 0 0 0
		grep Seccomp: /proc/self/status'
	run berth run "$ID"
	assert_contains "unshare-ok" # control: no filter
	assert_contains "mount-ok"
	assert_match 'Seccomp:.0'

	seccomp "$(docker_profile)"
	run berth run "$ID"
	assert_not_contains "unshare-ok"
	assert_not_contains "mount-ok"
	assert_contains "unshare: unshare(0x10020000): Operation not permitted"
	assert_contains "mount: permission denied"
	assert_match $'\nEPERM\nENOSYS\nSeccomp:.2'

	# defaultErrnoRet is what the default action returns.
	update_config '.linux.seccomp.defaultErrnoRet = 18'
	run berth run "$ID"
	assert_contains "unshare: unshare(0x10020000): Invalid cross-device link"
	assert_match $'\nEXDEV\nENOSYS\nSeccomp:.2'
}

@test "seccomp: a condition on an argument: only personality(0xffffffff) is denied" {
	# Fails with: noseccomp (query allowed), noargs (every personality
	# call denied: linux32 fails).
	install_probe
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":18,
		"args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]}]}'
	set_cmd 'secprobe syscall personality 0xffffffff; secprobe syscall personality 0; linux32 uname -m'
	run berth run "$ID"
	assert_status 0
	assert_output $'EXDEV\nok 0\ni686'
}

@test "seccomp: socket(AF_INET) only, several rules for one syscall, two conditions on one argument, MASKED_EQ" {
	# Fails with: noseccomp, noargs (AF_UNIX and SOCK_STREAM get denied too).
	install_probe
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":18,
		 "args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]},
		{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":26,
		 "args":[{"index":0,"value":10,"op":"SCMP_CMP_EQ"}]},
		{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":39,
		 "args":[{"index":0,"value":16,"op":"SCMP_CMP_EQ"},{"index":0,"value":17,"op":"SCMP_CMP_EQ"}]},
		{"names":["umask"],"action":"SCMP_ACT_ERRNO","errnoRet":18,
		 "args":[{"index":0,"value":448,"valueTwo":448,"op":"SCMP_CMP_MASKED_EQ"}]}]}'
	# socket(AF_INET, SOCK_DGRAM): both conditions of the first rule.
	# socket(AF_INET6, ...): the second rule. AF_NETLINK (16) and AF_PACKET
	# (17): one rule, two conditions on argument 0 match either (as runc).
	# umask: denied when (mask & 0700) == 0700.
	set_cmd 'for a in "2 2 0" "2 1 0" "10 1 0" "16 3 0" "17 3 0" "1 1 0"; do
			echo "$a: $(secprobe syscall socket $a | cut -d" " -f1)"
		done
		echo "umask 0777: $(secprobe syscall umask 0777 | cut -d" " -f1)"
		echo "umask 0022: $(secprobe syscall umask 0022 | cut -d" " -f1)"
		ping -c1 -W1 127.0.0.1 >/dev/null 2>&1; echo "ping $?"'
	run berth run "$ID"
	assert_status 0
	assert_output "2 2 0: EXDEV
2 1 0: ok
10 1 0: ETXTBSY
16 3 0: ENOTEMPTY
17 3 0: ENOTEMPTY
1 1 0: ok
umask 0777: EXDEV
umask 0022: ok
ping 1"
}

@test "seccomp: unknown syscall names are ignored, the rest of the rule applies" {
	# Fails with: noseccomp.
	seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["berth_no_such_syscall","mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":18}]}'
	set_cmd 'mkdir /dev/shm/x'
	run berth run "$ID"
	assert_status 1
	assert_contains "Invalid cross-device link"
}

@test "seccomp: flags SPEC_ALLOW, LOG, TSYNC and an explicit empty list are accepted; an unknown flag, architecture or action is a one-line error that leaves nothing" {
	# Fails with: noseccomp (the accepted filters deny nothing).
	set_cmd 'mkdir /dev/shm/x'
	local flags
	for flags in '["SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_TSYNC"]' '[]'; do
		deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 18}'
		update_config '.linux.seccomp.flags = $f' --argjson f "$flags"
		run berth run "$ID"
		assert_status 1
		assert_contains "Invalid cross-device link"
	done

	local bad field
	for bad in '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_BOGUS"]' \
		'.linux.seccomp.architectures = ["SCMP_ARCH_BOGUS"]' \
		'.linux.seccomp.syscalls[0].action = "SCMP_ACT_BOGUS"'; do
		deny_mkdir SCMP_ACT_ERRNO
		update_config "$bad"
		run_nowait berth create "$ID"
		assert_fails
		assert_error BOGUS
		field=${bad%% =*}
		field=${field#.}
		assert_contains "${field}" "$(error_msg)"
		assert_no_container "$ID"
	done
}

@test "seccomp: with architectures x86_64, x86 and x32 the native rules apply" {
	# Fails with: noseccomp.
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 18}'
	update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]'
	set_cmd 'mkdir /dev/shm/x'
	run berth run "$ID"
	assert_status 1
	assert_contains "Invalid cross-device link"
}

@test "seccomp: the filter is loaded with noNewPrivileges true and with false" {
	# Fails with: noseccomp, nnpfalse (Seccomp: 0 with false).
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 18}'
	set_cmd 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "; mkdir /dev/shm/x'
	update_config '.process.noNewPrivileges = true'
	run berth run "$ID"
	assert_status 1
	assert_output $'NoNewPrivs: 1\nSeccomp: 2\nmkdir: can\'t create directory \'/dev/shm/x\': Invalid cross-device link'
	update_config '.process.noNewPrivileges = false'
	run berth run "$ID"
	assert_status 1
	assert_output $'NoNewPrivs: 0\nSeccomp: 2\nmkdir: can\'t create directory \'/dev/shm/x\': Invalid cross-device link'
}

@test "seccomp: exec gets the container's filter" {
	# Fails with: noseccomp, execnofilter.
	deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 18}'
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" sh -c 'grep -E "^Seccomp:" /proc/self/status | tr -s "\t " " "; mkdir /dev/shm/x'
	assert_status 1
	assert_output $'Seccomp: 2\nmkdir: can\'t create directory \'/dev/shm/x\': Invalid cross-device link'
	deny_mkdir SCMP_ACT_KILL # exec reads the filter of create, not this one
	run berth exec "$ID" mkdir /dev/shm/y
	assert_status 1
	run berth exec --no-new-privs "$ID" mkdir /dev/shm/y
	assert_status 1
}

@test "seccomp: SCMP_ACT_NOTIFY: the agent gets the notify fd with the state and answers mkdir" {
	# Fails with: noseccomp (no connection: the agent log stays empty).
	local sock=$TEST_DIR/agent.sock log=$TEST_DIR/agent.log
	"$SECCOMP_AGENT_BIN" -socket "$sock" -errno 18 -log "$log" </dev/null >"$TEST_DIR/agent.out" 2>&1 3>&- &
	track $!
	wait_for test -S "$sock"
	seccomp "$(jq -cn --arg s "$sock" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $s,
		listenerMetadata: "meta-data-for-the-agent",
		flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')"
	set_cmd 'mkdir /dev/shm/x; echo "mkdir: $?"; ls /dev/shm; sleep 100'
	run_nowait berth run -d "$ID"
	assert_status 0
	local pid
	pid=$(state_field "$ID" pid)
	wait_for grep -q '^mkdir pid=' "$log"
	run cat "$log"
	# The first line is the container process state (runtime-spec).
	local state=${lines[0]}
	[ "$(jq -c .fds <<<"$state")" = '["seccompFd"]' ] || fail "fds: $state"
	[ "$(jq -r .metadata <<<"$state")" = meta-data-for-the-agent ] || fail "metadata: $state"
	[ "$(jq -r .pid <<<"$state")" = "$pid" ] || fail "pid: $state, want $pid"
	[ "$(jq -r .state.id <<<"$state")" = "$ID" ] || fail "state.id: $state"
	[ "$(jq -r .state.pid <<<"$state")" = "$pid" ] || fail "state.pid: $state"
	[ "$(jq -r .state.bundle <<<"$state")" = "$BUNDLE" ] || fail "state.bundle: $state"
	assert_match "mkdir pid=[0-9]+ -> errno 18" "${lines[1]}"
	wait_for grep -q '^mkdir: 1$' "$TEST_DIR/nowait.out"
	run cat "$TEST_DIR/nowait.err"
	assert_contains "mkdir: can't create directory '/dev/shm/x': Invalid cross-device link"
}

@test "seccomp: SCMP_ACT_NOTIFY in exec: the exec'd process's notify fd reaches the agent, which answers its mkdir" {
	# exec's process installs its own filter (in C, nsenter/process.c) and
	# must hand its listener to a second agent through berth.
	local sock=$TEST_DIR/agent.sock log1=$TEST_DIR/agent1.log log2=$TEST_DIR/agent2.log
	"$SECCOMP_AGENT_BIN" -socket "$sock" -errno 18 -log "$log1" </dev/null >/dev/null 2>&1 3>&- &
	track $!
	wait_for test -S "$sock"
	seccomp "$(jq -cn --arg s "$sock" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $s,
		listenerMetadata: "exec-meta",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')"
	set_args sleep 300
	run_nowait berth run -d "$ID"
	assert_status 0
	wait_for grep -q '"seccompFd"' "$log1"
	# The first agent took its one connection and removed the socket.
	"$SECCOMP_AGENT_BIN" -socket "$sock" -errno 1 -log "$log2" </dev/null >/dev/null 2>&1 3>&- &
	track $!
	wait_for test -S "$sock"
	run berth exec "$ID" sh -c 'mkdir /dev/shm/e; echo "mkdir: $?"'
	assert_status 0
	assert_contains "mkdir: 1"
	assert_contains "Operation not permitted"
	run cat "$log2"
	local state=${lines[0]}
	[ "$(jq -r .metadata <<<"$state")" = exec-meta ] || fail "metadata: $state"
	[ "$(jq -r .state.id <<<"$state")" = "$ID" ] || fail "state.id: $state"
	local init_pid
	init_pid=$(state_field "$ID" pid)
	[ "$(jq -r .pid <<<"$state")" != "$init_pid" ] || fail "the exec's state names init: $state"
	assert_match "mkdir pid=[0-9]+ -> errno 1" "${lines[1]}"
}
