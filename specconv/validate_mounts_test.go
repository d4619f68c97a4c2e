package specconv

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func addMount(s *specs.Spec, m specs.Mount) { s.Mounts = append(s.Mounts, m) }

// Example() has 7 mounts, so an added one is mounts[7].
func TestValidateMounts(t *testing.T) {
	runValidateCases(t, []vcase{
		{name: "empty destination", path: "mounts[3].destination", msg: "must not be empty", mutate: func(s *specs.Spec, _ string) {
			s.Mounts[3].Destination = ""
		}},
		{name: "relative destination", path: "mounts[3].destination", msg: "must be an absolute path", mutate: func(s *specs.Spec, _ string) {
			s.Mounts[3].Destination = "dev/shm"
		}},
		{name: "unknown type", path: "mounts[4].type", msg: `unknown mount type "foo"`, mutate: func(s *specs.Spec, _ string) {
			s.Mounts[4].Type = "foo"
		}},
		{name: "type from /proc/filesystems", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Mounts[4].Type = "ramfs"
		}},
		{name: "fuse subtype", path: ok, mutate: func(s *specs.Spec, _ string) {
			addMount(s, specs.Mount{Destination: "/mnt", Type: "fuse.sshfs", Source: "host:/x"})
		}},
		{name: "bind by type", path: ok, mutate: func(s *specs.Spec, b string) {
			addMount(s, specs.Mount{Destination: "/mnt", Type: "bind", Source: b, Options: []string{"ro", "rprivate"}})
		}},
		{name: "bind by option, odd type ignored", path: ok, mutate: func(s *specs.Spec, b string) {
			addMount(s, specs.Mount{Destination: "/mnt", Type: "whatever", Source: b, Options: []string{"rbind", "nosuid", "rro"}})
		}},
		{name: "bind without source", path: "mounts[7].source", msg: "needs a source", mutate: func(s *specs.Spec, _ string) {
			addMount(s, specs.Mount{Destination: "/mnt", Type: "none", Options: []string{"rbind"}})
		}},
		{name: "bind with fs option", path: "mounts[7].options[1]", msg: `"size=1k"`, mutate: func(s *specs.Spec, b string) {
			addMount(s, specs.Mount{Destination: "/mnt", Type: "bind", Source: b, Options: []string{"bind", "size=1k"}})
		}},
		{name: "bind with misspelled propagation", path: "mounts[7].options[1]", mutate: func(s *specs.Spec, b string) {
			addMount(s, specs.Mount{Destination: "/mnt", Source: b, Options: []string{"rbind", "rslav"}})
		}},
		{name: "idmap ok", path: ok, mutate: func(s *specs.Spec, b string) {
			m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			addMount(s, specs.Mount{Destination: "/mnt", Type: "bind", Source: b, UIDMappings: m, GIDMappings: m})
		}},
		{name: "idmap not bind", path: "mounts[7]", msg: "only supported for bind-mounts", mutate: func(s *specs.Spec, _ string) {
			m := []specs.LinuxIDMapping{{Size: 1}}
			addMount(s, specs.Mount{Destination: "/mnt", Type: "tmpfs", Source: "tmpfs", UIDMappings: m, GIDMappings: m})
		}},
		{name: "idmap one map", path: "mounts[7]", msg: "both uid and gid", mutate: func(s *specs.Spec, b string) {
			addMount(s, specs.Mount{Destination: "/mnt", Type: "bind", Source: b, UIDMappings: []specs.LinuxIDMapping{{Size: 1}}})
		}},
		{name: "idmap option without userns", path: "mounts[7]", msg: "needs a user namespace", mutate: func(s *specs.Spec, b string) {
			addMount(s, specs.Mount{Destination: "/mnt", Type: "bind", Source: b, Options: []string{"idmap"}})
		}},
		{name: "idmap option with userns", path: ok, mutate: func(s *specs.Spec, b string) {
			addUserNS(s)
			addMount(s, specs.Mount{Destination: "/mnt", Type: "bind", Source: b, Options: []string{"ridmap"}})
		}},
		{name: "rootfs propagation ok", path: ok, mutate: func(s *specs.Spec, _ string) { s.Linux.RootfsPropagation = "rslave" }},
		{name: "rootfs propagation unknown", path: "linux.rootfsPropagation", mutate: func(s *specs.Spec, _ string) {
			s.Linux.RootfsPropagation = "rsharedd"
		}},
		{name: "rootfs propagation private without pivot", path: "linux.rootfsPropagation", opts: ValidateOptions{NoPivotRoot: true},
			msg: "not safe without pivot_root", mutate: func(s *specs.Spec, _ string) { s.Linux.RootfsPropagation = "rprivate" }},
		{name: "masked path relative", path: "linux.maskedPaths[1]", mutate: func(s *specs.Spec, _ string) {
			s.Linux.MaskedPaths[1] = "proc/asound"
		}},
		{name: "readonly path relative", path: "linux.readonlyPaths[4]", mutate: func(s *specs.Spec, _ string) {
			s.Linux.ReadonlyPaths[4] = "sysrq-trigger"
		}},
		{name: "masked paths without mount ns", path: "linux.maskedPaths", msg: "without a private MNT namespace", mutate: func(s *specs.Spec, _ string) {
			dropNS(s, specs.MountNamespace)
		}},
		{name: "no masked paths, no mount ns", path: ok, mutate: func(s *specs.Spec, _ string) {
			dropNS(s, specs.MountNamespace)
			s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = nil, nil
		}},
	})
}

func TestValidateLinux(t *testing.T) {
	dev := func(s *specs.Spec, d specs.LinuxDevice) { s.Linux.Devices = append(s.Linux.Devices, d) }
	runValidateCases(t, []vcase{
		{name: "devices ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			dev(s, specs.LinuxDevice{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229})
			dev(s, specs.LinuxDevice{Path: "/dev/net/tun", Type: "u", Major: 10, Minor: 200})
			dev(s, specs.LinuxDevice{Path: "/dev/fifo", Type: "p"})
		}},
		{name: "device type", path: "linux.devices[0].type", mutate: func(s *specs.Spec, _ string) {
			dev(s, specs.LinuxDevice{Path: "/dev/x", Type: "x"})
		}},
		{name: "device path relative", path: "linux.devices[0].path", msg: "absolute", mutate: func(s *specs.Spec, _ string) {
			dev(s, specs.LinuxDevice{Path: "dev/x", Type: "c", Major: 1, Minor: 3})
		}},
		{name: "device outside /dev", path: "linux.devices[0].path", msg: "not under /dev", mutate: func(s *specs.Spec, _ string) {
			dev(s, specs.LinuxDevice{Path: "/dev/../etc/shadow", Type: "c", Major: 1, Minor: 3})
		}},
		{name: "device duplicate", path: "linux.devices[1].path", msg: "duplicate", mutate: func(s *specs.Spec, _ string) {
			dev(s, specs.LinuxDevice{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229})
			dev(s, specs.LinuxDevice{Path: "/dev//fuse", Type: "c", Major: 10, Minor: 229})
		}},
		{name: "device major", path: "linux.devices[0].major", mutate: func(s *specs.Spec, _ string) {
			dev(s, specs.LinuxDevice{Path: "/dev/x", Type: "b", Major: -1})
		}},
		{name: "device minor", path: "linux.devices[0].minor", mutate: func(s *specs.Spec, _ string) {
			dev(s, specs.LinuxDevice{Path: "/dev/x", Type: "c", Major: 1, Minor: 1 << 20})
		}},
		{name: "hook ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			to := 5
			s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/bin/true", Timeout: &to}}}
		}},
		{name: "hook relative", path: "hooks.prestart[0].path", msg: "absolute", mutate: func(s *specs.Spec, _ string) {
			s.Hooks = &specs.Hooks{Prestart: []specs.Hook{{Path: "true"}}} //nolint:staticcheck
		}},
		{name: "hook empty path", path: "hooks.startContainer[1].path", mutate: func(s *specs.Spec, _ string) {
			s.Hooks = &specs.Hooks{StartContainer: []specs.Hook{{Path: "/a"}, {}}}
		}},
		{name: "hook timeout", path: "hooks.poststop[0].timeout", msg: "greater than zero", mutate: func(s *specs.Spec, _ string) {
			to := 0
			s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/true", Timeout: &to}}}
		}},
		{name: "cgroupfs path", path: ok, mutate: func(s *specs.Spec, _ string) { s.Linux.CgroupsPath = "/berth/a/../b" }},
		{name: "cgroupfs relative path", path: ok, mutate: func(s *specs.Spec, _ string) { s.Linux.CgroupsPath = "berth/x" }},
		{name: "cgroupfs escape", path: "linux.cgroupsPath", msg: "escapes", mutate: func(s *specs.Spec, _ string) {
			s.Linux.CgroupsPath = "a/../../x"
		}},
		{name: "systemd ok", path: ok, opts: ValidateOptions{Systemd: true}, mutate: func(s *specs.Spec, _ string) {
			s.Linux.CgroupsPath = "system.slice:berth:abc"
		}},
		{name: "systemd empty slice", path: ok, opts: ValidateOptions{Systemd: true}, mutate: func(s *specs.Spec, _ string) {
			s.Linux.CgroupsPath = ":berth:abc"
		}},
		{name: "systemd format", path: "linux.cgroupsPath", msg: `"slice:prefix:name"`, opts: ValidateOptions{Systemd: true},
			mutate: func(s *specs.Spec, _ string) { s.Linux.CgroupsPath = "/berth/abc" }},
		{name: "systemd slice", path: "linux.cgroupsPath", msg: "invalid slice", opts: ValidateOptions{Systemd: true},
			mutate: func(s *specs.Spec, _ string) { s.Linux.CgroupsPath = "system:berth:abc" }},
		{name: "personality ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux32}
		}},
		{name: "personality domain", path: "linux.personality.domain", mutate: func(s *specs.Spec, _ string) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: "LINUX64"}
		}},
		{name: "intel rdt", path: "linux.intelRdt.closID", mutate: func(s *specs.Spec, _ string) {
			s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "../x"}
		}},
		{name: "memory policy ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0-1"}
		}},
		{name: "memory policy mode", path: "linux.memoryPolicy.mode", mutate: func(s *specs.Spec, _ string) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_X"}
		}},
	})
}

func TestValidateSysctl(t *testing.T) {
	set := func(kv ...string) func(*specs.Spec, string) {
		return func(s *specs.Spec, _ string) {
			s.Linux.Sysctl = map[string]string{}
			for i := 0; i < len(kv); i += 2 {
				s.Linux.Sysctl[kv[i]] = kv[i+1]
			}
		}
	}
	with := func(f func(*specs.Spec, string), g func(*specs.Spec)) func(*specs.Spec, string) {
		return func(s *specs.Spec, b string) { f(s, b); g(s) }
	}
	const p = "linux.sysctl"
	runValidateCases(t, []vcase{
		{name: "namespaced ok", path: ok, mutate: set("kernel.shmmax", "1", "fs.mqueue.msg_max", "2",
			"net.ipv4.ip_forward", "1", "net/ipv4/conf/eth0.100/rp_filter", "0", "kernel.domainname", "x")},
		{name: "not namespaced", path: p, msg: `"vm.swappiness" is not in a separate kernel namespace`, mutate: set("vm.swappiness", "1")},
		{name: "ipc without ipcns", path: p, msg: "ipc namespace", mutate: with(set("kernel.sem", "1"), func(s *specs.Spec) {
			dropNS(s, specs.IPCNamespace)
		})},
		{name: "net without netns", path: p, msg: "network namespace", mutate: with(set("net.core.somaxconn", "1"), func(s *specs.Spec) {
			dropNS(s, specs.NetworkNamespace)
		})},
		{name: "net in joined host netns", path: p, msg: "host's network namespace", mutate: with(set("net.core.somaxconn", "1"), func(s *specs.Spec) {
			s.Linux.Namespaces[1].Path = "/proc/self/ns/net"
		})},
		{name: "net in missing netns", path: "linux.namespaces[1].path", msg: "cannot stat", mutate: with(set("net.core.somaxconn", "1"), func(s *specs.Spec) {
			s.Linux.Namespaces[1].Path = "/nonexistent/netns"
		})},
		{name: "hostname sysctl", path: p, msg: "conflicts", mutate: set("kernel.hostname", "x")},
		{name: "domainname without uts", path: p, mutate: with(set("kernel.domainname", "x"), func(s *specs.Spec) {
			dropNS(s, specs.UTSNamespace)
			s.Hostname = ""
		})},
		{name: "user without userns", path: p, mutate: set("user.max_user_namespaces", "0")},
		{name: "user with userns", path: ok, mutate: with(set("user.max_user_namespaces", "0"), addUserNS)},
		{name: "path escape", path: p, msg: "invalid key", mutate: set("net/../../../etc/passwd", "x")},
		{name: "empty component", path: p, msg: "invalid key", mutate: set("net..ipv4", "x")},
		{name: "first in key order", path: p, msg: `"a.b"`, mutate: set("z.z", "1", "a.b", "1", "m.m", "1")},
	})
}

func TestValidateResources(t *testing.T) {
	res := func(f func(r *specs.LinuxResources)) func(*specs.Spec, string) {
		return func(s *specs.Spec, _ string) { f(s.Linux.Resources) }
	}
	const p = "linux.resources"
	runValidateCases(t, []vcase{
		{name: "ok", path: ok, mutate: res(func(r *specs.LinuxResources) {
			w, sw := uint16(500), uint64(60)
			r.Devices = append(r.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: i64(1), Minor: i64(-1), Access: "rw"})
			r.Memory = &specs.LinuxMemory{Limit: i64(1 << 30), Swap: i64(-1), Swappiness: &sw}
			r.CPU = &specs.LinuxCPU{Quota: i64(-1), Cpus: "0-1", Mems: "0", Idle: i64(1)}
			r.Pids = &specs.LinuxPids{Limit: i64(0)}
			r.BlockIO = &specs.LinuxBlockIO{Weight: &w}
			r.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1 << 21}}
			r.Unified = map[string]string{"memory.high": "max"}
		})},
		{name: "device type", path: p + ".devices[1].type", mutate: res(func(r *specs.LinuxResources) {
			r.Devices = append(r.Devices, specs.LinuxDeviceCgroup{Type: "u", Access: "r"})
		})},
		{name: "device access empty", path: p + ".devices[0].access", mutate: res(func(r *specs.LinuxResources) {
			r.Devices[0].Access = ""
		})},
		{name: "device access bad", path: p + ".devices[0].access", mutate: res(func(r *specs.LinuxResources) {
			r.Devices[0].Access = "rwx"
		})},
		{name: "device major", path: p + ".devices[0].major", mutate: res(func(r *specs.LinuxResources) {
			r.Devices[0].Major = i64(-2)
		})},
		{name: "memory limit", path: p + ".memory.limit", mutate: res(func(r *specs.LinuxResources) {
			r.Memory = &specs.LinuxMemory{Limit: i64(-2)}
		})},
		{name: "swappiness", path: p + ".memory.swappiness", mutate: res(func(r *specs.LinuxResources) {
			sw := uint64(101)
			r.Memory = &specs.LinuxMemory{Swappiness: &sw}
		})},
		{name: "cpu quota", path: p + ".cpu.quota", mutate: res(func(r *specs.LinuxResources) {
			r.CPU = &specs.LinuxCPU{Quota: i64(-5)}
		})},
		{name: "cpu idle", path: p + ".cpu.idle", mutate: res(func(r *specs.LinuxResources) {
			r.CPU = &specs.LinuxCPU{Idle: i64(2)}
		})},
		{name: "cpus", path: p + ".cpu.cpus", mutate: res(func(r *specs.LinuxResources) {
			r.CPU = &specs.LinuxCPU{Cpus: "a-b"}
		})},
		{name: "blkio weight", path: p + ".blockIO.weightDevice[0].weight", mutate: res(func(r *specs.LinuxResources) {
			w := uint16(5)
			r.BlockIO = &specs.LinuxBlockIO{WeightDevice: []specs.LinuxWeightDevice{{Weight: &w}}}
		})},
		{name: "hugepage size", path: p + ".hugepageLimits[0].pageSize", mutate: res(func(r *specs.LinuxResources) {
			r.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2M"}}
		})},
		{name: "unified escape", path: p + `.unified["../../cgroup.procs"]`, mutate: res(func(r *specs.LinuxResources) {
			r.Unified = map[string]string{"../../cgroup.procs": "1"}
		})},
		{name: "unified no controller", path: p + ".unified.max", mutate: res(func(r *specs.LinuxResources) {
			r.Unified = map[string]string{"max": "1"}
		})},
	})
}

func TestValidateSeccomp(t *testing.T) {
	sc := func(f func(*specs.LinuxSeccomp)) func(*specs.Spec, string) {
		return func(s *specs.Spec, _ string) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{
				DefaultAction: specs.ActErrno,
				Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86},
				Flags:         []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagSpecAllow},
				Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "write"}, Action: specs.ActAllow},
					{Names: []string{"personality"}, Action: specs.ActAllow,
						Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}}},
			}
			f(s.Linux.Seccomp)
		}
	}
	const p = "linux.seccomp"
	runValidateCases(t, []vcase{
		{name: "ok", path: ok, mutate: sc(func(*specs.LinuxSeccomp) {})},
		{name: "empty means none", path: ok, mutate: func(s *specs.Spec, _ string) { s.Linux.Seccomp = &specs.LinuxSeccomp{} }},
		{name: "no default", path: p + ".defaultAction", mutate: sc(func(c *specs.LinuxSeccomp) { c.DefaultAction = "" })},
		{name: "unknown default", path: p + ".defaultAction", mutate: sc(func(c *specs.LinuxSeccomp) { c.DefaultAction = "SCMP_ACT_X" })},
		{name: "notify default", path: p + ".defaultAction", msg: "SCMP_ACT_NOTIFY", mutate: sc(func(c *specs.LinuxSeccomp) {
			c.DefaultAction = specs.ActNotify
		})},
		{name: "arch", path: p + ".architectures[1]", mutate: sc(func(c *specs.LinuxSeccomp) { c.Architectures[1] = "SCMP_ARCH_Z80" })},
		{name: "flag", path: p + ".flags[0]", mutate: sc(func(c *specs.LinuxSeccomp) { c.Flags[0] = "SECCOMP_FILTER_FLAG_X" })},
		{name: "action", path: p + ".syscalls[1].action", mutate: sc(func(c *specs.LinuxSeccomp) { c.Syscalls[1].Action = "X" })},
		{name: "no names", path: p + ".syscalls[0].names", mutate: sc(func(c *specs.LinuxSeccomp) { c.Syscalls[0].Names = nil })},
		{name: "notify write", path: p + ".syscalls[0].names[1]", mutate: sc(func(c *specs.LinuxSeccomp) {
			c.Syscalls[0].Action = specs.ActNotify
		})},
		{name: "arg index", path: p + ".syscalls[1].args[0].index", mutate: sc(func(c *specs.LinuxSeccomp) { c.Syscalls[1].Args[0].Index = 6 })},
		{name: "arg op", path: p + ".syscalls[1].args[0].op", mutate: sc(func(c *specs.LinuxSeccomp) { c.Syscalls[1].Args[0].Op = "SCMP_CMP_X" })},
	})
}

func TestValidateRootless(t *testing.T) {
	rootless := ValidateOptions{Rootless: true}
	runValidateCases(t, []vcase{
		{name: "converted spec", path: ok, opts: rootless, mutate: func(s *specs.Spec, _ string) { ToRootless(s) }},
		{name: "no userns", path: "linux.namespaces", msg: "requires user namespaces", opts: rootless},
		{name: "joined userns", path: ok, opts: rootless, mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.UserNamespace, "/proc/self/ns/user")
		}},
		{name: "unmapped gid option", path: "mounts[2].options[5]", msg: "gid=5", opts: rootless, mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.UserNamespace, "")
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}
		}},
		{name: "idmap mount", path: "mounts[7]", msg: "rootless", opts: rootless, mutate: func(s *specs.Spec, b string) {
			ToRootless(s)
			addMount(s, specs.Mount{Destination: "/mnt", Type: "bind", Source: b, Options: []string{"idmap"}})
		}},
	})
}
