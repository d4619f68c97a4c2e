package specconv

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// vcase is one Validate case: mutate Example() and expect either success
// (path "-") or a *ConfigError with exactly this Path and a message
// containing msg.
type vcase struct {
	name   string
	opts   ValidateOptions
	mutate func(s *specs.Spec, bundle string)
	path   string
	msg    string
}

const ok = "-"

func runValidateCases(t *testing.T, cases []vcase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bundle := newBundle(t)
			s := Example()
			if tc.mutate != nil {
				tc.mutate(s, bundle)
			}
			err := Validate(s, bundle, tc.opts)
			if tc.path == ok {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate = %v (%T), want a *ConfigError at %q", err, err, tc.path)
			}
			if ce.Path != tc.path {
				t.Fatalf("error path = %q, want %q (error: %v)", ce.Path, tc.path, err)
			}
			prefix := tc.path + ": "
			if tc.path == "" {
				prefix = ""
			}
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error = %q, want prefix %q and %q", err, prefix, tc.msg)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

func addNS(s *specs.Spec, t specs.LinuxNamespaceType, path string) {
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: t, Path: path})
}

func dropNS(s *specs.Spec, t specs.LinuxNamespaceType) {
	var keep []specs.LinuxNamespace
	for _, n := range s.Linux.Namespaces {
		if n.Type != t {
			keep = append(keep, n)
		}
	}
	s.Linux.Namespaces = keep
}

// addUserNS adds a new user namespace mapping container 0-65535 to host 100000.
func addUserNS(s *specs.Spec) {
	addNS(s, specs.UserNamespace, "")
	s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
}

func i64(v int64) *int64 { return &v }

func TestValidateNil(t *testing.T) {
	if err := Validate(nil, t.TempDir(), ValidateOptions{}); err == nil {
		t.Fatal("Validate(nil) succeeded")
	}
}

func TestValidateRoot(t *testing.T) {
	runValidateCases(t, []vcase{
		{name: "relative rootfs", path: ok},
		{name: "absolute rootfs", path: ok, mutate: func(s *specs.Spec, b string) { s.Root.Path = filepath.Join(b, "rootfs") }},
		{name: "no root", path: "root", msg: "must be specified", mutate: func(s *specs.Spec, _ string) { s.Root = nil }},
		{name: "empty path", path: "root.path", msg: "must not be empty", mutate: func(s *specs.Spec, _ string) { s.Root.Path = "" }},
		{name: "missing rootfs", path: "root.path", msg: `/nope" does not exist`,
			mutate: func(s *specs.Spec, _ string) { s.Root.Path = "nope" }},
		{name: "rootfs is a file", path: "root.path", msg: "is not a directory", mutate: func(s *specs.Spec, b string) {
			if err := os.WriteFile(filepath.Join(b, "file"), nil, 0o644); err != nil {
				panic(err)
			}
			s.Root.Path = "file"
		}},
	})
}

func TestValidateProcess(t *testing.T) {
	runValidateCases(t, []vcase{
		{name: "no process", path: "process", mutate: func(s *specs.Spec, _ string) { s.Process = nil }},
		{name: "no args", path: "process.args", msg: "must not be empty", mutate: func(s *specs.Spec, _ string) { s.Process.Args = nil }},
		{name: "empty argv0", path: "process.args[0]", mutate: func(s *specs.Spec, _ string) { s.Process.Args = []string{""} }},
		{name: "empty cwd", path: "process.cwd", msg: "must not be empty", mutate: func(s *specs.Spec, _ string) { s.Process.Cwd = "" }},
		{name: "relative cwd", path: "process.cwd", msg: "must be an absolute path", mutate: func(s *specs.Spec, _ string) { s.Process.Cwd = "tmp" }},
		{name: "env empty value", path: ok, mutate: func(s *specs.Spec, _ string) { s.Process.Env = append(s.Process.Env, "EMPTY=") }},
		{name: "env no equals", path: "process.env[2]", msg: `"FOO": missing '='`,
			mutate: func(s *specs.Spec, _ string) { s.Process.Env = append(s.Process.Env, "FOO") }},
		{name: "env no name", path: "process.env[0]", msg: "name cannot be empty",
			mutate: func(s *specs.Spec, _ string) { s.Process.Env[0] = "=x" }},
		{name: "env nul hides value", path: "process.env[1]", msg: `"SECRET": contains a NUL byte`,
			mutate: func(s *specs.Spec, _ string) { s.Process.Env[1] = "SECRET=hunter2\x00" }},
		{name: "rlimit ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Process.Rlimits = append(s.Process.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_CORE", Soft: 0, Hard: 10})
		}},
		{name: "rlimit unknown", path: "process.rlimits[1].type", msg: `unknown rlimit "RLIMIT_FOO"`, mutate: func(s *specs.Spec, _ string) {
			s.Process.Rlimits = append(s.Process.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_FOO"})
		}},
		{name: "rlimit duplicate", path: "process.rlimits[1].type", msg: "duplicate", mutate: func(s *specs.Spec, _ string) {
			s.Process.Rlimits = append(s.Process.Rlimits, s.Process.Rlimits[0])
		}},
		{name: "rlimit soft above hard", path: "process.rlimits[0]", msg: "soft limit 2048", mutate: func(s *specs.Spec, _ string) {
			s.Process.Rlimits[0].Soft = 2048
		}},
		{name: "capability known", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Process.Capabilities.Ambient = []string{"CAP_CHECKPOINT_RESTORE", "CAP_SYS_ADMIN"}
		}},
		{name: "capability unknown", path: "process.capabilities.bounding[1]", msg: `unknown capability "CAP_FOO"`, mutate: func(s *specs.Spec, _ string) {
			s.Process.Capabilities.Bounding[1] = "CAP_FOO"
		}},
		{name: "capability lower case", path: "process.capabilities.inheritable[0]", mutate: func(s *specs.Spec, _ string) {
			s.Process.Capabilities.Inheritable = []string{"cap_kill"}
		}},
		{name: "oom ok", path: ok, mutate: func(s *specs.Spec, _ string) { v := -1000; s.Process.OOMScoreAdj = &v }},
		{name: "oom range", path: "process.oomScoreAdj", msg: "1001 is out of range", mutate: func(s *specs.Spec, _ string) {
			v := 1001
			s.Process.OOMScoreAdj = &v
		}},
		{name: "ioprio ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 7}
		}},
		{name: "ioprio class", path: "process.ioPriority.class", mutate: func(s *specs.Spec, _ string) {
			s.Process.IOPriority = &specs.LinuxIOPriority{Class: "IOPRIO_CLASS_FOO"}
		}},
		{name: "ioprio priority", path: "process.ioPriority.priority", mutate: func(s *specs.Spec, _ string) {
			s.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_RT, Priority: 8}
		}},
		{name: "scheduler ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedFIFO, Priority: 10}
		}},
		{name: "scheduler no policy", path: "process.scheduler.policy", mutate: func(s *specs.Spec, _ string) {
			s.Process.Scheduler = &specs.Scheduler{}
		}},
		{name: "scheduler unknown policy", path: "process.scheduler.policy", msg: "unknown", mutate: func(s *specs.Spec, _ string) {
			s.Process.Scheduler = &specs.Scheduler{Policy: "SCHED_FOO"}
		}},
		{name: "scheduler nice", path: "process.scheduler.nice", mutate: func(s *specs.Spec, _ string) {
			s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedOther, Nice: 20}
		}},
		{name: "scheduler priority", path: "process.scheduler.priority", mutate: func(s *specs.Spec, _ string) {
			s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedOther, Priority: 1}
		}},
		{name: "scheduler deadline fields", path: "process.scheduler", mutate: func(s *specs.Spec, _ string) {
			s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedRR, Runtime: 1}
		}},
		{name: "scheduler flag", path: "process.scheduler.flags[0]", mutate: func(s *specs.Spec, _ string) {
			s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedDeadline, Flags: []specs.LinuxSchedulerFlag{"X"}}
		}},
		{name: "exec affinity ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "0-3,5", Final: "0-15:2/4"}
		}},
		{name: "exec affinity bad", path: "process.execCPUAffinity.final", mutate: func(s *specs.Spec, _ string) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Final: "3-1"}
		}},
		{name: "user mapped", path: ok, mutate: func(s *specs.Spec, _ string) {
			addUserNS(s)
			s.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{65535}}
		}},
		{name: "user not mapped", path: "process.user.uid", msg: "65536 is not mapped", mutate: func(s *specs.Spec, _ string) {
			addUserNS(s)
			s.Process.User.UID = 65536
		}},
		{name: "additional gid not mapped", path: "process.user.additionalGids[1]", mutate: func(s *specs.Spec, _ string) {
			addUserNS(s)
			s.Process.User.AdditionalGids = []uint32{1, 70000}
		}},
	})
}

func TestValidateNamespaces(t *testing.T) {
	runValidateCases(t, []vcase{
		{name: "unknown", path: "linux.namespaces[2].type", msg: `unknown namespace "foo"`, mutate: func(s *specs.Spec, _ string) {
			s.Linux.Namespaces[2].Type = "foo"
		}},
		{name: "duplicate", path: "linux.namespaces[6].type", msg: `duplicate namespace "pid"`, mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.PIDNamespace, "")
		}},
		{name: "relative path", path: "linux.namespaces[6].path", mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.TimeNamespace, "proc/1/ns/time")
		}},
		{name: "joined path", path: ok, mutate: func(s *specs.Spec, _ string) { s.Linux.Namespaces[1].Path = "/proc/1/ns/net" }},
		{name: "no linux section", path: "hostname", mutate: func(s *specs.Spec, _ string) { s.Linux = nil }},
		{name: "no linux section, no hostname", path: ok, mutate: func(s *specs.Spec, _ string) { s.Linux = nil; s.Hostname = "" }},
		{name: "uid mappings without userns", path: "linux.uidMappings", msg: "no user namespace", mutate: func(s *specs.Spec, _ string) {
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{Size: 1}}
		}},
		{name: "gid mappings without userns", path: "linux.gidMappings", msg: "no user namespace", mutate: func(s *specs.Spec, _ string) {
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{Size: 1}}
		}},
		{name: "userns ok", path: ok, mutate: func(s *specs.Spec, _ string) { addUserNS(s) }},
		{name: "userns joined without mappings", path: ok, mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.UserNamespace, "/proc/self/ns/user")
		}},
		{name: "userns without mappings", path: "linux.uidMappings", msg: "nor mappings", mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.UserNamespace, "")
		}},
		{name: "userns without gid mappings", path: "linux.gidMappings", mutate: func(s *specs.Spec, _ string) {
			addUserNS(s)
			s.Linux.GIDMappings = nil
		}},
		{name: "mapping size zero", path: "linux.uidMappings[0].size", mutate: func(s *specs.Spec, _ string) {
			addUserNS(s)
			s.Linux.UIDMappings[0].Size = 0
		}},
		{name: "mapping overflow", path: "linux.gidMappings[1]", mutate: func(s *specs.Spec, _ string) {
			addUserNS(s)
			s.Linux.GIDMappings = append(s.Linux.GIDMappings, specs.LinuxIDMapping{ContainerID: 70000, HostID: 1 << 31, Size: 1 << 31})
		}},
		{name: "time offsets ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.TimeNamespace, "")
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"boottime": {Secs: 10}, "monotonic": {Nanosecs: 5}}
		}},
		{name: "time offsets without timens", path: "linux.timeOffsets", msg: "time namespace isn't enabled", mutate: func(s *specs.Spec, _ string) {
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"boottime": {Secs: 10}}
		}},
		{name: "time offsets with path", path: "linux.timeOffsets", msg: "you may only provide one", mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.TimeNamespace, "/proc/1/ns/time")
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"boottime": {Secs: 10}}
		}},
		{name: "time offsets clock", path: "linux.timeOffsets.realtime", mutate: func(s *specs.Spec, _ string) {
			addNS(s, specs.TimeNamespace, "")
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"realtime": {Secs: 10}}
		}},
		{name: "net devices ok", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {Name: "eth0"}}
		}},
		{name: "net devices without netns", path: "linux.netDevices", mutate: func(s *specs.Spec, _ string) {
			dropNS(s, specs.NetworkNamespace)
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {}}
		}},
		{name: "net device name", path: `linux.netDevices["a/b"]`, mutate: func(s *specs.Spec, _ string) {
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"a/b": {}}
		}},
		{name: "hostname without uts", path: "hostname", msg: "unable to set hostname without a private UTS namespace", mutate: func(s *specs.Spec, _ string) {
			dropNS(s, specs.UTSNamespace)
		}},
		{name: "domainname without uts", path: "domainname", mutate: func(s *specs.Spec, _ string) {
			dropNS(s, specs.UTSNamespace)
			s.Hostname = ""
			s.Domainname = "example.org"
		}},
		{name: "hostname with joined uts", path: ok, mutate: func(s *specs.Spec, _ string) {
			s.Linux.Namespaces[3].Path = "/proc/1/ns/uts"
		}},
	})
}

func TestValidateProcessAlone(t *testing.T) {
	if err := ValidateProcess(Example().Process); err != nil {
		t.Fatalf("ValidateProcess(example) = %v", err)
	}
	if err := ValidateProcess(nil); err == nil {
		t.Fatal("ValidateProcess(nil) succeeded")
	}
	p := Example().Process
	p.Capabilities.Effective = append(p.Capabilities.Effective, "CAP_NOPE")
	err := ValidateProcess(p)
	if err == nil || err.Error() != `capabilities.effective[3]: unknown capability "CAP_NOPE"` {
		t.Fatalf("ValidateProcess = %v", err)
	}
	p = Example().Process
	p.Cwd = "rel"
	if err := ValidateProcess(p); err == nil || !strings.HasPrefix(err.Error(), "cwd: ") {
		t.Fatalf("ValidateProcess = %v", err)
	}
}

func TestValidateIntelRdt(t *testing.T) {
	rdt := func(r specs.LinuxIntelRdt) func(*specs.Spec, string) {
		return func(s *specs.Spec, _ string) { s.Linux.IntelRdt = &r }
	}
	runValidateCases(t, []vcase{
		{name: "bad clos id", path: "linux.intelRdt.closID", msg: `invalid CLOS ID ".."`, mutate: rdt(specs.LinuxIntelRdt{ClosID: ".."})},
		{name: "l3 schema", path: "", msg: "intelRdt.l3CacheSchema is specified in config, but Intel RDT/CAT is not enabled",
			mutate: rdt(specs.LinuxIntelRdt{L3CacheSchema: "L3:0=f"})},
		{name: "mba schema", path: "", msg: "intelRdt.memBwSchema is specified in config, but Intel RDT/MBA is not enabled",
			mutate: rdt(specs.LinuxIntelRdt{MemBwSchema: "MB:0=70"})},
		{name: "clos id alone", path: "", msg: "intelRdt is specified in config, but Intel RDT is not supported or enabled",
			mutate: rdt(specs.LinuxIntelRdt{ClosID: "gold"})},
		{name: "schemata", path: "", msg: "Intel RDT is not supported", mutate: rdt(specs.LinuxIntelRdt{Schemata: []string{"L3:0=f"}})},
		{name: "monitoring", path: "", msg: "Intel RDT is not supported", mutate: rdt(specs.LinuxIntelRdt{EnableMonitoring: true})},
		{name: "empty", path: ok, mutate: rdt(specs.LinuxIntelRdt{})},
	})
}
