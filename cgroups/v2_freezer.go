package cgroups

import (
	"fmt"
	"strings"
	"time"
)

// freezeTimeout bounds the wait for cgroup.events to report the new state;
// a task stuck in uninterruptible sleep can delay freezing indefinitely.
const freezeTimeout = 10 * time.Second

// Freeze writes 1 to cgroup.freeze and waits until cgroup.events says
// "frozen 1". If that does not happen in time the cgroup is thawed back and
// an error returned, so it is never left half-frozen.
func (m *v2Manager) Freeze() error {
	if m.skipped {
		return fmt.Errorf("cannot freeze: %w", ErrNoCgroup)
	}
	if err := writeFile(m.dir, "cgroup.freeze", "1"); err != nil {
		return err
	}
	if err := m.waitFrozen(true); err != nil {
		_ = writeFile(m.dir, "cgroup.freeze", "0")
		return err
	}
	return nil
}

// Thaw writes 0 to cgroup.freeze and waits for "frozen 0".
func (m *v2Manager) Thaw() error {
	if m.skipped {
		return fmt.Errorf("cannot thaw: %w", ErrNoCgroup)
	}
	if err := writeFile(m.dir, "cgroup.freeze", "0"); err != nil {
		return err
	}
	return m.waitFrozen(false)
}

// State is Undefined without a cgroup.freeze file (Linux < 5.2), THAWED or
// FROZEN otherwise; a freeze in progress is waited for.
func (m *v2Manager) State() (FreezerState, error) {
	if m.skipped {
		return Undefined, nil
	}
	v, err := readTrim(m.dir, "cgroup.freeze")
	if err != nil {
		if isNotExist(err) {
			return Undefined, nil
		}
		return Undefined, err
	}
	if v != "1" {
		return Thawed, nil
	}
	if err := m.waitFrozen(true); err != nil {
		return Undefined, err
	}
	return Frozen, nil
}

// waitFrozen polls cgroup.events until its "frozen" key matches want,
// sleeping 1ms at first and up to 10ms between reads.
func (m *v2Manager) waitFrozen(want bool) error {
	wantVal := "0"
	if want {
		wantVal = "1"
	}
	delay := time.Millisecond
	deadline := time.Now().Add(freezeTimeout)
	for {
		ev, err := readFile(m.dir, "cgroup.events")
		if err != nil {
			return err
		}
		for _, line := range strings.Split(ev, "\n") {
			if k, v, _ := strings.Cut(line, " "); k == "frozen" && strings.TrimSpace(v) == wantVal {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s/cgroup.events: not \"frozen %s\" after %v", m.dir, wantVal, freezeTimeout)
		}
		time.Sleep(delay)
		if delay < 10*time.Millisecond {
			delay *= 2
		}
	}
}
