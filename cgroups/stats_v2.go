package cgroups

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// GetStats reads cpu.stat, memory.*, pids.*, io.stat, hugetlb.* and the
// PSI files of the cgroup; files of controllers that are not enabled are
// skipped. Times are converted to nanoseconds, and swap is reported as
// memory+swap like on v1 (as runc does).
func (m *v2Manager) GetStats() (*Stats, error) {
	if m.skipped {
		return nil, ErrNoCgroup
	}
	st := newStats()
	for _, f := range []func(string, *Stats) error{statCPUV2, statMemoryV2, statPids, statIOV2} {
		if err := f(m.dir, st); err != nil {
			return nil, err
		}
	}
	if err := statHugetlb(m.dir, st, true); err != nil {
		return nil, err
	}
	var err error
	for _, p := range []struct {
		file string
		dst  **PSIStats
	}{{"cpu.pressure", &st.CPU.PSI}, {"memory.pressure", &st.Memory.PSI}, {"io.pressure", &st.Blkio.PSI}} {
		if *p.dst, err = readPSI(m.dir, p.file); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func statCPUV2(dir string, st *Stats) error {
	kv, err := readKeyValues(dir, "cpu.stat")
	if err != nil {
		return optional(err)
	}
	st.CPU.Usage.Total = kv["usage_usec"] * 1000
	st.CPU.Usage.User = kv["user_usec"] * 1000
	st.CPU.Usage.Kernel = kv["system_usec"] * 1000
	st.CPU.Throttling = Throttling{Periods: kv["nr_periods"], ThrottledPeriods: kv["nr_throttled"], ThrottledTime: kv["throttled_usec"] * 1000}
	return nil
}

// memoryEntryV2 reads <prefix>.current, .max and .peak (peak: Linux >= 5.19,
// swap.peak >= 6.5; zero when absent).
func memoryEntryV2(dir, prefix string) (MemoryEntry, bool, error) {
	var e MemoryEntry
	var err error
	if e.Usage, err = readUint(dir, prefix+".current"); err != nil {
		return e, false, optional(err)
	}
	if e.Limit, err = readUint(dir, prefix+".max"); err != nil {
		return e, false, optional(err)
	}
	e.Max, _ = readUint(dir, prefix+".peak")
	return e, true, nil
}

func statMemoryV2(dir string, st *Stats) error {
	raw, err := readKeyValues(dir, "memory.stat")
	if err != nil {
		return optional(err)
	}
	st.Memory.Raw = raw
	st.Memory.Cache = raw["file"]
	mem, ok, err := memoryEntryV2(dir, "memory")
	if err != nil || !ok {
		return err
	}
	st.Memory.Usage = mem
	swap, ok, err := memoryEntryV2(dir, "memory.swap")
	if err != nil {
		return err
	}
	if ok {
		swap.Usage += mem.Usage
		if swap.Limit != math.MaxUint64 && mem.Limit != math.MaxUint64 {
			swap.Limit += mem.Limit
		} else {
			swap.Limit = math.MaxUint64
		}
		swap.Max = 0 // a peak of the sum cannot be derived
		st.Memory.Swap = swap
	}
	return nil
}

// readPSI parses a *.pressure file ("some avg10=.. avg60=.. avg300=..
// total=..", and "full ..."); nil when the kernel has no PSI.
func readPSI(dir, name string) (*PSIStats, error) {
	s, err := readFile(dir, name)
	if err != nil {
		return nil, optional(err)
	}
	var ps PSIStats
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var d *PSIData
		switch f[0] {
		case "some":
			d = &ps.Some
		case "full":
			d = &ps.Full
		default:
			continue
		}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			var err error
			switch k {
			case "avg10":
				d.Avg10, err = strconv.ParseFloat(v, 64)
			case "avg60":
				d.Avg60, err = strconv.ParseFloat(v, 64)
			case "avg300":
				d.Avg300, err = strconv.ParseFloat(v, 64)
			case "total":
				d.Total, err = strconv.ParseUint(v, 10, 64)
			}
			if err != nil {
				return nil, fmt.Errorf("parse %s/%s: bad field %q", dir, name, kv)
			}
		}
	}
	return &ps, nil
}
