package cgroups

import (
	"errors"
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func memoryV2Wanted(mem *specs.LinuxMemory) bool {
	return mem.Limit != nil || mem.Swap != nil || mem.Reservation != nil
}

// setMemoryV2 writes memory.swap.max (swap converted by SwapToV2),
// memory.max and memory.low (reservation). Swappiness and
// disableOOMKiller have no v2 knob and, like the kernel-memory fields, are
// ignored, as in runc.
func setMemoryV2(w writer, dir string, mem *specs.LinuxMemory) error {
	var limit, swap, low int64
	if mem.Limit != nil {
		limit = *mem.Limit
	}
	if mem.Swap != nil {
		swap = *mem.Swap
	}
	if mem.Reservation != nil {
		low = *mem.Reservation
	}
	if mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate {
		if err := checkUsage(dir, "memory.current", "memory.limit", limit); err != nil {
			return err
		}
		if err := checkUsage(dir, "memory.current", "memory.swap", swap); err != nil {
			return err
		}
	}
	v2swap, err := SwapToV2(swap, limit)
	if err != nil {
		return fmt.Errorf("linux.resources.memory.swap: %w", err)
	}
	s := v2Limit(v2swap)
	if s == "" && swap > 0 {
		s = "0" // memory+swap == memory: no swap at all
	}
	if s != "" {
		// Without swap accounting the file is absent; "no limit" and
		// "no swap" are then already true.
		if err := w(dir, "memory.swap.max", s); err != nil && !(isNotExist(err) && (s == "max" || s == "0")) {
			return err
		}
	}
	if s := v2Limit(limit); s != "" {
		if err := w(dir, "memory.max", s); err != nil {
			return err
		}
	}
	if s := v2Limit(low); s != "" {
		return w(dir, "memory.low", s)
	}
	return nil
}

// setCPUV2 writes cpu.idle, cpu.weight (from shares, CPUSharesToWeight),
// cpu.max.burst and cpu.max. Quota -1 is "max"; a period given without a
// quota keeps the current quota. Realtime settings have no v2 interface
// and are refused.
func setCPUV2(w writer, dir string, c *specs.LinuxCPU) error {
	if (c.RealtimeRuntime != nil && *c.RealtimeRuntime != 0) || (c.RealtimePeriod != nil && *c.RealtimePeriod != 0) {
		return errors.New("linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported on cgroup v2")
	}
	if c.Idle != nil {
		if err := w(dir, "cpu.idle", fmtInt(*c.Idle)); err != nil {
			return err
		}
	}
	if c.Shares != nil && *c.Shares != 0 {
		if err := w(dir, "cpu.weight", fmtUint(CPUSharesToWeight(*c.Shares))); err != nil {
			return err
		}
	}
	var quota int64
	if c.Quota != nil {
		quota = *c.Quota
	}
	var period uint64
	if c.Period != nil {
		period = *c.Period
	}
	burstLater := false
	if c.Burst != nil {
		err := w(dir, "cpu.max.burst", fmtUint(*c.Burst))
		if err != nil && !(errors.Is(err, unix.EINVAL) && quota != 0) {
			return err
		}
		burstLater = err != nil
	}
	if quota != 0 || period != 0 {
		q := "max"
		if quota > 0 {
			q = fmtInt(quota)
		} else if quota == 0 {
			// Period only: keep the quota in force.
			cur, err := readTrim(dir, "cpu.max")
			if err != nil {
				return err
			}
			q, _, _ = strings.Cut(cur, " ")
		}
		if period == 0 {
			period = 100000 // the kernel's default period
		}
		if err := w(dir, "cpu.max", q+" "+fmtUint(period)); err != nil {
			return err
		}
	}
	if burstLater {
		return w(dir, "cpu.max.burst", fmtUint(*c.Burst))
	}
	return nil
}

func ioV2Wanted(b *specs.LinuxBlockIO) bool {
	return b.Weight != nil || len(b.WeightDevice) > 0 ||
		len(b.ThrottleReadBpsDevice) > 0 || len(b.ThrottleWriteBpsDevice) > 0 ||
		len(b.ThrottleReadIOPSDevice) > 0 || len(b.ThrottleWriteIOPSDevice) > 0
}

// setIOV2 maps blockIO onto the io controller. Weights go to io.bfq.weight
// as is when BFQ is there (per-device lines only where the kernel supports
// them, Linux >= 5.4), else to io.weight converted by
// BlkioWeightToIOWeight. Throttles go to io.max as rbps/wbps/riops/wiops,
// a rate of 0 meaning "max" (no limit), as 0 does on v1. Leaf weights have
// no v2 equivalent and are ignored, as in runc.
func setIOV2(w writer, dir string, b *specs.LinuxBlockIO) error {
	bfq, bfqErr := readTrim(dir, "io.bfq.weight")
	useBFQ := bfqErr == nil
	// Old kernels show a bare number; per-device support shows "default N".
	bfqPerDevice := useBFQ && strings.HasPrefix(bfq, "default")
	if b.Weight != nil && *b.Weight != 0 {
		var err error
		if useBFQ {
			err = w(dir, "io.bfq.weight", fmtUint(uint64(*b.Weight)))
		} else {
			err = w(dir, "io.weight", fmtUint(BlkioWeightToIOWeight(*b.Weight)))
		}
		if err != nil {
			return err
		}
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight == nil || *wd.Weight == 0 {
			continue
		}
		var err error
		if bfqPerDevice {
			err = w(dir, "io.bfq.weight", devNum(wd.LinuxBlockIODevice)+" "+fmtUint(uint64(*wd.Weight)))
		} else {
			err = w(dir, "io.weight", devNum(wd.LinuxBlockIODevice)+" "+fmtUint(BlkioWeightToIOWeight(*wd.Weight)))
		}
		if err != nil {
			return err
		}
	}
	for _, t := range []struct {
		key  string
		devs []specs.LinuxThrottleDevice
	}{
		{"rbps", b.ThrottleReadBpsDevice},
		{"wbps", b.ThrottleWriteBpsDevice},
		{"riops", b.ThrottleReadIOPSDevice},
		{"wiops", b.ThrottleWriteIOPSDevice},
	} {
		for _, d := range t.devs {
			rate := "max"
			if d.Rate != 0 {
				rate = fmtUint(d.Rate)
			}
			if err := w(dir, "io.max", devNum(d.LinuxBlockIODevice)+" "+t.key+"="+rate); err != nil {
				return err
			}
		}
	}
	return nil
}
