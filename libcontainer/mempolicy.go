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
// for every process it forks.

// memPolicyModes lists the modes in <linux/mempolicy.h>'s order: a mode's
// value is its index. (Functions, not package variables: nothing is built
// at package init.)
func memPolicyModes() []specs.MemoryPolicyModeType {
	return []specs.MemoryPolicyModeType{specs.MpolDefault, specs.MpolPreferred, specs.MpolBind,
		specs.MpolInterleave, specs.MpolLocal, specs.MpolPreferredMany, specs.MpolWeightedInterleave}
}

// memPolicyFlags lists the mode flags from MPOL_F_NUMA_BALANCING (1 << 13)
// up: a flag's bit is 13 plus its index.
func memPolicyFlags() []specs.MemoryPolicyFlagType {
	return []specs.MemoryPolicyFlagType{specs.MpolFNumaBalancing, specs.MpolFRelativeNodes, specs.MpolFStaticNodes}
}

// maxNUMANode is the highest node number a policy may name (the kernel's
// MAX_NUMNODES is at most 1024).
const maxNUMANode = 1023

// memPolicyOf checks mp and encodes it for the process plan. Whether the
// nodes exist, and whether the mode takes nodes at all, is the kernel's
// to say: it refuses what it cannot do with EINVAL.
func memPolicyOf(mp *specs.LinuxMemoryPolicy) (*nsenter.PlanMemPolicy, error) {
	m := slices.Index(memPolicyModes(), mp.Mode)
	if m < 0 {
		return nil, fmt.Errorf("linux.memoryPolicy.mode: unknown mode %q", mp.Mode)
	}
	mode := uint32(m)
	for i, f := range mp.Flags {
		bit := slices.Index(memPolicyFlags(), f)
		if bit < 0 {
			return nil, fmt.Errorf("linux.memoryPolicy.flags[%d]: unknown flag %q", i, f)
		}
		mode |= 1 << (13 + bit)
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
	for _, m := range memPolicyModes() {
		modes = append(modes, string(m))
	}
	for _, f := range memPolicyFlags() {
		flags = append(flags, string(f))
	}
	slices.Sort(modes)
	slices.Sort(flags)
	return modes, flags
}
