package specconv

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Example returns the default spec that `berth spec` writes: the one
// current runc (1.2 to 1.5) writes for `runc spec`, with hostname "berth".
// It runs `sh` as root on a read-only "rootfs" with a terminal, keeps only
// CAP_AUDIT_WRITE, CAP_KILL and CAP_NET_BIND_SERVICE (never inheritable or
// ambient), sets no_new_privs and RLIMIT_NOFILE 1024, denies all devices,
// creates new pid, network, ipc, uts, mount and cgroup namespaces, and
// masks and read-only-mounts the /proc and /sys paths runc does. Each call
// returns a fresh value the caller may modify.
//
// Differences from the output of the installed runc 1.1.5 (Debian 12):
//   - ociVersion is specs.Version (1.3.0) instead of "1.0.2-dev";
//   - runc 1.1.5 also sets capabilities.ambient to the three capabilities;
//     runc >= 1.2 and berth leave ambient (and inheritable) empty;
//   - hostname is "berth" instead of "runc";
//   - runc adds the cgroup namespace only on a cgroup v2 (unified) host;
//     berth always adds it, so the output does not depend on the host;
//   - maskedPaths ends with /sys/devices/virtual/powercap (CVE-2020-8694,
//     masked by moby, containerd, CRI-O and Kubernetes' defaults), which
//     runc's example does not list; the other ten paths are runc's, in
//     runc's order.
func Example() *specs.Spec {
	caps := func() []string {
		return []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	}
	return &specs.Spec{
		Version: specs.Version,
		Root: &specs.Root{
			Path:     "rootfs",
			Readonly: true,
		},
		Process: &specs.Process{
			Terminal: true,
			User:     specs.User{UID: 0, GID: 0},
			Args:     []string{"sh"},
			Env: []string{
				"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"TERM=xterm",
			},
			Cwd:             "/",
			NoNewPrivileges: true,
			Capabilities: &specs.LinuxCapabilities{
				Bounding:  caps(),
				Effective: caps(),
				Permitted: caps(),
			},
			Rlimits: []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}},
		},
		Hostname: "berth",
		Mounts:   defaultMounts(),
		Linux: &specs.Linux{
			MaskedPaths:   defaultMaskedPaths(),
			ReadonlyPaths: defaultReadonlyPaths(),
			Resources: &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			},
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace},
				{Type: specs.NetworkNamespace},
				{Type: specs.IPCNamespace},
				{Type: specs.UTSNamespace},
				{Type: specs.MountNamespace},
				{Type: specs.CgroupNamespace},
			},
		},
	}
}

func defaultMounts() []specs.Mount {
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts",
			Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm",
			Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue",
			Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs",
			Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
			Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
	}
}

// defaultMaskedPaths is runc's list (libcontainer/specconv/example.go), in
// runc's order, plus /sys/devices/virtual/powercap.
func defaultMaskedPaths() []string {
	return []string{
		"/proc/acpi",
		"/proc/asound",
		"/proc/kcore",
		"/proc/keys",
		"/proc/latency_stats",
		"/proc/timer_list",
		"/proc/timer_stats",
		"/proc/sched_debug",
		"/sys/firmware",
		"/proc/scsi",
		"/sys/devices/virtual/powercap",
	}
}

func defaultReadonlyPaths() []string {
	return []string{
		"/proc/bus",
		"/proc/fs",
		"/proc/irq",
		"/proc/sys",
		"/proc/sysrq-trigger",
	}
}
