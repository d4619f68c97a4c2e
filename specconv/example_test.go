package specconv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// newBundle returns a bundle directory holding an empty "rootfs".
func newBundle(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestExampleRoundTrip(t *testing.T) {
	data, err := json.Marshal(Example())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSpec(data, ConfigName)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, Example()) {
		t.Fatalf("round trip changed the spec:\n%s", data)
	}
}

func TestExampleContents(t *testing.T) {
	s := Example()
	// runc's lists (libcontainer/specconv/example.go), in runc's order.
	runcMasked := []string{
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	}
	if !slices.Equal(s.Linux.MaskedPaths[:len(runcMasked)], runcMasked) {
		t.Errorf("maskedPaths = %q, want runc's %q first", s.Linux.MaskedPaths, runcMasked)
	}
	if !slices.Contains(s.Linux.MaskedPaths, "/sys/devices/virtual/powercap") {
		t.Errorf("maskedPaths lacks /sys/devices/virtual/powercap")
	}
	wantRO := []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
	if !slices.Equal(s.Linux.ReadonlyPaths, wantRO) {
		t.Errorf("readonlyPaths = %q, want %q", s.Linux.ReadonlyPaths, wantRO)
	}
	// The mounts exactly as `runc spec` (1.1.5 and later) writes them.
	const runcMounts = `[{"destination":"/proc","type":"proc","source":"proc"},
	{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
	{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
	{"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
	{"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
	{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
	{"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]}]`
	var want []specs.Mount
	if err := json.Unmarshal([]byte(runcMounts), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Mounts, want) {
		t.Errorf("mounts = %+v, want %+v", s.Mounts, want)
	}
	caps := []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	c := s.Process.Capabilities
	for name, set := range map[string][]string{"bounding": c.Bounding, "effective": c.Effective, "permitted": c.Permitted} {
		if !slices.Equal(set, caps) {
			t.Errorf("capabilities.%s = %q, want %q", name, set, caps)
		}
	}
	if len(c.Inheritable) != 0 || len(c.Ambient) != 0 {
		t.Errorf("inheritable %q / ambient %q must stay empty (CVE-2022-29162)", c.Inheritable, c.Ambient)
	}
	var ns []string
	for _, n := range s.Linux.Namespaces {
		ns = append(ns, string(n.Type))
	}
	if want := "pid network ipc uts mount cgroup"; strings.Join(ns, " ") != want {
		t.Errorf("namespaces = %q, want %q", ns, want)
	}
	p := s.Process
	if !p.Terminal || !p.NoNewPrivileges || p.Cwd != "/" || !slices.Equal(p.Args, []string{"sh"}) ||
		p.User.UID != 0 || p.User.GID != 0 || len(p.Env) != 2 || p.Env[1] != "TERM=xterm" {
		t.Errorf("process = %+v", p)
	}
	if len(p.Rlimits) != 1 || p.Rlimits[0] != (specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}) {
		t.Errorf("rlimits = %+v", p.Rlimits)
	}
	if s.Hostname != "berth" || s.Version != specs.Version || s.Root.Path != "rootfs" || !s.Root.Readonly {
		t.Errorf("hostname %q, version %q, root %+v", s.Hostname, s.Version, s.Root)
	}
	d := s.Linux.Resources.Devices
	if len(d) != 1 || d[0].Allow || d[0].Access != "rwm" {
		t.Errorf("resources.devices = %+v, want deny-all", d)
	}
}

func TestExampleIsFresh(t *testing.T) {
	a := Example()
	a.Linux.MaskedPaths[0] = "/changed"
	a.Process.Capabilities.Bounding[0] = "CAP_SYS_ADMIN"
	a.Mounts[1].Options[0] = "changed"
	b := Example()
	if b.Linux.MaskedPaths[0] != "/proc/acpi" || b.Process.Capabilities.Bounding[0] != "CAP_AUDIT_WRITE" ||
		b.Mounts[1].Options[0] != "nosuid" || b.Process.Capabilities.Effective[0] != "CAP_AUDIT_WRITE" {
		t.Fatal("Example shares state between calls")
	}
}

func TestExampleValidates(t *testing.T) {
	bundle := newBundle(t)
	for _, systemd := range []bool{false, true} {
		if err := Validate(Example(), bundle, ValidateOptions{Systemd: systemd}); err != nil {
			t.Errorf("Validate(Example(), systemd=%v) = %v", systemd, err)
		}
	}
}

func TestToRootless(t *testing.T) {
	s := Example()
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/1/ns/user"})
	ToRootless(s)

	var ns []string
	for _, n := range s.Linux.Namespaces {
		ns = append(ns, string(n.Type)+n.Path)
	}
	if want := "pid ipc uts mount cgroup user"; strings.Join(ns, " ") != want {
		t.Errorf("namespaces = %q, want %q", ns, want)
	}
	wantUID := []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Geteuid()), Size: 1}}
	wantGID := []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getegid()), Size: 1}}
	if !reflect.DeepEqual(s.Linux.UIDMappings, wantUID) || !reflect.DeepEqual(s.Linux.GIDMappings, wantGID) {
		t.Errorf("mappings = %+v %+v", s.Linux.UIDMappings, s.Linux.GIDMappings)
	}
	for _, m := range s.Mounts {
		for _, o := range m.Options {
			if strings.HasPrefix(o, "uid=") || strings.HasPrefix(o, "gid=") {
				t.Errorf("mount %s keeps option %q", m.Destination, o)
			}
		}
		if m.Destination == "/sys" {
			want := specs.Mount{Destination: "/sys", Type: "none", Source: "/sys",
				Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("/sys mount = %+v, want %+v", m, want)
			}
		}
	}
	if len(s.Mounts) != len(Example().Mounts) {
		t.Errorf("ToRootless changed the number of mounts to %d", len(s.Mounts))
	}
	if s.Linux.Resources != nil {
		t.Errorf("resources = %+v, want nil", s.Linux.Resources)
	}
	if err := Validate(s, newBundle(t), ValidateOptions{Rootless: true}); err != nil {
		t.Errorf("Validate(rootless spec) = %v", err)
	}

	bare := &specs.Spec{}
	ToRootless(bare) // must not panic without a linux section
	if len(bare.Linux.Namespaces) != 1 || bare.Linux.Namespaces[0].Type != specs.UserNamespace {
		t.Errorf("namespaces of a bare spec = %+v", bare.Linux.Namespaces)
	}
}
