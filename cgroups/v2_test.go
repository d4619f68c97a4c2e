package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-runtime/berth/cgroups/devices"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// newFakeV2 returns the v2 Manager of container path p in a fake cgroup2
// hierarchy whose dirs (p and its parents) exist with their kernel files.
// Device rules are recorded instead of loaded as BPF.
func newFakeV2(t *testing.T, p string) (*v2Manager, *writes, *[][]devices.Rule, string) {
	t.Helper()
	l, root := fakeLayout(t, ModeV2)
	m, err := New(Config{Path: p, ID: "c1", Layout: l})
	if err != nil {
		t.Fatal(err)
	}
	v2 := m.(*v2Manager)
	for d := v2.dir; d != root; d = filepath.Dir(d) {
		fakeCgroup(t, "", d)
	}
	var rules [][]devices.Rule
	v2.setDeviceRules = func(dir string, r []devices.Rule) error {
		rules = append(rules, r)
		return nil
	}
	return v2, recordV2(v2), &rules, root
}

func TestV2Apply(t *testing.T) {
	m, _, _, root := newFakeV2(t, "pod/c1")
	if err := m.Apply(4242); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(m.dir, "cgroup.procs")); got != "4242" {
		t.Errorf("cgroup.procs = %q", got)
	}
	// Every controller the parent offers is enabled in each parent.
	want := "+cpuset +cpu +io +memory +hugetlb +pids +rdma"
	for _, d := range []string{root, filepath.Join(root, "pod")} {
		if got := read(t, filepath.Join(d, "cgroup.subtree_control")); got != want {
			t.Errorf("%s/cgroup.subtree_control = %q, want %q", d, got, want)
		}
	}
	// Already enabled: nothing is written.
	fakeFiles(t, root, map[string]string{"cgroup.subtree_control": "cpuset cpu io memory hugetlb pids rdma"})
	if err := m.Apply(4243); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "cgroup.subtree_control")); got != "cpuset cpu io memory hugetlb pids rdma" {
		t.Errorf("rewrote an up-to-date subtree_control: %q", got)
	}
	if p := m.Paths(); len(p) != 1 || p[""] != m.dir {
		t.Errorf("Paths = %v", p)
	}
}

func TestV2SetMemory(t *testing.T) {
	m, w, _, _ := newFakeV2(t, "c1")
	for _, tc := range []struct {
		mem  specs.LinuxMemory
		want string
	}{
		{specs.LinuxMemory{Limit: ptr(int64(100)), Swap: ptr(int64(300)), Reservation: ptr(int64(50)), Swappiness: ptr(uint64(5)), DisableOOMKiller: ptr(true)},
			"memory.swap.max=200|memory.max=100|memory.low=50"},
		{specs.LinuxMemory{Limit: ptr(int64(100)), Swap: ptr(int64(100))}, "memory.swap.max=0|memory.max=100"},
		{specs.LinuxMemory{Limit: ptr(int64(-1))}, "memory.swap.max=max|memory.max=max"},
		{specs.LinuxMemory{Limit: ptr(int64(100)), Swap: ptr(int64(-1))}, "memory.swap.max=max|memory.max=100"},
		{specs.LinuxMemory{Reservation: ptr(int64(-1))}, "memory.low=max"},
	} {
		if err := m.Set(&specs.LinuxResources{Memory: &tc.mem}); err != nil {
			t.Fatal(err)
		}
		if got := w.take(); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.mem, got, tc.want)
		}
	}
	for _, tc := range []struct {
		mem  specs.LinuxMemory
		want string
	}{
		{specs.LinuxMemory{Swap: ptr(int64(100))}, "swap: a swap limit needs a memory limit"},
		{specs.LinuxMemory{Limit: ptr(int64(200)), Swap: ptr(int64(100))}, "below the memory limit"},
		{specs.LinuxMemory{Limit: ptr(int64(8192)), CheckBeforeUpdate: ptr(true)}, "not above the current usage 8192"},
	} {
		if err := m.Set(&specs.LinuxResources{Memory: &tc.mem}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.mem, err, tc.want)
		}
	}
	// Without swap accounting, "no limit" on swap is not an error.
	os.Remove(filepath.Join(m.dir, "memory.swap.max"))
	if err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-1))}}); err != nil {
		t.Error(err)
	}
}

func TestV2SetCPU(t *testing.T) {
	m, w, _, _ := newFakeV2(t, "c1")
	for _, tc := range []struct {
		cpu  specs.LinuxCPU
		want string
	}{
		{specs.LinuxCPU{Shares: ptr(uint64(1024)), Quota: ptr(int64(50000)), Period: ptr(uint64(200000)), Burst: ptr(uint64(1000)), Idle: ptr(int64(0))},
			"cpu.idle=0|cpu.weight=100|cpu.max.burst=1000|cpu.max=50000 200000"},
		{specs.LinuxCPU{Period: ptr(uint64(100000))}, "cpu.max=50000 100000"}, // keeps the quota
		{specs.LinuxCPU{Quota: ptr(int64(-1))}, "cpu.max=max 100000"},
		{specs.LinuxCPU{Quota: ptr(int64(20000))}, "cpu.max=20000 100000"},
		{specs.LinuxCPU{Cpus: "0-1", Mems: "0"}, "cpuset.cpus=0-1|cpuset.mems=0"},
	} {
		if err := m.Set(&specs.LinuxResources{CPU: &tc.cpu}); err != nil {
			t.Fatal(err)
		}
		if got := w.take(); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.cpu, got, tc.want)
		}
	}
	err := m.Set(&specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: ptr(int64(100))}})
	if err == nil || !strings.Contains(err.Error(), "not supported on cgroup v2") {
		t.Errorf("realtime on v2: %v", err)
	}
}

func TestV2SetIO(t *testing.T) {
	m, w, _, _ := newFakeV2(t, "c1")
	dev := specs.LinuxBlockIODevice{Major: 8, Minor: 16}
	io := &specs.LinuxBlockIO{
		Weight: ptr(uint16(500)), LeafWeight: ptr(uint16(30)),
		WeightDevice:            []specs.LinuxWeightDevice{{LinuxBlockIODevice: dev, Weight: ptr(uint16(1000))}},
		ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 100}},
		ThrottleWriteBpsDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 0}},
		ThrottleReadIOPSDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 10}},
		ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 20}},
	}
	if err := m.Set(&specs.LinuxResources{BlockIO: io}); err != nil {
		t.Fatal(err)
	}
	throttles := "|io.max=8:16 rbps=100|io.max=8:16 wbps=max|io.max=8:16 riops=10|io.max=8:16 wiops=20"
	if got, want := w.take(), "io.weight=4950|io.weight=8:16 10000"+throttles; got != want {
		t.Errorf("without BFQ:\n%s\nwant\n%s", got, want)
	}
	fakeFiles(t, m.dir, map[string]string{"io.bfq.weight": "default 100\n"})
	if err := m.Set(&specs.LinuxResources{BlockIO: io}); err != nil {
		t.Fatal(err)
	}
	if got, want := w.take(), "io.bfq.weight=500|io.bfq.weight=8:16 1000"+throttles; got != want {
		t.Errorf("with BFQ:\n%s\nwant\n%s", got, want)
	}
}

func TestV2SetOthers(t *testing.T) {
	m, w, rules, _ := newFakeV2(t, "c1")
	err := m.Set(&specs.LinuxResources{
		Pids:           &specs.LinuxPids{Limit: ptr(int64(-1))},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 2 << 20}},
		Rdma:           map[string]specs.LinuxRdma{"mlx4_0": {HcaObjects: ptr(uint32(7))}},
		Network:        &specs.LinuxNetwork{ClassID: ptr(uint32(1))}, // no v2 knob: ignored
		Unified:        map[string]string{"pids.max": "7", "io.max": "8:0 rbps=1\n8:16 wbps=2\n", "cgroup.max.depth": "3"},
		Devices:        []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "pids.max=max|hugetlb.2MB.max=2097152|hugetlb.2MB.rsvd.max=2097152|rdma.max=mlx4_0 hca_object=7|" +
		"cgroup.max.depth=3|io.max=8:0 rbps=1|io.max=8:16 wbps=2|pids.max=7"
	if got := w.take(); got != want {
		t.Errorf("writes\n%s\nwant\n%s", got, want)
	}
	if len(*rules) != 1 || len((*rules)[0]) != 12 || (*rules)[0][0].Allow {
		t.Errorf("device rules: deny-all plus 11 defaults expected, got %v", *rules)
	}
	for _, tc := range []struct {
		u    map[string]string
		want string
	}{
		{map[string]string{"../x": "1"}, "without '/'"},
		{map[string]string{"nodot": "1"}, "must be <controller>.<parameter>"},
		{map[string]string{"misc.max": "1"}, "the misc controller is not enabled"},
	} {
		if err := m.Set(&specs.LinuxResources{Unified: tc.u}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("unified %v: %v, want %q", tc.u, err, tc.want)
		}
	}
	fakeFiles(t, m.dir, map[string]string{"cgroup.controllers": "cpu memory"})
	err = m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(1))}})
	if err == nil || err.Error() != fmt.Sprintf("linux.resources.pids: cannot be set: the pids controller is not enabled for %s", m.dir) {
		t.Errorf("disabled controller: %v", err)
	}
}

func TestV2FreezeAndKill(t *testing.T) {
	m, _, _, _ := newFakeV2(t, "c1")
	fakeFiles(t, m.dir, map[string]string{"cgroup.events": "populated 1\nfrozen 1\n"})
	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(m.dir, "cgroup.freeze")); got != "1" {
		t.Errorf("cgroup.freeze = %q", got)
	}
	if s, err := m.State(); s != Frozen || err != nil {
		t.Errorf("State = %v %v", s, err)
	}
	fakeFiles(t, m.dir, map[string]string{"cgroup.events": "populated 1\nfrozen 0\n"})
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if s, _ := m.State(); s != Thawed {
		t.Errorf("State = %v", s)
	}
	os.Remove(filepath.Join(m.dir, "cgroup.freeze"))
	if s, err := m.State(); s != Undefined || err != nil {
		t.Errorf("State without cgroup.freeze = %v %v", s, err)
	}
	// Destroy's kill goes through cgroup.kill, but never at ourselves.
	fakeFiles(t, m.dir, map[string]string{"cgroup.procs": "999999\n"})
	if err := m.killAll(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(m.dir, "cgroup.kill")); got != "1" {
		t.Errorf("cgroup.kill = %q", got)
	}
	fakeFiles(t, m.dir, map[string]string{"cgroup.procs": fmt.Sprint(os.Getpid()), "cgroup.kill": ""})
	if err := m.killAll(); err == nil || !strings.Contains(err.Error(), "holds the runtime itself") {
		t.Errorf("killAll with our own pid: %v", err)
	}
	if got := read(t, filepath.Join(m.dir, "cgroup.kill")); got != "" {
		t.Error("cgroup.kill written although it holds the runtime")
	}
}

func TestV2Skipped(t *testing.T) {
	m := &v2Manager{dir: "/nonexistent", skipped: true}
	if len(m.Paths()) != 0 || m.Exists() || m.Path("") != "" {
		t.Error("a skipped cgroup must have no paths")
	}
	if err := m.Set(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Access: "r"}}}); err != nil {
		t.Errorf("Set of devices only: %v", err)
	}
	if err := m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(1))}}); !errors.Is(err, ErrNoCgroup) {
		t.Errorf("Set of a limit: %v", err)
	}
	if err := m.Destroy(); err != nil {
		t.Error(err)
	}
}

func TestConversions(t *testing.T) {
	for shares, want := range map[uint64]uint64{0: 0, 1: 1, 2: 1, 3: 2, 1024: 100, 262143: 10000, 262144: 10000, 262145: 10000, 512: 59, 2048: 174} {
		if got := CPUSharesToWeight(shares); got != want {
			t.Errorf("CPUSharesToWeight(%d) = %d, want %d", shares, got, want)
		}
	}
	for w, want := range map[uint16]uint64{0: 0, 10: 1, 100: 910, 500: 4950, 1000: 10000} {
		if got := BlkioWeightToIOWeight(w); got != want {
			t.Errorf("BlkioWeightToIOWeight(%d) = %d, want %d", w, got, want)
		}
	}
	if isPermission(errors.New("x")) || !isPermission(&FileError{Err: errEACCES()}) {
		t.Error("isPermission")
	}
}

func errEACCES() error { return unix.EACCES }

// A cgroup whose parents do not exist yet: the hierarchy root is still the
// mount, not the cgroup itself (found only in a real v2 VM: the fake
// hierarchy of newFakeV2 makes every parent beforehand).
func TestV2MountpointWithMissingParents(t *testing.T) {
	root := t.TempDir()
	fakeFiles(t, root, map[string]string{"cgroup.controllers": "cpu memory"})
	m := newV2(Config{}, filepath.Join(root, "a", "b", "c"))
	if got := m.mountpoint(); got != root {
		t.Errorf("mountpoint = %q, want %q", got, root)
	}
	// An existing parent that is a cgroup is below the mount too.
	fakeFiles(t, filepath.Join(root, "a"), map[string]string{"cgroup.controllers": "cpu"})
	m = newV2(Config{}, filepath.Join(root, "a", "b", "c"))
	if got := m.mountpoint(); got != root {
		t.Errorf("mountpoint with an existing parent = %q, want %q", got, root)
	}
	// New sets the mount from the layout.
	l, lroot := fakeLayout(t, ModeV2)
	mm, err := New(Config{Path: "/x/y", ID: "c1", Layout: l})
	if err != nil {
		t.Fatal(err)
	}
	if got := mm.(*v2Manager).mount; got != lroot {
		t.Errorf("New: mount = %q, want %q", got, lroot)
	}
}

// A process can be born in a cgroup2 cgroup: a v2 host's, or on a hybrid
// host its twin in the unified hierarchy. Not on a v1-only host, with
// systemd (it moves the first process itself), or where a rootless Apply
// skipped the cgroup.
func TestCloneInto(t *testing.T) {
	m, _, _, _ := newFakeV2(t, "/a/c1")
	if got := CloneInto(m); got != m.dir || got == "" {
		t.Errorf("v2: CloneInto = %q, want %q", got, m.dir)
	}
	m.skipped = true
	if got := CloneInto(m); got != "" {
		t.Errorf("skipped rootless v2: CloneInto = %q, want none", got)
	}
	l, _ := fakeLayout(t, ModeV1)
	mv, err := New(Config{Path: "/a/c1", ID: "c1", Layout: l})
	if err != nil {
		t.Fatal(err)
	}
	if got := CloneInto(mv); got != "" {
		t.Errorf("v1: CloneInto = %q, want none", got)
	}
	l, _ = fakeLayout(t, ModeHybrid)
	if mv, err = New(Config{Path: "/a/c1", ID: "c1", Layout: l}); err != nil {
		t.Fatal(err)
	}
	if got, want := CloneInto(mv), mv.Path(""); got != want || got == "" {
		t.Errorf("hybrid: CloneInto = %q, want the unified dir %q", got, want)
	}
	mv.(*v1Manager).unified.skipped = true
	if got := CloneInto(mv); got != "" {
		t.Errorf("hybrid, unified skipped: CloneInto = %q, want none", got)
	}
	if mv, err = New(Config{Path: "/a/c1", ID: "c1", Layout: l, Rootless: true}); err != nil {
		t.Fatal(err)
	}
	if got := CloneInto(mv); got != "" {
		t.Errorf("hybrid, rootless: CloneInto = %q, want none (Apply moves the process)", got)
	}
	if got := CloneInto(loadFS(Config{ID: "c1"}, map[string]string{"": "/u/c1", "memory": "/m/c1"})); got != "/u/c1" {
		t.Errorf("hybrid from saved paths: CloneInto = %q, want /u/c1", got)
	}
	if got := CloneInto(&systemdManager{}); got != "" {
		t.Errorf("systemd: CloneInto = %q, want none", got)
	}
}

// A single-threaded process moves itself into each v1 hierarchy once (the
// stage does): one dir per hierarchy, co-mounted controllers sharing one,
// cpuset first. Not on v2, with systemd, or rootless.
func TestV1SelfMoveDirs(t *testing.T) {
	l, _ := fakeLayout(t, ModeHybrid)
	m, err := New(Config{Path: "/a/c1", ID: "c1", Layout: l})
	if err != nil {
		t.Fatal(err)
	}
	got := V1SelfMoveDirs(m)
	want := map[string]bool{}
	for s, d := range m.Paths() {
		if s != "" {
			want[d] = true
		}
	}
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("V1SelfMoveDirs = %q, want each of %v once", got, want)
	}
	for _, d := range got {
		if !want[d] {
			t.Errorf("V1SelfMoveDirs: %q is none of the v1 dirs %v", d, want)
		}
		delete(want, d)
	}
	if cs := m.Path("cpuset"); cs != "" && got[0] != cs {
		t.Errorf("V1SelfMoveDirs starts with %q, want cpuset's %q", got[0], cs)
	}
	if got := V1SelfMoveDirs(loadFS(Config{ID: "c1"}, map[string]string{"cpu,cpuacct": "/c/c1", "cpuset": "/s/c1"})); len(got) != 2 || got[0] != "/s/c1" {
		t.Errorf("from saved paths: %q, want [/s/c1 /c/c1]", got)
	}
	rl, _ := fakeLayout(t, ModeV1)
	if rm, err := New(Config{Path: "/a/c1", ID: "c1", Layout: rl, Rootless: true}); err != nil {
		t.Fatal(err)
	} else if got := V1SelfMoveDirs(rm); got != nil {
		t.Errorf("rootless: %q, want none", got)
	}
	v2, _, _, _ := newFakeV2(t, "/a/c1")
	if got := V1SelfMoveDirs(v2); got != nil {
		t.Errorf("v2: %q, want none", got)
	}
	if got := V1SelfMoveDirs(&systemdManager{}); got != nil {
		t.Errorf("systemd: %q, want none", got)
	}
}

func TestTakesProcesses(t *testing.T) {
	root := t.TempDir()
	for name, files := range map[string]map[string]string{
		"leaf":        {"cgroup.type": "domain\n", "cgroup.procs": "", "cgroup.subtree_control": "\n"},
		"nested":      {"cgroup.type": "domain\n", "cgroup.procs": "", "cgroup.subtree_control": "pids\n"},
		"root":        {"cgroup.procs": "1\n", "cgroup.subtree_control": "cpu memory pids\n"},
		"not-cgroup":  {},
		"no-controls": {"cgroup.type": "domain\n", "cgroup.procs": ""},
	} {
		d := filepath.Join(root, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, c := range files {
			if err := os.WriteFile(filepath.Join(d, f), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, want := range map[string]bool{"leaf": true, "nested": false, "root": true, "not-cgroup": false, "no-controls": false, "missing": false} {
		if got := TakesProcesses(filepath.Join(root, name)); got != want {
			t.Errorf("TakesProcesses(%s) = %v, want %v", name, got, want)
		}
	}
}

// Our own cgroup2 dir, where the host mounts cgroup2 at all.
func TestProcessDirV2(t *testing.T) {
	l, err := DiscoverLayout()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := ProcessDirV2(os.Getpid())
	if l.Unified == nil {
		if err == nil {
			t.Fatalf("no cgroup2 mounted, yet ProcessDirV2 = %q", dir)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := l.Unified.dirFor(l.Unified.Current); dir != want || !exists(filepath.Join(dir, "cgroup.procs")) {
		t.Fatalf("ProcessDirV2(self) = %q, want %q with a cgroup.procs", dir, want)
	}
	if _, err := ProcessDirV2(-1); err == nil {
		t.Fatal("ProcessDirV2 of no process succeeded")
	}
}
