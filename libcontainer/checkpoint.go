package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
	"github.com/berth-runtime/berth/internal/criurpc"
	"github.com/berth-runtime/berth/nsenter"
)

// CriuOptions are the flags of checkpoint and restore, as runc's.
type CriuOptions struct {
	Binary      string // criu (--criu)
	ImagesDir   string // --image-path
	WorkDir     string // --work-path; "" leaves criu's logs in ImagesDir
	ParentImage string // --parent-path, relative to ImagesDir
	LeaveRunning, TCPEstablished, ExtUnixSk, ShellJob, FileLocks,
	PreDump, AutoDedup, LazyPages bool
	StatusFd          int // --status-fd; -1: none
	PageServerAddress string
	PageServerPort    int32
	ManageCgroupsMode criurpc.CgMode
	EmptyNs           uint32 // CLONE_NEW* flags of namespaces criu makes empty
	LsmProfile        string
	LsmMountContext   string
}

// descriptorsFile, in the images, lists the init's fds 0-2 as the links in
// /proc/<pid>/fd read them (runc's file): restore hands the pipes among
// them back to criu as its own stdio.
const descriptorsFile = "descriptors.json"

// Checkpoint dumps the container's processes into o.ImagesDir with criu.
// The caller holds the container's lock. Unless o.LeaveRunning or
// o.PreDump, the processes are gone afterwards (the caller destroys the
// container, as runc does).
func (c *Container) Checkpoint(o *CriuOptions) error {
	const logFile = "dump.log"
	if s := c.Status(); s != Running && s != Paused {
		return fmt.Errorf("Container cannot be checkpointed in %s state", s) //nolint:staticcheck // runc's words
	}
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	version, err := checkCriuVersion(o.Binary, 30000)
	if err != nil {
		return err
	}
	opts, logDir, closeDirs, err := criuDirs(o)
	if err != nil {
		return err
	}
	defer closeDirs()
	pid := c.State.InitPid
	opts.Pid = int32(pid)
	opts.Root = c.State.Rootfs
	opts.LogFile = logFile
	opts.LeaveRunning = o.LeaveRunning
	opts.ConfigFile = criuConfigFile(spec)
	for _, t := range [...]specs.LinuxNamespaceType{specs.NetworkNamespace, specs.PIDNamespace} {
		ext, err := externalNamespace(spec, t, version)
		if err != nil {
			return err
		}
		if ext != "" {
			opts.External = append(opts.External, ext)
		}
	}
	if m, err := c.cgroupManager(); err == nil {
		// criu freezes the tasks with the cgroup freezer (v2: criu 3.14+),
		// else with ptrace.
		if p := m.Path("freezer"); p != "" {
			opts.FreezeCgroup = p
		} else if p := cgroups.V2Dir(c.State.CgroupPaths); p != "" && version >= 31400 {
			opts.FreezeCgroup = p
		}
	}
	if o.PageServerAddress != "" {
		opts.PageServerAddress, opts.PageServerPort = o.PageServerAddress, o.PageServerPort
	}
	if o.ParentImage != "" {
		opts.ParentImg, opts.TrackMem = o.ParentImage, true
	}
	req := &criurpc.Req{Type: criurpc.Dump, Opts: opts}
	if o.PreDump {
		if err := checkCriuFeatures(o.Binary, criurpc.Features{MemTrack: true}, opts.ImagesDirFd); err != nil {
			return err
		}
		req.Type = criurpc.PreDump
	}
	if o.LazyPages {
		if err := checkCriuFeatures(o.Binary, criurpc.Features{LazyPages: true}, opts.ImagesDirFd); err != nil {
			return err
		}
		if err := checkStatusFd(o.StatusFd); err != nil {
			return err
		}
		if version < 31500 {
			opts.StatusFd = int32(o.StatusFd)
		}
	}
	if !o.PreDump {
		if err := c.addDumpMounts(spec, opts); err != nil {
			return err
		}
		if err := writeDescriptors(o.ImagesDir, pid); err != nil {
			return err
		}
	}
	_, err = runCriu(&criuCall{Binary: o.Binary, Req: req, Notified: func(script string, _ int32, _ []int) error {
		if script == "status-ready" {
			signalStatusFd(o)
		}
		return nil
	}})
	if o.StatusFd >= 0 {
		unix.Close(o.StatusFd)
	}
	if err != nil {
		quoteCriuLog(logDir, logFile)
		return err
	}
	return nil
}

// criuDirs makes and opens the images dir (and the work dir, if any) and
// fills what every dump and restore request shares.
func criuDirs(o *CriuOptions) (opts *criurpc.Opts, logDir string, closeAll func(), err error) {
	if o.ImagesDir == "" {
		return nil, "", nil, errors.New("invalid directory to save checkpoint")
	}
	var open []int
	closeAll = func() {
		for _, fd := range open {
			unix.Close(fd)
		}
	}
	openDir := func(dir string) (int32, error) {
		// A container can be checkpointed more than once into one dir.
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return 0, err
		}
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return 0, &os.PathError{Op: "open", Path: dir, Err: err}
		}
		open = append(open, fd)
		return int32(fd), nil
	}
	images, err := openDir(o.ImagesDir)
	if err != nil {
		closeAll()
		return nil, "", nil, err
	}
	opts = &criurpc.Opts{
		ImagesDirFd:       images,
		LogLevel:          4,
		ManageCgroups:     true, // for criu before manage_cgroups_mode
		ManageCgroupsMode: o.ManageCgroupsMode,
		NotifyScripts:     true,
		ShellJob:          o.ShellJob,
		TCPEstablished:    o.TCPEstablished,
		ExtUnixSk:         o.ExtUnixSk,
		FileLocks:         o.FileLocks,
		EmptyNs:           o.EmptyNs,
		OrphanPtsMaster:   true,
		AutoDedup:         o.AutoDedup,
		LazyPages:         o.LazyPages,
		StatusFd:          -1,
	}
	logDir = o.ImagesDir
	if o.WorkDir != "" {
		if opts.WorkDirFd, err = openDir(o.WorkDir); err != nil {
			closeAll()
			return nil, "", nil, err
		}
		logDir = o.WorkDir
	}
	return opts, logDir, closeAll, nil
}

// criuConfigFile is runc's: the annotation org.criu.config names criu's
// configuration file ("" for none), else /etc/criu/runc.conf, so that a
// host set up for runc's checkpoints works the same with berth.
func criuConfigFile(spec *specs.Spec) string {
	if f, ok := spec.Annotations["org.criu.config"]; ok {
		return f
	}
	return "/etc/criu/runc.conf"
}

// criuExternalNs says how criu treats a network or pid namespace the
// container joined by path: under which key the images know it, its
// name in /proc/PID/ns (and in runc's messages), and from which criu
// version on (ok false: any other kind, which criu joins).
func criuExternalNs(t specs.LinuxNamespaceType) (key, name string, minVersion int, ok bool) {
	switch t {
	case specs.NetworkNamespace:
		return "extRootNetNS", "net", 31100, true
	case specs.PIDNamespace:
		return "extRootPidNS", "pid", 31500, true
	}
	return "", "", 0, false
}

// externalNamespace is criu's --external for a network or pid namespace the
// container joined by path: criu leaves it out of the images, and restore
// expects it back under the same key.
func externalNamespace(spec *specs.Spec, t specs.LinuxNamespaceType, version int) (string, error) {
	path := namespacePath(spec, t)
	if path == "" {
		return "", nil
	}
	key, name, min, _ := criuExternalNs(t)
	if version < min {
		return "", fmt.Errorf("criu lacks support for external %s namespace during checkpointing process (old criu version?)", name)
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return fmt.Sprintf("%s[%d]:%s", name, st.Ino, key), nil
}

// addDumpMounts names the mounts whose source is outside the container,
// which criu cannot dump: bind mounts, the container's cgroup dirs,
// masked files (the container's /dev/null) and bind-mounted devices. Each
// goes into the images under its destination (masks under /dev/null), for
// restore to map back to a host path.
func (c *Container) addDumpMounts(spec *specs.Spec, opts *criurpc.Opts) error {
	ext := func(key, val string) {
		opts.ExtMnt = append(opts.ExtMnt, criurpc.KeyValue{Key: key, Val: val})
	}
	for _, m := range spec.Mounts {
		if IsBind(m.Type, m.Options) {
			ext(filepath.Clean(m.Destination), filepath.Clean(m.Destination))
		}
	}
	dirs, err := cgroupBinds(spec, c.State.InitPid, nil)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		ext(d.Destination, d.Destination)
	}
	if spec.Linux != nil {
		root := "/proc/" + strconv.Itoa(c.State.InitPid) + "/root"
		for _, p := range spec.Linux.MaskedPaths {
			fi, err := os.Stat(root + p)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				return err
			}
			if !fi.IsDir() {
				ext(p, "/dev/null")
			}
		}
		for _, d := range spec.Linux.Devices {
			ext(d.Path, d.Path)
		}
	}
	return nil
}

// cgroupBinds lists the host cgroup dirs berth bind-mounts for the spec's
// cgroup mounts (none inside a cgroup namespace, which mounts afresh), as
// they are for process pid, which is in the container's cgroup. layout is
// the host's cgroup layout if already read (nil: read it here if needed).
func cgroupBinds(spec *specs.Spec, pid int, layout *cgroups.Layout) ([]nsenter.PlanCgroupDir, error) {
	var out []nsenter.PlanCgroupDir
	for _, m := range spec.Mounts {
		if m.Type != "cgroup" {
			continue
		}
		if layout == nil {
			var err error
			if layout, err = cgroups.DiscoverLayout(); err != nil {
				return nil, fmt.Errorf("cgroups: %w", err)
			}
		}
		b := &planBuilder{spec: spec, pid: pid, cgroupMounts: layout.Mounts}
		pm := nsenter.PlanMount{Destination: filepath.Clean(m.Destination)}
		if err := b.cgroupMount(&pm); err != nil {
			return nil, err
		}
		for _, d := range pm.CgroupDirs {
			if !d.Fresh {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// writeDescriptors saves what the init's fds 0-2 are (descriptorsFile).
func writeDescriptors(dir string, pid int) error {
	fds := make([]string, 3)
	for i := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, i))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		fds[i] = l
	}
	data, err := json.Marshal(fds)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, descriptorsFile), data, 0o600)
}

// readDescriptors is writeDescriptors' list, read back for restore.
func readDescriptors(dir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, descriptorsFile))
	if err != nil {
		return nil, err
	}
	var fds []string
	if err := json.Unmarshal(data, &fds); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, descriptorsFile), err)
	}
	return fds, nil
}

// checkStatusFd is runc's check of --status-fd: open, and writable.
func checkStatusFd(fd int) error {
	if fd < 0 {
		return nil
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return fmt.Errorf("invalid --status-fd argument %d: %w", fd, err)
	}
	if flags&(unix.O_WRONLY|unix.O_RDWR) == 0 {
		return fmt.Errorf("invalid --status-fd argument %d: not writable", fd)
	}
	return nil
}

// signalStatusFd writes the byte that says the lazy-pages server is ready
// (criu 3.15+ says so by a notification instead of writing it itself).
func signalStatusFd(o *CriuOptions) {
	if o.StatusFd < 0 {
		return
	}
	_, _ = unix.Write(o.StatusFd, []byte{0})
	unix.Close(o.StatusFd)
	o.StatusFd = -1
}
