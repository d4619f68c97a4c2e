package libcontainer

import (
	"bytes"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestMemPolicyOf(t *testing.T) {
	m, err := memPolicyOf(&specs.LinuxMemoryPolicy{Mode: specs.MpolInterleave, Nodes: "0,2-3,65",
		Flags: []specs.MemoryPolicyFlagType{specs.MpolFStaticNodes, specs.MpolFNumaBalancing}})
	if err != nil {
		t.Fatal(err)
	}
	if want := uint32(3 | 1<<15 | 1<<13); m.Mode != want {
		t.Errorf("mode = %#x, want %#x", m.Mode, want)
	}
	// nodes 0, 2, 3 in the first word, 65 (bit 1) in the second
	want := []byte{0x0d, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(m.Nodes, want) {
		t.Errorf("nodes = %x, want %x", m.Nodes, want)
	}
	if m, err = memPolicyOf(&specs.LinuxMemoryPolicy{Mode: specs.MpolLocal}); err != nil || m.Mode != 4 || len(m.Nodes) != 0 {
		t.Errorf("MPOL_LOCAL = %+v, %v", m, err)
	}
	for _, bad := range []specs.LinuxMemoryPolicy{
		{Mode: "MPOL_NOPE"},
		{Mode: specs.MpolBind, Nodes: "0-x"},
		{Mode: specs.MpolBind, Nodes: "0", Flags: []specs.MemoryPolicyFlagType{"MPOL_F_NOPE"}},
		{Mode: specs.MpolBind, Nodes: "1024"},
	} {
		if _, err := memPolicyOf(&bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
