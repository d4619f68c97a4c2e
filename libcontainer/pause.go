package libcontainer

import (
	"errors"
	"fmt"

	"github.com/berth-runtime/berth/cgroups"
)

// ErrNotPaused is runc's error for resuming a container that is not paused.
var ErrNotPaused = errors.New("container not paused")

// Pause freezes every process of a running or created container (the
// cgroup freezer: v1 freezer.state, v2 cgroup.freeze) and returns once
// they are all frozen; Status then reports Paused. Any other status is
// ErrNotRunning, as with runc (a paused container cannot be paused again).
func (c *Container) Pause() error {
	if err := c.Lock(); err != nil {
		return err
	}
	defer c.Unlock()
	switch c.Status() {
	case Running, Created:
	default:
		return ErrNotRunning
	}
	m, err := c.freezer()
	if err != nil {
		return err
	}
	return m.Freeze()
}

// Resume thaws a paused container; Status then reports what it was before
// Pause (running or created). Any other status is ErrNotPaused.
func (c *Container) Resume() error {
	if err := c.Lock(); err != nil {
		return err
	}
	defer c.Unlock()
	if c.Status() != Paused {
		return ErrNotPaused
	}
	m, err := c.freezer()
	if err != nil {
		return err
	}
	return m.Thaw()
}

// freezer is the container's cgroup manager, or an error saying why the
// container cannot be frozen (no cgroup, e.g. a rootless container whose
// cgroups were skipped).
func (c *Container) freezer() (cgroups.Manager, error) {
	if len(c.State.CgroupPaths) == 0 {
		return nil, fmt.Errorf("cannot pause or resume container %s: %w", c.ID, cgroups.ErrNoCgroup)
	}
	return c.cgroupManager()
}
