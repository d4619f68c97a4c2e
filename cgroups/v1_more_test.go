package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestV1Devices(t *testing.T) {
	m, w, _ := newFakeV1(t, ModeV1, Config{Devices: []specs.LinuxDevice{{Path: "/dev/tty"}}})
	err := m.Set(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: ptr(int64(10)), Minor: ptr(int64(229)), Access: "rwm"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "devices.deny=a|devices.allow=b *:* m|devices.allow=c *:* m|devices.allow=c 1:3 rwm|devices.allow=c 1:5 rwm|" +
		"devices.allow=c 1:7 rwm|devices.allow=c 1:8 rwm|devices.allow=c 1:9 rwm|devices.allow=c 5:2 rwm|" +
		"devices.allow=c 10:200 rwm|devices.allow=c 10:229 rwm|devices.allow=c 136:* rwm"
	if got := w.take(); got != want {
		t.Errorf("device writes (no c 5:0: /dev/tty is in linux.devices):\n%s\nwant\n%s", got, want)
	}
	// The cgroup already in that state: no writes at all.
	fakeFiles(t, m.paths["devices"], map[string]string{"devices.list": "c 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\n" +
		"c 5:2 rwm\nc 10:200 rwm\nc 10:229 rwm\nc 136:* rwm\nc *:* m\nb *:* m\n"})
	if err := m.Set(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: ptr(int64(10)), Minor: ptr(int64(229)), Access: "rwm"}}}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); got != "" {
		t.Errorf("unchanged rules rewrote: %s", got)
	}
	// Privileged: allow all.
	if err := m.Set(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); got != "devices.allow=a" {
		t.Errorf("allow all: %s", got)
	}
}

func TestV1FreezerAndPids(t *testing.T) {
	m, _, _ := newFakeV1(t, ModeHybrid, Config{})
	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	fakeFiles(t, m.paths["freezer"], map[string]string{"freezer.self_freezing": "1"})
	if s, err := m.State(); err != nil || s != Frozen {
		t.Errorf("State = %v, %v", s, err)
	}
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if s, _ := m.State(); s != Thawed {
		t.Errorf("State after thaw = %v", s)
	}
	// Frozen through an ancestor only: reported thawed (as runc).
	fakeFiles(t, m.paths["freezer"], map[string]string{"freezer.state": "FROZEN", "freezer.self_freezing": "0"})
	if s, _ := m.State(); s != Thawed {
		t.Errorf("State (ancestor frozen) = %v", s)
	}
	// GetPids is recursive and sorted.
	dev := m.paths["devices"]
	fakeFiles(t, dev, map[string]string{"cgroup.procs": "30\n10\n"})
	fakeFiles(t, filepath.Join(dev, "sub"), map[string]string{"cgroup.procs": "20\n"})
	pids, err := m.GetPids()
	if err != nil || len(pids) != 3 || pids[0] != 10 || pids[2] != 30 {
		t.Errorf("GetPids = %v, %v", pids, err)
	}
	empty := &v1Manager{paths: map[string]string{}}
	if err := empty.Freeze(); !errors.Is(err, ErrNoCgroup) {
		t.Errorf("Freeze without freezer: %v", err)
	}
	if s, err := empty.State(); s != Undefined || err != nil {
		t.Errorf("State without freezer: %v %v", s, err)
	}
}

func TestRemoveTree(t *testing.T) {
	d := t.TempDir()
	for _, p := range []string{"c/a/b", "c/x"} {
		if err := os.MkdirAll(filepath.Join(d, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeTree(filepath.Join(d, "c")); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(d, "c")) {
		t.Error("not removed")
	}
	if err := removeTree(filepath.Join(d, "c")); err != nil {
		t.Errorf("removing a missing cgroup: %v", err)
	}
}

// On a hybrid host without a v1 hugetlb hierarchy, hugepage limits and
// unified keys go to the unified twin, enabling the controller on demand.
func TestHybridUnifiedHierarchy(t *testing.T) {
	m, w, root := newFakeV1(t, ModeHybrid, Config{})
	err := m.Set(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 2 << 20}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "cgroup.subtree_control=+hugetlb|hugetlb.2MB.max=2097152|hugetlb.2MB.rsvd.max=2097152"
	if got := w.take(); !strings.HasSuffix(got, want) {
		t.Errorf("hugetlb on hybrid: %s\nwant ...%s", got, want)
	}
	if got := read(t, filepath.Join(root, "unified/cgroup.subtree_control")); got != "+hugetlb" {
		t.Errorf("unified root subtree_control = %q", got)
	}
	// Enabled already: only the value is written.
	fakeFiles(t, filepath.Join(root, "unified"), map[string]string{"cgroup.subtree_control": "hugetlb"})
	if err := m.Set(&specs.LinuxResources{Unified: map[string]string{"hugetlb.2MB.max": "4194304"}}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); !strings.HasSuffix(got, "devices.allow=c 136:* rwm|hugetlb.2MB.max=4194304") {
		t.Errorf("unified key on hybrid: %s", got)
	}
	// A pure v1 host without hugetlb mounted cannot take hugepage limits.
	l, _ := fakeLayout(t, ModeV1)
	delete(l.V1, "hugetlb")
	v1, _ := New(Config{ID: "x", Layout: l})
	err = v1.(*v1Manager).setHugetlb([]specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1}})
	if err == nil || !strings.Contains(err.Error(), "hugetlb controller is not mounted") {
		t.Errorf("no hugetlb: %v", err)
	}
}
