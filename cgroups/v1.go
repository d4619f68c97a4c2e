package cgroups

import (
	"path/filepath"
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// v1Manager drives cgroup v1 hierarchies; on a hybrid host it also keeps the
// container's cgroup in the unified hierarchy (unified != nil).
type v1Manager struct {
	cfg Config
	// paths maps each subsystem to the container's dir in its hierarchy.
	paths map[string]string
	// mounts maps each subsystem to its hierarchy's mountpoint; nil for a
	// Manager made by Load (dirs then exist already).
	mounts  map[string]string
	unified *v2Manager
	write   writer
}

func newV1(cfg Config, l *Layout, path string) *v1Manager {
	m := &v1Manager{cfg: cfg, paths: map[string]string{}, mounts: map[string]string{}, write: writeFile}
	for s, h := range l.V1 {
		m.paths[s] = h.dirFor(h.resolve(path))
		m.mounts[s] = h.Mountpoint
	}
	if l.Unified != nil {
		m.unified = newV2(cfg, l.Unified.dirFor(l.Unified.resolve(path)))
		m.unified.hybrid = true
		m.unified.mount = l.Unified.Mountpoint
	}
	return m
}

// subsystems returns the subsystem names in a fixed order (cpuset first, so
// its parents are prepared before anything joins).
func (m *v1Manager) subsystems() []string {
	names := make([]string, 0, len(m.paths))
	for s := range m.paths {
		names = append(names, s)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "cpuset") != (names[j] == "cpuset") {
			return names[i] == "cpuset"
		}
		return names[i] < names[j]
	})
	return names
}

// Apply creates the dirs and moves pid in (pid <= 0 only creates).
func (m *v1Manager) Apply(pid int) error {
	done := map[string]bool{} // co-mounted subsystems share a dir
	var created []string
	undo := func() {
		// One try each: a dir the pid already joined stays busy until
		// the caller kills it, and Destroy removes it then.
		for i := len(created) - 1; i >= 0; i-- {
			_ = rmdirAt(created[i])
		}
	}
	for _, s := range m.subsystems() {
		dir := m.paths[s]
		if done[dir] {
			continue
		}
		done[dir] = true
		made, err := m.join(s, dir, pid)
		created = append(created, made...)
		if err != nil {
			if m.cfg.Rootless && m.cfg.Path == "" && isPermission(err) {
				m.dropDir(dir)
				continue
			}
			undo()
			return err
		}
	}
	if m.unified != nil {
		made, err := m.unified.create(pid)
		created = append(created, made...)
		if err != nil {
			if m.cfg.Rootless && m.cfg.Path == "" && isPermission(err) {
				m.unified = nil
				return nil
			}
			undo()
			return err
		}
	}
	return nil
}

// join creates dir (with its parents) in subsystem s's hierarchy, prepares
// what must precede joining, and moves pid in.
func (m *v1Manager) join(s, dir string, pid int) ([]string, error) {
	stop := m.mounts[s]
	if stop == "" {
		stop = filepath.Dir(dir)
	}
	made, err := mkdirAll(stop, dir)
	if err != nil {
		return made, err
	}
	r := m.cfg.Resources
	switch s {
	case "cpuset":
		if err := cpusetCopyDown(m.write, stop, dir); err != nil {
			return made, err
		}
		if r != nil && r.CPU != nil {
			if err := setCpusetV1(m.write, dir, r.CPU); err != nil {
				return made, err
			}
		}
	case "cpu":
		// A SCHED_RR/FIFO task can only join a group with an RT budget.
		if r != nil && r.CPU != nil {
			if err := setCPURealtime(m.write, dir, r.CPU); err != nil {
				return made, err
			}
		}
	}
	if pid > 0 {
		return made, addProc(dir, pid)
	}
	return made, nil
}

func (m *v1Manager) dropDir(dir string) {
	for s, d := range m.paths {
		if d == dir {
			delete(m.paths, s)
		}
	}
}

func (m *v1Manager) Paths() map[string]string {
	out := make(map[string]string, len(m.paths)+1)
	for s, d := range m.paths {
		out[s] = d
	}
	if m.unified != nil {
		out[""] = m.unified.dir
	}
	return out
}

func (m *v1Manager) Path(subsystem string) string {
	if subsystem == "" {
		if m.unified != nil {
			return m.unified.dir
		}
		return ""
	}
	return m.paths[subsystem]
}

// anyDir is the dir used to list processes and test existence.
func (m *v1Manager) anyDir() string {
	for _, s := range []string{"devices", "freezer", "pids", "memory", "name=systemd", "cpu"} {
		if d := m.paths[s]; d != "" {
			return d
		}
	}
	for _, s := range m.subsystems() {
		return m.paths[s]
	}
	if m.unified != nil {
		return m.unified.dir
	}
	return ""
}

func (m *v1Manager) GetPids() ([]int, error) {
	dir := m.anyDir()
	if dir == "" {
		return nil, ErrNoCgroup
	}
	return readProcsTree(dir)
}

func (m *v1Manager) Exists() bool {
	dir := m.anyDir()
	return dir != "" && exists(dir)
}

// Destroy kills what is left in the cgroup and removes every dir.
func (m *v1Manager) Destroy() error {
	if err := m.killAll(); err != nil {
		return err
	}
	var errs []error
	done := map[string]bool{}
	for _, s := range m.subsystems() {
		if d := m.paths[s]; !done[d] {
			done[d] = true
			if err := removeTree(d); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if m.unified != nil {
		if err := removeTree(m.unified.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return joinErrs(errs)
}

func (m *v1Manager) Set(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	return m.set(r)
}
