package specconv

import (
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The tables below are functions or switches, not package variables, so
// that nothing is built at package init and nothing can be mutated.

// KnownNamespaces returns the namespace types berth accepts in
// linux.namespaces, sorted.
func KnownNamespaces() []string {
	return []string{"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}
}

func knownNamespace(t specs.LinuxNamespaceType) bool {
	switch t {
	case specs.PIDNamespace, specs.NetworkNamespace, specs.MountNamespace, specs.IPCNamespace,
		specs.UTSNamespace, specs.UserNamespace, specs.CgroupNamespace, specs.TimeNamespace:
		return true
	}
	return false
}

// KnownCapabilities returns the capability names ("CAP_CHOWN", ...) that
// berth accepts in process.capabilities: every capability known to
// github.com/moby/sys/capability, whether or not the running kernel has it.
func KnownCapabilities() []string {
	caps := capability.ListKnown()
	names := make([]string, len(caps))
	for i, c := range caps {
		names[i] = "CAP_" + strings.ToUpper(c.String())
	}
	return names
}

func knownRlimit(t string) bool {
	switch t {
	case "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE",
		"RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
		"RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_RTPRIO",
		"RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK":
		return true
	}
	return false
}

func knownSchedPolicy(p specs.LinuxSchedulerPolicy) bool {
	switch p {
	case specs.SchedOther, specs.SchedFIFO, specs.SchedRR, specs.SchedBatch,
		specs.SchedISO, specs.SchedIdle, specs.SchedDeadline:
		return true
	}
	return false
}

func knownSchedFlag(f specs.LinuxSchedulerFlag) bool {
	switch f {
	case specs.SchedFlagResetOnFork, specs.SchedFlagReclaim, specs.SchedFlagDLOverrun,
		specs.SchedFlagKeepPolicy, specs.SchedFlagKeepParams,
		specs.SchedFlagUtilClampMin, specs.SchedFlagUtilClampMax:
		return true
	}
	return false
}

// knownMountType reports the mount types that need no look-up in
// /proc/filesystems. "" and "none" are allowed for bind mounts given by
// options (and are otherwise left to the kernel).
func knownMountType(t string) bool {
	switch t {
	case "", "none", "bind", "proc", "sysfs", "tmpfs", "devpts", "mqueue",
		"cgroup", "cgroup2", "overlay":
		return true
	}
	return false
}

// propagationOption reports whether o is a mount propagation option.
func propagationOption(o string) bool {
	switch o {
	case "private", "rprivate", "shared", "rshared", "slave", "rslave",
		"unbindable", "runbindable":
		return true
	}
	return false
}

// knownMountOption reports whether o is a VFS mount option, a propagation
// option, a recursive mount attribute or a runtime extension, i.e. anything
// that is not passed to the file system as data. A bind mount may carry
// only these (runc >= 1.2 refuses file-system options on bind mounts).
func knownMountOption(o string) bool {
	switch o {
	case "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime",
		"noexec", "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime",
		"nosuid", "nosymfollow", "rbind", "relatime", "remount", "ro", "rw", "silent",
		"strictatime", "suid", "sync", "symfollow",
		// recursive attributes (mount_setattr)
		"rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
		"rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime",
		"rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow",
		// extensions
		"tmpcopyup", "idmap", "ridmap":
		return true
	}
	return propagationOption(o)
}

// KnownMountOptions returns the mount options berth interprets itself
// (everything else is file-system data), sorted, for `berth features`.
func KnownMountOptions() []string {
	return []string{
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"idmap", "iversion", "lazytime", "loud", "mand", "noatime", "nodev",
		"nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
		"nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind",
		"rdev", "rdiratime", "relatime", "remount", "rexec", "ridmap", "rnoatime",
		"rnodev", "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime",
		"rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw",
		"rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable",
		"rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
		"tmpcopyup", "unbindable",
	}
}

func knownSeccompAction(a specs.LinuxSeccompAction) bool {
	switch a {
	case specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
		specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify:
		return true
	}
	return false
}

func knownSeccompOp(o specs.LinuxSeccompOperator) bool {
	switch o {
	case specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
		specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual:
		return true
	}
	return false
}

func knownSeccompFlag(f specs.LinuxSeccompFlag) bool {
	switch f {
	case specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow,
		specs.LinuxSeccompFlagWaitKillableRecv,
		"SECCOMP_FILTER_FLAG_TSYNC": // in the spec's list, not in its Go constants
		return true
	}
	return false
}

func knownSeccompArch(a specs.Arch) bool {
	switch a {
	case specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
		specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL,
		specs.ArchMIPSEL64, specs.ArchMIPSEL64N32, specs.ArchPPC, specs.ArchPPC64,
		specs.ArchPPC64LE, specs.ArchS390, specs.ArchS390X, specs.ArchPARISC,
		specs.ArchPARISC64, specs.ArchRISCV64, specs.ArchLOONGARCH64, specs.ArchM68K,
		specs.ArchSH, specs.ArchSHEB:
		return true
	}
	return false
}
