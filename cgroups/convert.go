package cgroups

import (
	"errors"
	"fmt"
	"math"
)

// CPUSharesToWeight converts v1 cpu.shares [2, 262144] to v2 cpu.weight
// [1, 10000] with the curve runc (>= 1.3, opencontainers/cgroups) and crun
// use: a quadratic in log2(shares) through (2, 1), (1024, 100) and
// (262144, 10000), so the default 1024 shares map to the default weight 100.
// 0 means unset and stays 0.
func CPUSharesToWeight(shares uint64) uint64 {
	switch {
	case shares == 0:
		return 0
	case shares <= 2:
		return 1
	case shares >= 262144:
		return 10000
	}
	l := math.Log2(float64(shares))
	exp := (l*l+125*l)/612.0 - 7.0/34.0
	return uint64(math.Ceil(math.Pow(10, exp)))
}

// BlkioWeightToIOWeight converts a v1 blkio weight [10, 1000] linearly to
// a v2 io.weight [1, 10000], as runc does. 0 means unset and stays 0.
func BlkioWeightToIOWeight(w uint16) uint64 {
	if w == 0 {
		return 0
	}
	if w < 10 {
		w = 10
	}
	return 1 + (uint64(w)-10)*9999/990
}

// SwapToV2 converts the spec's memory.swap (memory+swap, v1 style) into
// the value for v2's memory.swap.max (swap alone), following runc:
// unlimited memory with unset swap means unlimited swap; -1 and 0 pass
// through; otherwise swap - memory, which needs a memory limit and
// swap >= memory.
func SwapToV2(swap, memory int64) (int64, error) {
	switch {
	case memory == -1 && swap == 0:
		return -1, nil
	case swap == -1 || swap == 0:
		return swap, nil
	case memory == -1:
		return swap, nil
	case memory == 0:
		return 0, errors.New("a swap limit needs a memory limit")
	case memory < 0:
		return 0, fmt.Errorf("invalid memory limit %d", memory)
	case swap < memory:
		return 0, fmt.Errorf("memory+swap limit %d is below the memory limit %d", swap, memory)
	}
	return swap - memory, nil
}

// v2Limit renders a spec limit for a v2 .max/.low/.high file: -1 is "max",
// 0 is "" (leave as is), anything else the number.
func v2Limit(v int64) string {
	switch v {
	case 0:
		return ""
	case -1:
		return "max"
	}
	return fmtInt(v)
}
