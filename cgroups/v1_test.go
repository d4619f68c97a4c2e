package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// newFakeV1 returns a v1 (or hybrid) Manager for container "c1" whose
// cgroup dirs exist in a fake cgroupfs, with its writes recorded.
func newFakeV1(t *testing.T, mode Mode, cfg Config) (*v1Manager, *writes, string) {
	t.Helper()
	l, root := fakeLayout(t, mode)
	cfg.Layout = l
	if cfg.ID == "" {
		cfg.ID = "c1"
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v1 := m.(*v1Manager)
	fakeFiles(t, filepath.Join(root, "cpuset"), map[string]string{"cpuset.cpus": "0-1", "cpuset.mems": "0"})
	fakeV1Cgroups(t, v1)
	return v1, recordV1(v1), root
}

func TestV1Apply(t *testing.T) {
	cfg := Config{Path: "pod/c1", Resources: &specs.LinuxResources{CPU: &specs.LinuxCPU{
		Cpus: "1", RealtimePeriod: ptr(uint64(900000)), RealtimeRuntime: ptr(int64(1000)),
	}}}
	m, _, root := newFakeV1(t, ModeHybrid, cfg)
	// An intermediate cpuset cgroup with empty cpus/mems (as the kernel
	// makes it) must get its parent's values before anything joins.
	fakeFiles(t, filepath.Join(root, "cpuset/pod"), map[string]string{"cpuset.cpus": "", "cpuset.mems": ""})
	if err := m.Apply(4242); err != nil {
		t.Fatal(err)
	}
	for s, dir := range m.Paths() {
		if got := read(t, filepath.Join(dir, "cgroup.procs")); got != "4242" {
			t.Errorf("%q: cgroup.procs = %q", s, got)
		}
	}
	if got := m.Paths()["memory"]; got != filepath.Join(root, "memory/process_api/abc/pod/c1") {
		t.Errorf("memory dir %s", got)
	}
	if got := read(t, filepath.Join(root, "cpuset/pod/cpuset.cpus")); got != "0-1" {
		t.Errorf("parent cpuset.cpus = %q, want copied 0-1", got)
	}
	if got := read(t, filepath.Join(root, "cpuset/pod/c1/cpuset.cpus")); got != "1" {
		t.Errorf("cpuset.cpus = %q, want 1 (from Config.Resources, before joining)", got)
	}
	if got := read(t, filepath.Join(root, "cpuset/pod/c1/cpuset.mems")); got != "0" {
		t.Errorf("cpuset.mems = %q, want copied 0", got)
	}
	if got := read(t, filepath.Join(root, "cpu/pod/c1/cpu.rt_runtime_us")); got != "1000" {
		t.Errorf("rt runtime = %q, want 1000 before joining", got)
	}
	if _, ok := m.Paths()[""]; !ok {
		t.Error("hybrid: the unified cgroup is missing from Paths")
	}
}

func TestV1ApplyCreatesAndUndoes(t *testing.T) {
	l, root := fakeLayout(t, ModeV1)
	delete(l.V1, "cpuset") // a fake cpuset cgroup would need its files
	m, _ := New(Config{ID: "c2", Layout: l})
	// pid 0 only creates: the fake dirs have no kernel files, which is fine.
	if err := m.Apply(0); err != nil {
		t.Fatal(err)
	}
	if !m.Exists() || !exists(filepath.Join(root, "memory/process_api/abc/c2")) {
		t.Fatal("dirs not created")
	}
	// Joining fails (no cgroup.procs in the fake): everything made is removed.
	m2, _ := New(Config{ID: "c3", Layout: l})
	err := m2.Apply(1)
	if err == nil || !strings.Contains(err.Error(), "cgroup.procs") {
		t.Fatalf("Apply = %v", err)
	}
	for _, d := range m2.Paths() {
		if exists(d) {
			t.Errorf("%s left behind after a failed Apply", d)
		}
	}
}

func TestV1SetMemory(t *testing.T) {
	m, w, _ := newFakeV1(t, ModeV1, Config{})
	set := func(mem *specs.LinuxMemory) error { return m.Set(&specs.LinuxResources{Memory: mem}) }
	// From unlimited down: memory first (memsw may not go below it).
	// Kernel and KernelTCP are ignored.
	if err := set(&specs.LinuxMemory{Limit: ptr(int64(100 << 20)), Swap: ptr(int64(200 << 20)), Reservation: ptr(int64(50 << 20)),
		DisableOOMKiller: ptr(true), Swappiness: ptr(uint64(10)), Kernel: ptr(int64(1)), KernelTCP: ptr(int64(1))}); err != nil {
		t.Fatal(err)
	}
	got := w.take()
	want := "memory.limit_in_bytes=104857600|memory.memsw.limit_in_bytes=209715200|memory.soft_limit_in_bytes=52428800|memory.oom_control=1|memory.swappiness=10"
	if !strings.HasSuffix(got, want) {
		t.Errorf("writes %s\nwant ...%s", got, want)
	}
	// Raising memsw above the current limit: swap first.
	if err := set(&specs.LinuxMemory{Limit: ptr(int64(300 << 20)), Swap: ptr(int64(400 << 20))}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); !strings.HasSuffix(got, "memory.memsw.limit_in_bytes=419430400|memory.limit_in_bytes=314572800") {
		t.Errorf("raising: %s", got)
	}
	// Lowering below the current limit (now 100M): memory first.
	if err := set(&specs.LinuxMemory{Limit: ptr(int64(10 << 20)), Swap: ptr(int64(20 << 20))}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); !strings.HasSuffix(got, "memory.limit_in_bytes=10485760|memory.memsw.limit_in_bytes=20971520") {
		t.Errorf("lowering: %s", got)
	}
	// -1 with swap unset means both unlimited, swap first.
	if err := set(&specs.LinuxMemory{Limit: ptr(int64(-1))}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); !strings.HasSuffix(got, "memory.memsw.limit_in_bytes=-1|memory.limit_in_bytes=-1") {
		t.Errorf("unlimited: %s", got)
	}
	if err := set(&specs.LinuxMemory{Swappiness: ptr(uint64(101))}); err == nil || !strings.Contains(err.Error(), "swappiness") {
		t.Errorf("swappiness 101: %v", err)
	}
	// checkBeforeUpdate refuses a limit at or below usage (4096 in the fake).
	err := set(&specs.LinuxMemory{Limit: ptr(int64(4096)), CheckBeforeUpdate: ptr(true)})
	if err == nil || !strings.Contains(err.Error(), "checkBeforeUpdate") {
		t.Errorf("checkBeforeUpdate: %v", err)
	}
	if err := set(&specs.LinuxMemory{Limit: ptr(int64(8192)), CheckBeforeUpdate: ptr(true)}); err != nil {
		t.Errorf("limit above usage: %v", err)
	}
}

func TestV1SetCPU(t *testing.T) {
	m, w, _ := newFakeV1(t, ModeV1, Config{})
	err := m.Set(&specs.LinuxResources{CPU: &specs.LinuxCPU{
		Shares: ptr(uint64(512)), Quota: ptr(int64(50000)), Period: ptr(uint64(100000)), Burst: ptr(uint64(1000)),
		RealtimePeriod: ptr(uint64(1000000)), RealtimeRuntime: ptr(int64(950000)), Idle: ptr(int64(0)),
		Cpus: "0", Mems: "0",
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "cpuset.cpus=0|cpuset.mems=0|"
	want2 := "cpu.shares=512|cpu.cfs_period_us=100000|cpu.cfs_burst_us=1000|cpu.cfs_quota_us=50000|cpu.rt_period_us=1000000|cpu.rt_runtime_us=950000|cpu.idle=0"
	if got := w.take(); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, want2) {
		t.Errorf("writes %s\nwant %s...%s", got, want, want2)
	}
	if err := m.Set(&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr(int64(-1))}}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); !strings.HasSuffix(got, "cpu.cfs_quota_us=-1") {
		t.Errorf("quota -1: %s", got)
	}
}

func TestV1SetPidsBlkioNetRdmaHugetlb(t *testing.T) {
	m, w, _ := newFakeV1(t, ModeV1, Config{})
	for _, tc := range []struct {
		limit int64
		want  string
	}{{100, "100"}, {-1, "max"}, {0, "1"}} {
		if err := m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(tc.limit)}}); err != nil {
			t.Fatal(err)
		}
		if got := w.take(); !strings.HasSuffix(got, "pids.max="+tc.want) {
			t.Errorf("pids %d: %s", tc.limit, got)
		}
	}
	dev := specs.LinuxBlockIODevice{Major: 8, Minor: 0}
	err := m.Set(&specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
		Weight: ptr(uint16(300)), LeafWeight: ptr(uint16(0)),
		WeightDevice:            []specs.LinuxWeightDevice{{LinuxBlockIODevice: dev, Weight: ptr(uint16(200))}},
		ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 1000}},
		ThrottleWriteBpsDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 2000}},
		ThrottleReadIOPSDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 30}},
		ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev, Rate: 40}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "blkio.bfq.weight=300|blkio.bfq.weight_device=8:0 200|blkio.throttle.read_bps_device=8:0 1000|" +
		"blkio.throttle.write_bps_device=8:0 2000|blkio.throttle.read_iops_device=8:0 30|blkio.throttle.write_iops_device=8:0 40"
	if got := w.take(); !strings.HasSuffix(got, want) {
		t.Errorf("blkio (BFQ): %s\nwant ...%s", got, want)
	}
	// With CFQ's blkio.weight present, the CFQ files are used.
	fakeFiles(t, m.paths["blkio"], map[string]string{"blkio.weight": "500", "blkio.weight_device": "", "blkio.leaf_weight": ""})
	if err := m.Set(&specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr(uint16(10)), LeafWeight: ptr(uint16(20))}}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); !strings.HasSuffix(got, "blkio.weight=10|blkio.leaf_weight=20") {
		t.Errorf("blkio (CFQ): %s", got)
	}

	err = m.Set(&specs.LinuxResources{
		Network:        &specs.LinuxNetwork{ClassID: ptr(uint32(0x100001)), Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}, {Name: "lo", Priority: 1}}},
		Rdma:           map[string]specs.LinuxRdma{"mlx5_1": {HcaHandles: ptr(uint32(3))}, "mlx4_0": {HcaHandles: ptr(uint32(2)), HcaObjects: ptr(uint32(2000))}},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want = "hugetlb.2MB.limit_in_bytes=4194304|hugetlb.2MB.rsvd.limit_in_bytes=4194304|net_cls.classid=1048577|" +
		"net_prio.ifpriomap=eth0 5|net_prio.ifpriomap=lo 1|rdma.max=mlx4_0 hca_handle=2 hca_object=2000|rdma.max=mlx5_1 hca_handle=3"
	if got := w.take(); !strings.HasSuffix(got, want) {
		t.Errorf("hugetlb/net/rdma: %s\nwant ...%s", got, want)
	}
	// Without .rsvd files only the plain limit is written.
	os.Remove(filepath.Join(m.paths["hugetlb"], "hugetlb.2MB.rsvd.limit_in_bytes"))
	if err := m.Set(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1}}}); err != nil {
		t.Fatal(err)
	}
	if got := w.take(); !strings.HasSuffix(got, "hugetlb.2MB.limit_in_bytes=1|hugetlb.2MB.rsvd.limit_in_bytes=1") {
		t.Errorf("hugetlb without rsvd: %s", got)
	}
}

func TestV1SetErrors(t *testing.T) {
	m, _, _ := newFakeV1(t, ModeHybrid, Config{})
	for _, tc := range []struct {
		r    specs.LinuxResources
		want string
	}{
		{specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr(uint32(1))}}, "linux.resources.network.classID: cannot be set: the container has no net_cls cgroup"},
		{specs.LinuxResources{Rdma: map[string]specs.LinuxRdma{"x": {}}}, "no rdma cgroup"},
		{specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "z", Access: "r"}}}, `linux.resources.devices[0]: invalid type "z"`},
		{specs.LinuxResources{Unified: map[string]string{"memory.max": "1"}}, `linux.resources.unified["memory.max"]: the memory controller is not available in`},
		{specs.LinuxResources{Unified: map[string]string{"a/b": "1"}}, "without '/'"},
	} {
		err := m.Set(&tc.r)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%+v) = %v\nwant error containing %q", tc.r, err, tc.want)
		}
	}
	v1, _, _ := newFakeV1(t, ModeV1, Config{})
	if err := v1.Set(&specs.LinuxResources{Unified: map[string]string{"pids.max": "1"}}); err == nil || !strings.Contains(err.Error(), "not supported on cgroup v1") {
		t.Errorf("unified on v1: %v", err)
	}
	// One-line errors naming the value and the file.
	err := writeFile("/nonexistent-dir", "memory.limit_in_bytes", "100")
	if err == nil || err.Error() != `open /nonexistent-dir/memory.limit_in_bytes: no such file or directory` || !errors.Is(err, unix.ENOENT) {
		t.Errorf("error text: %v", err)
	}
}
