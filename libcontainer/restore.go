package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
	"github.com/berth-runtime/berth/internal/criurpc"
)

// RestoreOptions are the inputs of Restore: the bundle as for create, and
// criu's flags. Stdio become the restored process's stdin, stdout and
// stderr where the checkpointed ones were pipes.
type RestoreOptions struct {
	CreateOptions
	Criu  CriuOptions
	Stdio [3]*os.File
}

// Restore makes the container o.ID again from the bundle and the images a
// Checkpoint left in o.Criu.ImagesDir: state dir and cgroup as create makes
// them, then criu recreates the processes, namespaces and mounts. The
// restored init is our child (criu's sibling). On failure nothing is left.
func Restore(o *RestoreOptions) (c *Container, err error) {
	const logFile = "restore.log"
	if err := ValidateID(o.ID); err != nil {
		return nil, err
	}
	spec := o.Spec
	rootfs, err := resolveRootfs(o.Bundle, spec)
	if err != nil {
		return nil, err
	}
	version, err := checkCriuVersion(o.Criu.Binary, 30000)
	if err != nil {
		return nil, err
	}
	if (o.Criu.LsmProfile != "" || o.Criu.LsmMountContext != "") && version < 31600 {
		flag := "--lsm-profile"
		if o.Criu.LsmProfile == "" {
			flag = "--lsm-mount-context"
		}
		return nil, fmt.Errorf("%s requires at least CRIU 3.16", flag)
	}
	fds, err := readDescriptors(o.Criu.ImagesDir)
	if err != nil {
		return nil, err
	}
	opts, logDir, closeDirs, err := criuDirs(&o.Criu)
	if err != nil {
		return nil, err
	}
	defer closeDirs()
	c, cgroup, layout, err := newContainer(&o.CreateOptions, rootfs)
	if err != nil {
		return nil, err
	}
	r := &restoration{c: c, o: o, spec: spec, cgroup: cgroup, layout: layout}
	defer func() {
		if err != nil {
			r.abort()
			quoteCriuLog(logDir, logFile)
		}
		r.c.Unlock() // not c: the named result is nil on the error path
	}()
	if err := prepareRestoreMounts(spec, o.Bundle, rootfs); err != nil {
		return nil, err
	}
	root, err := r.criuRoot(rootfs)
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = unix.Unmount(root, unix.MNT_DETACH)
		_ = os.Remove(root)
	}()
	opts.EvasiveDevices = true
	opts.LogFile = logFile
	opts.RstSibling = true
	opts.Root = root
	opts.ConfigFile = criuConfigFile(spec)
	opts.LsmProfile, opts.LsmMountContext = o.Criu.LsmProfile, o.Criu.LsmMountContext
	extra, err := restoreNamespaces(spec, opts, version)
	defer func() {
		for _, f := range extra {
			f.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	addRestoreMounts(spec, o.Bundle, opts)
	for i, s := range fds {
		if i < 3 && strings.Contains(s, "pipe:") {
			opts.InheritFd = append(opts.InheritFd, criurpc.InheritFd{Key: s, Fd: int32(i)})
		}
	}
	stdio := o.Stdio
	if spec.Process != nil && spec.Process.Terminal {
		// The process gets a new pty (orphan-pts-master): criu has no
		// pipes to inherit, and, as with runc, none of our stdio.
		stdio = [3]*os.File{}
	}
	_, err = runCriu(&criuCall{
		Binary:   o.Criu.Binary,
		Req:      &criurpc.Req{Type: criurpc.Restore, Opts: opts},
		Stdio:    stdio,
		Extra:    extra,
		Started:  func(pid int) error { return r.joinCgroup(pid, opts) },
		Notified: r.notified,
	})
	if err != nil {
		return nil, err
	}
	if c.State.InitPid == 0 {
		return nil, errors.New("criu restored no process")
	}
	c.State.Creating = false
	if err := saveState(c.Dir, c.State); err != nil {
		return nil, err
	}
	if o.PidFile != "" {
		if err := writePidFile(o.PidFile, c.State.InitPid); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// restoration is one Restore under way.
type restoration struct {
	c      *Container
	o      *RestoreOptions
	spec   *specs.Spec
	cgroup cgroups.Manager
	layout *cgroups.Layout // the host's, as newContainer read it (nil: systemd)
}

// criuRoot bind-mounts the rootfs on a dir of its own for criu, which wants
// its root to be a mount point whose parent is not mounted over; read-only
// if the container's root is, as criu restores the mounts on it but not
// the root's own flags.
func (r *restoration) criuRoot(rootfs string) (string, error) {
	root := filepath.Join(r.c.Dir, criuRootDir)
	if err := os.Mkdir(root, 0o755); err != nil {
		return "", err
	}
	if err := unix.Mount(rootfs, root, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		os.Remove(root)
		return "", &os.PathError{Op: "bind mount rootfs on", Path: root, Err: err}
	}
	if r.spec.Root.Readonly {
		if err := unix.Mount("", root, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY, ""); err != nil {
			_ = unix.Unmount(root, unix.MNT_DETACH)
			os.Remove(root)
			return "", &os.PathError{Op: "remount read-only", Path: root, Err: err}
		}
	}
	return root, nil
}

// joinCgroup puts criu (so the tasks it restores) into the container's
// cgroup, with its limits, and tells criu where that cgroup is.
func (r *restoration) joinCgroup(pid int, opts *criurpc.Opts) error {
	if err := r.cgroup.Apply(pid); err != nil {
		return err
	}
	if r.spec.Linux != nil && r.spec.Linux.Resources != nil {
		if err := r.cgroup.Set(r.spec.Linux.Resources); err != nil {
			return err
		}
	}
	paths, err := cgroups.PathsOf(pid)
	if err != nil {
		return err
	}
	for ctrls, path := range paths {
		if ctrls == "" {
			opts.CgRoot = append(opts.CgRoot, criurpc.CgroupRoot{Path: path})
			continue
		}
		for _, ctrl := range strings.Split(ctrls, ",") {
			opts.CgRoot = append(opts.CgRoot, criurpc.CgroupRoot{Ctrl: ctrl, Path: path})
		}
	}
	// The container's cgroup dirs, bind-mounted into it, are criu's
	// pid's now.
	binds, err := cgroupBinds(r.spec, pid, r.layout)
	if err != nil {
		return err
	}
	for _, d := range binds {
		opts.ExtMnt = append(opts.ExtMnt, criurpc.KeyValue{Key: d.Destination, Val: d.Source})
	}
	return nil
}

// notified follows criu through the restore.
func (r *restoration) notified(script string, pid int32, fds []int) error {
	switch script {
	case "setup-namespaces":
		// The namespaces exist, the processes do not run yet: where
		// create runs these hooks.
		h := r.spec.Hooks
		if h == nil {
			return nil
		}
		state := r.c.OCIState(Creating)
		state.Pid = int(pid)
		if err := runHooks("prestart", h.Prestart, state); err != nil { //nolint:staticcheck
			return err
		}
		return runHooks("createRuntime", h.CreateRuntime, state)
	case "post-restore":
		return r.recordInit(int(pid))
	case "orphan-pts-master":
		if len(fds) == 0 {
			return errors.New("criu sent no pty master")
		}
		return r.sendConsole(fds[0])
	case "status-ready":
		signalStatusFd(&r.o.Criu)
	}
	return nil
}

// recordInit notes the restored init as create notes a new one. criu puts
// the processes in a time namespace of their own (so that their clocks go
// on from the dump): exec joins that too.
func (r *restoration) recordInit(pid int) error {
	st, err := readProcStat(pid)
	if err != nil {
		return fmt.Errorf("restored process %d: %w", pid, err)
	}
	s := r.c.State
	s.InitPid, s.InitStartTime, s.Created = pid, st.StartTime, time.Now().UTC()
	s.NamespacePaths = namespacePaths(pid, r.spec)
	if _, ok := s.NamespacePaths[string(specs.TimeNamespace)]; !ok && !sameNamespace(pid, "time") {
		s.NamespacePaths[string(specs.TimeNamespace)] = fmt.Sprintf("/proc/%d/ns/time", pid)
	}
	return saveState(r.c.Dir, s)
}

// sameNamespace reports whether pid is in our namespace of the kind.
func sameNamespace(pid int, kind string) bool {
	var a, b unix.Stat_t
	if unix.Stat("/proc/self/ns/"+kind, &a) != nil || unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", pid, kind), &b) != nil {
		return true // no such namespace kind here
	}
	return a.Ino == b.Ino && a.Dev == b.Dev
}

// sendConsole hands criu's new pty master to the console socket.
func (r *restoration) sendConsole(master int) error {
	sock := r.o.Console
	if sock == nil {
		if r.o.ConsoleSocket == "" {
			return errors.New("cannot allocate tty if berth will detach without setting console socket")
		}
		f, err := dialConsole(r.o.ConsoleSocket)
		if err != nil {
			return err
		}
		defer f.Close()
		sock = f
	}
	name := "/dev/ptmx"
	if pts, err := unix.IoctlGetInt(master, unix.TIOCGPTN); err == nil {
		name = fmt.Sprintf("/dev/pts/%d", pts)
	}
	if err := unix.Sendmsg(int(sock.Fd()), []byte(name), unix.UnixRights(master), nil, 0); err != nil {
		return fmt.Errorf("send pty master: %w", err)
	}
	return nil
}

// abort undoes a failed restore: the restored processes, the cgroup, the
// state dir; poststop hooks run if a process was restored.
func (r *restoration) abort() {
	if pid := r.c.State.InitPid; pid > 0 {
		_ = unix.Kill(pid, unix.SIGKILL)
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, 0, nil)
	}
	r.c.discardNew(r.cgroup)
}

// restoreNamespaces tells criu which namespaces to join instead of
// recreating: a network or pid namespace by path is the one the dump
// left out (externalNamespace), handed to criu as an inherited fd; the
// others criu joins by path. Returns the files criu must inherit.
func restoreNamespaces(spec *specs.Spec, opts *criurpc.Opts, version int) ([]*os.File, error) {
	if spec.Linux == nil {
		return nil, nil
	}
	var extra []*os.File
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path == "" {
			continue
		}
		key, name, min, external := criuExternalNs(ns.Type)
		switch {
		case external:
			if version < min {
				return extra, fmt.Errorf("criu lacks support for external %s namespace during the restoration process (old criu version?)", name)
			}
			f, err := os.Open(ns.Path)
			if err != nil {
				return extra, fmt.Errorf("requested %s namespace %s does not exist", name, ns.Path)
			}
			// criu's fds 0-3 are stdio and the socket.
			opts.InheritFd = append(opts.InheritFd, criurpc.InheritFd{Key: key, Fd: int32(4 + len(extra))})
			extra = append(extra, f)
		case ns.Type == specs.CgroupNamespace:
			return extra, errors.New("criu cannot restore into a cgroup namespace given by path (linux.namespaces: cgroup)")
		default:
			for _, k := range namespaceKinds {
				if k.typ == ns.Type {
					opts.JoinNs = append(opts.JoinNs, criurpc.JoinNs{Ns: k.proc, File: ns.Path})
				}
			}
		}
	}
	return extra, nil
}

// addRestoreMounts maps the external mounts of the images (addDumpMounts)
// to this host: bind mounts to their sources, masks to /dev/null, devices
// to the host's. (The cgroup dirs are known once criu is in the cgroup.)
func addRestoreMounts(spec *specs.Spec, bundle string, opts *criurpc.Opts) {
	ext := func(key, val string) {
		opts.ExtMnt = append(opts.ExtMnt, criurpc.KeyValue{Key: key, Val: val})
	}
	for _, m := range spec.Mounts {
		if IsBind(m.Type, m.Options) {
			ext(filepath.Clean(m.Destination), bindSource(bundle, &m))
		}
	}
	if spec.Linux == nil {
		return
	}
	if len(spec.Linux.MaskedPaths) > 0 {
		ext("/dev/null", "/dev/null")
	}
	for _, d := range spec.Linux.Devices {
		ext(d.Path, d.Path)
	}
}

// prepareRestoreMounts makes the mount points create would have made in
// the rootfs (a rootfs copied elsewhere may lack them), except below a
// tmpfs mount, whose content criu restores. criu does not make them.
func prepareRestoreMounts(spec *specs.Spec, bundle, rootfs string) error {
	var tmpfs []string
	for _, m := range spec.Mounts {
		if m.Type == "tmpfs" {
			tmpfs = append(tmpfs, filepath.Clean(m.Destination))
		}
	}
	for _, m := range spec.Mounts {
		dest := filepath.Clean(m.Destination)
		if m.Type == "cgroup" || isUnder(dest, tmpfs) {
			continue
		}
		path, err := securejoin.SecureJoin(rootfs, dest)
		if err != nil {
			return err
		}
		if _, err := os.Lstat(path); err == nil {
			continue
		}
		dir := true
		if IsBind(m.Type, m.Options) {
			if fi, err := os.Stat(bindSource(bundle, &m)); err == nil && !fi.IsDir() {
				dir = false
			}
		}
		if !dir {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|unix.O_NOFOLLOW, 0o644)
			if err != nil {
				return err
			}
			f.Close()
		} else if err := os.MkdirAll(path, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// isUnder reports whether path is strictly below one of dirs.
func isUnder(path string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(path, strings.TrimSuffix(d, "/")+"/") {
			return true
		}
	}
	return false
}
