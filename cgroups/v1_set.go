package cgroups

import (
	"fmt"
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// set applies every field of r in runc's order: cpuset, devices, memory,
// cpu, pids, blkio, hugetlb, network, rdma, unified.
func (m *v1Manager) set(r *specs.LinuxResources) error {
	if r.CPU != nil && (r.CPU.Cpus != "" || r.CPU.Mems != "") {
		if err := m.with("cpuset", "linux.resources.cpu.cpus/mems", func(d string) error { return setCpusetV1(m.write, d, r.CPU) }); err != nil {
			return err
		}
	}
	if err := m.setDevices(r.Devices); err != nil {
		return err
	}
	if r.Memory != nil && memoryV1Wanted(r.Memory) {
		if err := m.with("memory", "linux.resources.memory", func(d string) error { return setMemoryV1(m.write, d, r.Memory) }); err != nil {
			return err
		}
	}
	if r.CPU != nil && cpuV1Wanted(r.CPU) {
		if err := m.with("cpu", "linux.resources.cpu", func(d string) error { return setCPUV1(m.write, d, r.CPU) }); err != nil {
			return err
		}
	}
	if r.Pids != nil && r.Pids.Limit != nil {
		if err := m.with("pids", "linux.resources.pids", func(d string) error {
			return m.write(d, "pids.max", pidsMax(*r.Pids.Limit))
		}); err != nil {
			return err
		}
	}
	if r.BlockIO != nil && blkioWanted(r.BlockIO) {
		if err := m.with("blkio", "linux.resources.blockIO", func(d string) error { return setBlkioV1(m.write, d, r.BlockIO) }); err != nil {
			return err
		}
	}
	if err := m.setHugetlb(r.HugepageLimits); err != nil {
		return err
	}
	if err := m.setNetwork(r.Network); err != nil {
		return err
	}
	if len(r.Rdma) > 0 {
		if err := m.with("rdma", "linux.resources.rdma", func(d string) error { return setRdma(m.write, d, r.Rdma) }); err != nil {
			return err
		}
	}
	if len(r.Unified) > 0 {
		if m.unified == nil {
			return fmt.Errorf("linux.resources.unified: not supported on cgroup v1 (no unified hierarchy)")
		}
		return m.unified.setUnified(r.Unified)
	}
	return nil
}

// with runs f on the dir of subsystem s, or fails naming the field when
// the container has no cgroup in that hierarchy.
func (m *v1Manager) with(s, field string, f func(dir string) error) error {
	d := m.paths[s]
	if d == "" {
		return fmt.Errorf("%s: cannot be set: the container has no %s cgroup (controller not mounted, or skipped as rootless)", field, s)
	}
	return f(d)
}

func memoryV1Wanted(mem *specs.LinuxMemory) bool {
	return mem.Limit != nil || mem.Swap != nil || mem.Reservation != nil ||
		mem.DisableOOMKiller != nil || (mem.Swappiness != nil && int64(*mem.Swappiness) != -1)
}

func cpuV1Wanted(c *specs.LinuxCPU) bool {
	return c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil ||
		c.RealtimePeriod != nil || c.RealtimeRuntime != nil || c.Idle != nil
}

// pidsMax converts linux.resources.pids.limit like runc >= 1.3: a positive
// limit as is, negative (-1) as "max", and 0 as "1" — the spec makes 0 a
// real limit, and runc maps it to 1 (systemd's TasksMax cannot be 0); with
// the container's init counted, both forbid any fork.
func pidsMax(limit int64) string {
	switch {
	case limit > 0:
		return fmtInt(limit)
	case limit == 0:
		return "1"
	}
	return "max"
}

// setHugetlb writes hugetlb.<size>.limit_in_bytes (and the .rsvd. variant
// where the kernel has it, as runc does) in the v1 hugetlb hierarchy, or,
// on a hybrid host without one, the v2 files in the unified hierarchy.
func (m *v1Manager) setHugetlb(limits []specs.LinuxHugepageLimit) error {
	if len(limits) == 0 {
		return nil
	}
	if d := m.paths["hugetlb"]; d != "" {
		return setHugetlbFiles(m.write, d, limits, ".limit_in_bytes")
	}
	if m.unified != nil {
		return m.unified.setHugetlb(limits)
	}
	return fmt.Errorf("linux.resources.hugepageLimits: cannot be set: the hugetlb controller is not mounted")
}

// setHugetlbFiles writes each limit to hugetlb.<size><suffix> and, if the
// kernel has it, to hugetlb.<size>.rsvd<suffix> (reservation accounting,
// which the spec prefers).
func setHugetlbFiles(w writer, dir string, limits []specs.LinuxHugepageLimit, suffix string) error {
	rsvd := true
	for _, l := range limits {
		val := fmtUint(l.Limit)
		if err := w(dir, "hugetlb."+l.Pagesize+suffix, val); err != nil {
			return err
		}
		if !rsvd {
			continue
		}
		if err := w(dir, "hugetlb."+l.Pagesize+".rsvd"+suffix, val); err != nil {
			if !isNotExist(err) {
				return err
			}
			rsvd = false
		}
	}
	return nil
}

// setNetwork writes net_cls.classid and net_prio.ifpriomap; as in runc,
// asking for them without the hierarchy mounted is an error.
func (m *v1Manager) setNetwork(n *specs.LinuxNetwork) error {
	if n == nil {
		return nil
	}
	if n.ClassID != nil {
		if err := m.with("net_cls", "linux.resources.network.classID", func(d string) error {
			return m.write(d, "net_cls.classid", fmtUint(uint64(*n.ClassID)))
		}); err != nil {
			return err
		}
	}
	if len(n.Priorities) == 0 {
		return nil
	}
	return m.with("net_prio", "linux.resources.network.priorities", func(d string) error {
		for _, p := range n.Priorities {
			if err := m.write(d, "net_prio.ifpriomap", p.Name+" "+fmtUint(uint64(p.Priority))); err != nil {
				return err
			}
		}
		return nil
	})
}

// setRdma writes one rdma.max line per device, in device-name order
// (same file and format on v1 and v2).
func setRdma(w writer, dir string, rdma map[string]specs.LinuxRdma) error {
	names := make([]string, 0, len(rdma))
	for n := range rdma {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		l := rdma[n]
		line := n
		if l.HcaHandles != nil {
			line += " hca_handle=" + fmtUint(uint64(*l.HcaHandles))
		}
		if l.HcaObjects != nil {
			line += " hca_object=" + fmtUint(uint64(*l.HcaObjects))
		}
		if line == n {
			continue
		}
		if err := w(dir, "rdma.max", line); err != nil {
			return err
		}
	}
	return nil
}
