package libcontainer

import (
	"encoding/binary"
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/internal/cpulist"
	"github.com/berth-runtime/berth/nsenter"
)

// linux.memoryPolicy (runtime-spec 1.3) becomes one set_mempolicy(2) that
// the process applies before its exec; the policy then holds for it and
// for every process it forks. The values are <linux/mempolicy.h>'s.
var (
	memPolicyModes = map[specs.MemoryPolicyModeType]uint32{
		specs.MpolDefault:            0,
		specs.MpolPreferred:          1,
		specs.MpolBind:               2,
		specs.MpolInterleave:         3,
		specs.MpolLocal:              4,
		specs.MpolPreferredMany:      5,
		specs.MpolWeightedInterleave: 6,
	}
	memPolicyFlags = map[specs.MemoryPolicyFlagType]uint32{
		specs.MpolFNumaBalancing: 1 << 13,
		specs.MpolFRelativeNodes: 1 << 14,
		specs.MpolFStaticNodes:   1 << 15,
	}
)

// maxNUMANode is the highest node number a policy may name (the kernel's
// MAX_NUMNODES is at most 1024).
const maxNUMANode = 1023

// memPolicyOf checks mp and encodes it for the process plan. Whether the
// nodes exist, and whether the mode takes nodes at all, is the kernel's
// to say: it refuses what it cannot do with EINVAL.
func memPolicyOf(mp *specs.LinuxMemoryPolicy) (*nsenter.PlanMemPolicy, error) {
	mode, ok := memPolicyModes[mp.Mode]
	if !ok {
		return nil, fmt.Errorf("linux.memoryPolicy.mode: unknown mode %q", mp.Mode)
	}
	for i, f := range mp.Flags {
		bit, ok := memPolicyFlags[f]
		if !ok {
			return nil, fmt.Errorf("linux.memoryPolicy.flags[%d]: unknown flag %q", i, f)
		}
		mode |= bit
	}
	nodes, err := cpulist.Parse(mp.Nodes, maxNUMANode)
	if err != nil {
		return nil, fmt.Errorf("linux.memoryPolicy.nodes: invalid node list %q", mp.Nodes)
	}
	var words []uint64
	for _, n := range nodes {
		for len(words) <= n/64 {
			words = append(words, 0)
		}
		words[n/64] |= 1 << (n % 64)
	}
	var mask []byte
	for _, w := range words {
		mask = binary.LittleEndian.AppendUint64(mask, w)
	}
	return &nsenter.PlanMemPolicy{Mode: mode, Nodes: mask,
		ErrPrefix: fmt.Sprintf("linux.memoryPolicy: set_mempolicy %s (nodes %q)", mp.Mode, mp.Nodes)}, nil
}

// MemoryPolicyNames are the modes and flags of linux.memoryPolicy that
// berth knows, sorted (for `features`).
func MemoryPolicyNames() (modes, flags []string) {
	for m := range memPolicyModes {
		modes = append(modes, string(m))
	}
	for f := range memPolicyFlags {
		flags = append(flags, string(f))
	}
	slices.Sort(modes)
	slices.Sort(flags)
	return modes, flags
}
