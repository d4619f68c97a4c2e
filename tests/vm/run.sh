#!/bin/bash
# run.sh: the cgroup v2 lane (`make test-vm`). Boots Debian's cloud kernel
# in qemu with only cgroup2 mounted, shares this host's root filesystem
# read-only into it over virtiofs, and runs there the cgroups Go tests
# (BERTH_TEST_HOST_V2=1) and the cgroup and lifecycle bats suites against
# $BERTH. Prints the VM's console as it goes, then a table of the suites
# and one line "vm: N passed, N failed, N skipped". Exits non-zero if the
# VM does not boot, a test fails, or the result line is missing.
# tests/vm/README.md has the details; the settings:
#
#   BERTH               the runtime to test (default: the repo's ./berth)
#   BERTH_VM_SUITES     bats suites, NAME[:REGEX] each (see DEFAULT_SUITES;
#                       clients/X is tests/clients/X.bats)
#   BERTH_VM_GO_PKGS    Go packages whose test binaries run inside
#   BERTH_VM_JOBS       bats suites run at once in the VM (default 2)
#   BERTH_VM_TIMEOUT    seconds for the whole VM run (default 1500)
#   BERTH_VM_CACHE      kernel and build cache (default tests/vm/.cache)
#   BERTH_VM_SMP, BERTH_VM_MEM, BERTH_VM_ACCEL (tcg; kvm where it works)
#   BERTH_VM_SCRIPT     a script to run in the VM instead of the tests
#   BERTH_VM_CGROUP2_OPTS  cgroup2 mount options (default systemd's:
#                       nsdelegate,memory_recursiveprot)
#   BERTH_VM_CGROUP     "hybrid": boot with v1 hierarchies and cgroup2 at
#                       /sys/fs/cgroup/unified, as this host (default
#                       suites: checkpoint, and the checkpoint tests of
#                       the podman and containerd suites: criu cannot run
#                       on the host's kernel; no Go tests)
#   BERTH_VM_INIT       "systemd": boot the host's systemd as PID 1 and run
#                       the tests as its service (default suites: systemd,
#                       the --systemd-cgroup driver, and podman's test of
#                       its systemd cgroup manager; no Go tests)
#   BERTH_VM_LSM        "selinux": boot with SELinux instead of AppArmor,
#                       enforcing tests/vm/selinux.cil (default suites: the
#                       SELinux tests of security_attrs; no Go tests)
set -euo pipefail
# (All in one block, parsed before it runs: editing this file during a
# run cannot change what the run does.)
{

# A guest whose kernel hung in a soft lockup before it printed its result
# is booted once more (this script, run again, exits 75 for that case
# alone). Twice so far (2026-11-26 and 2026-11-28) a TCG vCPU stopped
# answering IPIs: once with a stage and a find stuck on both CPUs, once in
# text_poke_bp while a test disabled a tracepoint; both ran clean when
# booted again. A lockup that berth causes comes back on the second boot
# and fails the run.
if [ -z "${BERTH_VM_ATTEMPT:-}" ]; then
	for attempt in 1 2; do
		rc=0
		BERTH_VM_ATTEMPT=$attempt bash "${BASH_SOURCE[0]}" "$@" || rc=$?
		[ "$rc" = 75 ] || exit "$rc"
		[ "$attempt" = 2 ] || echo "vm: the guest's kernel hung (soft lockup) before its result: booting it once more"
	done
	echo "vm: the guest's kernel hung (soft lockup) on both boots"
	exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

# The bats suites that exercise cgroups, checkpoint (criu works on this
# kernel, not on the host's), AppArmor (this kernel enforces it, the host's
# has none), a lifecycle sanity set, podman's and containerd's tests that
# touch cgroups (a cgroup v2 host is their usual one), and the
# tests of other suites that touch cgroups (NAME:REGEX, "." for a space);
# all of exec, whose process a v2 host's stage forks into the cgroup.
# Longest first: two workers take them in this order.
DEFAULT_SUITES="exec cgroups_resources run namespaces checkpoint update pause cgroups_basic create_start events
	mounts:cgroup security_devices delete:cgroups|pid.namespace
	kill:--all signals:kill.--all ps:paused|host.pids features:cgroup security_attrs:AppArmor
	clients/podman:memory.limit|cpu.limits|pids.limit|pause.and.unpause|inspect|AppArmor
	clients/containerd:detached.task|kill.--all|exec:.output|pause.and.resume|task.metrics|memory.limit|ctr.run.options|several.tasks"

BERTH=${BERTH:-$repo/berth}
vm_init=${BERTH_VM_INIT:-}
case $vm_init in
"") ;;
systemd)
	# The suite of the systemd cgroup driver, with systemd as init, and
	# podman's own systemd cgroup manager on it.
	DEFAULT_SUITES="systemd clients/podman:cgroup-manager.systemd"
	: "${BERTH_VM_GO_PKGS:= }"
	;;
*)
	echo "vm: BERTH_VM_INIT=$vm_init: only \"systemd\" (or empty) is known" >&2
	exit 1
	;;
esac
lsm=${BERTH_VM_LSM:-}
case $lsm in
"") ;;
selinux)
	DEFAULT_SUITES="security_attrs:SELinux"
	: "${BERTH_VM_GO_PKGS:= }"
	;;
*)
	echo "vm: BERTH_VM_LSM=$lsm: only \"selinux\" (or empty) is known" >&2
	exit 1
	;;
esac
cg_layout=${BERTH_VM_CGROUP:-v2}
case $cg_layout in
v2) ;;
hybrid)
	DEFAULT_SUITES="checkpoint clients/podman:checkpoint clients/containerd:checkpoint"
	: "${BERTH_VM_GO_PKGS:= }"
	;;
*)
	echo "vm: BERTH_VM_CGROUP=$cg_layout: only \"hybrid\" (or empty) is known" >&2
	exit 1
	;;
esac
suites=$(tr -s '[:space:]' ' ' <<<"${BERTH_VM_SUITES:-$DEFAULT_SUITES}" | sed 's/^ //; s/ $//')
go_pkgs=${BERTH_VM_GO_PKGS:-./cgroups ./cgroups/devices}
vm_timeout=${BERTH_VM_TIMEOUT:-1500}
cache=${BERTH_VM_CACHE:-$here/.cache}
smp=${BERTH_VM_SMP:-2}
mem=${BERTH_VM_MEM:-2G}
accel=${BERTH_VM_ACCEL:-tcg}
# qemu64 (x86-64 baseline): glibc then takes its SSE2 string functions,
# which TCG runs faster than the AVX2 ones it picks on -cpu max.
cpu=${BERTH_VM_CPU:-qemu64}
cg2opts=${BERTH_VM_CGROUP2_OPTS:-nsdelegate,memory_recursiveprot}
go_tags=${GO_TAGS:-netgo osusergo}
virtiofsd=/usr/lib/qemu/virtiofsd

log() { echo "vm: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root (virtiofsd and the tests need it)"
	exit 1
fi
missing=
for tool in qemu-system-x86_64 bats jq apt-get dpkg-deb unshare; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
[ -x "$virtiofsd" ] || missing="$missing $virtiofsd"
if [ -n "$missing" ]; then
	log "missing$missing (bash tests/deps.sh installs them)"
	exit 1
fi
if ! [ -x "$BERTH" ]; then
	log "runtime $BERTH is missing (make build)"
	exit 1
fi
if ! [ -x "$repo/tests/integration/bundle/rootfs/bin/busybox" ]; then
	log "no busybox bundle in tests/integration/bundle (make bundle)"
	exit 1
fi
command -v go >/dev/null || PATH=/usr/local/go/bin:$PATH

mkdir -p "$cache/bin" "$cache/logs"
t0=$(date +%s.%N)

# ---------------------------------------------------------------- artifacts

kdir=$(bash "$here/kernel.sh" "$cache")
log "kernel: $(cat "$kdir/PACKAGE")"

run=$(mktemp -d "$cache/run.XXXXXX")
vfs_pid=
cleanup() {
	if [ -n "$vfs_pid" ]; then
		kill "$vfs_pid" 2>/dev/null || true
		wait "$vfs_pid" 2>/dev/null || true
	fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash "$here/initramfs.sh" "$kdir" "$run/initrd.gz"

# The SELinux lane's policy, compiled here (the VM loads it at boot).
if [ "$lsm" = selinux ]; then
	command -v secilc >/dev/null || {
		log "secilc is missing (bash tests/deps.sh installs it)"
		exit 1
	}
	(cd "$run" && secilc -o "$run/selinux.policy" -f /dev/null "$here/selinux.cil")
fi

# The client suites' image, built here once (the VM would build it in
# its tmpfs overlay, for each suite).
case " $suites " in
*" clients/"*) bash "$repo/tests/clients/mkimage.sh" "$repo/tests/clients/image/busybox-oci.tar" ;;
esac

# Test binaries, built here (the VM has no Go): run where `go test` would.
go_tests=
for p in $go_pkgs; do
	rel=${p#./}
	bin=$cache/bin/$(tr / _ <<<"$rel").test
	(cd "$repo" && go test -c -tags "$go_tags" -o "$bin" "$p")
	go_tests="$go_tests $rel:$bin"
done

# The suites' helpers, built here into the cache build_tool reads (kept
# with the other artifacts: each lane finds those of its source version).
tool_cache=$cache/tools
(
	REPO_ROOT=$repo BERTH_TOOL_CACHE=$tool_cache
	# shellcheck source=tests/integration/build-tool.bash
	. "$repo/tests/integration/build-tool.bash"
	for tool in "$repo"/tests/cmd/*/; do
		build_tool "$(basename "$tool")"
	done
)

# The runtime under test, copied: others may rebuild ./berth during the run.
cp "$BERTH" "$run/berth"

# What guest.sh reads (the paths are the host's: the VM sees its tree).
cat >"$run/env" <<EOF
REPO=$(printf %q "$repo")
BERTH=$(printf %q "$run/berth")
GO_TESTS=$(printf %q "${go_tests# }")
BATS_SUITES=$(printf %q "$suites")
GO_TEST_TIMEOUT=${BERTH_VM_GO_TEST_TIMEOUT:-600}
BATS_SUITE_TIMEOUT=${BERTH_VM_SUITE_TIMEOUT:-600}
BATS_JOBS=${BERTH_VM_JOBS:-2}
BERTH_TEST_TIMEOUT=${BERTH_TEST_TIMEOUT:-240}
BERTH_TIMEOUT=${BERTH_TIMEOUT:-120}
BERTH_TOOL_CACHE=$(printf %q "$tool_cache")
SCRIPT=${BERTH_VM_SCRIPT:+$run/script.sh}
SYSTEMD=${vm_init:+1}
HYBRID=$([ "$cg_layout" != hybrid ] || echo 1)
EOF
# (copied: the VM has its own /tmp, where such a script often is)
[ -z "${BERTH_VM_SCRIPT:-}" ] || cp "$BERTH_VM_SCRIPT" "$run/script.sh"

# ---------------------------------------------------------------- virtiofs

# virtiofsd serves a read-only, non-recursive bind of / (plus the repo's
# own mount, if it is another one), made in a private mount namespace so
# that nothing shows on the host. Non-recursive: the host's /proc, /sys,
# /dev and other mounts are not shared; the VM mounts its own.
mkdir "$run/root"
repo_mnt=$(findmnt -n -o TARGET -T "$repo" 2>/dev/null || echo /)
cat >"$run/virtiofsd.sh" <<EOF
set -e
mount --bind / $(printf %q "$run/root")
mount -o remount,bind,ro $(printf %q "$run/root")
if [ $(printf %q "$repo_mnt") != / ]; then
	mount --bind $(printf %q "$repo_mnt") $(printf %q "$run/root$repo_mnt")
	mount -o remount,bind,ro $(printf %q "$run/root$repo_mnt")
fi
# virtiofsd keeps a pid file in /run/virtiofsd: a private tmpfs takes it
mount -t tmpfs -o mode=0755 tmpfs /run
exec $virtiofsd --socket-path=$(printf %q "$run/vfs.sock") -o source=$(printf %q "$run/root") \
	-o cache=always -o log_level=err
EOF
unshare -m --propagation private bash "$run/virtiofsd.sh" >"$run/virtiofsd.log" 2>&1 &
vfs_pid=$!
for _ in $(seq 100); do
	[ -S "$run/vfs.sock" ] && break
	kill -0 "$vfs_pid" 2>/dev/null || break
	sleep 0.05
done
if ! [ -S "$run/vfs.sock" ]; then
	log "virtiofsd did not start: $(cat "$run/virtiofsd.log")"
	exit 1
fi

# ---------------------------------------------------------------- the VM

stamp=$(date +%Y%m%d-%H%M%S)
console=$cache/logs/vm-$stamp.log
ln -sfn "vm-$stamp.log" "$cache/logs/last.log"
# Keep the ten newest logs.
ls -1t "$cache"/logs/vm-*.log 2>/dev/null | tail -n +11 | xargs -r rm -f || true

# TCG speed: no ASLR (qemu reuses translated code only at the same virtual
# addresses, so every exec of a randomized binary is translated anew), no
# page zeroing on allocation, no speculation mitigations, no per-syscall
# stack offset. Together they make an exec in the VM about 4x faster.
cmdline="console=ttyS0 quiet loglevel=3 panic=-1"
cmdline="$cmdline norandmaps init_on_alloc=0 mitigations=off randomize_kstack_offset=off"
if [ "$cg_layout" = hybrid ]; then
	cmdline="$cmdline berthvm.hybrid=1"
else
	cmdline="$cmdline cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1"
fi
# A CPU stuck in the kernel panics the guest: the panic prints the stuck
# CPU's stack whatever the loglevel, and the run ends then, not at
# BERTH_VM_TIMEOUT. (Seen once, 2026-11-26: a stage and a find in teardown
# stuck on both CPUs for 800 s, without a trace at loglevel 3.)
cmdline="$cmdline softlockup_panic=1"
cmdline="$cmdline berthvm.repo=$repo berthvm.guest=$here/guest.sh berthvm.env=$run/env berthvm.cgroup2=$cg2opts"
cmdline="$cmdline berthvm.modules=$kdir/modules"
if [ "$vm_init" = systemd ]; then
	cmdline="$cmdline berthvm.systemd=1 systemd.unit=berth-vm.service systemd.show_status=0 systemd.log_level=warning"
fi
if [ "$lsm" = selinux ]; then
	cmdline="$cmdline security=selinux berthvm.selinux=$run/selinux.policy"
fi
cmdline="$cmdline ${BERTH_VM_CMDLINE:-}"

log "booting $(basename "$kdir") ($accel, $smp CPUs, $mem); console log: $console"
t_boot=$(date +%s.%N)
set +e
# (--foreground: qemu stays in this script's process group, so that a
# caller who kills the group kills the VM too)
timeout --foreground -k 10 "$vm_timeout" qemu-system-x86_64 \
	-accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-serial stdio \
	-kernel "$kdir/vmlinuz" -initrd "$run/initrd.gz" -append "$cmdline" \
	-object "memory-backend-memfd,id=mem,size=$mem,share=on" -numa node,memdev=mem \
	-chardev "socket,id=vfs,path=$run/vfs.sock" -device vhost-user-fs-pci,chardev=vfs,tag=host \
	</dev/null 2>&1 | sed -u 's/\r$//' | tee "$console"
qemu_rc=${PIPESTATUS[0]}
set -e
t_end=$(date +%s.%N)

# ---------------------------------------------------------------- results

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo
echo "==== vm summary ($(cat "$kdir/PACKAGE" | cut -d' ' -f1-2), $accel)"
echo "build and setup: $(secs "$t0" "$t_boot")s; VM run: $(secs "$t_boot" "$t_end")s"
booted=$(sed -n 's/^BERTHVM-BOOTED uptime=//p' "$console" | tail -n 1)
[ -z "$booted" ] || echo "boot: the test script started ${booted}s after the kernel"
grep '^BERTHVM-SUITE ' "$console" | awk '{
	printf "  %-40s %-5s %6ss  %s %s %s\n", $2, ($3 == "rc=0" ? "ok" : "FAIL"), substr($4, 9), $5, $6, $7
}' || true
grep '^BERTHVM-ERROR ' "$console" || true

result=$(grep '^BERTHVM-RESULT ' "$console" | tail -n 1) || true
fail=
if [ -z "$booted" ]; then
	echo "vm: the VM did not boot to the test script (qemu exit $qemu_rc)"
	fail=1
elif [ -z "$result" ] && [ "$qemu_rc" -eq 124 ]; then
	echo "vm: no result line from the VM: it timed out after ${vm_timeout}s (BERTH_VM_TIMEOUT)"
	fail=1
elif [ -z "$result" ]; then
	echo "vm: no result line from the VM: it died (qemu exit $qemu_rc; see the console above)"
	fail=1
fi
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$result"; }
passed=$(field passed) failed=$(field failed) skipped=$(field skipped)
# A run without results counts as one failure, whatever passed before.
if [ -z "$result" ]; then
	failed=$(($(grep -c '^not ok ' "$console" || true) + 1))
	passed=$(grep -c '^ok ' "$console" || true)
fi
[ -n "$result" ] && [ "$(field rc)" = 0 ] && [ "${failed:-1}" = 0 ] || fail=1
echo "vm: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ -z "$result" ] && grep -q 'watchdog: BUG: soft lockup' "$console"; then
	exit 75
fi
[ -z "$fail" ]
exit
}
