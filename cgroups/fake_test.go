package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// A fake cgroupfs: plain directories and files in t.TempDir(), described
// to ParseLayout by a fake mountinfo. Writes replace a file's content
// (like most cgroup knobs read back); files written several times in a row
// can be turned into FIFOs with record to see every write.

var v1Hierarchies = []string{"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"}

// fakeLayout builds the layout of a host of the given mode under a temp
// dir. The caller's own cgroup is /process_api/abc in the memory
// hierarchy and / elsewhere (as on this host). ModeV1 also mounts
// net_cls,net_prio (co-mounted), hugetlb and rdma.
func fakeLayout(t *testing.T, mode Mode) (*Layout, string) {
	t.Helper()
	root := t.TempDir()
	var mi, cg strings.Builder
	id := 30
	mount := func(fstype, dir, opts string) {
		id++
		mp := filepath.Join(root, dir)
		if err := os.MkdirAll(mp, 0o755); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&mi, "%d 23 0:%d / %s rw,relatime - %s %s rw%s\n", id, id, mp, fstype, fstype, opts)
	}
	fmt.Fprintf(&mi, "23 1 0:21 / %s rw - tmpfs tmpfs rw\n", root)
	if mode != ModeV2 {
		hs := append([]string{}, v1Hierarchies...)
		if mode == ModeV1 {
			hs = append(hs, "net_cls,net_prio", "hugetlb", "rdma")
		}
		for i, h := range hs {
			dir := strings.TrimPrefix(h, "name=")
			mount("cgroup", dir, ","+h)
			own := "/"
			if h == "memory" {
				own = "/process_api/abc"
			}
			fmt.Fprintf(&cg, "%d:%s:%s\n", len(hs)-i, h, own)
		}
	}
	switch mode {
	case ModeHybrid:
		mount("cgroup2", "unified", "")
		fakeFiles(t, filepath.Join(root, "unified"), map[string]string{"cgroup.controllers": "hugetlb", "cgroup.subtree_control": ""})
	case ModeV2:
		mount("cgroup2", "", ",nsdelegate")
		fakeFiles(t, root, map[string]string{"cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma", "cgroup.subtree_control": ""})
	}
	if mode != ModeV1 {
		fmt.Fprintf(&cg, "0::/\n")
	}
	l, err := ParseLayout(strings.NewReader(mi.String()), strings.NewReader(cg.String()))
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != mode {
		t.Fatalf("fake layout has mode %v, want %v", l.Mode, mode)
	}
	return l, root
}

// kernelFiles are the files a fake cgroup of each subsystem gets, with
// their initial content.
var kernelFiles = map[string]map[string]string{
	"cpu": {"cpu.shares": "1024", "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "cpu.cfs_burst_us": "0",
		"cpu.rt_period_us": "1000000", "cpu.rt_runtime_us": "0", "cpu.idle": "0", "cpu.stat": ""},
	"cpuacct": {"cpuacct.usage": "0"},
	"cpuset":  {"cpuset.cpus": "", "cpuset.mems": ""},
	"memory": {"memory.limit_in_bytes": "9223372036854771712", "memory.memsw.limit_in_bytes": "9223372036854771712",
		"memory.soft_limit_in_bytes": "", "memory.oom_control": "", "memory.swappiness": "60",
		"memory.usage_in_bytes": "4096", "memory.memsw.usage_in_bytes": "4096", "memory.stat": ""},
	"devices": {"devices.allow": "", "devices.deny": "", "devices.list": "a *:* rwm\n"},
	"freezer": {"freezer.state": "THAWED", "freezer.self_freezing": "0"},
	"blkio": {"blkio.bfq.weight": "100", "blkio.bfq.weight_device": "", "blkio.throttle.read_bps_device": "",
		"blkio.throttle.write_bps_device": "", "blkio.throttle.read_iops_device": "", "blkio.throttle.write_iops_device": ""},
	"pids":     {"pids.max": "max", "pids.current": "0"},
	"net_cls":  {"net_cls.classid": "0"},
	"net_prio": {"net_prio.ifpriomap": ""},
	"hugetlb":  {"hugetlb.2MB.limit_in_bytes": "", "hugetlb.2MB.rsvd.limit_in_bytes": ""},
	"rdma":     {"rdma.max": ""},
	"": {"cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma", "cgroup.subtree_control": "",
		"cgroup.events": "populated 0\nfrozen 0\n", "cgroup.freeze": "0", "cgroup.kill": "",
		"memory.max": "max", "memory.swap.max": "max", "memory.low": "0", "memory.current": "8192",
		"cpu.weight": "100", "cpu.max": "max 100000", "cpu.max.burst": "0", "cpu.idle": "0",
		"pids.max": "max", "io.weight": "default 100", "io.max": "", "cpuset.cpus": "", "cpuset.mems": "",
		"hugetlb.2MB.max": "max", "hugetlb.2MB.rsvd.max": "max", "rdma.max": "", "cgroup.max.depth": "max"},
}

// fakeFiles creates dir and the given files.
func fakeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeCgroup plays the kernel for a new cgroup: it creates dir with
// cgroup.procs and the files of subsystem s.
func fakeCgroup(t *testing.T, s, dir string) {
	t.Helper()
	files := map[string]string{"cgroup.procs": ""}
	for k, v := range kernelFiles[s] {
		files[k] = v
	}
	fakeFiles(t, dir, files)
}

// fakeV1Cgroups creates the container's dirs of every hierarchy of m (and
// of its unified twin), as the kernel would on mkdir.
func fakeV1Cgroups(t *testing.T, m *v1Manager) {
	t.Helper()
	for s, dir := range m.paths {
		fakeCgroup(t, s, dir)
		if s == "net_cls" || s == "net_prio" { // co-mounted: both sets
			fakeCgroup(t, "net_cls", dir)
			fakeFiles(t, dir, kernelFiles["net_prio"])
		}
	}
	if m.unified != nil {
		fakeFiles(t, m.unified.dir, map[string]string{"cgroup.procs": "", "cgroup.controllers": "",
			"cgroup.subtree_control": "", "hugetlb.2MB.max": "max", "hugetlb.2MB.rsvd.max": "max"})
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// writes records every resource write of a Manager ("name=value", in
// order) and still performs it on the fake files.
type writes struct {
	mu  sync.Mutex
	log []string
}

func (w *writes) writer(dir, name, val string) error {
	w.mu.Lock()
	w.log = append(w.log, name+"="+val)
	w.mu.Unlock()
	return writeFile(dir, name, val)
}

// take returns the writes so far and forgets them.
func (w *writes) take() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := strings.Join(w.log, "|")
	w.log = nil
	return s
}

// recordV1 / recordV2 route a Manager's resource writes through w.
func recordV1(m *v1Manager) *writes {
	w := &writes{}
	m.write = w.writer
	if m.unified != nil {
		m.unified.write = w.writer
	}
	return w
}

func recordV2(m *v2Manager) *writes {
	w := &writes{}
	m.write = w.writer
	return w
}

func sortedKeys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func ptr[T any](v T) *T { return &v }
