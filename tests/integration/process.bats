#!/usr/bin/env bats
# process: env, cwd, user, umask, rlimits, capabilities, no_new_privs,
# oom_score_adj, sysctl

load helpers

# capmask CAP...: the hex mask /proc/PID/status shows for these capabilities
capmask() {
	local n mask=0
	declare -A bit=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_FOWNER]=3 [CAP_KILL]=5
		[CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13
		[CAP_SYS_CHROOT]=18 [CAP_SYS_ADMIN]=21 [CAP_MKNOD]=27 [CAP_AUDIT_WRITE]=29)
	for n in "$@"; do
		mask=$((mask | (1 << ${bit[$n]})))
	done
	printf '%016x\n' "$mask"
}

# caps_of OUTPUT SET: the hex value of CapSET in a /proc/self/status dump
caps_of() {
	awk -v k="Cap$2:" '$1 == k {print $2}' <<<"$1"
}

@test "env: exactly the config's environment (plus HOME), nothing from the caller" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "BERTH_TEST_TAG=" + $t]' --arg t "$TAG"
	export LEAKY_CALLER_VAR=1
	set_args env
	run berth run --bundle "$BUNDLE" "$ID"
	unset LEAKY_CALLER_VAR
	assert_status 0
	local got
	got=$(printf '%s\n' "${lines[@]}" | sort)
	[ "$got" = "$(printf '%s\n' "BERTH_TEST_TAG=$TAG" "EMPTY=" "FOO=bar baz" "HOME=/root" "PATH=/bin" | sort)" ] ||
		fail "env: $output"
}

@test "env: HOME comes from /etc/passwd for the user, unless set" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'echo $HOME'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output /home/bb
	update_config '.process.env += ["HOME=/elsewhere"]'
	run berth run --bundle "$BUNDLE" "$(new_id)"
	assert_output /elsewhere
}

@test "args: each argument is passed as is" {
	set_args sh -c 'for a in "$@"; do echo "[$a]"; done' argv0 "two words" "" '$HOME' "*"
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output '[two words]
[]
[$HOME]
[*]'
}

@test "cwd: the process starts in process.cwd" {
	update_config '.process.cwd = "/home/bb"'
	set_args pwd
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output /home/bb
}

@test "cwd: a missing cwd is created inside the rootfs" {
	use_private_rootfs
	update_config '.process.cwd = "/work/dir"'
	set_args pwd
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output /work/dir
	[ -d "$PRIVATE_ROOTFS/work/dir" ]
}

@test "user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [100, 65534]}'
	set_cmd 'id; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = "uid=1000(bb) gid=1000(bb) groups=100(users),65534(nogroup)" ] || fail "$output"
	assert_match $'Uid:\t1000\t1000\t1000\t1000'
	assert_match $'Gid:\t1000\t1000\t1000\t1000'
	assert_match $'Groups:\t100 65534'
}

@test "user: a uid with no passwd entry" {
	update_config '.process.user = {"uid": 4242, "gid": 4343}'
	set_cmd 'id -u; id -g; echo "HOME=$HOME"'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "4242
4343
HOME=/"
}

@test "user: root by default, with no supplementary groups" {
	set_cmd 'id -u; id -g; grep ^Groups: /proc/self/status'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ] || fail "$output"
	assert_match '^Groups:[[:space:]]*$' "${lines[2]}"
}

# with_umask MASK CMD...: CMD with the caller's umask MASK.
with_umask() {
	umask "$1"
	shift
	"$@"
}

@test "umask: from process.user.umask, else 0022 whatever the caller's; exec gets process.user.umask, else keeps the caller's (as runc)" {
	set_args sh -c umask
	run with_umask 0077 berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output 0022
	update_config '.process.user.umask = 63' # 0077
	run with_umask 0002 berth run --bundle "$BUNDLE" "$(new_id)"
	assert_status 0
	assert_output 0077
	update_config 'del(.process.user.umask)'
	set_args sleep 300
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run with_umask 0027 berth exec "$ID" sh -c umask
	assert_status 0
	assert_output 0027
	# the container's process.user.umask reaches exec'd processes too
	# (newer runc; 1.1.5 leaves them the caller's)
	berth delete -f "$ID"
	update_config '.process.user.umask = 63'
	berth run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run with_umask 0002 berth exec "$ID" sh -c umask
	assert_status 0
	assert_output 0077
}

@test "rlimits: RLIMIT_NOFILE from the default spec and custom soft/hard" {
	set_cmd 'ulimit -n; ulimit -Hn'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "1024
1024"
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
	set_cmd 'ulimit -n; ulimit -Hn; ulimit -c; grep "Max processes" /proc/self/limits'
	run berth run --bundle "$BUNDLE" "$(new_id)"
	assert_status 0
	[ "${lines[0]}" = 512 ] && [ "${lines[1]}" = 2048 ] && [ "${lines[2]}" = 0 ] || fail "$output"
	assert_match 'Max processes +300 +400 '
}

@test "rlimits: without process.rlimits the process keeps the caller's soft RLIMIT_NOFILE" {
	# Go raises its own soft limit to the hard one at start; the container's
	# init must hand the caller's on (nsenter/process.c restores it).
	update_config 'del(.process.rlimits)'
	set_cmd 'ulimit -n; ulimit -Hn'
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" -gt 1000 ] || skip "hard RLIMIT_NOFILE $hard leaves no room below it"
	run bash -c 'ulimit -Sn 1000 && exec "$@"' _ "$BERTH" --root "$BERTH_ROOT" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "1000
$hard"
}

@test "rlimits: an unknown rlimit type fails" {
	update_config '.process.rlimits = [{"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]'
	set_args true
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_fails
	assert_error "RLIMIT_FOO"
}

@test "capabilities: the default spec's sets; inheritable and ambient stay empty" {
	set_args cat /proc/self/status
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local want
	want=$(capmask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
	[ "$(caps_of "$output" Bnd)" = "$want" ] || fail "bounding $(caps_of "$output" Bnd), want $want"
	[ "$(caps_of "$output" Eff)" = "$want" ] || fail "effective $(caps_of "$output" Eff), want $want"
	[ "$(caps_of "$output" Prm)" = "$want" ] || fail "permitted $(caps_of "$output" Prm), want $want"
	# the default spec lists ambient caps, but without inheritable they can't be raised
	[ "$(caps_of "$output" Inh)" = 0000000000000000 ] || fail "inheritable $(caps_of "$output" Inh)"
	[ "$(caps_of "$output" Amb)" = 0000000000000000 ] || fail "ambient $(caps_of "$output" Amb)"
}

@test "capabilities: bounding and permitted as configured; root's effective is its permitted" {
	# At exec, root's effective set becomes its permitted set, and with
	# no_new_privs the permitted set can't grow beyond what it was.
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN"],
		"effective": ["CAP_KILL", "CAP_CHOWN"],
		"permitted": ["CAP_KILL", "CAP_CHOWN", "CAP_SYS_ADMIN"]}'
	set_args cat /proc/self/status
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(caps_of "$output" Bnd)" = "$(capmask CAP_KILL CAP_CHOWN CAP_NET_RAW CAP_SYS_ADMIN)" ] || fail "$output"
	[ "$(caps_of "$output" Prm)" = "$(capmask CAP_KILL CAP_CHOWN CAP_SYS_ADMIN)" ] || fail "$output"
	[ "$(caps_of "$output" Eff)" = "$(capmask CAP_KILL CAP_CHOWN CAP_SYS_ADMIN)" ] || fail "$output"
	[ "$(caps_of "$output" Inh)" = 0000000000000000 ]
	[ "$(caps_of "$output" Amb)" = 0000000000000000 ]
}

@test "capabilities: ambient is raised when inheritable allows it" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL", "CAP_CHOWN"],
		"permitted": ["CAP_KILL", "CAP_CHOWN"], "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
	set_args cat /proc/self/status
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(caps_of "$output" Inh)" = "$(capmask CAP_KILL)" ] || fail "$output"
	[ "$(caps_of "$output" Amb)" = "$(capmask CAP_KILL)" ] || fail "$output"
}

@test "capabilities: a non-root user keeps only ambient capabilities across exec" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL", "CAP_CHOWN"],
			"permitted": ["CAP_KILL", "CAP_CHOWN"], "inheritable": ["CAP_CHOWN"], "ambient": ["CAP_CHOWN"]}'
	set_args cat /proc/self/status
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(caps_of "$output" Eff)" = "$(capmask CAP_CHOWN)" ] || fail "$output"
	[ "$(caps_of "$output" Prm)" = "$(capmask CAP_CHOWN)" ] || fail "$output"
	[ "$(caps_of "$output" Amb)" = "$(capmask CAP_CHOWN)" ] || fail "$output"
	[ "$(caps_of "$output" Bnd)" = "$(capmask CAP_KILL CAP_CHOWN)" ] || fail "$output"
}

@test "noNewPrivileges: NoNewPrivs 1 when set, 0 when not" {
	set_cmd 'grep ^NoNewPrivs: /proc/self/status'
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output $'NoNewPrivs:\t1'
	update_config '.process.noNewPrivileges = false'
	run berth run --bundle "$BUNDLE" "$(new_id)"
	assert_status 0
	assert_output $'NoNewPrivs:\t0'
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 500'
	set_args cat /proc/self/oom_score_adj
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output 500
}

@test "sysctl: set inside the container's own namespaces only" {
	local fwd msgmax
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	msgmax=$(cat /proc/sys/kernel/msgmax)
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096"}'
	set_args cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax
	run berth run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output "1
4096"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ] || fail "host's ip_forward changed"
	[ "$(cat /proc/sys/kernel/msgmax)" = "$msgmax" ] || fail "host's msgmax changed"
}

@test "sysctl: a net sysctl without a network namespace is refused" {
	update_config '.linux.namespaces -= [{"type": "network"}] | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	set_args true
	local fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "net.ipv4.ip_forward"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ]
	assert_no_container "$ID"
}

@test "sysctl: a sysctl that is not namespaced is refused" {
	update_config '.linux.sysctl = {"vm.swappiness": "10"}'
	set_args true
	run --separate-stderr berth run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_error "vm.swappiness"
	assert_no_container "$ID"
}
