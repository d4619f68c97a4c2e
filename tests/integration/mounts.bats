#!/usr/bin/env bats
# mounts: bind, tmpfs, special filesystems, propagation, masking, devices

load helpers

# mountinfo_of DEST: script fragment printing the mountinfo line of DEST
mi() {
	echo "grep ' $1 ' /proc/self/mountinfo"
}

@test "bind mount rw: writes inside land on the host" {
	mkdir -p "$TEST_DIR/src"
	echo host-data >"$TEST_DIR/src/file"
	add_mount "$(bind_json "$TEST_DIR/src" /mnt '["bind","rw"]')"
	set_cmd 'cat /mnt/file; echo container-data >/mnt/new'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output host-data
	[ "$(cat "$TEST_DIR/src/new")" = container-data ]
}

@test "bind mount ro: reads work, writes fail" {
	mkdir -p "$TEST_DIR/src"
	echo host-data >"$TEST_DIR/src/file"
	add_mount "$(bind_json "$TEST_DIR/src" /mnt '["bind","ro"]')"
	set_cmd 'cat /mnt/file; if echo x >/mnt/new; then echo WRITE-OK; fi; if echo x >>/mnt/file; then echo APPEND-OK; fi'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains host-data
	assert_contains "Read-only file system"
	assert_not_contains WRITE-OK
	assert_not_contains APPEND-OK
	[ ! -e "$TEST_DIR/src/new" ]
	[ "$(cat "$TEST_DIR/src/file")" = host-data ]
}

@test "bind mount of a single file over an existing one" {
	echo from-host >"$TEST_DIR/hostname-file"
	add_mount "$(bind_json "$TEST_DIR/hostname-file" /etc/hostname '["bind","ro"]')"
	set_args cat /etc/hostname
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output from-host
	[ "$(cat "$ROOTFS/etc/hostname")" = berth-test ]
}

@test "rbind carries submounts, bind does not" {
	mkdir -p "$TEST_DIR/src/sub"
	mount -t tmpfs -o size=1m "tmpfs-$TAG" "$TEST_DIR/src/sub"
	echo in-submount >"$TEST_DIR/src/sub/file"
	use_private_rootfs
	mkdir -p "$PRIVATE_ROOTFS/r" "$PRIVATE_ROOTFS/b"
	add_mount "$(bind_json "$TEST_DIR/src" /r '["rbind","rw"]')"
	add_mount "$(bind_json "$TEST_DIR/src" /b '["bind","rw"]')"
	set_cmd 'echo r=$(cat /r/sub/file 2>&1); echo b=$(ls -A /b/sub)'
	run berth run --bundle "$BUNDLE" "$ID"
	umount "$TEST_DIR/src/sub"
	assert_status 0
	assert_output "r=in-submount
b="
}

@test "recursive atime options reach submounts; ratime and rnostrictatime mean relatime (as newer runc)" {
	mkdir -p "$TEST_DIR/src/sub"
	mount -t tmpfs -o size=1m,noatime "tmpfs-$TAG" "$TEST_DIR/src/sub"
	use_private_rootfs
	local o
	for o in rnoatime rstrictatime rrelatime ratime rnostrictatime; do
		mkdir -p "$PRIVATE_ROOTFS/$o"
		add_mount "$(bind_json "$TEST_DIR/src" "/$o" "[\"rbind\",\"$o\"]")"
	done
	set_cmd 'for o in rnoatime rstrictatime rrelatime ratime rnostrictatime; do echo "$o $(grep " /$o/sub " /proc/self/mountinfo | cut -d" " -f6)"; done'
	run berth run --bundle "$BUNDLE" "$ID"
	umount "$TEST_DIR/src/sub"
	assert_status 0
	assert_output "rnoatime rw,noatime
rstrictatime rw
rrelatime rw,relatime
ratime rw,relatime
rnostrictatime rw,relatime"
}

@test "a destination under the rootfs's host path is that path inside the rootfs, as runc takes it" {
	use_private_rootfs
	# (made here: runc 1.1.5 makes a missing one in the wrong place)
	mkdir "$PRIVATE_ROOTFS/inner"
	add_mount "{\"destination\":\"$PRIVATE_ROOTFS/inner\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}"
	set_cmd "grep -c ' /inner ' /proc/self/mountinfo"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output 1
}

@test "a missing mount destination is created inside the rootfs" {
	use_private_rootfs
	add_mount '{"destination":"/a/b/c","type":"tmpfs","source":"tmpfs"}'
	set_cmd "$(mi /a/b/c)"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains " /a/b/c "
	[ -d "$PRIVATE_ROOTFS/a/b/c" ]
}

@test "a mount destination through a regular file fails with its path named, and leaves nothing" {
	use_private_rootfs
	echo data >"$PRIVATE_ROOTFS/plainfile"
	add_mount '{"destination":"/plainfile/sub","type":"tmpfs","source":"tmpfs"}'
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_one_line_error
	[[ "$stderr" == *"mounts["*"] (/plainfile/sub): open /plainfile/sub: not a directory"* ]] || fail "stderr: $stderr"
	assert_no_container "$ID"
	[ "$(cat "$PRIVATE_ROOTFS/plainfile")" = data ]
}

@test "a destination with .. components and a dangling symlink is made inside the rootfs" {
	use_private_rootfs
	ln -s /made/by/link "$PRIVATE_ROOTFS/dangling"
	add_mount '{"destination":"/../../x/../dangling/d","type":"tmpfs","source":"tmpfs"}'
	set_cmd "$(mi /made/by/link/d)"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains " /made/by/link/d "
	[ -d "$PRIVATE_ROOTFS/made/by/link/d" ] || fail "the link's target was not made inside the rootfs"
	[ ! -e /made ] || fail "created on the host: /made"
}

@test "tmpfs with size and mode options" {
	use_private_rootfs
	add_mount '{"destination":"/tmpfs","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec","size=1m","mode=1770"]}'
	set_cmd "stat -c %a /tmpfs; $(mi /tmpfs); touch /tmpfs/x && echo WRITABLE"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 1770 ] || fail "mode: $output"
	assert_match ' /tmpfs [^ ]*nosuid' "${lines[1]}"
	assert_match ' /tmpfs [^ ]*nodev' "${lines[1]}"
	assert_match ' /tmpfs [^ ]*noexec' "${lines[1]}"
	assert_match ' - tmpfs [^ ]+ .*size=1024k' "${lines[1]}"
	assert_match 'mode=1770' "${lines[1]}"
	assert_contains WRITABLE
	# Over an existing directory: its mode without mode=, mode= with it
	# (newer runc, its run.bats "tmpfs perms"; 1.1.5 kept the directory's
	# mode over mode= too).
	chmod 0710 "$PRIVATE_ROOTFS/tmpfs"
	update_config '.mounts[-1].options = []'
	set_cmd 'stat -c %a /tmpfs'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_output 710
	update_config '.mounts[-1].options = ["mode=0410"]'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_output 410
}

@test "a read-only tmpfs: mounts in it, its directory's mode, then read-only with its flags (as runc)" {
	use_private_rootfs
	mkdir -p "$PRIVATE_ROOTFS/ro"
	chmod 750 "$PRIVATE_ROOTFS/ro"
	add_mount '{"destination":"/ro","type":"tmpfs","source":"tmpfs","options":["ro","nosuid","strictatime"]}'
	add_mount '{"destination":"/ro/sub","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	set_cmd "stat -c %a /ro; $(mi /ro); touch /ro/x 2>&1; touch /ro/sub/x && echo SUB-WRITABLE"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	# The mode of the directory it covers, as for a read-write tmpfs.
	[ "${lines[0]}" = 750 ] || fail "mode: $output"
	assert_match '^[^ ]+ [^ ]+ [^ ]+ / /ro ro,nosuid ' "${lines[1]}"
	assert_contains "/ro/x: Read-only file system"
	assert_contains SUB-WRITABLE
}

@test "a read-only /dev gets its nodes and /dev/pts, then is read-only; in a user namespace too (as runc)" {
	use_private_rootfs
	update_config '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	set_cmd "$(mi /dev); [ -c /dev/null ] && [ -c /dev/zero ] && echo NODES; grep -c ' /dev/pts ' /proc/self/mountinfo; touch /dev/x 2>&1; echo hi >/dev/null && echo NULL-WRITABLE"
	local want='1
touch: /dev/x: Read-only file system
NULL-WRITABLE'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match '^[^ ]+ [^ ]+ [^ ]+ / /dev ro,nosuid ' "${lines[0]}"
	[ "${lines[1]}" = NODES ] || fail "device nodes: $output"
	[ "$(printf '%s\n' "${lines[@]:2}")" = "$want" ] || fail "output: $output"

	map_userns
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match '^[^ ]+ [^ ]+ [^ ]+ / /dev ro,nosuid ' "${lines[0]}"
	[ "${lines[1]}" = NODES ] || fail "device nodes in a user namespace: $output"
	[ "$(printf '%s\n' "${lines[@]:2}")" = "$want" ] || fail "output in a user namespace: $output"
}

@test "in a user namespace the default devices are binds of the host's nodes, made in runc's order" {
	use_private_rootfs
	map_userns
	set_cmd "awk '\$5 ~ /^\/dev\/(null|random|full|tty|zero|urandom)\$/ {print \$5}' /proc/self/mountinfo | tr '\\n' ' '"
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "/dev/null /dev/random /dev/full /dev/tty /dev/zero /dev/urandom "
}

@test "proc is the container's own" {
	set_cmd "$(mi /proc); cat /proc/1/cmdline | tr '\\0' ' '; echo; ls -d /proc/[0-9]* | wc -l"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match ' /proc [^ ]+ .*- proc ' "${lines[0]}"
	assert_match '^sh -c ' "${lines[1]}"
	# sh, and the pipeline's processes: far fewer than the host has
	[ "${lines[2]}" -lt 10 ] || fail "too many processes visible: ${lines[2]}"
}

@test "sysfs is mounted read-only" {
	set_cmd "$(mi /sys); touch /sys/x 2>&1 || true; ls /sys"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match ' /sys ro,[^ ]* .*- sysfs ' "${lines[0]}"
	assert_contains "Read-only file system"
	assert_contains "kernel"
}

@test "devpts: a new instance with ptmx, /dev/ptmx links to it" {
	set_cmd "$(mi /dev/pts); ls -A /dev/pts; readlink /dev/ptmx; stat -c '%F %t:%T %a' /dev/pts/ptmx"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match ' /dev/pts [^ ]+ .*- devpts .*ptmxmode=666' "${lines[0]}"
	[ "${lines[1]}" = ptmx ] || fail "other ptys visible: $output"
	[ "${lines[2]}" = pts/ptmx ] || fail "/dev/ptmx: $output"
	[ "${lines[3]}" = "character special file 5:2 666" ] || fail "ptmx: $output"
}

@test "without a devpts mount /dev/ptmx still links to pts/ptmx (as runc)" {
	update_config '.mounts |= map(select(.destination != "/dev/pts"))'
	set_cmd 'readlink /dev/ptmx; [ -e /dev/pts/ptmx ] || echo dangling'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output $'pts/ptmx\ndangling'
}

@test "mqueue is mounted at /dev/mqueue" {
	set_cmd "$(mi /dev/mqueue)"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match ' /dev/mqueue [^ ]*nosuid.* - mqueue '
}

@test "cgroup mount is read-only inside" {
	set_cmd "grep ' /sys/fs/cgroup' /proc/self/mountinfo; ls /sys/fs/cgroup; touch /sys/fs/cgroup/x 2>&1; echo 100 2>&1 >/sys/fs/cgroup/pids/pids.max || true; echo 100 2>&1 >/sys/fs/cgroup/pids.max || true"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local l n=0
	for l in "${lines[@]}"; do
		if [[ $l =~ \ -\ cgroup2?\  ]]; then
			n=$((n + 1))
			assert_match ' /sys/fs/cgroup[^ ]* ro,' "$l"
		fi
	done
	[ "$n" -ge 1 ] || fail "no cgroup mount: $output"
	assert_contains "Read-only file system"
	if [ -d /sys/fs/cgroup/pids ]; then
		assert_contains pids
		assert_contains memory
	fi
}

@test "cgroup v1 mounts: each hierarchy is a bind of the container's own cgroup, and the process's cwd is its own" {
	is_cgroup2 && skip "v1 and hybrid hosts only"
	# (the init binds the hierarchies from the host's /sys/fs/cgroup as
	# its cwd, nsenter/mounts.c: the process must not inherit that)
	set_cmd "pwd; grep ' /sys/fs/cgroup/' /proc/self/mountinfo"
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = / ] || fail "cwd: ${lines[0]}"
	local l root n=0 want
	want=$(grep -c '^[0-9]*:[^:]' /proc/self/cgroup)
	for l in "${lines[@]:1}"; do
		[[ $l =~ \ -\ cgroup\  ]] || continue
		n=$((n + 1))
		root=$(cut -d' ' -f4 <<<"$l")
		[[ $root = */"$ID" ]] || fail "a hierarchy not bound from the container's cgroup: $l"
	done
	[ "$n" = "$want" ] || fail "$n v1 hierarchies mounted, the host has $want: $output"
}

@test "cgroup namespace: each v1 hierarchy is mounted afresh, the named systemd one with source systemd (as runc)" {
	is_cgroup2 && skip "v1 and hybrid hosts only"
	[ -d /sys/fs/cgroup/systemd ] || skip "no named systemd hierarchy on this host"
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_cmd "grep ' /sys/fs/cgroup/' /proc/self/mountinfo"
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_match ' /sys/fs/cgroup/systemd ro,.* - cgroup systemd [^ ]*name=systemd'
	assert_match ' /sys/fs/cgroup/memory ro,.* - cgroup cgroup [^ ]*memory'
}

@test "propagation rslave: host mounts made later appear inside" {
	mkdir -p "$TEST_DIR/prop/sub"
	mount --bind "$TEST_DIR/prop" "$TEST_DIR/prop"
	mount --make-shared "$TEST_DIR/prop"
	share_dir
	mkdir -p "$TEST_DIR/prop/sub"
	use_private_rootfs
	mkdir -p "$PRIVATE_ROOTFS/p"
	add_mount "$(bind_json "$TEST_DIR/prop" /p '["rbind","rw","rslave"]')"
	set_cmd "$(mi /p) >/mnt/mi; touch /mnt/ready; while [ ! -e /mnt/go ]; do sleep 0.05; done; cat /p/sub/file"
	berth run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 &
	local runpid=$!
	wait_for test -e "$SHARED/ready"
	mount -t tmpfs "tmpfs-$TAG" "$TEST_DIR/prop/sub"
	echo propagated >"$TEST_DIR/prop/sub/file"
	touch "$SHARED/go"
	local rc=0
	wait "$runpid" || rc=$?
	umount "$TEST_DIR/prop/sub"
	umount "$TEST_DIR/prop"
	[ "$rc" -eq 0 ] || fail "run exited $rc: $(cat "$TEST_DIR/out")"
	grep -q propagated "$TEST_DIR/out" || fail "host mount did not propagate: $(cat "$TEST_DIR/out")"
	grep -q ' master:[0-9]' "$SHARED/mi" || fail "not a slave: $(cat "$SHARED/mi")"
}

@test "propagation rprivate: host mounts made later do not appear inside" {
	mkdir -p "$TEST_DIR/prop/sub"
	mount --bind "$TEST_DIR/prop" "$TEST_DIR/prop"
	mount --make-shared "$TEST_DIR/prop"
	share_dir
	use_private_rootfs
	mkdir -p "$PRIVATE_ROOTFS/p"
	add_mount "$(bind_json "$TEST_DIR/prop" /p '["rbind","rw","rprivate"]')"
	set_cmd "$(mi /p) >/mnt/mi; touch /mnt/ready; while [ ! -e /mnt/go ]; do sleep 0.05; done; ls -A /p/sub"
	berth run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1 &
	local runpid=$!
	wait_for test -e "$SHARED/ready"
	mount -t tmpfs "tmpfs-$TAG" "$TEST_DIR/prop/sub"
	echo propagated >"$TEST_DIR/prop/sub/file"
	touch "$SHARED/go"
	local rc=0
	wait "$runpid" || rc=$?
	umount "$TEST_DIR/prop/sub"
	umount "$TEST_DIR/prop"
	[ "$rc" -eq 0 ] || fail "run exited $rc: $(cat "$TEST_DIR/out")"
	[ ! -s "$TEST_DIR/out" ] || fail "host mount propagated: $(cat "$TEST_DIR/out")"
	! grep -q -E ' (master|shared):[0-9]' "$SHARED/mi" || fail "not private: $(cat "$SHARED/mi")"
}

@test "propagation rshared: the mount is shared inside" {
	mkdir -p "$TEST_DIR/prop"
	mount --bind "$TEST_DIR/prop" "$TEST_DIR/prop"
	mount --make-shared "$TEST_DIR/prop"
	use_private_rootfs
	mkdir -p "$PRIVATE_ROOTFS/p"
	add_mount "$(bind_json "$TEST_DIR/prop" /p '["rbind","rw","rshared"]')"
	set_cmd "$(mi /p)"
	run berth run --bundle "$BUNDLE" "$ID"
	umount "$TEST_DIR/prop"
	assert_status 0
	assert_match ' shared:[0-9]+'
}

@test "a rootfs that is a shared mount on the host: every rootfsPropagation runs, with and without pivot, and nothing shows on the host" {
	use_private_rootfs
	# a rootfs mounted on the host and shared, as an image's overlay is
	# where the host's / is shared (systemd)
	mount --bind "$PRIVATE_ROOTFS" "$PRIVATE_ROOTFS"
	mount --make-shared "$PRIVATE_ROOTFS"
	set_cmd "echo ran"
	local prop flag bad=
	for prop in shared rshared slave private unbindable rslave; do
		update_config '.linux.rootfsPropagation = $p' --arg p "$prop"
		for flag in "" --no-pivot; do
			[ -n "$flag" ] && [ "$prop" = private ] && continue # refused without pivot, as runc
			run --separate-stderr berth run $flag --bundle "$BUNDLE" "$ID"
			[ "$status" = 0 ] && [ "$output" = ran ] || bad+="$prop $flag: exit $status: $stderr; "
			[ "$(grep -c " $PRIVATE_ROOTFS" /proc/self/mountinfo)" = 1 ] ||
				bad+="$prop $flag: on the host: $(grep " $PRIVATE_ROOTFS" /proc/self/mountinfo | cut -d' ' -f5 | tr '\n' ' '); "
		done
	done
	while grep -q " $PRIVATE_ROOTFS" /proc/self/mountinfo; do umount -l "$PRIVATE_ROOTFS"; done
	[ -z "$bad" ] || fail "$bad"
}

@test "rootfsPropagation private: / is a private mount" {
	update_config '.linux.rootfsPropagation = "private"'
	set_cmd "awk '\$5 == \"/\"' /proc/self/mountinfo"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	assert_not_contains "shared:"
	assert_not_contains "master:"
}

@test "rootfsPropagation shared: / is a shared mount" {
	update_config '.linux.rootfsPropagation = "shared"'
	set_cmd "awk '\$5 == \"/\"' /proc/self/mountinfo"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	assert_match ' shared:[0-9]+'
}

@test "a mount destination that is a symlink out of the rootfs lands inside the rootfs" {
	use_private_rootfs
	mkdir -p "$TEST_DIR/outside"
	echo keep >"$TEST_DIR/outside/file"
	ln -s "$TEST_DIR/outside" "$PRIVATE_ROOTFS/evil"
	ln -s "../../../../../../../../..$TEST_DIR/outside" "$PRIVATE_ROOTFS/evil2"
	add_mount '{"destination":"/evil","type":"tmpfs","source":"tmpfs"}'
	add_mount '{"destination":"/evil2","type":"tmpfs","source":"tmpfs"}'
	set_cmd 'echo x >/evil/planted; echo y >/evil2/planted2; cat /evil/planted /evil2/planted2'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "x
y"
	# the host dir is untouched: no mount on it, no new file, same content
	run ls -A "$TEST_DIR/outside"
	assert_output file
	[ "$(cat "$TEST_DIR/outside/file")" = keep ]
	! grep -q " $TEST_DIR/outside " /proc/self/mountinfo
	# and the mount point was made inside the rootfs
	[ -d "$PRIVATE_ROOTFS$TEST_DIR/outside" ] || fail "mount point not created inside the rootfs"
}

@test "maskedPaths: a masked file reads empty, a masked dir is an empty read-only tmpfs" {
	# /proc/kcore when the kernel has it, /proc/timer_list always (both default-masked)
	local f=/proc/timer_list
	[ -e /proc/kcore ] && f=/proc/kcore
	set_cmd "wc -c <$f; ls -A /sys/firmware | wc -l; $(mi /sys/firmware); touch /sys/firmware/x 2>&1; true"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 0 ] || fail "$f not empty: $output"
	[ "${lines[1]}" = 0 ] || fail "/sys/firmware not empty: $output"
	assert_match ' /sys/firmware ro[, ].* - tmpfs ' "${lines[2]}"
	assert_contains "Read-only file system"
}

@test "maskedPaths from the config" {
	update_config '.linux.maskedPaths += ["/proc/cmdline", "/etc"]'
	set_cmd 'wc -c </proc/cmdline; ls -A /etc | wc -l'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "0
0"
}

@test "readonlyPaths: writes under /proc/sys fail" {
	# (the kernel here may lack /proc/sysrq-trigger; /proc/sys is always there)
	set_cmd 'echo x 2>&1 >/proc/sys/kernel/hostname; echo 1 2>&1 >/proc/sys/net/ipv4/ip_forward; hostname; cat /proc/sys/net/ipv4/ip_forward'
	update_config '.hostname = "ro-test"'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(grep -c 'Read-only file system' <<<"$output")" -eq 2 ] || fail "$output"
	assert_contains "ro-test"
	[ "${lines[-1]}" = 0 ] || fail "$output"
}

@test "readonlyPaths from the config make a rw bind read-only" {
	mkdir -p "$TEST_DIR/src"
	add_mount "$(bind_json "$TEST_DIR/src" /mnt '["bind","rw"]')"
	update_config '.linux.readonlyPaths += ["/mnt"]'
	set_cmd 'touch /mnt/x 2>&1; true'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "Read-only file system"
	[ ! -e "$TEST_DIR/src/x" ]
}

@test "root.readonly: writing to / fails; readonly false: it works" {
	use_private_rootfs
	set_cmd 'touch /written 2>&1; true'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "Read-only file system"
	[ ! -e "$PRIVATE_ROOTFS/written" ]

	update_config '.root.readonly = false'
	run berth run --bundle "$BUNDLE" "$(new_id)"
	assert_status 0
	assert_output ""
	[ -e "$PRIVATE_ROOTFS/written" ]
}

@test "default devices and /dev symlinks" {
	set_cmd 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done
		for l in ptmx fd stdin stdout stderr; do echo "/dev/$l -> $(readlink /dev/$l)"; done
		for d in shm pts mqueue; do [ -d /dev/$d ] && echo "/dev/$d dir"; done
		echo hi >/dev/null && head -c 4 /dev/zero | wc -c'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666
/dev/ptmx -> pts/ptmx
/dev/fd -> /proc/self/fd
/dev/stdin -> /proc/self/fd/0
/dev/stdout -> /proc/self/fd/1
/dev/stderr -> /proc/self/fd/2
/dev/shm dir
/dev/pts dir
/dev/mqueue dir
4"
}

@test "linux.devices: nodes with type, major, minor, mode, uid, gid" {
	update_config '.linux.devices = [
		{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1000, "gid": 1000},
		{"path": "/dev/myblk", "type": "b", "major": 7, "minor": 0, "fileMode": 432, "uid": 0, "gid": 6},
		{"path": "/dev/sub/myfifo", "type": "p", "fileMode": 420}]'
	set_cmd 'stat -c "%n %F %t:%T %a %u:%g" /dev/mydev /dev/myblk /dev/sub/myfifo'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "/dev/mydev character special file 1:3 640 1000:1000
/dev/myblk block special file 7:0 660 0:6
/dev/sub/myfifo fifo 0:0 644 0:0"
}

# Major 60 is for local use and has no driver here: opening the node gives
# ENXIO when the device cgroup lets it through, EPERM when it does not.
@test "devices cgroup: a device in linux.devices without an allow rule cannot be opened" {
	update_config '.linux.devices = [{"path": "/dev/local60", "type": "c", "major": 60, "minor": 0, "fileMode": 438}]'
	set_cmd 'cat /dev/local60 2>&1; true'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "Operation not permitted"
}

@test "devices cgroup: an allow rule in linux.resources.devices lets it be opened" {
	update_config '.linux.devices = [{"path": "/dev/local60", "type": "c", "major": 60, "minor": 0, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 60, "minor": 0, "access": "rw"}]'
	set_cmd 'cat /dev/local60 2>&1; true'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_contains "No such device or address"
}

@test "tmpfs with tmpcopyup starts with a copy of the directory, its modes and owners" {
	use_private_rootfs
	mkdir -p "$PRIVATE_ROOTFS/home/bb" "$PRIVATE_ROOTFS/scratch"
	echo hello >"$PRIVATE_ROOTFS/home/bb/file"
	chown -R 1000:1000 "$PRIVATE_ROOTFS/home/bb"
	chmod 1755 "$PRIVATE_ROOTFS/home"
	update_config '.root.path = "rootfs"'
	add_mount '{"destination": "/home", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "tmpcopyup"]}'
	add_mount '{"destination": "/new", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1770", "tmpcopyup"]}'
	set_cmd 'stat -c "%a %u %n" /home /home/bb /home/bb/file /new; cat /home/bb/file; grep " /home " /proc/self/mountinfo | grep -c tmpfs'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "1755 0 /home
755 1000 /home/bb
644 1000 /home/bb/file
1770 0 /new
hello
1"
}

# Id-mapped bind mounts (idmap, ridmap, uidMappings/gidMappings on a mount):
# the parent makes the id-mapped tree and the init attaches it
# (libcontainer/idmap.go).

@test "idmap: through the container's user namespace, host root's files are root's inside, and root's new files are host root's" {
	use_private_rootfs
	mkdir -p "$TEST_DIR/idsrc"
	echo x >"$TEST_DIR/idsrc/file"
	map_userns
	update_config '.mounts += [{"destination": "/plain", "type": "bind", "source": $s, "options": ["rbind"]},
			{"destination": "/mapped", "type": "bind", "source": $s, "options": ["rbind", "idmap"]}]' --arg s "$TEST_DIR/idsrc"
	set_cmd 'stat -c %u:%g /plain/file /mapped/file; touch /mapped/new'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output $'65534:65534\n0:0'
	[ "$(stat -c %u:%g "$TEST_DIR/idsrc/new")" = 0:0 ] || fail "new file: $(stat -c %u:%g "$TEST_DIR/idsrc/new")"
}

@test "idmap: a mount's own uidMappings and gidMappings, without a user namespace" {
	use_private_rootfs
	mkdir -p "$TEST_DIR/idsrc"
	echo x >"$TEST_DIR/idsrc/file"
	chown 5:6 "$TEST_DIR/idsrc/file"
	update_config '.mounts += [{"destination": "/mapped", "type": "bind", "source": $s, "options": ["rbind", "ro"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
		"gidMappings": [{"containerID": 0, "hostID": 2000, "size": 10}]}]' --arg s "$TEST_DIR/idsrc"
	set_cmd 'stat -c %u:%g /mapped/file; grep " /mapped " /proc/self/mountinfo | grep -o idmapped; touch /mapped/x 2>&1 | grep -o "Read-only"'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output $'1005:2006\nidmapped\nRead-only'
}

@test "user namespace: bind sources its root cannot reach are bound from fds the parent opened (as runc); 70 of them" {
	use_private_rootfs
	# 0700 dirs of the host's root on the way: uid 100000 cannot pass.
	mkdir -p "$TEST_DIR/closed/a" "$TEST_DIR/closed/b"
	chmod 700 "$TEST_DIR/closed"
	echo in-a >"$TEST_DIR/closed/a/file"
	echo in-b >"$TEST_DIR/closed/b/file"
	map_userns
	update_config '.mounts += [{"destination": "/ma", "type": "bind", "source": $a, "options": ["bind"]},
			{"destination": "/mb", "type": "bind", "source": $b, "options": ["rbind", "ro"]}]' \
		--arg a "$TEST_DIR/closed/a" --arg b "$TEST_DIR/closed/b/file"
	# More binds than fit in one message of fds.
	local i
	for i in $(seq 70); do
		add_mount "$(bind_json "$TEST_DIR/closed/a" "/many/$i")"
	done
	set_cmd 'cat /ma/file /mb; cat /many/70/file; grep -c " /many/" /proc/self/mountinfo'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output $'in-a\nin-b\nin-a\n70'
	# A source that does not exist is still named in the error.
	update_config '.mounts += [{"destination": "/mc", "type": "bind", "source": $c, "options": ["bind"]}]' --arg c "$TEST_DIR/closed/none"
	run_nowait berth run --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_error "$TEST_DIR/closed/none"
}
