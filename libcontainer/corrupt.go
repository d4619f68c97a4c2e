package libcontainer

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
)

// RemoveCorrupt is `delete --force` for a container whose state file is
// unreadable: with the saved config it finds the container's cgroup, kills
// everything in it and removes it, then removes the state dir. What it
// could not find is reported in the returned error; the dir goes anyway.
func RemoveCorrupt(root, id string, systemd bool) error {
	if err := ValidateID(id); err != nil {
		return err
	}
	dir := filepath.Join(root, id)
	var cgErr error
	spec, err := loadSpec(dir)
	if err == nil {
		var m cgroups.Manager
		if m, err = cgroups.New(cgroupConfig(id, spec, systemd, false)); err == nil && m.Exists() {
			if pids, perr := m.GetPids(); perr == nil {
				for _, pid := range pids {
					_ = unix.Kill(pid, unix.SIGKILL)
				}
			}
			err = m.Destroy()
		}
		cgErr = err
	} else {
		cgErr = fmt.Errorf("no saved config to find its cgroup: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove state dir: %w", err)
	}
	if cgErr != nil {
		return fmt.Errorf("container %s had a corrupt state file; its state dir is removed but: %w", id, cgErr)
	}
	return nil
}
