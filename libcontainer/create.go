package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
)

// CreateOptions are the inputs of Create; they mirror runc's create flags.
type CreateOptions struct {
	Root   string // state root (--root)
	ID     string
	Bundle string // absolute bundle path
	Spec   *specs.Spec
	// ConsoleSocket is the path of the AF_UNIX socket that receives the pty
	// master; Console is an already connected socket (run's own proxy).
	ConsoleSocket string
	Console       *os.File
	PidFile       string
	PidfdSocket   string // receives a pidfd of the init (SCM_RIGHTS)
	NoPivot       bool
	NoNewKeyring  bool
	PreserveFDs   int
	Systemd       bool
	Rootless      bool
	// KeepLock returns the container still locked, for StartCreated: `run`,
	// which starts what it created. Its init then waits for a byte on a
	// socket pair this process holds, not on the exec fifo a separate
	// `start` opens, so no fifo is made (an inode less per run).
	KeepLock bool
}

// Create creates a container whose init waits on the exec fifo for Start
// (or, with KeepLock, for StartCreated).
// On failure nothing is left: no state dir, cgroup, mount or process.
func Create(o *CreateOptions) (c *Container, err error) {
	if err := ValidateID(o.ID); err != nil {
		return nil, err
	}
	if err := checkPassedFDs(o.PreserveFDs); err != nil {
		return nil, err
	}
	spec := o.Spec
	rootfs, err := resolveRootfs(o.Bundle, spec)
	if err != nil {
		return nil, err
	}
	c, cgroup, layout, err := newContainer(o, rootfs)
	if err != nil {
		return nil, err
	}
	locked := c // the named result is nil on the error path
	defer func() {
		if err != nil || !o.KeepLock {
			locked.Unlock()
		}
	}()
	p := &initProcess{c: c, opts: o, spec: spec, rootfs: rootfs, cgroup: cgroup}
	if layout != nil {
		p.cgroupMounts = layout.Mounts
	}
	defer func() {
		if err != nil {
			p.abort()
		}
	}()
	faultPoint("create:after-state-dir")
	if err := p.start(); err != nil {
		return nil, err
	}
	c.State.Creating = false
	if err := saveState(c.Dir, c.State); err != nil {
		return nil, err
	}
	faultPoint("create:before-pid-file")
	if o.PidFile != "" {
		if err := writePidFile(o.PidFile, c.State.InitPid); err != nil {
			return nil, err
		}
	}
	if o.PidfdSocket != "" {
		if err := sendPidfd(o.PidfdSocket, c.State.InitPid); err != nil {
			return nil, err
		}
	}
	p.conn.Close()
	return c, nil
}

// resolveRootfs makes root.path absolute (relative to the bundle) and
// resolves its symlinks, so every later path under it is real.
func resolveRootfs(bundle string, spec *specs.Spec) (string, error) {
	if spec.Root == nil || spec.Root.Path == "" {
		return "", errors.New("root.path: must be set")
	}
	p := spec.Root.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(bundle, p)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("root.path: rootfs %q does not exist", p)
		}
		return "", fmt.Errorf("root.path: %w", err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("root.path: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("root.path: rootfs %q is not a directory", p)
	}
	return real, nil
}

// writePidFile writes pid (no newline, like runc) through a temporary file
// and rename, so a reader never sees an empty or partial file. The
// temporary file is runc's, "." and the name, so that errors read as
// runc's.
func writePidFile(path string, pid int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs))
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// cgroupConfig is the cgroup manager's view of a spec.
func cgroupConfig(id string, spec *specs.Spec, systemd, rootless bool) cgroups.Config {
	cfg := cgroups.Config{ID: id, Systemd: systemd, Rootless: rootless}
	if spec.Linux != nil {
		cfg.Path = spec.Linux.CgroupsPath
		cfg.Resources = spec.Linux.Resources
		cfg.Devices = spec.Linux.Devices
	}
	return cfg
}

// sendPidfd sends a pidfd of pid over the AF_UNIX socket at path.
func sendPidfd(path string, pid int) error {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	defer unix.Close(fd)
	sock, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(sock)
	if err := unix.Connect(sock, &unix.SockaddrUnix{Name: path}); err != nil {
		return fmt.Errorf("connect to pidfd socket %s: %w", path, err)
	}
	if err := unix.Sendmsg(sock, []byte("pidfd"), unix.UnixRights(fd), nil, 0); err != nil {
		return fmt.Errorf("send pidfd: %w", err)
	}
	return nil
}

// newContainer makes the state dir of a new container, locked, and saves
// its first state (status creating, its cgroup's paths already in: `delete
// --force` finds everything whenever we die from here on) and its spec.
// The cgroup itself is not made yet. On failure nothing is left.
func newContainer(o *CreateOptions, rootfs string) (c *Container, m cgroups.Manager, layout *cgroups.Layout, err error) {
	spec := o.Spec
	if err := os.MkdirAll(o.Root, 0o700); err != nil { // as runc
		return nil, nil, nil, fmt.Errorf("create state root %s: %w", o.Root, err)
	}
	dir := filepath.Join(o.Root, o.ID)
	if err := os.Mkdir(dir, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, nil, nil, ErrExist
		}
		return nil, nil, nil, fmt.Errorf("create state dir: %w", err)
	}
	c = &Container{ID: o.ID, Dir: dir, spec: spec}
	made := c // the named result is nil on the error path
	defer func() {
		if err != nil {
			_ = removeStateDir(dir)
			made.Unlock()
		}
	}()
	// Hold the lock from the start: delete or a second create of this ID
	// waits until we are done or dead.
	if lf, lerr := lockDir(dir); lerr == nil {
		c.lock = lf
	}
	c.State = &State{
		ID:           o.ID,
		Bundle:       o.Bundle,
		Rootfs:       rootfs,
		Created:      time.Now().UTC(),
		Creating:     true,
		Annotations:  spec.Annotations,
		PrivatePidNS: hasNamespace(spec, specs.PIDNamespace) && namespacePath(spec, specs.PIDNamespace) == "",
		Systemd:      o.Systemd,
		Rootless:     o.Rootless,
		Hooks:        spec.Hooks,
	}
	if spec.Linux != nil {
		c.State.CgroupsPath = spec.Linux.CgroupsPath
	}
	cfg := cgroupConfig(o.ID, spec, o.Systemd, o.Rootless)
	if !o.Systemd {
		// Read here, not by New, so that the rootfs plan can use its mount
		// list too.
		if cfg.Layout, err = cgroups.DiscoverLayout(); err != nil {
			return nil, nil, nil, fmt.Errorf("cgroups: %w", err)
		}
	}
	if m, err = cgroups.New(cfg); err != nil {
		return nil, nil, nil, err
	}
	c.State.CgroupPaths = m.Paths()
	if st, err := readProcStat(os.Getpid()); err == nil {
		c.State.CreatorPid, c.State.CreatorStartTime = os.Getpid(), st.StartTime
	}
	if err := saveState(dir, c.State); err != nil {
		return nil, nil, nil, err
	}
	if err := saveSpec(dir, spec); err != nil {
		return nil, nil, nil, fmt.Errorf("save config: %w", err)
	}
	return c, m, cfg.Layout, nil
}
