package cgroups

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Device rules are enforced: a process in the cgroup may read /dev/zero
// under the default rules and not once it is denied.
func TestHostDevices(t *testing.T) {
	m := hostManager(t, Config{})
	if err := m.Apply(0); err != nil {
		t.Fatal(err)
	}
	run := func(rules []specs.LinuxDeviceCgroup) error {
		if err := m.Set(&specs.LinuxResources{Devices: rules}); err != nil {
			t.Fatal(err)
		}
		pid, release, wait := child(t, "exec head -c1 /dev/zero")
		if err := m.Apply(pid); err != nil {
			t.Fatal(err)
		}
		release()
		return wait()
	}
	if err := run([]specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}); err != nil {
		t.Errorf("/dev/zero is a default device, reading it failed: %v", err)
	}
	deny := []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}, {Allow: false, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(5)), Access: "rwm"}}
	// The default rules come after the spec's and re-allow 1:5; a spec
	// must not rely on denying a default device (runc behaves the same).
	if err := run(deny); err != nil {
		t.Errorf("defaults re-allow /dev/zero: %v", err)
	}
	if m.Path("devices") != "" {
		// Straight to the v1 writer, without the defaults.
		d := m.Path("devices")
		if err := setDevicesV1(writeFile, d, nil); err != nil {
			t.Fatal(err)
		}
		if list := readHost(t, m, "devices", "devices.list"); list != "" {
			t.Errorf("deny-all devices.list = %q", list)
		}
		pid, release, wait := child(t, "exec head -c1 /dev/zero")
		if err := m.Apply(pid); err != nil {
			t.Fatal(err)
		}
		release()
		if err := wait(); err == nil {
			t.Error("reading /dev/zero under deny-all succeeded")
		}
	}
}

// OOM kills are reported (v1: eventfd on memory.oom_control).
func TestHostOOM(t *testing.T) {
	m := hostManager(t, Config{})
	if err := m.Apply(0); err != nil {
		t.Fatal(err)
	}
	limit := int64(16 << 20)
	mem := &specs.LinuxMemory{Limit: &limit}
	if m.Path("memory") != "" {
		if !exists(filepath.Join(m.Path("memory"), "memory.memsw.limit_in_bytes")) {
			t.Skip("no swap accounting: a memory hog could swap instead of being OOM-killed")
		}
		mem.Swap = &limit
	} else {
		mem.Swap = &limit // v2: memory.swap.max = 0
	}
	if err := m.Set(&specs.LinuxResources{Memory: mem}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := NotifyOOM(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	pid, release, wait := child(t, "exec dd if=/dev/zero of=/dev/null bs=64M count=1")
	if err := m.Apply(pid); err != nil {
		t.Fatal(err)
	}
	release()
	if err := wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("memory hog: %v, want killed", err)
	}
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Error("no OOM notification")
	}
	// Removing the cgroup closes the channel.
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-ch:
		if ok {
			t.Error("event after the cgroup was removed")
		}
	case <-time.After(2 * time.Second):
		t.Error("channel not closed after Destroy")
	}
}

// On this hybrid host hugetlb lives only in the unified hierarchy. Using it
// means enabling hugetlb in the unified parent's cgroup.subtree_control,
// which here is the host's root cgroup: a host-wide change, so the test
// only does it when hugetlb is enabled there already or when
// BERTH_TEST_HOST_HUGETLB=1 allows it (it is disabled again afterwards).
func TestHostHybridHugetlb(t *testing.T) {
	m := hostManager(t, Config{})
	if m.Path("hugetlb") != "" || m.Path("") == "" {
		t.Skip("not a hybrid host with hugetlb only in the unified hierarchy")
	}
	parent := filepath.Dir(m.Path(""))
	on, err := readTrim(parent, "cgroup.subtree_control")
	if err != nil {
		t.Fatal(err)
	}
	if !contains(strings.Fields(on), "hugetlb") {
		if os.Getenv("BERTH_TEST_HOST_HUGETLB") == "" {
			t.Skipf("hugetlb is not enabled in %s/cgroup.subtree_control; enabling it is a host-wide change (set BERTH_TEST_HOST_HUGETLB=1 to allow)", parent)
		}
		t.Cleanup(func() {
			if err := writeFile(parent, "cgroup.subtree_control", "-hugetlb"); err != nil {
				t.Logf("could not disable hugetlb again: %v", err)
			}
		})
	}
	if err := m.Apply(0); err != nil {
		t.Fatal(err)
	}
	sizes := hugePageSizes()
	if len(sizes) == 0 {
		t.Skip("no huge page sizes on this host")
	}
	if err := m.Set(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: sizes[0], Limit: 0}}}); err != nil {
		t.Fatal(err)
	}
	if got := readHost(t, m, "", "hugetlb."+sizes[0]+".max"); got != "0" {
		t.Errorf("hugetlb.%s.max = %q", sizes[0], got)
	}
	st, err := m.GetStats()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Hugetlb[sizes[0]]; !ok {
		t.Errorf("no hugetlb stats for %s: %+v", sizes[0], st.Hugetlb)
	}
}
