package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
)

// ErrNotExist is runc's error for an unknown container ID; callers match its text.
var ErrNotExist = errors.New("container does not exist")

// ErrExist is runc's error for a duplicate container ID.
var ErrExist = errors.New("container with given ID already exists")

// ErrNotRunning is runc's error for signalling a container that has no
// running init.
var ErrNotRunning = errors.New("container not running")

// Status is a container's status, in the runtime spec's words.
type Status string

const (
	Creating Status = "creating"
	Created  Status = "created"
	Running  Status = "running"
	Paused   Status = "paused"
	Stopped  Status = "stopped"
)

// Container is a container known to a state root. Commands load it, act,
// and drop it; nothing about it lives in the berth process beyond that.
type Container struct {
	ID    string
	Dir   string // <root>/<id>
	State *State
	spec  *specs.Spec
	lock  *os.File
	// release is, for run (CreateOptions.KeepLock), our end of the socket
	// pair the init waits on instead of the exec fifo.
	release *os.File
	// statusCgroups is, from LoadForStatus, all it read of the cgroup paths
	// (State.CgroupPaths is nil then).
	statusCgroups *freezerPaths
}

// Load reads the container id from the state root. A state dir without a
// state file (a create that died early) is ErrNotExist, as with runc.
func Load(root, id string) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, id)
	st, err := loadState(dir)
	if err != nil {
		if errors.Is(err, errNoState) {
			return nil, ErrNotExist
		}
		return nil, err
	}
	return &Container{ID: id, Dir: dir, State: st}, nil
}

// Lock takes the container's exclusive lock: commands that change a
// container serialize on it. The lock is released by Unlock or exit.
func (c *Container) Lock() error {
	f, err := lockDir(c.Dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ErrNotExist
		}
		return err
	}
	c.lock = f
	// Someone may have deleted the container while we waited.
	st, err := loadState(c.Dir)
	if err != nil {
		c.Unlock()
		if errors.Is(err, errNoState) {
			return ErrNotExist
		}
		return err
	}
	c.State = st
	return nil
}

// Unlock releases Lock.
func (c *Container) Unlock() {
	if c.lock != nil {
		c.lock.Close()
		c.lock = nil
	}
}

// Spec returns the spec the container was created with.
func (c *Container) Spec() (*specs.Spec, error) {
	if c.spec == nil {
		s, err := loadSpec(c.Dir)
		if err != nil {
			return nil, fmt.Errorf("load config of container %s: %w", c.ID, err)
		}
		c.spec = s
	}
	return c.spec, nil
}

// Terminal reports whether the container's process has a terminal.
func (c *Container) Terminal() bool {
	spec, err := c.Spec()
	return err == nil && spec.Process != nil && spec.Process.Terminal
}

// cgroupManager rebuilds the container's cgroup manager from its state.
func (c *Container) cgroupManager() (cgroups.Manager, error) {
	return cgroups.Load(c.cgroupConfig(), c.cgroupPaths())
}

func (c *Container) cgroupConfig() cgroups.Config {
	return cgroups.Config{ID: c.ID, Path: c.State.CgroupsPath, Systemd: c.State.Systemd, Rootless: c.State.Rootless}
}

// cgroupPaths are the container's cgroup dirs by controller; of one from
// LoadForStatus, those that ask its freezer.
func (c *Container) cgroupPaths() map[string]string {
	if c.statusCgroups != nil {
		return c.statusCgroups.paths()
	}
	return c.State.CgroupPaths
}

// v1FreezerDir is the container's v1 freezer cgroup, "" if it has none.
func (c *Container) v1FreezerDir() string {
	if c.statusCgroups != nil {
		return c.statusCgroups.freezer
	}
	return c.State.CgroupPaths["freezer"]
}

// Status derives the status from the system, never from a file: a dead init
// or a recycled pid is stopped; a frozen cgroup is paused; an init still
// waiting on the exec fifo is created.
func (c *Container) Status() Status {
	if c.State.Creating && c.State.InitPid == 0 {
		// No init yet: creating while the berth creating it lives.
		if processAlive(c.State.CreatorPid, c.State.CreatorStartTime) {
			return Creating
		}
		return Stopped
	}
	st, alive := aliveStat(c.State.InitPid, c.State.InitStartTime)
	if !alive {
		return Stopped
	}
	if c.State.Creating {
		return Creating
	}
	// The kernel reports a task the v1 freezer froze as uninterruptible
	// ('D'); before Linux 6.1 a stopped task stayed stopped ('T', 't') in
	// a frozen cgroup. An init in any other state is not frozen, and `list`
	// need not open freezer.state for each container. (The v2 freezer
	// leaves frozen tasks in 'S', so there the cgroup is always asked.)
	mayBeFrozen := st.State == 'D' || st.State == 'T' || st.State == 't' || c.v1FreezerDir() == ""
	if mayBeFrozen && c.isPaused() {
		return Paused
	}
	// A `start` that died after releasing init leaves the fifo behind: only
	// an init that has not exec'd yet, and whose fifo is still there, is
	// created.
	if st.Comm == initComm {
		var fifo unix.Stat_t // not os.Lstat: no FileInfo to allocate per container of a list
		if unix.Lstat(c.Dir+"/"+fifoName, &fifo) == nil {
			return Created
		}
	}
	return Running
}

func (c *Container) isPaused() bool {
	// The paths once: of a Container from LoadForStatus (`list`, where a
	// v2 host asks every container's cgroup) each call builds a map.
	paths := c.cgroupPaths()
	if len(paths) == 0 {
		return false
	}
	m, err := cgroups.Load(c.cgroupConfig(), paths)
	if err != nil {
		return false
	}
	st, err := m.State()
	return err == nil && st == cgroups.Frozen
}

// OCIState is the container's state in the runtime spec's form, as hooks
// receive it.
func (c *Container) OCIState(status Status) *specs.State {
	pid := c.State.InitPid
	if status == Stopped {
		pid = 0
	}
	return &specs.State{
		Version:     specs.Version,
		ID:          c.ID,
		Status:      specs.ContainerState(status),
		Pid:         pid,
		Bundle:      c.State.Bundle,
		Annotations: c.State.Annotations,
	}
}

// List returns the IDs of the containers in root (dirs with a state file or
// not: a half-created one still shows up for `delete`).
func List(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && ValidateID(e.Name()) == nil {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}
