package cgroups

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// hostManager creates a real cgroup named berth-test-<pid>-<n> under the
// caller's own cgroups, or skips (saying why) when that cannot work here.
// Cleanup kills what is left in it and checks every dir is gone.
func hostManager(t *testing.T, cfg Config) Manager {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("host cgroup tests need root")
	}
	l, err := DiscoverLayout()
	if err != nil {
		t.Skipf("no usable cgroup layout: %v", err)
	}
	if l.Mode == ModeV2 && os.Getenv("BERTH_TEST_HOST_V2") == "" {
		t.Skip("pure cgroup v2 host: these tests are written for this hybrid host; set BERTH_TEST_HOST_V2=1 to try them")
	}
	cfg.Layout = l
	if cfg.ID == "" {
		cfg.ID = fmt.Sprintf("berth-test-%d-%d", os.Getpid(), time.Now().UnixNano()%1e9)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		paths := m.Paths()
		if err := m.Destroy(); err != nil {
			t.Errorf("Destroy: %v", err)
		}
		for s, p := range paths {
			if exists(p) {
				t.Errorf("%q: %s left behind", s, p)
				_ = removeTree(p)
			}
		}
	})
	return m
}

// child starts `sh -c script` whose first line read from stdin releases
// it; release() sends that line. The process is killed at cleanup.
func child(t *testing.T, script string) (pid int, release func(), wait func() error) {
	t.Helper()
	c := exec.Command("/bin/sh", "-c", "read go; "+script)
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.Stdout, c.Stderr = io.Discard, io.Discard
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	t.Cleanup(func() {
		_ = c.Process.Kill()
		<-done
	})
	return c.Process.Pid, func() { io.WriteString(in, "go\n") }, func() error {
		select {
		case err := <-done:
			done <- err
			return err
		case <-time.After(10 * time.Second):
			return fmt.Errorf("child did not finish")
		}
	}
}

func readHost(t *testing.T, m Manager, subsystem, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(m.Path(subsystem), file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestHostLifecycle(t *testing.T) {
	m := hostManager(t, Config{})
	v1 := m.Path("memory") != ""
	pid, _, _ := child(t, "sleep 60")
	if err := m.Apply(pid); err != nil {
		t.Fatal(err)
	}
	// In every hierarchy the Manager has a dir for, the child is there.
	own, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(own)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		for _, c := range strings.Split(parts[1], ",") {
			if dir, ok := m.Paths()[c]; ok {
				seen++
				if !strings.HasSuffix(dir, parts[2]) {
					t.Errorf("child in %q, want %s", line, dir)
				}
				break
			}
		}
	}
	if seen == 0 {
		t.Error("child in none of the container's cgroups")
	}

	mem := int64(64 << 20)
	r := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: &mem, Reservation: ptr(int64(32 << 20))},
		Pids:    &specs.LinuxPids{Limit: ptr(int64(20))},
		CPU:     &specs.LinuxCPU{Shares: ptr(uint64(512)), Quota: ptr(int64(50000)), Period: ptr(uint64(100000)), Cpus: "0", Mems: "0"},
		Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
	}
	if v1 && exists(filepath.Join(m.Path("memory"), "memory.memsw.limit_in_bytes")) {
		r.Memory.Swap = &mem
	}
	if err := m.Set(r); err != nil {
		t.Fatal(err)
	}
	if v1 {
		for _, c := range []struct{ s, f, want string }{
			{"memory", "memory.limit_in_bytes", "67108864"},
			{"memory", "memory.soft_limit_in_bytes", "33554432"},
			{"pids", "pids.max", "20"},
			{"cpu", "cpu.shares", "512"},
			{"cpu", "cpu.cfs_quota_us", "50000"},
			{"cpuset", "cpuset.cpus", "0"},
		} {
			if got := readHost(t, m, c.s, c.f); got != c.want {
				t.Errorf("%s = %q, want %q", c.f, got, c.want)
			}
		}
		list := readHost(t, m, "devices", "devices.list")
		if !strings.Contains(list, "c 1:3 rwm") || strings.Contains(list, "a *:* rwm") {
			t.Errorf("devices.list:\n%s", list)
		}
	} else {
		for f, want := range map[string]string{"memory.max": "67108864", "pids.max": "20", "cpu.weight": "59", "cpu.max": "50000 100000"} {
			if got := readHost(t, m, "", f); got != want {
				t.Errorf("%s = %q, want %q", f, got, want)
			}
		}
	}
	// Setting the same rules again must not fail (nor, on v1, rewrite).
	if err := m.Set(r); err != nil {
		t.Fatalf("second Set: %v", err)
	}

	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if s, err := m.State(); s != Frozen || err != nil {
		t.Errorf("State after Freeze = %v, %v", s, err)
	}
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if s, err := m.State(); s != Thawed || err != nil {
		t.Errorf("State after Thaw = %v, %v", s, err)
	}

	pids, err := m.GetPids()
	if err != nil || len(pids) != 1 || pids[0] != pid {
		t.Errorf("GetPids = %v, %v (want [%d])", pids, err, pid)
	}
	st, err := m.GetStats()
	if err != nil {
		t.Fatal(err)
	}
	// (Usage may be 0 on v1: charges do not move with a task.)
	if st.Pids.Current != 1 || st.Pids.Limit != 20 || st.Memory.Usage.Limit != uint64(mem) || len(st.Memory.Raw) == 0 {
		t.Errorf("stats: pids %+v, memory usage %+v", st.Pids, st.Memory.Usage)
	}
	if v1 && (len(st.CPUSet.CPUs) != 1 || st.CPU.Usage.Total == 0 && st.CPU.Usage.User == 0 && len(st.CPU.Usage.Percpu) == 0) {
		t.Errorf("stats: cpuset %+v, cpu %+v", st.CPUSet, st.CPU.Usage)
	}

	// Load from the saved paths controls the same cgroup.
	back, err := Load(Config{}, m.Paths())
	if err != nil || !back.Exists() {
		t.Fatalf("Load: %v", err)
	}
	if p, _ := back.GetPids(); len(p) != 1 {
		t.Errorf("loaded manager sees pids %v", p)
	}
	// Destroy (at cleanup) kills the sleeping child and removes everything.
}
