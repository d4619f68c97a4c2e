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
	if spec == nil {
		return &capSet{caps: caps}, nil
	}
	var ambient []capability.Cap
	last, err := capability.LastCap()
	if err != nil {
		return nil, fmt.Errorf("capabilities: %w", err)
	}
	for _, set := range []struct {
		field string
		names []string
		which capability.CapType
	}{
		{"bounding", spec.Bounding, capability.BOUNDING},
		{"effective", spec.Effective, capability.EFFECTIVE},
		{"permitted", spec.Permitted, capability.PERMITTED},
		{"inheritable", spec.Inheritable, capability.INHERITABLE},
		{"ambient", spec.Ambient, capability.AMBIENT},
	} {
		for i, name := range set.names {
			c, ok := capabilityByName(name)
			if !ok {
				return nil, fmt.Errorf("process.capabilities.%s[%d]: unknown capability %q", set.field, i, name)
			}
			if c > last {
				// Known to us, not to this kernel: runc skips it too.
				continue
			}
			caps.Set(set.which, c)
			if set.which == capability.AMBIENT {
				ambient = append(ambient, c)
			}
		}
	}
	return &capSet{caps: caps, ambient: ambient}, nil
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
