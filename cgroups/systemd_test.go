package cgroups

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSystemdUnit(t *testing.T) {
	for _, tc := range []struct {
		cfg               Config
		slice, unit, fail string
	}{
		{Config{Path: "system.slice:docker:abc"}, "system.slice", "docker-abc.scope", ""},
		{Config{Path: ":crio:abc"}, "system.slice", "crio-abc.scope", ""},
		{Config{Path: "machine.slice::abc"}, "machine.slice", "abc.scope", ""},
		{Config{ID: "c1"}, "system.slice", "berth-c1.scope", ""},
		{Config{ID: "c1", Rootless: true}, "user.slice", "berth-c1.scope", ""},
		{Config{Path: "/foo/bar"}, "", "", `is not of the form "slice:prefix:name"`},
		{Config{Path: "a.slice:p:x.slice"}, "", "", "not supported"},
		{Config{Path: "a.slice:p:"}, "", "", "invalid unit name"},
	} {
		slice, unit, err := systemdUnit(tc.cfg)
		if tc.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("%+v: %v, want error %q", tc.cfg, err, tc.fail)
			}
			continue
		}
		if err != nil || slice != tc.slice || unit != tc.unit {
			t.Errorf("%+v: %q %q %v, want %q %q", tc.cfg, slice, unit, err, tc.slice, tc.unit)
		}
	}
}

func TestExpandSlice(t *testing.T) {
	for in, want := range map[string]string{
		"-.slice":         "/",
		"system.slice":    "/system.slice",
		"a-b-c.slice":     "/a.slice/a-b.slice/a-b-c.slice",
		"user-1000.slice": "/user.slice/user-1000.slice",
		"bad":             "",
		"a--b.slice":      "",
		"-a.slice":        "",
		"a/b.slice":       "",
		"kubepods-.slice": "",
	} {
		got, err := expandSlice(in)
		if want == "" {
			if err == nil {
				t.Errorf("expandSlice(%q) = %q, want error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("expandSlice(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestUnitProperties(t *testing.T) {
	r := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: ptr(int64(1 << 30))},
		CPU:     &specs.LinuxCPU{Shares: ptr(uint64(1024)), Quota: ptr(int64(12345)), Period: ptr(uint64(100000))},
		Pids:    &specs.LinuxPids{Limit: ptr(int64(-1))},
		BlockIO: &specs.LinuxBlockIO{Weight: ptr(uint16(1000))},
	}
	str := func(v2 bool) string {
		var s []string
		for _, p := range unitProperties(r, v2) {
			s = append(s, fmt.Sprintf("%s=%v", p.Name, p.Value.Value()))
		}
		return strings.Join(s, " ")
	}
	max := fmt.Sprint(uint64(math.MaxUint64))
	// 12345µs per 100ms = 123450µs/s, rounded up to whole percent.
	if got, want := str(true), "MemoryMax=1073741824 CPUWeight=100 CPUQuotaPeriodUSec=100000 CPUQuotaPerSecUSec=130000 TasksMax="+max+" IOWeight=10000"; got != want {
		t.Errorf("v2 properties:\n%s\nwant\n%s", got, want)
	}
	if got, want := str(false), "MemoryLimit=1073741824 CPUShares=1024 CPUQuotaPeriodUSec=100000 CPUQuotaPerSecUSec=130000 TasksMax="+max+" BlockIOWeight=1000"; got != want {
		t.Errorf("v1 properties:\n%s\nwant\n%s", got, want)
	}
	if p := unitProperties(&specs.LinuxResources{CPU: &specs.LinuxCPU{Period: ptr(uint64(50000))}}, true); len(p) != 1 || p[0].Name != "CPUQuotaPeriodUSec" {
		t.Errorf("a period alone must not touch the quota: %v", p)
	}
}

// On this host systemd is not PID 1: New must say so in one line, while
// Load (used by delete/kill of an existing container) still works.
func TestSystemdNotRunning(t *testing.T) {
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("systemd is running here; this test covers hosts without it")
	}
	_, err := New(Config{ID: "c1", Systemd: true})
	if err == nil || err.Error() != "systemd not running on this host, cannot use systemd cgroups manager" {
		t.Errorf("New = %v", err)
	}
	m, err := Load(Config{ID: "c1", Systemd: true}, map[string]string{"": "/nonexistent/berth-c1.scope"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Path("") != "/nonexistent/berth-c1.scope" || m.Exists() {
		t.Errorf("loaded systemd manager: %v", m.Paths())
	}
	if err := m.Destroy(); err != nil {
		t.Errorf("Destroy of a gone cgroup without systemd: %v", err)
	}
}
