// Package cgroups places a container's processes in their cgroup and applies
// linux.resources to it. One Manager interface; one implementation per cgroup
// layout (v1 / hybrid, v2 unified, systemd), picked once by New.
//
// Nothing happens at package init and there is no package-level mutable
// state: the host layout is discovered once per New (one read of
// /proc/self/mountinfo and /proc/self/cgroup), and Load rebuilds a Manager
// from saved paths without reading either.
package cgroups

import (
	"errors"
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Config says where a container's cgroup lives and how to treat errors.
type Config struct {
	// Path is linux.cgroupsPath from the spec. Empty means runc's default
	// (the container ID, relative to the caller's own cgroup). A relative path
	// is resolved against the caller's own cgroup in each hierarchy; an absolute
	// one against the hierarchy root. With Systemd it is "slice:prefix:name".
	Path string
	// ID is the container ID (used for the default path and systemd unit names).
	ID string
	// Systemd selects the systemd driver (--systemd-cgroup).
	Systemd bool
	// Rootless makes cgroup creation best-effort, as runc's --rootless:
	// when Path is empty, a hierarchy whose cgroup cannot be created or
	// joined for lack of permission is skipped (and left out of Paths);
	// permission errors from the devices controller are ignored. Setting a
	// limit in a skipped hierarchy is still an error.
	Rootless bool
	// Resources, if set, are the container's resources at creation. Apply
	// uses the few that must be in place before a process joins (cpuset
	// cpus/mems, cpu realtime budget); the systemd driver turns them into
	// unit properties. Apply never sets the rest: call Set.
	Resources *specs.LinuxResources
	// Devices is linux.devices: a default-allowed device (see
	// devices.DefaultRules) whose path is listed here is not added by Set.
	Devices []specs.LinuxDevice
	// Layout overrides host discovery (tests point it at a fake cgroupfs).
	Layout *Layout
}

// Manager controls one container's cgroup. Its guarantees:
//   - Apply creates the cgroup (in every mounted hierarchy on v1, and in the
//     unified one too on hybrid hosts) and moves pid into it; nothing is
//     written outside the container's own cgroup dirs except what a new cgroup
//     needs from its parents (cpuset on v1, subtree_control on v2).
//   - Set applies every field of linux.resources it is given (nil fields are
//     left as they are) and appends the runtime's default device rules to
//     the spec's; a field the host cannot honour is an error naming it.
//     Devices are the exception to "nil is left as is": the rule list is
//     always enforced, and an empty one means deny-all plus the defaults,
//     so an update must pass the container's full resources with its
//     changes merged in (as runc does). On v1 an unchanged rule list costs
//     one read and no write; on v2 an unchanged program is not reloaded.
//   - Destroy kills any process still in the cgroup, removes every dir Apply
//     created, retrying while processes drain; it succeeds when the cgroup
//     is already gone.
//   - Paths is what the state file stores; Load(paths) gives back an equivalent Manager.
type Manager interface {
	Apply(pid int) error
	Set(r *specs.LinuxResources) error
	Destroy() error
	Paths() map[string]string
	// Path returns the cgroup dir for a v1 subsystem ("memory", ...) or "" for
	// the unified (v2) dir; "" result means not present.
	Path(subsystem string) string
	GetPids() ([]int, error) // pids in the cgroup (recursively), sorted
	Freeze() error           // pause; returns once every task is frozen
	Thaw() error             // resume
	State() (FreezerState, error)
	Exists() bool
	// GetStats reads the counters behind `events --stats`.
	GetStats() (*Stats, error)
}

// FreezerState is the freezer status of a cgroup.
type FreezerState string

// The freezer states State reports; Undefined means the cgroup has no
// freezer (no v1 freezer hierarchy, or Linux < 5.2 on v2).
const (
	Undefined FreezerState = ""
	Frozen    FreezerState = "FROZEN"
	Thawed    FreezerState = "THAWED"
)

// ErrNoCgroup is returned by operations that need a cgroup the Manager does
// not have (e.g. Freeze on a rootless container whose cgroup was skipped).
var ErrNoCgroup = errors.New("cgroups not configured for container")

// New returns the Manager for a new container on this host: the systemd
// driver if cfg.Systemd, else the v1 (also for hybrid hosts) or v2 driver.
// It creates nothing; Apply does.
func New(cfg Config) (Manager, error) {
	if cfg.Path == "" && cfg.ID == "" {
		return nil, errors.New("cgroups: neither a cgroups path nor a container ID given")
	}
	if cfg.Systemd {
		return newSystemd(cfg)
	}
	l := cfg.Layout
	if l == nil {
		var err error
		if l, err = DiscoverLayout(); err != nil {
			return nil, fmt.Errorf("cgroups: %w", err)
		}
	}
	path := cfg.Path
	if path == "" {
		path = cfg.ID
	}
	if l.Mode == ModeV2 {
		m := newV2(cfg, l.Unified.dirFor(l.Unified.resolve(path)))
		m.mount = l.Unified.Mountpoint
		return m, nil
	}
	return newV1(cfg, l, path), nil
}

// Load rebuilds the Manager of an existing container from the paths its
// state file saved (Manager.Paths at creation). It reads no host tables:
// the driver is told by the keys (only "" means v2; v1 subsystem names,
// with or without "", mean v1 or hybrid).
func Load(cfg Config, paths map[string]string) (Manager, error) {
	if cfg.Systemd {
		return loadSystemd(cfg, paths)
	}
	return loadFS(cfg, paths), nil
}

func loadFS(cfg Config, paths map[string]string) Manager {
	if dir := V2Dir(paths); dir != "" {
		return newV2(cfg, dir)
	}
	m := &v1Manager{cfg: cfg, paths: map[string]string{}, write: writeFile}
	for k, v := range paths {
		if k == "" {
			m.unified = newV2(cfg, v)
			m.unified.hybrid = true
			continue
		}
		m.paths[k] = v
	}
	return m
}

// V2Dir returns the cgroup dir of saved paths (Manager.Paths) that are a v2
// host's, or "" for those of a v1 or hybrid host (v1 subsystem keys), or
// none at all.
func V2Dir(paths map[string]string) string {
	if len(paths) == 1 {
		return paths[""]
	}
	return ""
}

// CloneInto returns the cgroup2 dir that m's processes can be born in
// (clone3 with CLONE_INTO_CGROUP, Linux 5.7) instead of being moved there by
// a write to cgroup.procs: a v2 host's cgroup, or on a hybrid host its twin
// in the unified hierarchy (the v1 hierarchies then need V1SelfMoveDirs).
// It is "" where m needs that write: with the systemd driver (systemd moves
// the first process into the scope it creates), on a host without cgroup2,
// and for a rootless cgroup (Apply moves the process into what it could
// create) on a hybrid host, or one that Apply skipped.
func CloneInto(m Manager) string {
	switch m := m.(type) {
	case *v2Manager:
		if !m.skipped {
			return m.dir
		}
	case *v1Manager:
		// Only with the v1 moves left to the process itself: a rootless
		// Apply moves it into every hierarchy it can.
		if m.unified != nil && !m.unified.skipped && V1SelfMoveDirs(m) != nil {
			return m.unified.dir
		}
	}
	return ""
}

// V1SelfMoveDirs returns the dirs of m's v1 hierarchies (one per hierarchy)
// for a single-threaded process to move itself into, by writing "0" to
// each one's `tasks` file; nil where m moves processes itself: on a v2
// host, with the systemd driver, and rootless (where a hierarchy it cannot
// join is skipped). A thread moving itself takes no cgroup rwsem; a write
// of a pid to cgroup.procs takes it for writing, which first waits for an
// RCU grace period (3-20 ms of every create here).
func V1SelfMoveDirs(m Manager) []string {
	v1, ok := m.(*v1Manager)
	if !ok || v1.cfg.Rootless {
		return nil
	}
	var dirs []string
	for _, s := range v1.subsystems() {
		if d := v1.paths[s]; !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// MoveProc moves process pid into the cgroup dir (a write to its
// cgroup.procs).
func MoveProc(dir string, pid int) error {
	return addProc(dir, pid)
}
