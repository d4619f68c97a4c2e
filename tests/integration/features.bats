#!/usr/bin/env bats
# features: the runtime-spec features document

load helpers

# is_berth: the runtime under test is berth (not runc, for comparison runs).
is_berth() {
	[ "$("$BERTH" --version 2>/dev/null | awk 'NR == 1 {print $1}')" = berth ]
}

# feat FILTER: jq FILTER applied to `features`.
feat() {
	"$BERTH" features | jq -c "$1"
}

@test "features: valid JSON, indented by four spaces like runc, exit 0, nothing on stderr" {
	run --separate-stderr "$BERTH" features
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	jq -e . >/dev/null <<<"$output" || fail "not JSON: $output"
	[ "${lines[0]}" = "{" ] || fail "first line: ${lines[0]}"
	assert_match $'\n    "ociVersionMin": "1.0.0",\n'
	assert_match $'\n        "namespaces": \\[\n'
}

@test "features: OCI versions, hooks" {
	run feat .ociVersionMin
	assert_output '"1.0.0"'
	local spec
	spec=$(runtime_spec_version)
	[ -n "$spec" ] || fail "no spec: line in --version"
	run feat .ociVersionMax
	assert_output "\"$spec\""
	run feat .hooks
	assert_output '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
}

@test "features: mount options, namespaces, capabilities" {
	local o
	for o in bind rbind ro rw nosuid nodev noexec private rprivate shared rslave relatime strictatime rro; do
		run feat ".mountOptions | index([\"$o\"]) != null"
		[ "$output" = true ] || fail "mountOptions lacks $o"
	done
	run feat '.mountOptions == (.mountOptions | sort)'
	assert_output true
	run feat '.linux.namespaces | sort'
	assert_output '["cgroup","ipc","mount","network","pid","time","user","uts"]'
	local c
	for c in CAP_CHOWN CAP_SYS_ADMIN CAP_NET_ADMIN CAP_KILL CAP_AUDIT_WRITE CAP_BPF CAP_CHECKPOINT_RESTORE; do
		run feat ".linux.capabilities | index([\"$c\"]) != null"
		[ "$output" = true ] || fail "capabilities lacks $c"
	done
	run feat '[.linux.capabilities[] | select(startswith("CAP_") | not)]'
	assert_output '[]'
}

@test "features: cgroup, seccomp" {
	run feat '.linux.cgroup | [.v1, .v2, .systemd]'
	assert_output '[true,true,true]'
	run feat '.linux.seccomp.enabled'
	assert_output true
	local a
	for a in SCMP_ACT_ALLOW SCMP_ACT_ERRNO SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_LOG SCMP_ACT_TRAP SCMP_ACT_TRACE; do
		run feat ".linux.seccomp.actions | index([\"$a\"]) != null"
		[ "$output" = true ] || fail "seccomp.actions lacks $a"
	done
	run feat '.linux.seccomp.operators'
	assert_output '["SCMP_CMP_EQ","SCMP_CMP_GE","SCMP_CMP_GT","SCMP_CMP_LE","SCMP_CMP_LT","SCMP_CMP_MASKED_EQ","SCMP_CMP_NE"]'
	run feat '.linux.seccomp.archs | index(["SCMP_ARCH_X86_64"]) != null and index(["SCMP_ARCH_X86"]) != null and index(["SCMP_ARCH_AARCH64"]) != null'
	assert_output true
}

@test "features (berth): what this build supports, and the host's LSMs" {
	is_berth || skip "berth's own answers"
	run feat '.linux.cgroup'
	assert_output '{"v1":true,"v2":true,"systemd":true,"systemdUser":false,"rdma":true}'
	run feat '.linux.intelRdt.enabled'
	assert_output false
	run feat '.linux.mountExtensions.idmap.enabled'
	assert_output true
	run feat '.linux.netDevices.enabled'
	assert_output true
	run feat '.linux.memoryPolicy'
	assert_output '{"modes":["MPOL_BIND","MPOL_DEFAULT","MPOL_INTERLEAVE","MPOL_LOCAL","MPOL_PREFERRED","MPOL_PREFERRED_MANY","MPOL_WEIGHTED_INTERLEAVE"],"flags":["MPOL_F_NUMA_BALANCING","MPOL_F_RELATIVE_NODES","MPOL_F_STATIC_NODES"]}'
	run feat '.mountOptions | index(["idmap"]) != null and index(["ridmap"]) != null'
	assert_output true
	run feat '.linux.seccomp.knownFlags'
	assert_output '["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_LOG"]'
	run feat '.linux.seccomp.supportedFlags - .linux.seccomp.knownFlags'
	assert_output '[]'

	# "compiled in, unrelated to whether the host supports" them (the
	# spec's features type; runc says true too): berth applies both
	run feat '[.linux.apparmor.enabled, .linux.selinux.enabled]'
	assert_output "[true,true]"

	# berth's own annotation keys, none of runc's
	local ver
	ver=$("$BERTH" --version | awk 'NR == 1 {print $3}')
	run feat '.annotations["com.github.berth-runtime.berth.version"]'
	assert_output "\"$ver\""
	run feat '[.annotations | keys[] | select(startswith("org.opencontainers.runc."))]'
	assert_output '[]'
	# berth reads no configuration from annotations
	run feat '.potentiallyUnsafeConfigAnnotations'
	assert_output null
}

@test "features takes no arguments" {
	run --separate-stderr "$BERTH" features extra
	assert_status 1
	assert_contains 'requires exactly 0 argument(s)' "$stderr"
}
