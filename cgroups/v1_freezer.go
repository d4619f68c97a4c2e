package cgroups

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Freeze writes FROZEN to freezer.state until the kernel reports FROZEN.
// A v1 freezer can stay FREEZING while tasks fork or join; like runc we
// keep re-requesting it, thawing briefly now and then to let stragglers
// settle, and give up (thawed) after about two seconds.
func (m *v1Manager) Freeze() error {
	dir := m.paths["freezer"]
	if dir == "" {
		return fmt.Errorf("cannot freeze: %w", ErrNoCgroup)
	}
	for i := 0; i < 500; i++ {
		if i%50 == 49 {
			_ = writeFile(dir, "freezer.state", string(Thawed))
			time.Sleep(10 * time.Millisecond)
		}
		if err := writeFile(dir, "freezer.state", string(Frozen)); err != nil {
			return err
		}
		state, err := readTrim(dir, "freezer.state")
		if err != nil {
			return err
		}
		switch state {
		case string(Frozen):
			return nil
		case "FREEZING":
			if i%10 == 9 {
				time.Sleep(time.Millisecond)
			}
		default:
			return fmt.Errorf("freeze %s: unexpected freezer.state %q", dir, state)
		}
	}
	_ = writeFile(dir, "freezer.state", string(Thawed))
	return fmt.Errorf("freeze %s: still FREEZING after retries; thawed it back", dir)
}

func (m *v1Manager) Thaw() error {
	dir := m.paths["freezer"]
	if dir == "" {
		return fmt.Errorf("cannot thaw: %w", ErrNoCgroup)
	}
	return writeFile(dir, "freezer.state", string(Thawed))
}

// State reports FROZEN only if this cgroup itself was frozen (a cgroup
// frozen through an ancestor reads THAWED, as in runc), and Undefined
// without a freezer hierarchy.
func (m *v1Manager) State() (FreezerState, error) {
	dir := m.paths["freezer"]
	if dir == "" {
		return Undefined, nil
	}
	for {
		state, err := readTrim(dir, "freezer.state")
		if err != nil {
			if isNotExist(err) {
				return Undefined, nil
			}
			return Undefined, err
		}
		switch state {
		case string(Thawed):
			return Thawed, nil
		case "FREEZING":
			time.Sleep(time.Millisecond)
			continue
		case string(Frozen):
			self, err := readTrim(dir, "freezer.self_freezing")
			if err != nil || self == "1" {
				return Frozen, nil // old kernels lack self_freezing
			}
			return Thawed, nil
		default:
			return Undefined, fmt.Errorf("read %s/freezer.state: unexpected %q", dir, state)
		}
	}
}

// killAll SIGKILLs every process left in the cgroup, frozen so none can
// fork away meanwhile. Without a freezer it signals them as they are.
func (m *v1Manager) killAll() error {
	dir := m.anyDir()
	if dir == "" {
		return nil
	}
	pids, err := readProcsTree(dir)
	if err != nil || len(pids) == 0 {
		return nil // nothing readable to kill; rmdir will tell
	}
	if err := refuseSelf(dir, pids); err != nil {
		return err
	}
	frozen := m.paths["freezer"] != "" && m.Freeze() == nil
	if frozen {
		if pids, err = readProcsTree(dir); err != nil {
			pids = nil
		}
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("kill %d in %s: %w", pid, dir, err)
		}
	}
	if frozen {
		return m.Thaw()
	}
	return nil
}
