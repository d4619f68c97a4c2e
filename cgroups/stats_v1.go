package cgroups

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-runtime/berth/internal/cpulist"
)

// GetStats reads every mounted controller of the container. Optional
// counters the kernel lacks (swap or kmem accounting, ...) read as zero.
func (m *v1Manager) GetStats() (*Stats, error) {
	st := newStats()
	steps := []struct {
		subsystem string
		read      func(dir string, st *Stats) error
	}{
		{"cpu", statCPUV1},
		{"cpuacct", statCpuacct},
		{"cpuset", statCpuset},
		{"memory", statMemoryV1},
		{"pids", statPids},
		{"blkio", statBlkioV1},
		{"hugetlb", func(d string, st *Stats) error { return statHugetlb(d, st, false) }},
	}
	for _, s := range steps {
		if d := m.paths[s.subsystem]; d != "" {
			if err := s.read(d, st); err != nil {
				return nil, err
			}
		}
	}
	if m.paths["hugetlb"] == "" && m.unified != nil {
		if err := statHugetlb(m.unified.dir, st, true); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// optional turns "file missing" into "no data".
func optional(err error) error {
	if err != nil && isNotExist(err) {
		return nil
	}
	return err
}

func statCPUV1(dir string, st *Stats) error {
	kv, err := readKeyValues(dir, "cpu.stat")
	if err != nil {
		return optional(err)
	}
	st.CPU.Throttling = Throttling{Periods: kv["nr_periods"], ThrottledPeriods: kv["nr_throttled"], ThrottledTime: kv["throttled_time"]}
	return nil
}

// userHZ is the unit of cpuacct.stat (USER_HZ, 100 on every Linux ABI).
const userHZ = 100

func statCpuacct(dir string, st *Stats) error {
	u := &st.CPU.Usage
	var err error
	if u.Total, err = readUint(dir, "cpuacct.usage"); err != nil {
		return optional(err)
	}
	if s, err := readTrim(dir, "cpuacct.usage_percpu"); err == nil {
		if u.Percpu, err = parseUints(s, dir+"/cpuacct.usage_percpu"); err != nil {
			return err
		}
	}
	if kv, err := readKeyValues(dir, "cpuacct.stat"); err == nil {
		u.User = kv["user"] * (1e9 / userHZ)
		u.Kernel = kv["system"] * (1e9 / userHZ)
	}
	// cpuacct.usage_all: "cpu user system" then one line per CPU.
	if s, err := readFile(dir, "cpuacct.usage_all"); err == nil {
		for _, line := range strings.Split(s, "\n")[1:] {
			f := strings.Fields(line)
			if len(f) != 3 {
				continue
			}
			user, e1 := strconv.ParseUint(f[1], 10, 64)
			sys, e2 := strconv.ParseUint(f[2], 10, 64)
			if e1 != nil || e2 != nil {
				return fmt.Errorf("parse %s/cpuacct.usage_all: bad line %q", dir, line)
			}
			u.PercpuUser = append(u.PercpuUser, user)
			u.PercpuKernel = append(u.PercpuKernel, sys)
		}
	}
	return nil
}

func parseUints(s, where string) ([]uint64, error) {
	var out []uint64
	for _, f := range strings.Fields(s) {
		v, err := parseUint(f, where)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// parseCPUList parses a cpuset file's list, such as "0-3,8,10-11".
func parseCPUList(s string) ([]uint16, error) {
	ns, err := cpulist.Parse(s, 1<<16-1)
	if err != nil {
		return nil, fmt.Errorf("bad cpu list %q", s)
	}
	out := make([]uint16, len(ns))
	for i, n := range ns {
		out[i] = uint16(n)
	}
	return out, nil
}

func statCpuset(dir string, st *Stats) error {
	c := &st.CPUSet
	for _, f := range []struct {
		name string
		dst  *[]uint16
	}{{"cpuset.cpus", &c.CPUs}, {"cpuset.mems", &c.Mems}} {
		s, err := readTrim(dir, f.name)
		if err != nil {
			return optional(err)
		}
		if *f.dst, err = parseCPUList(s); err != nil {
			return fmt.Errorf("%s/%s: %w", dir, f.name, err)
		}
	}
	for _, f := range []struct {
		name string
		dst  *uint64
	}{
		{"cpuset.cpu_exclusive", &c.CPUExclusive}, {"cpuset.mem_hardwall", &c.MemHardwall},
		{"cpuset.mem_exclusive", &c.MemExclusive}, {"cpuset.memory_migrate", &c.MemoryMigrate},
		{"cpuset.memory_spread_page", &c.MemorySpreadPage}, {"cpuset.memory_spread_slab", &c.MemorySpreadSlab},
		{"cpuset.memory_pressure", &c.MemoryPressure}, {"cpuset.sched_load_balance", &c.SchedLoadBalance},
	} {
		v, err := readUint(dir, f.name)
		if optional(err) != nil {
			return err
		}
		*f.dst = v
	}
	if s, err := readTrim(dir, "cpuset.sched_relax_domain_level"); err == nil {
		c.SchedRelaxDomainLevel, _ = strconv.ParseInt(s, 10, 64)
	}
	return nil
}

// memoryEntryV1 reads <prefix>.{usage_in_bytes,max_usage_in_bytes,failcnt,limit_in_bytes}.
func memoryEntryV1(dir, prefix string) (MemoryEntry, error) {
	var e MemoryEntry
	for _, f := range []struct {
		suffix string
		dst    *uint64
	}{{".usage_in_bytes", &e.Usage}, {".max_usage_in_bytes", &e.Max}, {".failcnt", &e.Failcnt}, {".limit_in_bytes", &e.Limit}} {
		v, err := readUint(dir, prefix+f.suffix)
		if err != nil {
			return MemoryEntry{}, optional(err)
		}
		*f.dst = v
	}
	return e, nil
}

func statMemoryV1(dir string, st *Stats) error {
	raw, err := readKeyValues(dir, "memory.stat")
	if err != nil {
		return optional(err)
	}
	st.Memory.Raw = raw
	st.Memory.Cache = raw["cache"]
	for _, f := range []struct {
		prefix string
		dst    *MemoryEntry
	}{{"memory", &st.Memory.Usage}, {"memory.memsw", &st.Memory.Swap}, {"memory.kmem", &st.Memory.Kernel}, {"memory.kmem.tcp", &st.Memory.KernelTCP}} {
		if *f.dst, err = memoryEntryV1(dir, f.prefix); err != nil {
			return err
		}
	}
	return nil
}

// statPids reads pids.current and pids.max ("max" reads as 0 = no limit).
func statPids(dir string, st *Stats) error {
	cur, err := readUint(dir, "pids.current")
	if err != nil {
		return optional(err)
	}
	max, err := readTrim(dir, "pids.max")
	if err != nil {
		return optional(err)
	}
	st.Pids.Current = cur
	if max != "max" {
		st.Pids.Limit, err = parseUint(max, dir+"/pids.max")
	}
	return err
}
