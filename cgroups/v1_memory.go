package cgroups

import (
	"fmt"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// setMemoryV1 applies linux.resources.memory to a v1 memory cgroup.
// Limit and Swap 0 mean "leave as is", -1 means unlimited; Swap is
// memory+swap (memory.memsw.limit_in_bytes). Kernel and KernelTCP are
// ignored, as in runc since 1.2 (kernel memory limits are deprecated and
// refused by kernels >= 6.1). UseHierarchy is ignored too (always on in
// current kernels).
func setMemoryV1(w writer, dir string, mem *specs.LinuxMemory) error {
	var limit, swap int64
	if mem.Limit != nil {
		limit = *mem.Limit
	}
	if mem.Swap != nil {
		swap = *mem.Swap
	}
	// Unlimited memory with swap unset means unlimited swap too, if the
	// kernel accounts swap at all.
	if limit == -1 && swap == 0 && exists(filepath.Join(dir, "memory.memsw.limit_in_bytes")) {
		swap = -1
	}
	if mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate {
		if err := checkUsage(dir, "memory.usage_in_bytes", "memory.limit", limit); err != nil {
			return err
		}
		if err := checkUsage(dir, "memory.memsw.usage_in_bytes", "memory.swap", swap); err != nil {
			return err
		}
	}
	if err := setLimitAndSwapV1(w, dir, limit, swap); err != nil {
		return err
	}
	if mem.Reservation != nil && *mem.Reservation != 0 {
		if err := w(dir, "memory.soft_limit_in_bytes", fmtInt(*mem.Reservation)); err != nil {
			return err
		}
	}
	if mem.DisableOOMKiller != nil {
		v := "0"
		if *mem.DisableOOMKiller {
			v = "1"
		}
		if err := w(dir, "memory.oom_control", v); err != nil {
			return err
		}
	}
	// A swappiness of -1 (as uint64) means "leave as is", as in runc.
	if s := mem.Swappiness; s != nil && int64(*s) != -1 {
		if *s > 100 {
			return fmt.Errorf("linux.resources.memory.swappiness: %d is out of range 0-100", *s)
		}
		if err := w(dir, "memory.swappiness", fmtUint(*s)); err != nil {
			return err
		}
	}
	return nil
}

// setLimitAndSwapV1 writes both limits in the order the kernel accepts:
// memsw may never be below the memory limit, so when raising memsw (or
// making it unlimited) it goes first, otherwise last.
func setLimitAndSwapV1(w writer, dir string, limit, swap int64) error {
	swapFirst := false
	if limit != 0 && swap != 0 {
		cur, err := readUint(dir, "memory.limit_in_bytes")
		if err != nil {
			return err
		}
		swapFirst = swap == -1 || cur < uint64(swap)
	}
	writeSwap := func() error {
		if swap == 0 {
			return nil
		}
		return w(dir, "memory.memsw.limit_in_bytes", fmtInt(swap))
	}
	if swapFirst {
		if err := writeSwap(); err != nil {
			return err
		}
	}
	if limit != 0 {
		if err := w(dir, "memory.limit_in_bytes", fmtInt(limit)); err != nil {
			return err
		}
	}
	if !swapFirst {
		return writeSwap()
	}
	return nil
}

// checkUsage refuses a positive limit at or below the current usage (the
// spec's checkBeforeUpdate). A usage file that cannot be read (no swap
// accounting, cgroup not created yet) skips the check, as in runc.
func checkUsage(dir, usageFile, field string, limit int64) error {
	if limit <= 0 {
		return nil
	}
	usage, err := readUint(dir, usageFile)
	if err != nil {
		return nil
	}
	if uint64(limit) <= usage {
		return fmt.Errorf("linux.resources.%s: rejecting %d: not above the current usage %d (checkBeforeUpdate)", field, limit, usage)
	}
	return nil
}
