#!/usr/bin/env bats
# security_escape: the escapes through the runtime itself, each tried from
# inside a real container: overwriting the runtime's binary through
# /proc/PID/exe (CVE-2019-5736), host fds and a host cwd reaching the
# container (CVE-2024-21626), and signals reaching a recycled pid.
#
# Each test says at its top how it was checked to fail against a
# deliberately weakened build: a copy of the tree (never /work/main) with
# one protection removed, built with `make build` and run with
# BERTH=/path/to/that/berth.

load helpers

setup_file() {
	build_tool secprobe
}

# Every runtime command runs in the bundle (root.path "rootfs" is relative).
setup() {
	setup_common
	cd "$BUNDLE"
}

# install_probe: a private rootfs with the attacker at /bin/secprobe.
install_probe() {
	use_private_rootfs
	cp "$SECPROBE_BIN" "$PRIVATE_ROOTFS/bin/secprobe"
}

# add_caps CAP...: add capabilities to the bounding, effective and permitted sets.
add_caps() {
	local c
	for c in "$@"; do
		update_config '.process.capabilities |= (.bounding += [$c] | .effective += [$c] | .permitted += [$c])' --arg c "$c"
	done
}

# assert_not_written OUT: the exe-hijack report OUT found its target, and
# neither way of writing the runtime binary worked.
assert_not_written() {
	local out=$1
	assert_match 'found [0-9]+' "$out"
	assert_match 'direct: [A-Za-z-]+' "$out"
	assert_match 'reopen: [A-Za-z-]+' "$out"
	assert_not_contains WRITABLE "$out"
}

@test "CVE-2019-5736: a created container's init (/proc/1/exe) cannot be written, not even through an O_PATH handle reopened after start" {
	# Weakened build: libcontainer/exeseal_linux.go sealedExe starting with
	# `return os.Open("/proc/self/exe")` (init runs from the host file): the
	# attacker gets "direct: ETXTBSY" and, once start has exec'd the user
	# process and berth has exited, "reopen: WRITABLE": the test fails.
	install_probe
	# CAP_SYS_PTRACE lets the attacker past init being non-dumpable, so that
	# only the sealed binary stands between it and the runtime.
	add_caps CAP_SYS_PTRACE
	set_args sleep 100
	local before
	before=$(sha256sum <"$BERTH")

	run_nowait berth create "$ID"
	assert_status 0
	local init_pid
	init_pid=$(state_field "$ID" pid)
	# The attacker joins the created container (same pid namespace: init is
	# its pid 1) and holds a handle of /proc/1/exe while init is the runtime.
	berth exec -d "$ID" secprobe exe-hijack -pid 1 -wait 10s -ready /dev/shm/ready \
		>"$TEST_DIR/hijack.out" 2>&1 </dev/null
	wait_for test -e "/proc/$init_pid/root/dev/shm/ready"
	run berth start "$ID"
	assert_status 0
	wait_for grep -q '^reopen:' "$TEST_DIR/hijack.out"
	run cat "$TEST_DIR/hijack.out"
	assert_contains "found 1"
	assert_not_written "$output"
	[ "$(sha256sum <"$BERTH")" = "$before" ] || fail "the runtime binary $BERTH changed"
}

@test "CVE-2019-5736: exec of a #!/proc/self/exe /bin/sh re-runs the runtime, and it still cannot be written" {
	# Weakened build: as above (sealedExe returning
	# os.Open("/proc/self/exe")): the attacker catches the re-executed runtime,
	# gets "direct: ETXTBSY" and "reopen: WRITABLE" once it exits: the test
	# fails. Against berth the handle is on berth's private read-only
	# overlay (fs: 0x794c7630) and both attempts give EROFS.
	install_probe
	share_dir
	# The container's /bin/sh makes whoever execs it run /proc/self/exe: for
	# `berth exec ID /bin/sh` that is the runtime's init binary.
	rm "$PRIVATE_ROOTFS/bin/sh"
	printf '#!/proc/self/exe\n' >"$PRIVATE_ROOTFS/bin/sh"
	chmod 0755 "$PRIVATE_ROOTFS/bin/sh"
	set_args /bin/secprobe exe-hijack -argv0 /proc/self/exe -scan 40s -wait 10s -ready /mnt/ready
	local before
	before=$(sha256sum <"$BERTH")

	run_nowait berth run -d "$ID"
	assert_status 0
	# The runtime re-executed by the script lives a few milliseconds: exec
	# until the attacker (the container's init, scanning /proc) caught one.
	local i
	for ((i = 0; i < 40; i++)); do
		[ -e "$SHARED/ready" ] && break
		berth exec "$ID" /bin/sh >/dev/null 2>&1 </dev/null || true
	done
	if [ ! -e "$SHARED/ready" ]; then
		# runc 1.1.5 refuses to run the script at all ("exec /bin/sh: no such
		# file or directory"): then there is nothing to attack.
		run berth exec "$ID" /bin/sh
		[[ "$output" == *"exec /bin/sh: no such file or directory"* ]] &&
			skip "the runtime does not execute a #!/proc/self/exe script"
		fail "the attacker never saw the re-executed runtime in $i execs: $(cat "$TEST_DIR/nowait.out"); exec: $output"
	fi
	wait_for grep -q '^reopen:' "$TEST_DIR/nowait.out"
	run cat "$TEST_DIR/nowait.out"
	assert_not_written "$output"
	[ "$(sha256sum <"$BERTH")" = "$before" ] || fail "the runtime binary $BERTH changed"
}

@test "CVE-2024-21626: only stdio reaches init and exec, not the fds the caller left open" {
	# Weakened build: the close_range(CLOSE_RANGE_CLOEXEC) call in
	# libcontainer/process_linux.go prepareProcess removed: the caller's fds
	# 5 and 9 show up in the container: the test fails.
	install_probe
	mkdir "$TEST_DIR/hostdir"
	set_args secprobe fds
	run berth run "$ID" 5<"$TEST_DIR/hostdir" 9<"$BUNDLE/config.json"
	assert_status 0
	[ "${#lines[@]}" -eq 3 ] || fail "init has fds other than 0-2: $output"
	assert_match '^0 -> .*1 -> .*2 -> ' "$(echo $output)"

	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	run berth exec "$ID" secprobe fds 5<"$TEST_DIR/hostdir" 9<"$BUNDLE/config.json"
	assert_status 0
	[ "${#lines[@]}" -eq 3 ] || fail "exec has fds other than 0-2: $output"
}

@test "CVE-2024-21626: --preserve-fds and LISTEN_FDS are the only extra fds" {
	# Weakened build: close_range in prepareProcess starting at 3 instead of
	# 3+ExtraFDs: the preserved fds are gone (fails the other way round);
	# without close_range: fd 9 shows up. Both fail the test.
	install_probe
	set_args secprobe fds
	run berth_fds run --preserve-fds 2 "$ID" 3<"$BUNDLE/config.json" 4<"$BUNDLE/config.json" 9<"$BUNDLE/config.json"
	assert_status 0
	[ "${#lines[@]}" -eq 5 ] || fail "want fds 0-4: $output"
	assert_match '^3 -> .*/config.json$' "${lines[3]}"
	assert_match '^4 -> .*/config.json$' "${lines[4]}"

	# Socket activation: LISTEN_FDS fds come first, preserved ones after.
	run env BERTH="$BERTH" BERTH_ROOT="$BERTH_ROOT" ID="$ID" sh -c \
		'LISTEN_PID=$$ LISTEN_FDS=1 exec "$BERTH" --root "$BERTH_ROOT" run --preserve-fds 1 "$ID"' \
		3<"$BUNDLE/config.json" 4<"$TEST_DIR/ids" 9<"$BUNDLE/config.json"
	assert_status 0
	[ "${#lines[@]}" -eq 5 ] || fail "want fds 0-4: $output"
	assert_match '^4 -> .*/ids$' "${lines[4]}"
}

@test "CVE-2024-21626: a created container's init holds no fd the caller left open, so /proc/1/fd leads nowhere on the host" {
	# FAILS against berth today (same bug as the exec --cwd test below):
	# `berth init` inherits every fd its caller left open without
	# O_CLOEXEC (spawnStage, libcontainer/initproc.go, os.StartProcess) and
	# keeps them until the close_range just before exec. While the container
	# is created, a process that joins it with CAP_SYS_PTRACE reads the host
	# through /proc/1/fd/N. runc 1.1.5 passes.
	# Weakened-build check: n/a (berth itself fails it).
	install_probe
	add_caps CAP_SYS_PTRACE
	mkdir "$TEST_DIR/hostdir"
	echo "HOSTSECRET-$TAG" >"$TEST_DIR/hostdir/flag"
	set_args sleep 100
	run_nowait berth create "$ID" 7<"$TEST_DIR/hostdir" 9<"$TEST_DIR/hostdir"
	assert_status 0
	run berth exec "$ID" sh -c 'cat /proc/1/fd/*/flag 2>/dev/null; ls -l /proc/1/fd/'
	assert_status 0
	assert_not_contains "HOSTSECRET"
	assert_not_contains "$TEST_DIR/hostdir"
}

@test "CVE-2024-21626: run with process.cwd /proc/self/fd/N fails, even with a host dir fd left open by the caller" {
	# The caller (a shim, a shell) may leave a directory fd open without
	# O_CLOEXEC: it reaches `berth init`. A cwd of /proc/self/fd/N must not
	# make it the container's cwd: the container would read HOSTSECRET.
	# Weakened build: the process.cwd block of prepareRootfs
	# (libcontainer/rootfs_linux.go, mkdirAllInRoot with
	# RESOLVE_NO_MAGICLINKS) removed: init chdirs through the magic link to
	# the host dir and the container prints HOSTSECRET: the test fails.
	install_probe
	mkdir "$TEST_DIR/hostdir"
	echo "HOSTSECRET-$TAG" >"$TEST_DIR/hostdir/flag"
	local n
	for n in 7 9; do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		set_cmd 'cat flag; pwd -P'
		run --separate-stderr berth run "$ID" 7<"$TEST_DIR/hostdir" 9<"$TEST_DIR/hostdir"
		assert_not_contains "HOSTSECRET" "$output"
		if [ "$status" -eq 0 ]; then
			assert_match '^/' "${lines[-1]}"
		else
			assert_one_line_error
		fi
		assert_no_container "$ID"
	done
}

@test "CVE-2024-21626: exec --cwd /proc/self/fd/N never lands outside the container, even with a host dir fd left open by the caller" {
	# FAILS against berth today (a real bug; runc 1.1.5 passes): the fd the
	# caller left open reaches the exec's `berth init` (spawnStage in
	# libcontainer/initproc.go starts it with os.StartProcess, which does not
	# close inherited fds), and prepareProcess (libcontainer/process_linux.go)
	# chdirs to process.cwd before its close_range and never checks where it
	# landed: the process starts in the host dir and prints HOSTSECRET.
	# Weakened-build check: n/a (berth itself fails it).
	install_probe
	mkdir "$TEST_DIR/hostdir"
	echo "HOSTSECRET-$TAG" >"$TEST_DIR/hostdir/flag"
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	local n
	for n in 7 9; do
		run --separate-stderr berth exec --cwd "/proc/self/fd/$n" "$ID" sh -c 'cat flag; pwd -P' \
			7<"$TEST_DIR/hostdir" 9<"$TEST_DIR/hostdir"
		assert_not_contains "HOSTSECRET" "$output"
		if [ "$status" -eq 0 ]; then
			assert_match '^/' "${lines[-1]}"
		fi
	done
}

@test "CVE-2024-21626: a cwd through a rootfs symlink to a host path stays inside and creates nothing on the host" {
	# Weakened build: prepareRootfs creating the cwd with
	# os.MkdirAll(filepath.Join(rootfs, cwd)) instead of mkdirAllInRoot: the
	# dangling symlink is followed on the host, $TEST_DIR/made-by-cwd
	# appears there: the test fails.
	install_probe
	mkdir "$TEST_DIR/hostdir"
	echo "HOSTSECRET-$TAG" >"$TEST_DIR/hostdir/flag"
	ln -s "$TEST_DIR/hostdir" "$PRIVATE_ROOTFS/work"
	ln -s "../../../../../../../$TEST_DIR/made-by-cwd" "$PRIVATE_ROOTFS/work2"
	update_config '.root.readonly = false | .process.cwd = "/work"'
	set_cmd 'cat flag 2>&1; pwd -P; readlink /proc/self/cwd'
	run berth run "$ID"
	assert_status 0
	assert_not_contains "HOSTSECRET"
	assert_contains "$TEST_DIR/hostdir"$'\n'"$TEST_DIR/hostdir"
	[ -d "$PRIVATE_ROOTFS/$TEST_DIR/hostdir" ] || fail "cwd was not created inside the rootfs"

	update_config '.process.cwd = "/work2/sub"'
	set_cmd 'pwd -P'
	run berth run "$ID"
	assert_status 0
	assert_output "$TEST_DIR/made-by-cwd/sub"
	[ ! -e "$TEST_DIR/made-by-cwd" ] || fail "the cwd was created on the host: $TEST_DIR/made-by-cwd"
	[ -d "$PRIVATE_ROOTFS/$TEST_DIR/made-by-cwd/sub" ] || fail "cwd was not created inside the rootfs"
}

# Checked against the build before the init started its own session
# (0d02449): there fd 0 said "ok 0", a character pushed into the terminal
# the caller's shell reads next.
@test "a container without a terminal cannot push input into the caller's terminal (TIOCSTI)" {
	install_probe
	update_config '.process.terminal = false'
	# TIOCSTI (0x5412) of one byte on each stdio fd, which are the pty that
	# script gives berth as its controlling terminal (stdout through a
	# copy, fd 3, as $(...) takes the probe's own stdout)
	set_cmd 'exec 3>&1; for fd in 0 3 2; do echo "fd$fd $(secprobe syscall ioctl $fd 0x5412 str:x)" >>/tiocsti.out; done'
	add_mount "{\"destination\":\"/tiocsti.out\",\"type\":\"bind\",\"source\":\"$TEST_DIR/tiocsti.out\",\"options\":[\"rbind\",\"rw\"]}"
	: >"$TEST_DIR/tiocsti.out"
	run script -qec "timeout -k 5 $BERTH_TIMEOUT $BERTH --root $BERTH_ROOT run --bundle $BUNDLE $ID" /dev/null
	assert_status 0
	run cat "$TEST_DIR/tiocsti.out"
	assert_output "fd0 EPERM
fd3 EPERM
fd2 EPERM"
	# the same from a process exec'd from the terminal
	: >"$TEST_DIR/tiocsti.out"
	set_args sleep 300
	local id2
	id2=$(new_id)
	berth run -d --bundle "$BUNDLE" "$id2"
	run script -qec "timeout -k 5 $BERTH_TIMEOUT $BERTH --root $BERTH_ROOT exec $id2 sh -c 'exec 3>&1; for fd in 0 3 2; do echo \"fd\$fd \$(secprobe syscall ioctl \$fd 0x5412 str:x)\" >>/tiocsti.out; done'" /dev/null
	assert_status 0
	run cat "$TEST_DIR/tiocsti.out"
	assert_output "fd0 EPERM
fd3 EPERM
fd2 EPERM"
}

@test "signals never reach a recycled pid: kill and delete after init died and its pid was reused" {
	# Weakened build: libcontainer/lifecycle.go openInit without the
	# processAlive start-time check (pidfd_open on the bare pid): `kill`
	# signals the decoy that now has the pid and exits 0: the test fails.
	set_args sleep 100
	run_nowait berth run -d "$ID"
	assert_status 0
	local pid decoy= i
	pid=$(state_field "$ID" pid)
	kill -9 "$pid"
	wait_for pid_gone "$pid"
	wait_for test ! -e "/proc/$pid"
	# Recycle the pid: the next fork after ns_last_pid = pid-1 gets pid,
	# unless another process forks in between (then try again).
	for ((i = 0; i < 200; i++)); do
		echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
		BERTH_TEST_TAG=$TAG sleep 1000 3>&- &
		if [ "$!" = "$pid" ]; then
			decoy=$!
			break
		fi
		kill -9 "$!"
		wait "$!" 2>/dev/null || true
	done
	[ -n "$decoy" ] || fail "could not recycle pid $pid"

	run berth state "$ID"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = stopped ] || fail "state: $output"
	run --separate-stderr berth kill "$ID" TERM
	assert_fails
	assert_error "container not running"
	run --separate-stderr berth kill "$ID" KILL
	assert_fails
	assert_error "container not running"
	run berth delete "$ID"
	assert_status 0
	sleep 0.2
	grep -q '^State:.*[SR]' "/proc/$decoy/status" || fail "the decoy with the recycled pid $decoy was signalled"
	kill -9 "$decoy"
	wait "$decoy" 2>/dev/null || true
}

@test "mounts made inside under a bind of a shared host mount never reach the host: plain, id-mapped, and a source only the parent could reach" {
	# A bind the parent attaches as a detached tree (id-mapped, or a source
	# that root in the user namespace cannot reach) was a peer of the
	# host's mount: the container's mounts under it showed on the host.
	use_private_rootfs
	mkdir -p "$TEST_DIR/shared" "$TEST_DIR/closed/m"
	mount -t tmpfs "tmpfs-$TAG" "$TEST_DIR/shared"
	mount --make-shared "$TEST_DIR/shared"
	mkdir "$TEST_DIR/shared/plain" "$TEST_DIR/shared/closed" "$TEST_DIR/shared/idmap"
	chmod 700 "$TEST_DIR/closed"
	mount --bind "$TEST_DIR/shared" "$TEST_DIR/closed/m"
	local caps='.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	update_config "$caps"' | .mounts += [{"destination": "/p", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$TEST_DIR/shared"
	set_cmd 'mount -t tmpfs inside /p/plain && echo mounted'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_output mounted

	cp "$BUSYBOX_BUNDLE/config.json" "$BUNDLE/config.json"
	map_userns
	update_config "$caps"' | .root.path = "rootfs"
		| .mounts += [{"destination": "/c", "type": "bind", "source": $c, "options": ["rbind"]},
			{"destination": "/i", "type": "bind", "source": $s, "options": ["rbind", "idmap"]}]' \
		--arg c "$TEST_DIR/closed/m" --arg s "$TEST_DIR/shared"
	set_cmd 'mount -t tmpfs inside /c/closed && mount -t tmpfs inside /i/idmap && echo mounted'
	run berth run --bundle "$BUNDLE" "$(new_id)"
	local host
	host=$(awk -v d="$TEST_DIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort)
	umount "$TEST_DIR/closed/m"
	umount -R "$TEST_DIR/shared"
	assert_output mounted
	[ "$host" = "$(printf '%s\n' "$TEST_DIR/closed/m" "$TEST_DIR/shared" | sort)" ] || fail "the host sees: $host"
}
