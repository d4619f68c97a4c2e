package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setCPUV1 applies the cpu-controller part of linux.resources.cpu (not
// cpus/mems, which belong to cpuset). Zero Shares/Quota/Period mean "leave
// as is"; Quota -1 removes the limit.
func setCPUV1(w writer, dir string, c *specs.LinuxCPU) error {
	if c.Shares != nil && *c.Shares != 0 {
		want := *c.Shares
		if err := w(dir, "cpu.shares", fmtUint(want)); err != nil {
			return err
		}
		// The kernel clamps out-of-range shares silently; say so instead.
		got, err := readUint(dir, "cpu.shares")
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("linux.resources.cpu.shares: %d is out of range; the kernel would use %d", want, got)
		}
	}
	if err := setCFSV1(w, dir, c); err != nil {
		return err
	}
	if err := setCPURealtime(w, dir, c); err != nil {
		return err
	}
	if c.Idle != nil {
		return w(dir, "cpu.idle", fmtInt(*c.Idle))
	}
	return nil
}

// setCFSV1 writes period, quota and burst. A new period or burst that does
// not fit the old quota is refused with EINVAL; it is then retried after
// the quota is written, as runc does.
func setCFSV1(w writer, dir string, c *specs.LinuxCPU) error {
	var quota int64
	if c.Quota != nil {
		quota = *c.Quota
	}
	retry := func(name string, set bool, val string) (bool, error) {
		if !set {
			return false, nil
		}
		err := w(dir, name, val)
		if err != nil && errors.Is(err, unix.EINVAL) && quota != 0 {
			return true, nil
		}
		return false, err
	}
	periodLater, err := retry("cpu.cfs_period_us", c.Period != nil && *c.Period != 0, fmtUintPtr(c.Period))
	if err != nil {
		return err
	}
	burstLater, err := retry("cpu.cfs_burst_us", c.Burst != nil, fmtUintPtr(c.Burst))
	if err != nil {
		return err
	}
	if quota != 0 {
		if err := w(dir, "cpu.cfs_quota_us", fmtInt(quota)); err != nil {
			return err
		}
	}
	if periodLater {
		if err := w(dir, "cpu.cfs_period_us", fmtUintPtr(c.Period)); err != nil {
			return err
		}
	}
	if burstLater {
		return w(dir, "cpu.cfs_burst_us", fmtUintPtr(c.Burst))
	}
	return nil
}

func fmtUintPtr(v *uint64) string {
	if v == nil {
		return ""
	}
	return fmtUint(*v)
}

// setCPURealtime writes the RT period, then the RT runtime (the runtime
// must fit the period). Zero means "leave as is".
func setCPURealtime(w writer, dir string, c *specs.LinuxCPU) error {
	if c.RealtimePeriod != nil && *c.RealtimePeriod != 0 {
		if err := w(dir, "cpu.rt_period_us", fmtUint(*c.RealtimePeriod)); err != nil {
			return err
		}
	}
	if c.RealtimeRuntime != nil && *c.RealtimeRuntime != 0 {
		return w(dir, "cpu.rt_runtime_us", fmtInt(*c.RealtimeRuntime))
	}
	return nil
}

// setCpusetV1 writes cpus and mems when given.
func setCpusetV1(w writer, dir string, c *specs.LinuxCPU) error {
	if c.Cpus != "" {
		if err := w(dir, "cpuset.cpus", c.Cpus); err != nil {
			return err
		}
	}
	if c.Mems != "" {
		return w(dir, "cpuset.mems", c.Mems)
	}
	return nil
}

// cpusetCopyDown makes every cgroup from below mount down to dir usable: a
// new v1 cpuset has empty cpus/mems and refuses tasks until they are set,
// so each empty one gets its parent's value.
func cpusetCopyDown(w writer, mount, dir string) error {
	rel, err := filepath.Rel(mount, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	parent := mount
	for _, e := range strings.Split(rel, "/") {
		cur := filepath.Join(parent, e)
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			v, err := readTrim(cur, f)
			if err != nil {
				return err
			}
			if v != "" {
				continue
			}
			pv, err := readTrim(parent, f)
			if err != nil {
				return err
			}
			if err := w(cur, f, pv); err != nil {
				return err
			}
		}
		parent = cur
	}
	return nil
}
