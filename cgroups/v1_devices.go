package cgroups

import (
	"fmt"

	"github.com/berth-runtime/berth/cgroups/devices"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// deviceRules is the rule list Set enforces: the spec's rules in order,
// then the runtime's default allowed devices (as runc appends them).
func deviceRules(cfg Config, spec []specs.LinuxDeviceCgroup) ([]devices.Rule, error) {
	rules, err := devices.FromSpec(spec)
	if err != nil {
		return nil, err
	}
	return append(rules, devices.DefaultRules(cfg.Devices)...), nil
}

// setDevices brings devices.allow/deny to the rules' state with the fewest
// writes (none when already there), so an update never briefly denies a
// device the container keeps. Like runc, a missing devices hierarchy is an
// error (it is the security boundary) except for rootless containers.
func (m *v1Manager) setDevices(spec []specs.LinuxDeviceCgroup) error {
	rules, err := deviceRules(m.cfg, spec)
	if err != nil {
		return err
	}
	dir := m.paths["devices"]
	if dir == "" {
		if m.cfg.Rootless {
			return nil
		}
		return fmt.Errorf("linux.resources.devices: the container has no devices cgroup")
	}
	err = setDevicesV1(m.write, dir, rules)
	if err != nil && m.cfg.Rootless && isPermission(err) {
		return nil
	}
	return err
}

func setDevicesV1(w writer, dir string, rules []devices.Rule) error {
	target, err := devices.Emulate(rules)
	if err != nil {
		return fmt.Errorf("linux.resources.devices: %w", err)
	}
	cur, err := readDevicesList(dir)
	if err != nil {
		return err
	}
	for _, r := range cur.Transition(target) {
		file := "devices.deny"
		if r.Allow {
			file = "devices.allow"
		}
		if err := w(dir, file, r.String()); err != nil {
			return err
		}
	}
	// Read the result back on a real cgroupfs (a fake one in tests does
	// not update devices.list). An allow-all list hides deny exceptions,
	// so only the mode can be checked then.
	if !isCgroupfs(dir) {
		return nil
	}
	after, err := readDevicesList(dir)
	if err != nil {
		return err
	}
	if after.DefaultAllow() != target.DefaultAllow() || (!target.DefaultAllow() && !after.Equal(target)) {
		return fmt.Errorf("linux.resources.devices: %s/devices.list does not match the requested rules after writing them", dir)
	}
	return nil
}

func readDevicesList(dir string) (*devices.State, error) {
	list, err := readFile(dir, "devices.list")
	if err != nil {
		return nil, err
	}
	s, err := devices.ParseList(list)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return s, nil
}

// isCgroupfs asks the filesystem of dir's hierarchy through the fd of its
// mountpoint (walk.go), so that no lookup crosses sysfs.
func isCgroupfs(dir string) bool {
	var st unix.Statfs_t
	var err error
	if fd, _ := at(dir); fd != unix.AT_FDCWD {
		err = unix.Fstatfs(fd, &st)
	} else {
		err = unix.Statfs(dir, &st)
	}
	return err == nil && (st.Type == unix.CGROUP_SUPER_MAGIC || st.Type == unix.CGROUP2_SUPER_MAGIC)
}
