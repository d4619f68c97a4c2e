#!/usr/bin/env bats
# security_symlinks: a rootfs full of symlinks that try to redirect what the
# runtime mounts out of the rootfs or onto another file: bind, file-bind and
# tmpfs destinations (CVE-2021-30465, CVE-2024-45310), /dev/null used to
# mask paths (CVE-2025-31133) and /dev/console (CVE-2025-52565). The mount
# must land inside the rootfs, or create must fail cleanly; the host files
# are checked untouched and nothing is created on the host.
#
# Weakened builds (a copy of the tree, never /work/main, `make build`, then
# BERTH=copy/berth bats this file) used to check that the tests can fail:
#   naivetarget  nsenter/rootfs.c open_mount_target doing mkdir -p /
#              open(O_CREAT) on rootfs+dest and opening the result with
#              O_PATH, following symlinks (what runtimes did before
#              CVE-2021-30465): the destination tests fail (mounts land on
#              the host paths, host paths get created);
#   nullcheck  libcontainer/paths_linux.go maskPath binding "/dev/null" by
#              name (following symlinks, no 1:3 check): the /dev/null
#              tests fail (the masked files show core_pattern / NOT-NULL);
#   consolefollow  libcontainer/console_linux.go mountConsole opening
#              /dev/console without O_NOFOLLOW: the console test fails (the
#              pty lands on /proc/sys/kernel/core_pattern).

load helpers

setup_file() {
	build_tool recvtty
}

setup() {
	setup_common
	cd "$BUNDLE"
}

# dev_from_rootfs: the container's /dev is the rootfs's /devsrc, bind-mounted:
# the image, not the runtime, decides what /dev/null and /dev/console are.
dev_from_rootfs() {
	mkdir -p "$PRIVATE_ROOTFS/devsrc"
	update_config '(.mounts[] | select(.destination == "/dev")) |= {destination: "/dev", type: "bind", source: $s, options: ["rbind"]}' \
		--arg s "$PRIVATE_ROOTFS/devsrc"
}

# assert_masked_or_refused: after `run_nowait berth run` of a container that
# prints "stat -c '%F %t:%T' P; wc -c <P" for the masked files: either run
# failed with a one-line error and left nothing, or every masked file is the
# null device and reads as empty.
assert_masked_or_refused() {
	if [ "$status" -ne 0 ]; then
		assert_one_line_error
		assert_no_container "$ID"
		return
	fi
	local l
	for l in "${lines[@]}"; do
		case $l in
		"character special file 1:3" | 0) ;;
		*) fail "a masked path is not the null device: $output" ;;
		esac
	done
}

@test "CVE-2021-30465: bind and tmpfs destinations that are rootfs symlinks to host paths land inside the rootfs, nothing is created on the host" {
	# Fails with: naivetarget (the markers are not visible inside, and
	# $TEST_DIR/made-* appear on the host).
	use_private_rootfs
	mkdir -p "$TEST_DIR/src" "$TEST_DIR/hostdir"
	echo "from-src" >"$TEST_DIR/src/marker"
	echo "host-file" >"$TEST_DIR/hostdir/host-file"
	# An absolute link to an existing host dir, relative links that climb
	# out, dangling links to host paths that do not exist yet.
	ln -s "$TEST_DIR/hostdir" "$PRIVATE_ROOTFS/abs"
	ln -s "../../../../../../../../$TEST_DIR/made-bind" "$PRIVATE_ROOTFS/rel"
	ln -s "$TEST_DIR/made-tmpfs" "$PRIVATE_ROOTFS/tmpfsdir"
	mkdir -p "$PRIVATE_ROOTFS/deep/a"
	ln -s "../../../../../../../.." "$PRIVATE_ROOTFS/deep/a/up"
	add_mount "$(bind_json "$TEST_DIR/src" /abs)"
	add_mount "$(bind_json "$TEST_DIR/src" /rel/sub)"
	add_mount '{"destination":"/tmpfsdir","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	add_mount "$(bind_json "$TEST_DIR/src" "/deep/a/up/$TEST_DIR/made-up")"
	set_cmd 'cat /abs/marker /rel/sub/marker /deep/a/up'"$TEST_DIR"'/made-up/marker
		ls /abs; grep -c " /tmpfsdir\| '"$TEST_DIR"'/made-tmpfs " /proc/self/mountinfo
		stat -f -c %T '"$TEST_DIR"'/made-tmpfs'
	run berth run "$ID"
	assert_status 0
	assert_output "from-src
from-src
from-src
marker
1
tmpfs"
	local p
	for p in made-bind made-tmpfs made-up; do
		[ ! -e "$TEST_DIR/$p" ] || fail "created on the host: $TEST_DIR/$p"
	done
	[ "$(ls -A "$TEST_DIR/hostdir")" = host-file ] || fail "host dir changed: $(ls -A "$TEST_DIR/hostdir")"
	[ -d "$PRIVATE_ROOTFS/$TEST_DIR/made-bind/sub" ] || fail "the bind target was not made inside the rootfs"
}

@test "CVE-2024-45310: a file bind mount onto a rootfs symlink to a host file lands inside the rootfs and creates no host file" {
	# Fails with: naivetarget (the source is mounted over the host file's
	# path, and newhostfile is created on the host).
	use_private_rootfs
	echo "SRC" >"$TEST_DIR/srcfile"
	echo "HOST" >"$TEST_DIR/hostfile"
	ln -s "$TEST_DIR/hostfile" "$PRIVATE_ROOTFS/etc/evilfile"
	ln -s "../../../../../../../$TEST_DIR/newhostfile" "$PRIVATE_ROOTFS/etc/evilfile2"
	add_mount "$(bind_json "$TEST_DIR/srcfile" /etc/evilfile)"
	add_mount "$(bind_json "$TEST_DIR/srcfile" /etc/evilfile2)"
	set_cmd 'cat /etc/evilfile /etc/evilfile2'
	local before
	before=$(stat -c '%i %s %Y' "$TEST_DIR/hostfile")
	run berth run "$ID"
	assert_status 0
	assert_output $'SRC\nSRC'
	[ ! -e "$TEST_DIR/newhostfile" ] || fail "created on the host: $TEST_DIR/newhostfile"
	[ "$(cat "$TEST_DIR/hostfile")" = HOST ] && [ "$(stat -c '%i %s %Y' "$TEST_DIR/hostfile")" = "$before" ] ||
		fail "the host file changed"
	[ -f "$PRIVATE_ROOTFS/$TEST_DIR/newhostfile" ] || fail "the file bind target was not made inside the rootfs"
}

@test "CVE-2025-31133: /dev/null a symlink to core_pattern (with /dev from the rootfs): masked paths never expose it" {
	# Fails with: nullcheck (/proc/kcore etc. become core_pattern).
	use_private_rootfs
	dev_from_rootfs
	ln -s /proc/sys/kernel/core_pattern "$PRIVATE_ROOTFS/devsrc/null"
	local before
	before=$(sha256sum </proc/sys/kernel/core_pattern)
	set_cmd 'for p in /proc/kcore /proc/keys /proc/timer_list; do
			[ -e $p ] || continue; stat -c "%F %t:%T" $p; wc -c <$p
		done'
	run_nowait berth run "$ID"
	assert_masked_or_refused
	[ "$(sha256sum </proc/sys/kernel/core_pattern)" = "$before" ] || fail "the host's core_pattern changed"
}

@test "CVE-2025-31133: /dev/null a regular file or another device in the rootfs: masked paths are never that file" {
	# Fails with: nullcheck (the masked files read NOT-NULL).
	use_private_rootfs
	dev_from_rootfs
	set_cmd 'for p in /proc/kcore /proc/keys /proc/timer_list; do
			[ -e $p ] || continue; stat -c "%F %t:%T" $p; wc -c <$p
		done'
	echo NOT-NULL >"$PRIVATE_ROOTFS/devsrc/null"
	run_nowait berth run "$ID"
	assert_masked_or_refused
	# A device node that is not 1:3 (here /dev/zero's 1:5) is not /dev/null.
	rm "$PRIVATE_ROOTFS/devsrc/null"
	mknod -m 0666 "$PRIVATE_ROOTFS/devsrc/null" c 1 5
	run_nowait berth run "$ID"
	assert_masked_or_refused
	# The real null device works.
	rm "$PRIVATE_ROOTFS/devsrc/null"
	mknod -m 0666 "$PRIVATE_ROOTFS/devsrc/null" c 1 3
	run_nowait berth run "$ID"
	assert_status 0
	assert_masked_or_refused
	assert_contains "character special file 1:3"
}

@test "CVE-2025-52565: /dev/console a symlink to core_pattern (terminal: true): the pty never lands on it" {
	# Fails with: consolefollow (the pty is mounted, read-write, over
	# /proc/sys/kernel/core_pattern in the container).
	use_private_rootfs
	dev_from_rootfs
	mknod -m 0666 "$PRIVATE_ROOTFS/devsrc/null" c 1 3
	ln -s pts/ptmx "$PRIVATE_ROOTFS/devsrc/ptmx"
	ln -s /proc/sys/kernel/core_pattern "$PRIVATE_ROOTFS/devsrc/console"
	local sock=$TEST_DIR/console.sock
	"$RECVTTY_BIN" -mode null "$sock" </dev/null >"$TEST_DIR/recvtty.out" 2>&1 3>&- &
	track $!
	wait_for test -S "$sock"
	update_config '.process.terminal = true'
	set_cmd 'sleep 100'
	run_nowait berth create --console-socket "$sock" "$ID"
	if [ "$status" -ne 0 ]; then
		assert_one_line_error
		assert_contains "console" "$(error_msg)"
		assert_no_container "$ID"
		return
	fi
	local pid
	pid=$(state_field "$ID" pid)
	run grep -E ' /proc/sys/kernel/core_pattern | /dev/console ' "/proc/$pid/mountinfo"
	assert_not_contains "devpts"
	assert_not_contains "/dev/pts"
}
