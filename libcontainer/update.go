package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/berth-runtime/berth/cgroups"
)

// Update changes the resources of a container that is not stopped, as
// `runc update` does: u is merged into the container's saved
// linux.resources (see MergeResources), the result is applied to its
// cgroup, and only once that succeeded is it saved, so that a later update
// or a reader of the saved spec sees it. If applying fails, the previous
// resources are applied again (best effort, warned about) and the saved
// spec is left as it was.
func (c *Container) Update(u *specs.LinuxResources) error {
	if err := c.Lock(); err != nil {
		return err
	}
	defer c.Unlock()
	switch c.Status() {
	case Stopped, Creating:
		return ErrNotRunning
	}
	if len(c.State.CgroupPaths) == 0 {
		return fmt.Errorf("cannot update container %s: %w", c.ID, cgroups.ErrNoCgroup)
	}
	// Read the spec under the lock: another update may just have saved it.
	spec, err := loadSpec(c.Dir)
	if err != nil {
		return fmt.Errorf("load config of container %s: %w", c.ID, err)
	}
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	old := spec.Linux.Resources
	merged, err := MergeResources(old, u)
	if err != nil {
		return err
	}
	cfg := cgroupConfig(c.ID, spec, c.State.Systemd, c.State.Rootless)
	cfg.Path = c.State.CgroupsPath
	cfg.Resources = merged
	m, err := cgroups.Load(cfg, c.State.CgroupPaths)
	if err != nil {
		return err
	}
	if err := m.Set(merged); err != nil {
		if old != nil {
			if err2 := m.Set(old); err2 != nil {
				logrus.Warnf("Setting back cgroup configs failed due to error: %v, your state and actual configs might be inconsistent.", err2)
			}
		}
		return err
	}
	spec.Linux.Resources = merged
	if err := saveSpec(c.Dir, spec); err != nil {
		return fmt.Errorf("save config of container %s: %w", c.ID, err)
	}
	c.spec = spec
	return nil
}

// MergeResources returns a copy of old (which may be nil) with the changes
// of u, following runc's update rules:
//   - a nil field, and a zero for the fields where the cgroup files treat
//     zero as "leave as is" (memory limit/swap/reservation, cpu shares,
//     quota, period, realtime period/runtime, blkio weights), keeps the old
//     value; an empty cpus/mems string too;
//   - memory limit -1 without a swap value means unlimited swap as well;
//   - memory.checkBeforeUpdate applies to this update only: it is u's value
//     (false when u does not say);
//   - cpu idle without shares drops the old shares (the kernel refuses a
//     weight for an idle group);
//   - blkio weight devices and throttle devices are updated by major:minor,
//     or added; unified keys are added or replaced;
//   - devices, hugepage limits, network, rdma and kernel memory are not
//     updatable and are ignored, as runc ignores them.
func MergeResources(old, u *specs.LinuxResources) (*specs.LinuxResources, error) {
	r, err := copyResources(old)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return r, nil
	}
	mergeMemory(r, u.Memory)
	mergeCPU(r, u.CPU)
	mergeBlockIO(r, u.BlockIO)
	if u.Pids != nil && u.Pids.Limit != nil {
		r.Pids = &specs.LinuxPids{Limit: ptrOf(*u.Pids.Limit)}
	}
	if len(u.Unified) > 0 {
		if r.Unified == nil {
			r.Unified = map[string]string{}
		}
		for k, v := range u.Unified {
			r.Unified[k] = v
		}
	}
	return r, nil
}

func copyResources(old *specs.LinuxResources) (*specs.LinuxResources, error) {
	r := &specs.LinuxResources{}
	if old == nil {
		return r, nil
	}
	data, err := json.Marshal(old)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, err
	}
	return r, nil
}

func ptrOf[T any](v T) *T { return &v }

// setNonZero copies *src to *dst when src is set and not zero.
func setNonZero[T int64 | uint64 | uint16](dst **T, src *T) {
	if src != nil && *src != 0 {
		*dst = ptrOf(*src)
	}
}

func mergeMemory(r *specs.LinuxResources, u *specs.LinuxMemory) {
	if u == nil {
		if r.Memory != nil {
			r.Memory.CheckBeforeUpdate = nil
		}
		return
	}
	if r.Memory == nil {
		r.Memory = &specs.LinuxMemory{}
	}
	m := r.Memory
	setNonZero(&m.Limit, u.Limit)
	setNonZero(&m.Swap, u.Swap)
	setNonZero(&m.Reservation, u.Reservation)
	if u.Limit != nil && *u.Limit == -1 && u.Swap == nil {
		// Unset swap with unlimited memory means unlimited swap (the
		// cgroup drivers turn it into -1 where the kernel accounts swap).
		m.Swap = nil
	}
	m.CheckBeforeUpdate = nil
	if u.CheckBeforeUpdate != nil && *u.CheckBeforeUpdate {
		m.CheckBeforeUpdate = ptrOf(true)
	}
}

func mergeCPU(r *specs.LinuxResources, u *specs.LinuxCPU) {
	if u == nil {
		return
	}
	if r.CPU == nil {
		r.CPU = &specs.LinuxCPU{}
	}
	c := r.CPU
	setNonZero(&c.Shares, u.Shares)
	setNonZero(&c.Quota, u.Quota)
	setNonZero(&c.Period, u.Period)
	setNonZero(&c.RealtimePeriod, u.RealtimePeriod)
	setNonZero(&c.RealtimeRuntime, u.RealtimeRuntime)
	if u.Burst != nil {
		c.Burst = ptrOf(*u.Burst)
	}
	if u.Cpus != "" {
		c.Cpus = u.Cpus
	}
	if u.Mems != "" {
		c.Mems = u.Mems
	}
	if u.Idle != nil {
		c.Idle = ptrOf(*u.Idle)
		if u.Shares == nil {
			c.Shares = nil
		}
	}
}

func mergeBlockIO(r *specs.LinuxResources, u *specs.LinuxBlockIO) {
	if u == nil {
		return
	}
	if r.BlockIO == nil {
		r.BlockIO = &specs.LinuxBlockIO{}
	}
	b := r.BlockIO
	setNonZero(&b.Weight, u.Weight)
	setNonZero(&b.LeafWeight, u.LeafWeight)
	for _, wd := range u.WeightDevice {
		b.WeightDevice = upsertWeightDevice(b.WeightDevice, wd)
	}
	b.ThrottleReadBpsDevice = upsertThrottle(b.ThrottleReadBpsDevice, u.ThrottleReadBpsDevice)
	b.ThrottleWriteBpsDevice = upsertThrottle(b.ThrottleWriteBpsDevice, u.ThrottleWriteBpsDevice)
	b.ThrottleReadIOPSDevice = upsertThrottle(b.ThrottleReadIOPSDevice, u.ThrottleReadIOPSDevice)
	b.ThrottleWriteIOPSDevice = upsertThrottle(b.ThrottleWriteIOPSDevice, u.ThrottleWriteIOPSDevice)
}

// upsertWeightDevice updates the last entry for wd's device (the one the
// kernel ends up with) or appends wd.
func upsertWeightDevice(list []specs.LinuxWeightDevice, wd specs.LinuxWeightDevice) []specs.LinuxWeightDevice {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Major != wd.Major || list[i].Minor != wd.Minor {
			continue
		}
		if wd.Weight != nil {
			list[i].Weight = ptrOf(*wd.Weight)
		}
		if wd.LeafWeight != nil {
			list[i].LeafWeight = ptrOf(*wd.LeafWeight)
		}
		return list
	}
	return append(list, wd)
}

func upsertThrottle(list, updates []specs.LinuxThrottleDevice) []specs.LinuxThrottleDevice {
next:
	for _, td := range updates {
		for i := len(list) - 1; i >= 0; i-- {
			if list[i].Major == td.Major && list[i].Minor == td.Minor {
				list[i].Rate = td.Rate
				continue next
			}
		}
		list = append(list, td)
	}
	return list
}

// ErrCATNotEnabled and ErrMBANotEnabled are runc's errors for an Intel RDT
// update where RDT is not enabled (always, in berth: it has no RDT support).
var (
	ErrCATNotEnabled = errors.New("Intel RDT/CAT: l3 cache schema is not enabled")
	ErrMBANotEnabled = errors.New("Intel RDT/MBA: memory bandwidth schema is not enabled")
)
