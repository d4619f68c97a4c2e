package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/berth-runtime/berth/cgroups/devices"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// v2Manager drives one cgroup in a cgroup2 hierarchy: the container's
// cgroup on a v2 host, or its twin in the unified hierarchy of a hybrid host
// (hybrid == true), where it holds only what v1 lacks (e.g. hugetlb here).
type v2Manager struct {
	cfg   Config
	dir   string
	mount string // hierarchy mountpoint; found by walking up when ""
	// hybrid: enable controllers in the parents only when a resource needs
	// them, since the parents are shared host cgroups that v1 hosts leave
	// untouched.
	hybrid bool
	// skipped: a rootless Apply could not create the cgroup (see
	// Config.Rootless); the Manager then has no cgroup at all.
	skipped bool
	// setDeviceRules enforces device rules on dir: devices.SetV2, or a
	// recorder in tests (a fake cgroupfs cannot hold BPF programs).
	setDeviceRules func(dir string, rules []devices.Rule) error
	write          writer
}

func newV2(cfg Config, dir string) *v2Manager {
	return &v2Manager{cfg: cfg, dir: dir, setDeviceRules: devices.SetV2, write: writeFile}
}

// mountpoint returns the hierarchy root: the highest ancestor of dir that
// is still a cgroup (has cgroup.controllers). Ancestors that do not exist
// yet (create makes them) are walked past, not taken for the top.
func (m *v2Manager) mountpoint() string {
	if m.mount != "" {
		return m.mount
	}
	top := m.dir
	for p := filepath.Dir(m.dir); p != filepath.Dir(p); p = filepath.Dir(p) {
		if exists(filepath.Join(p, "cgroup.controllers")) {
			top = p
		} else if exists(p) {
			break
		}
	}
	m.mount = top
	return top
}

func (m *v2Manager) Apply(pid int) error {
	made, err := m.create(pid)
	if err != nil {
		for i := len(made) - 1; i >= 0; i-- {
			_ = rmdirAt(made[i])
		}
		if m.cfg.Rootless && m.cfg.Path == "" && isPermission(err) {
			m.skipped = true
			return nil
		}
	}
	return err
}

// create makes the cgroup and its parents and moves pid in (pid <= 0
// only creates). On a v2 host every controller a parent offers is enabled
// in its cgroup.subtree_control, as runc does: stats and later updates can
// then use any controller without touching the parents again. Controllers
// a parent cannot enable (it has processes, or is threaded) are skipped;
// setting a limit for them fails later with a clear error.
func (m *v2Manager) create(pid int) ([]string, error) {
	mount := m.mountpoint()
	rel, err := filepath.Rel(mount, m.dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("cgroup dir %s is outside its hierarchy %s", m.dir, mount)
	}
	var made []string
	cur := mount
	if rel != "." {
		for _, e := range strings.Split(rel, "/") {
			if !m.hybrid {
				enableAll(cur)
			}
			cur = filepath.Join(cur, e)
			c, err := mkdir(cur)
			if err != nil {
				return made, err
			}
			if c {
				made = append(made, cur)
			}
		}
	}
	if r := m.cfg.Resources; r != nil && r.CPU != nil && !m.hybrid {
		// A process may join only once cpus/mems are what it should get.
		if err := setCpusetV1(m.write, m.dir, r.CPU); err != nil {
			return made, err
		}
	}
	if pid > 0 {
		return made, addProc(m.dir, pid)
	}
	return made, nil
}

// enableAll enables in dir's subtree_control every controller dir offers,
// writing nothing when all are on already. Errors are ignored (see create).
func enableAll(dir string) {
	avail, err := readTrim(dir, "cgroup.controllers")
	if err != nil || avail == "" {
		return
	}
	on, _ := readTrim(dir, "cgroup.subtree_control")
	enabled := strings.Fields(on)
	var want []string
	for _, c := range strings.Fields(avail) {
		if !contains(enabled, c) {
			want = append(want, "+"+c)
		}
	}
	if len(want) == 0 || writeFile(dir, "cgroup.subtree_control", strings.Join(want, " ")) == nil {
		return
	}
	for _, w := range want {
		_ = writeFile(dir, "cgroup.subtree_control", w)
	}
}

// ensureController enables one controller in every parent of dir (hybrid
// hosts enable only on demand). Unlike enableAll, failures are errors.
func (m *v2Manager) ensureController(name string) error {
	mount := m.mountpoint()
	var chain []string
	for p := filepath.Dir(m.dir); ; p = filepath.Dir(p) {
		chain = append([]string{p}, chain...)
		if p == mount || p == filepath.Dir(p) {
			break
		}
	}
	for _, p := range chain {
		avail, err := readTrim(p, "cgroup.controllers")
		if err != nil {
			return err
		}
		if !contains(strings.Fields(avail), name) {
			return fmt.Errorf("the %s controller is not available in %s", name, p)
		}
		on, err := readTrim(p, "cgroup.subtree_control")
		if err != nil {
			return err
		}
		if contains(strings.Fields(on), name) {
			continue
		}
		if err := m.write(p, "cgroup.subtree_control", "+"+name); err != nil {
			return fmt.Errorf("enable the %s controller: %w", name, err)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *v2Manager) Paths() map[string]string {
	if m.skipped {
		return map[string]string{}
	}
	return map[string]string{"": m.dir}
}

func (m *v2Manager) Path(subsystem string) string {
	if subsystem == "" && !m.skipped {
		return m.dir
	}
	return ""
}

func (m *v2Manager) GetPids() ([]int, error) {
	if m.skipped {
		return nil, ErrNoCgroup
	}
	return readProcsTree(m.dir)
}

func (m *v2Manager) Exists() bool { return !m.skipped && exists(m.dir) }

// Set applies r; see set for the order. With no cgroup (rootless, skipped)
// only an empty r succeeds.
func (m *v2Manager) Set(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	if m.skipped {
		if resourcesEmpty(r) {
			return nil
		}
		return fmt.Errorf("linux.resources: cannot be set: %w (rootless, no permission to create it)", ErrNoCgroup)
	}
	return m.set(r)
}

// Destroy kills what is left (cgroup.kill, Linux >= 5.14; else freeze,
// SIGKILL each pid, thaw) and removes the cgroup and any below it.
func (m *v2Manager) Destroy() error {
	if m.skipped {
		return nil
	}
	if err := m.killAll(); err != nil {
		return err
	}
	return removeTree(m.dir)
}

func (m *v2Manager) killAll() error {
	pids, err := readProcsTree(m.dir)
	if err != nil || len(pids) == 0 {
		return nil
	}
	if err := refuseSelf(m.dir, pids); err != nil {
		return err
	}
	err = writeFile(m.dir, "cgroup.kill", "1")
	if err == nil || !isNotExist(err) {
		return err
	}
	frozen := m.Freeze() == nil
	if frozen {
		if pids, err = readProcsTree(m.dir); err != nil {
			pids = nil
		}
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("kill %d in %s: %w", pid, m.dir, err)
		}
	}
	if frozen {
		return m.Thaw()
	}
	return nil
}
