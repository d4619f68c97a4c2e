package cgroups

import (
	"fmt"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// set applies r in runc's v2 order: pids, memory, io, cpu, devices,
// cpuset, hugetlb, rdma, unified. Each section first checks that its
// controller is enabled for the cgroup, so the error names the field and
// the controller instead of a missing file. linux.resources.network has no
// v2 controller and is ignored, as in runc.
func (m *v2Manager) set(r *specs.LinuxResources) error {
	ctl, err := m.controllers()
	if err != nil {
		return err
	}
	need := func(c, field string) error {
		if contains(ctl, c) {
			return nil
		}
		return fmt.Errorf("%s: cannot be set: the %s controller is not enabled for %s", field, c, m.dir)
	}
	if r.Pids != nil && r.Pids.Limit != nil {
		if err := need("pids", "linux.resources.pids"); err != nil {
			return err
		}
		if err := m.write(m.dir, "pids.max", pidsMax(*r.Pids.Limit)); err != nil {
			return err
		}
	}
	if r.Memory != nil && memoryV2Wanted(r.Memory) {
		if err := need("memory", "linux.resources.memory"); err != nil {
			return err
		}
		if err := setMemoryV2(m.write, m.dir, r.Memory); err != nil {
			return err
		}
	}
	if r.BlockIO != nil && ioV2Wanted(r.BlockIO) {
		if err := need("io", "linux.resources.blockIO"); err != nil {
			return err
		}
		if err := setIOV2(m.write, m.dir, r.BlockIO); err != nil {
			return err
		}
	}
	if r.CPU != nil && cpuV1Wanted(r.CPU) {
		if err := need("cpu", "linux.resources.cpu"); err != nil {
			return err
		}
		if err := setCPUV2(m.write, m.dir, r.CPU); err != nil {
			return err
		}
	}
	if err := m.setDevices(r.Devices); err != nil {
		return err
	}
	if r.CPU != nil && (r.CPU.Cpus != "" || r.CPU.Mems != "") {
		if err := need("cpuset", "linux.resources.cpu.cpus/mems"); err != nil {
			return err
		}
		if err := setCpusetV1(m.write, m.dir, r.CPU); err != nil {
			return err
		}
	}
	if len(r.HugepageLimits) > 0 {
		if err := need("hugetlb", "linux.resources.hugepageLimits"); err != nil {
			return err
		}
		if err := setHugetlbFiles(m.write, m.dir, r.HugepageLimits, ".max"); err != nil {
			return err
		}
	}
	if len(r.Rdma) > 0 {
		if err := need("rdma", "linux.resources.rdma"); err != nil {
			return err
		}
		if err := setRdma(m.write, m.dir, r.Rdma); err != nil {
			return err
		}
	}
	return m.setUnified(r.Unified)
}

// controllers lists the controllers enabled for the cgroup. The unified
// part of a hybrid host serves only hugetlb and unified, which enable
// their controller themselves, so it reports none up front.
func (m *v2Manager) controllers() ([]string, error) {
	if m.hybrid {
		return nil, nil
	}
	s, err := readTrim(m.dir, "cgroup.controllers")
	return strings.Fields(s), err
}

// setDevices loads the eBPF device program for the rules (devices.SetV2).
// Rootless containers ignore permission errors.
func (m *v2Manager) setDevices(spec []specs.LinuxDeviceCgroup) error {
	if m.hybrid {
		return nil // enforced by the v1 devices controller
	}
	rules, err := deviceRules(m.cfg, spec)
	if err != nil {
		return err
	}
	err = m.setDeviceRules(m.dir, rules)
	if err != nil && m.cfg.Rootless && isPermission(err) {
		return nil
	}
	return err
}

// setHugetlb is the hybrid-host path for hugepage limits: enable hugetlb
// in the unified parents, then write hugetlb.<size>.max.
func (m *v2Manager) setHugetlb(limits []specs.LinuxHugepageLimit) error {
	if err := m.ensureController("hugetlb"); err != nil {
		return fmt.Errorf("linux.resources.hugepageLimits: %w", err)
	}
	return setHugetlbFiles(m.write, m.dir, limits, ".max")
}

// setUnified writes linux.resources.unified verbatim, one write per line
// (files such as io.max take one entry per write), in key order. A key must
// be a file name "<controller>.<knob>" whose controller is enabled for the
// cgroup ("cgroup.*" keys are always allowed); on a hybrid host the
// controller is enabled in the unified parents first.
func (m *v2Manager) setUnified(u map[string]string) error {
	if len(u) == 0 {
		return nil
	}
	ctl, err := m.controllers()
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c, _, ok := strings.Cut(k, ".")
		switch {
		case strings.ContainsRune(k, '/') || k == "." || k == "..":
			return fmt.Errorf("linux.resources.unified[%q]: must be a file name, without '/'", k)
		case !ok || c == "":
			return fmt.Errorf("linux.resources.unified[%q]: must be <controller>.<parameter>", k)
		case c == "cgroup":
		case m.hybrid:
			if err := m.ensureController(c); err != nil {
				return fmt.Errorf("linux.resources.unified[%q]: %w", k, err)
			}
		case !contains(ctl, c):
			return fmt.Errorf("linux.resources.unified[%q]: the %s controller is not enabled for %s", k, c, m.dir)
		}
		for _, line := range strings.Split(u[k], "\n") {
			if line == "" && strings.Contains(u[k], "\n") {
				continue
			}
			if err := m.write(m.dir, k, line); err != nil {
				return fmt.Errorf("linux.resources.unified[%q]: %w", k, err)
			}
		}
	}
	return nil
}

// resourcesEmpty reports whether r asks for nothing a cgroup must hold
// (devices aside, which rootless containers may not enforce).
func resourcesEmpty(r *specs.LinuxResources) bool {
	return (r.Memory == nil || !memoryV1Wanted(r.Memory)) &&
		(r.CPU == nil || (!cpuV1Wanted(r.CPU) && r.CPU.Cpus == "" && r.CPU.Mems == "")) &&
		(r.Pids == nil || r.Pids.Limit == nil) &&
		(r.BlockIO == nil || !blkioWanted(r.BlockIO)) &&
		len(r.HugepageLimits) == 0 && len(r.Rdma) == 0 && len(r.Unified) == 0 &&
		(r.Network == nil || (r.Network.ClassID == nil && len(r.Network.Priorities) == 0))
}
