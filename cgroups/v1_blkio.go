package cgroups

import (
	"fmt"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func blkioWanted(b *specs.LinuxBlockIO) bool {
	return b.Weight != nil || b.LeafWeight != nil || len(b.WeightDevice) > 0 ||
		len(b.ThrottleReadBpsDevice) > 0 || len(b.ThrottleWriteBpsDevice) > 0 ||
		len(b.ThrottleReadIOPSDevice) > 0 || len(b.ThrottleWriteIOPSDevice) > 0
}

func devNum(d specs.LinuxBlockIODevice) string {
	return fmt.Sprintf("%d:%d", d.Major, d.Minor)
}

// setBlkioV1 applies linux.resources.blockIO to a v1 blkio cgroup. Weights
// go to the CFQ files (blkio.weight, ...) when the kernel has them, else to
// BFQ's (blkio.bfq.weight, ...), as runc does; leaf weights exist only for
// CFQ. A weight of 0 means "leave as is"; a throttle rate of 0 removes
// that device's limit.
func setBlkioV1(w writer, dir string, b *specs.LinuxBlockIO) error {
	weight, weightDev := "blkio.weight", "blkio.weight_device"
	if !exists(filepath.Join(dir, weight)) {
		weight, weightDev = "blkio.bfq.weight", "blkio.bfq.weight_device"
	}
	if b.Weight != nil && *b.Weight != 0 {
		if err := w(dir, weight, fmtUint(uint64(*b.Weight))); err != nil {
			return err
		}
	}
	if b.LeafWeight != nil && *b.LeafWeight != 0 {
		if err := w(dir, "blkio.leaf_weight", fmtUint(uint64(*b.LeafWeight))); err != nil {
			return err
		}
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil && *wd.Weight != 0 {
			if err := w(dir, weightDev, devNum(wd.LinuxBlockIODevice)+" "+fmtUint(uint64(*wd.Weight))); err != nil {
				return err
			}
		}
		if wd.LeafWeight != nil && *wd.LeafWeight != 0 {
			if err := w(dir, "blkio.leaf_weight_device", devNum(wd.LinuxBlockIODevice)+" "+fmtUint(uint64(*wd.LeafWeight))); err != nil {
				return err
			}
		}
	}
	for _, t := range []struct {
		file string
		devs []specs.LinuxThrottleDevice
	}{
		{"blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice},
		{"blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice},
		{"blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice},
		{"blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice},
	} {
		for _, d := range t.devs {
			if err := w(dir, t.file, devNum(d.LinuxBlockIODevice)+" "+fmtUint(d.Rate)); err != nil {
				return err
			}
		}
	}
	return nil
}
