package libcontainer

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// capabilityByName maps "CAP_SYS_ADMIN" to its number, for every capability
// this library knows.
func capabilityByName(name string) (capability.Cap, bool) {
	for _, c := range capability.ListKnown() {
		if "CAP_"+strings.ToUpper(c.String()) == name {
			return c, true
		}
	}
	return 0, false
}

// capMasks are the spec's bounding, effective, permitted, inheritable and
// ambient sets as bit masks, and the kernel's highest capability. One the
// kernel does not have is left out, as runc leaves it out; one nobody knows
// is an error.
func capMasks(spec *specs.LinuxCapabilities) (masks [5]uint64, last uint32, err error) {
	lastCap, err := capability.LastCap()
	if err != nil {
		return masks, 0, fmt.Errorf("capabilities: %w", err)
	}
	if spec == nil {
		return masks, uint32(lastCap), nil
	}
	for i, set := range []struct {
		field string
		names []string
	}{
		{"bounding", spec.Bounding},
		{"effective", spec.Effective},
		{"permitted", spec.Permitted},
		{"inheritable", spec.Inheritable},
		{"ambient", spec.Ambient},
	} {
		for j, name := range set.names {
			c, ok := capabilityByName(name)
			if !ok {
				return masks, 0, fmt.Errorf("process.capabilities.%s[%d]: unknown capability %q", set.field, j, name)
			}
			if c > lastCap {
				continue
			}
			masks[i] |= 1 << c
		}
	}
	return masks, uint32(lastCap), nil
}
