# shellcheck shell=bash
# podman (Debian's 4.3, with conmon) on the runtime under test, for
# podman.bats. Everything podman keeps is under SUITE_DIR: storage (overlay),
# run root, tmpdir, volumes, events (file backend), network configs, locks
# (file locks); its configs are private (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF); cgroups are cgroupfs
# ones under /PM_CGROUP_PARENT (every `run`/`create` gets --cgroup-parent);
# containers have no network unless a test asks (netns = "none"), so CNI and
# the host's firewall are never touched.
#
# podman runs the runtime as `--runtime PM_RUNTIME`, where PM_RUNTIME is a
# two-line script named like the runtime (berth or runc) that execs it with
# `--root RUNTIME_ROOT` (a private state root) and the arguments podman and
# conmon gave, which it also appends to SUITE_DIR/runtime-calls.log. A
# wrapper because podman has no setting for the runtime's --root that its
# cleanup process (`podman container cleanup`, run by conmon) also passes:
# `--runtime-flag root=...` is lost there, and each `delete` would go to the
# default root. The name matters: podman asks runtimes named in
# runtime_supports_json (runc, crun, and berth here) for JSON errors in a log
# file (--log-format=json --log FILE), and shows their message.
#
# podman as root asks for RLIMIT_NOFILE/NPROC 1048576 by default, more than
# this host allows without CAP_SYS_RESOURCE: default_ulimits says less.

load helpers

# The capabilities podman gives by default (set in the private config).
PM_DEFAULT_CAPS=(CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT)

# pm_start: the private configs, the runtime wrapper, and IMAGE loaded.
pm_start() {
	suite_init pm
	export PM_CGROUP_PARENT=$SUITE_TAG
	export PM_RUNTIME=$SUITE_DIR/podman-runtime/$RUNTIME_NAME
	mkdir -p "$SUITE_DIR/podman-runtime" "$SUITE_DIR/tmpdir" "$SUITE_DIR/net" "$SUITE_DIR/cwd"
	cd "$SUITE_DIR/cwd"
	cat >"$PM_RUNTIME" <<EOF
#!/bin/sh
echo "\$*" >>"$SUITE_DIR/runtime-calls.log"
exec "$RUNTIME" --root "$RUNTIME_ROOT" "\$@"
EOF
	chmod 0755 "$PM_RUNTIME"

	local caps
	caps=$(printf '"%s", ' "${PM_DEFAULT_CAPS[@]}")
	export CONTAINERS_CONF=$SUITE_DIR/containers.conf
	cat >"$CONTAINERS_CONF" <<EOF
[containers]
netns = "none"
default_capabilities = [${caps%, }]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"
init_path = "/usr/bin/catatonit"
pids_limit = 2048

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$SUITE_DIR/events.log"
lock_type = "file"
tmp_dir = "$SUITE_DIR/libpod"
volume_path = "$SUITE_DIR/volumes"
runtime_supports_json = ["crun", "runc", "berth"]

[network]
network_config_dir = "$SUITE_DIR/net"
EOF
	export CONTAINERS_STORAGE_CONF=$SUITE_DIR/storage.conf
	cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$SUITE_DIR/storage"
runroot = "$SUITE_DIR/runroot"
EOF
	export CONTAINERS_REGISTRIES_CONF=$SUITE_DIR/registries.conf
	echo 'unqualified-search-registries = []' >"$CONTAINERS_REGISTRIES_CONF"
	export TMPDIR=$SUITE_DIR/tmpdir
	pm_argv

	# containers/image keeps a blob-info cache in /var/lib/containers/cache
	# for root, whatever the storage root: note what was there.
	[ -e /var/lib/containers ] || : >"$SUITE_DIR/made-var-lib-containers"
	[ -e /var/lib/containers/cache/blob-info-cache-v1.boltdb ] || : >"$SUITE_DIR/made-blob-info-cache"

	pm load -i "$IMAGE_TAR" >&2
}

# pm_stop: remove every container, volume and image, unmount, clean.
pm_stop() {
	[ -n "${SUITE_DIR:-}" ] || return 0
	cd /
	if [ -n "${CONTAINERS_CONF:-}" ]; then
		pm_remove_all
		pm rmi -af >/dev/null 2>&1 || true
	fi
	local p
	for p in $(conmon_pids); do kill -KILL "$p" 2>/dev/null || true; done
	remove_cgroups "$PM_CGROUP_PARENT"
	if [ -e "$SUITE_DIR/made-blob-info-cache" ]; then
		rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
		rmdir /var/lib/containers/cache 2>/dev/null || true
	fi
	if [ -e "$SUITE_DIR/made-var-lib-containers" ]; then
		rmdir /var/lib/containers 2>/dev/null || true
	fi
	suite_remove_dir
}

# pm ARGS...: podman with the private storage, configs and runtime; `run`
# and `create` get the suite's cgroup parent.
pm() {
	local verb=$1
	shift
	case $verb in
	run | create) set -- "$verb" --cgroup-parent "/$PM_CGROUP_PARENT" "$@" ;;
	*) set -- "$verb" "$@" ;;
	esac
	timeout -k 5 "$CLIENT_TIMEOUT" "${PODMAN[@]}" "$@" 3>&-
}

# pm_argv: set PODMAN, the podman command line pm uses (an array, for in_pty).
pm_argv() {
	PODMAN=(podman --root "$SUITE_DIR/storage" --runroot "$SUITE_DIR/runroot"
		--storage-driver overlay --cgroup-manager cgroupfs --events-backend file
		--tmpdir "$SUITE_DIR/libpod" --runtime "$PM_RUNTIME")
}

# pm_run_d NAME [OPTIONS] IMAGE CMD...: `podman run -d --name NAME ...`;
# waits until it runs.
pm_run_d() {
	local name=$1
	shift
	pm run -d --name "$name" "$@" >/dev/null || {
		fail "podman run -d $name failed"
		return 1
	}
	wait_until 30 pm_is "$name" running
}

# pm_field NAME GOTEMPLATE: one field of `podman inspect`.
pm_field() {
	pm inspect -f "$2" "$1"
}

# pm_is NAME STATUS: State.Status is STATUS (for wait_until).
pm_is() {
	local st
	st=$(pm_field "$1" '{{.State.Status}}')
	[ "$st" = "$2" ] || {
		echo "container $1 is '$st', want $2"
		return 1
	}
}

# pm_pid NAME: the host pid of the container's init.
pm_pid() {
	pm_field "$1" '{{.State.Pid}}'
}

# runtime_state ID: the runtime's own `state` of a podman container.
runtime_state() {
	"$RUNTIME" --root "$RUNTIME_ROOT" state "$1"
}

# conmon_pids: the conmons of this suite (their args name its dirs).
conmon_pids() {
	pgrep -f -- "^[^ ]*conmon .*$SUITE_DIR/" 2>/dev/null || true
}

# pm_remove_all: remove every container and volume of the private storage.
pm_remove_all() {
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm volume rm -af >/dev/null 2>&1 || true
	return 0
}

# pm_leaks: one line per thing left by removed containers.
pm_leaks() {
	local d
	for d in $(pm ps -aq 2>/dev/null); do echo "container: $d"; done
	for d in $(runtime_state_dirs); do echo "runtime state: $d"; done
	for d in $(conmon_pids); do echo "conmon: $d $(tr '\0' ' ' <"/proc/$d/cmdline" 2>/dev/null)"; done
	# The storage's own private mount of its overlay dir stays.
	suite_mounts | grep -vx "$SUITE_DIR/storage/overlay" | sed 's/^/mount: /'
	# Cgroups of containers (libpod-ID); conmon's stays until the end.
	cgroup_children "$PM_CGROUP_PARENT" | grep -v '/conmon$' | sed 's/^/cgroup: /'
	pgrep -f -- "^slirp4netns .*" 2>/dev/null | while read -r d; do
		grep -qF "$SUITE_DIR" "/proc/$d/environ" 2>/dev/null && echo "slirp4netns: $d"
	done
	host_leaks
}

pm_no_leaks() {
	local deadline=$((SECONDS + 30)) l
	while :; do
		l=$(pm_leaks)
		[ -z "$l" ] && return 0
		((SECONDS >= deadline)) && break
		sleep 0.2
	done
	fail "left behind: $l"
}

# Per test: remove what the test left, prove that nothing is left.
pm_test_teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		echo "# last runtime calls:" >&2
		tail -8 "$SUITE_DIR/runtime-calls.log" 2>/dev/null | cut -c1-300 | sed 's/^/#   /' >&2
	fi
	pm_remove_all
	pm_no_leaks
}
