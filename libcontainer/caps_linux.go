package libcontainer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// capSet is the process's five capability sets as the spec gives them.
// Inheritable and ambient stay empty unless the spec names capabilities for
// them (CVE-2022-29162).
type capSet struct {
	caps    capability.Capabilities
	ambient []capability.Cap
}

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

func newCapSet(spec *specs.LinuxCapabilities) (*capSet, error) {
	caps, err := capability.NewPid2(0)
	if err != nil {
		return nil, fmt.Errorf("capabilities: %w", err)
	}
	caps.Clear(capability.CAPS | capability.BOUNDS | capability.AMBS)
	masks, err := capMasks(spec)
	if err != nil {
		return nil, err
	}
	var ambient []capability.Cap
	for i, which := range capKinds {
		for c := capability.Cap(0); c < 64; c++ {
			if masks[i]&(1<<c) == 0 {
				continue
			}
			caps.Set(which, c)
			if which == capability.AMBIENT {
				ambient = append(ambient, c)
			}
		}
	}
	return &capSet{caps: caps, ambient: ambient}, nil
}

// capKinds orders the sets of capMasks.
var capKinds = [5]capability.CapType{capability.BOUNDING, capability.EFFECTIVE,
	capability.PERMITTED, capability.INHERITABLE, capability.AMBIENT}

// capMasks are the spec's bounding, effective, permitted, inheritable and
// ambient sets as bit masks. A capability this kernel does not have is left
// out, as runc leaves it out; one nobody knows is an error.
func capMasks(spec *specs.LinuxCapabilities) ([5]uint64, error) {
	var masks [5]uint64
	if spec == nil {
		return masks, nil
	}
	last, err := capability.LastCap()
	if err != nil {
		return masks, fmt.Errorf("capabilities: %w", err)
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
				return masks, fmt.Errorf("process.capabilities.%s[%d]: unknown capability %q", set.field, j, name)
			}
			if c > last {
				continue
			}
			masks[i] |= 1 << c
		}
	}
	return masks, nil
}

// applyBounding drops every capability outside the bounding set. It needs
// CAP_SETPCAP, so it runs before the uid change.
func (c *capSet) applyBounding() error {
	if err := c.caps.Apply(capability.BOUNDS); err != nil {
		return fmt.Errorf("apply bounding capabilities: %w", err)
	}
	return nil
}

// apply sets effective, permitted, inheritable and ambient. An ambient
// capability needs to be permitted and inheritable too; one that is not is
// skipped, as runc skips it (its own default spec relied on that).
func (c *capSet) apply() error {
	if err := c.caps.Apply(capability.CAPS); err != nil {
		return fmt.Errorf("apply capabilities: %w", err)
	}
	if err := capability.ResetAmbient(); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	for _, a := range c.ambient {
		if err := capability.SetAmbient(true, a); err != nil && !errors.Is(err, unix.EPERM) {
			return fmt.Errorf("raise ambient capability %s: %w", a, err)
		}
	}
	return nil
}
