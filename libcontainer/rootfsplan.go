package libcontainer

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux"
	"github.com/opencontainers/selinux/go-selinux/label"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
	"github.com/berth-runtime/berth/nsenter"
	"github.com/berth-runtime/berth/specconv"
)

// rootfsPlan computes the container's filesystem for the init to build
// (nsenter/rootfs.c): lo, the propagation of "/", the rootfs bind, every
// spec mount, device nodes, the /dev symlinks and the cwd; then the pivot,
// hostname, domainname, sysctls, a read-only root, readonlyPaths and
// maskedPaths. The parent runs it
// once the init exists and waits for its config, so what depends on the
// init's view (its mount table, its cgroups) is read through /proc/<pid>.
// cgroupMounts, if not nil, are the cgroup mounts of our own mount
// namespace, which an init's new one (not one joined by path) copied.
func rootfsPlan(spec *specs.Spec, bundle, rootfs string, noPivot bool, pid int, cgroupMounts []*mountinfo.Info) (*nsenter.RootfsPlan, error) {
	if !hasNamespace(spec, specs.MountNamespace) {
		return nil, errors.New("linux.namespaces: a mount namespace is required")
	}
	plan := &nsenter.RootfsPlan{Fault: initFaultStep(), Propagation: unix.MS_SLAVE | unix.MS_REC, Rootfs: rootfs}
	if spec.Linux != nil && spec.Linux.RootfsPropagation != "" {
		p, ok := PropagationFlag(spec.Linux.RootfsPropagation)
		if !ok {
			return nil, fmt.Errorf("linux.rootfsPropagation: unknown propagation %q", spec.Linux.RootfsPropagation)
		}
		plan.Propagation = uint32(p)
	}
	b := &planBuilder{spec: spec, bundle: bundle, rootfs: filepath.Clean(rootfs), pid: pid}
	if namespacePath(spec, specs.MountNamespace) == "" {
		b.cgroupMounts = cgroupMounts
	}
	mp, err := b.sharedRootfsMount(plan.Propagation)
	if err != nil {
		return nil, err
	}
	plan.PrivateParent = mp
	for i := range spec.Mounts {
		pm, err := b.mount(i, &spec.Mounts[i])
		if err != nil {
			plan.MountFDs = b.mountFDs
			plan.CloseMountFDs()
			return nil, fmt.Errorf("mounts[%d] (%s): %w", i, spec.Mounts[i].Destination, err)
		}
		if ro, ok := deferReadonly(&spec.Mounts[i], &pm); ok {
			plan.ReadonlyMounts = append(plan.ReadonlyMounts, ro)
		}
		plan.Mounts = append(plan.Mounts, pm)
	}
	plan.MountFDs = b.mountFDs
	if needsDevSetup(spec) {
		devs, err := planDevices(spec)
		if err != nil {
			return nil, err
		}
		plan.Devices, plan.DevLinks = devs, true
	}
	plan.Cwd = spec.Process.Cwd
	plan.NoPivot = noPivot
	plan.Loopback = hasNamespace(spec, specs.NetworkNamespace) && namespacePath(spec, specs.NetworkNamespace) == ""
	if l := spec.Linux; l != nil && l.RootfsPropagation != "" {
		// Checked above.
		p, _ := PropagationFlag(l.RootfsPropagation)
		rp := uint32(p)
		plan.RootPropagation = &rp
	}
	plan.Hostname, plan.Domainname = spec.Hostname, spec.Domainname
	plan.ReadonlyRoot = spec.Root != nil && spec.Root.Readonly
	if l := spec.Linux; l != nil {
		plan.ReadonlyPaths, plan.MaskedPaths = l.ReadonlyPaths, l.MaskedPaths
		// Sorted: the same config writes them in the same order.
		for _, key := range slices.Sorted(maps.Keys(l.Sysctl)) {
			plan.Sysctls = append(plan.Sysctls, nsenter.PlanSysctl{Path: sysctlPath(key), Key: key, Value: l.Sysctl[key]})
		}
	}
	return plan, nil
}

// sysctlPath is the procfs path of a sysctl key: "net.ipv4.conf.eth0/100.
// forwarding" names sys/net/ipv4/conf/eth0.100/forwarding (dots and
// slashes swap; no ".." survives the swap).
func sysctlPath(key string) string {
	return "sys/" + specconv.SwapSysctlSeparators(key)
}

// planBuilder holds what several mounts of one plan share.
type planBuilder struct {
	spec           *specs.Spec
	bundle, rootfs string
	pid            int
	mounts         []*mountinfo.Info // the init's mount table, read once
	// cgroupMounts are the init's cgroup mounts when known without reading
	// its mount table (see rootfsPlan).
	cgroupMounts []*mountinfo.Info
	// mountFDs are the id-mapped trees made so far (RootfsPlan.MountFDs).
	mountFDs []*os.File
}

func (b *planBuilder) mountTable() ([]*mountinfo.Info, error) {
	if b.mounts == nil {
		m, err := mountinfo.PidMountInfo(b.pid)
		if err != nil {
			return nil, err
		}
		b.mounts = m
	}
	return b.mounts, nil
}

// sharedRootfsMount is the mount the rootfs is on (the rootfs itself when it
// is a mount point) if that mount is still shared once the init has given
// "/" the propagation prop, else "". The init makes it private, as runc
// does: pivot_root refuses a new root whose parent mount is shared, and the
// rootfs bind and every mount made under it would otherwise appear in the
// peers of that mount, the host's among them.
func (b *planBuilder) sharedRootfsMount(prop uint32) (string, error) {
	recursive := prop&unix.MS_REC != 0
	if recursive && prop&unix.MS_SHARED == 0 {
		return "", nil // slave, private or unbindable all the way down
	}
	mounts, err := b.mountTable()
	if err != nil {
		return "", err
	}
	var on *mountinfo.Info
	for _, m := range mounts {
		mp := m.Mountpoint
		if mp == "/" || mp == b.rootfs || strings.HasPrefix(b.rootfs, mp+"/") {
			if on == nil || len(mp) >= len(on.Mountpoint) { // the last of those stacked on one point is on top
				on = m
			}
		}
	}
	if on == nil {
		return "", nil
	}
	shared := strings.Contains(" "+on.Optional+" ", " shared:")
	if recursive || on.Mountpoint == "/" {
		shared = prop&unix.MS_SHARED != 0
	}
	if !shared {
		return "", nil
	}
	return on.Mountpoint, nil
}

// mount turns mounts[i] into a plan step.
func (b *planBuilder) mount(i int, m *specs.Mount) (nsenter.PlanMount, error) {
	if !filepath.IsAbs(m.Destination) {
		return nsenter.PlanMount{}, fmt.Errorf("destination %q is not an absolute path", m.Destination)
	}
	opts := parseMountOptions(m.Options)
	dest := m.Destination
	if rel, ok := strings.CutPrefix(dest, b.rootfs+"/"); ok {
		// runc takes a destination under the rootfs's host path for the
		// path inside it (its mount-order test relies on that).
		dest = "/" + rel
	}
	pm := nsenter.PlanMount{
		Index: uint32(i), Destination: dest, Source: m.Source, Type: m.Type,
		Flags: uint64(opts.flags), Clear: uint64(opts.clear), RecSet: opts.recSet, RecClr: opts.recClr,
		TmpCopyUp: opts.tmpcopyup && m.Type == "tmpfs", IdmapFD: -1, SourceFD: -1,
	}
	for _, p := range opts.propagation {
		pm.Propagation = append(pm.Propagation, uint64(p))
	}
	switch {
	case IsBind(m.Type, m.Options):
		pm.Kind = nsenter.MountBind
		if m.Source == "" {
			return pm, errors.New("bind mount without a source")
		}
		pm.Source = bindSource(b.bundle, m)
		if opts.idmap || len(m.UIDMappings) > 0 {
			tree, err := b.idmappedTree(pm.Source, m, &opts)
			if err != nil {
				return pm, err
			}
			pm.IdmapFD = len(b.mountFDs)
			b.mountFDs = append(b.mountFDs, tree)
		} else if hasNamespace(b.spec, specs.UserNamespace) {
			// Root in the container's user namespace may not reach the
			// source (a 0700 directory of the host's root on the way):
			// the init attaches this copy then. A source we cannot reach
			// either is left to the init, which names it in its error.
			if tree, err := sourceTree(pm.Source, opts.flags&unix.MS_REC != 0); err == nil {
				pm.SourceFD = len(b.mountFDs)
				b.mountFDs = append(b.mountFDs, tree)
			}
		}
	case m.Type == "cgroup":
		return pm, b.cgroupMount(&pm)
	default:
		pm.Kind = nsenter.MountFS
		pm.Data = opts.dataString()
		switch l := b.spec.Linux; {
		case l == nil || l.MountLabel == "" || m.Type == "proc" || m.Type == "sysfs":
		case m.Type == "mqueue":
			// An IPC namespace has one mqueue superblock, which takes no
			// context= (EINVAL): its root is labelled once mounted, as
			// runc does, where SELinux is enabled.
			if selinux.GetEnabled() {
				pm.FileLabel = l.MountLabel
			}
		default:
			// context="..."; a kernel without SELinux refuses it
			// (EINVAL), as runc's does.
			pm.Data = label.FormatMountLabel(pm.Data, l.MountLabel)
		}
	}
	return pm, nil
}

// perMountFlags are the MS_* flags a bind remount sets per mount.
const perMountFlags = unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC |
	unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME | unix.MS_STRICTATIME

// deferReadonly turns a read-only tmpfs or /dev into a read-write mount
// that the init remounts read-only after the pivot, as runc does: the
// mount points of mounts nested in it, /dev's device nodes and a tmpfs's
// mode (that of the directory it covers) are made in between.
func deferReadonly(m *specs.Mount, pm *nsenter.PlanMount) (nsenter.PlanReadonlyMount, bool) {
	if pm.Flags&unix.MS_RDONLY == 0 || (m.Type != "tmpfs" && filepath.Clean(m.Destination) != "/dev") {
		return nsenter.PlanReadonlyMount{}, false
	}
	pm.Flags &^= unix.MS_RDONLY
	return nsenter.PlanReadonlyMount{Index: pm.Index, Flags: pm.Flags&perMountFlags | unix.MS_RDONLY, Destination: pm.Destination}, true
}

// sourceTree is a detached copy of the mount tree at src (of the mount
// under it; of all below too if recursive), for the init to attach: a
// bind the init makes from a path must find the source in its own mount
// namespace, an fd of ours it cannot use. The copy is made a slave, as
// the init's own binds of the host's mounts are: mounts made under it
// inside the container do not reach the host.
func sourceTree(src string, recursive bool) (*os.File, error) {
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, uint(flags))
	if err != nil {
		return nil, err
	}
	attr := unix.MountAttr{Propagation: unix.MS_SLAVE}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "bind source "+src), nil
}

// bindSource is a bind mount's source, a relative one taken in the bundle.
func bindSource(bundle string, m *specs.Mount) string {
	if filepath.IsAbs(m.Source) {
		return m.Source
	}
	return filepath.Join(bundle, m.Source)
}

// cgroupMount gives the container a view of its own cgroup at the mount's
// destination. On cgroup v2 that is one cgroup2 mount; on v1 (and hybrid) a
// tmpfs with one mount per hierarchy. Inside a cgroup namespace the
// hierarchies are mounted afresh (they show the namespace root); without
// one, the container's own cgroup dirs are bind-mounted from the host.
func (b *planBuilder) cgroupMount(pm *nsenter.PlanMount) error {
	hiers, err := b.cgroupHierarchies()
	if err != nil {
		return err
	}
	own, err := cgroups.PathsOf(b.pid)
	if err != nil {
		return err
	}
	pm.Kind = nsenter.MountCgroupV1
	if len(hiers) == 1 && hiers[0].FSType == "cgroup2" {
		pm.Kind = nsenter.MountCgroupV2
	}
	cgroupNS := hasNamespace(b.spec, specs.CgroupNamespace)
	for _, h := range hiers {
		dest := pm.Destination
		if pm.Kind == nsenter.MountCgroupV1 {
			dest = filepath.Join(pm.Destination, filepath.Base(h.Mountpoint))
		}
		d := nsenter.PlanCgroupDir{Destination: dest, Type: h.FSType, Fresh: cgroupNS}
		key := ""
		if h.FSType == "cgroup" {
			key = v1Subsystems(h.VFSOptions)
		}
		if cgroupNS {
			d.Data = key
			pm.CgroupDirs = append(pm.CgroupDirs, d)
			continue
		}
		path, ok := own[key]
		if !ok {
			return fmt.Errorf("cgroup hierarchy %q: init is not in it", h.Mountpoint)
		}
		rel, err := filepath.Rel(h.Root, path)
		if err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("cgroup %q is outside the hierarchy mounted at %q", path, h.Mountpoint)
		}
		d.Source = filepath.Join(h.Mountpoint, rel)
		pm.CgroupDirs = append(pm.CgroupDirs, d)
	}
	return nil
}

// cgroupHierarchies lists the cgroup hierarchies mounted in the init's
// mount namespace, in the standard place: one mounted elsewhere (say, for
// a benchmark) is not the container's business.
func (b *planBuilder) cgroupHierarchies() ([]*mountinfo.Info, error) {
	mounts := b.cgroupMounts
	if mounts == nil {
		var err error
		if mounts, err = b.mountTable(); err != nil {
			return nil, err
		}
	}
	out := visibleCgroupMounts(mounts)
	if len(out) == 0 {
		return nil, errors.New("no cgroup filesystem is mounted")
	}
	return out, nil
}

// visibleCgroupMounts are the cgroup mounts under /sys/fs/cgroup, one per
// mountpoint: where several share one (a hierarchy bound over itself, or
// a tmpfs of binds mounted over the host's /sys/fs/cgroup, as make bench
// does), the last in mount order, the one a path there reaches. Each
// would otherwise be mounted in the container again, over the one before.
func visibleCgroupMounts(mounts []*mountinfo.Info) []*mountinfo.Info {
	var out []*mountinfo.Info
	at := map[string]int{}
	for _, m := range mounts {
		if m.FSType != "cgroup" && m.FSType != "cgroup2" {
			continue
		}
		if m.Mountpoint != "/sys/fs/cgroup" && !strings.HasPrefix(m.Mountpoint, "/sys/fs/cgroup/") {
			continue
		}
		if i, ok := at[m.Mountpoint]; ok {
			out[i] = m
			continue
		}
		at[m.Mountpoint] = len(out)
		out = append(out, m)
	}
	return out
}

// v1Subsystems extracts the controller list ("cpu,cpuacct", "name=systemd")
// from a v1 mount's super options, in /proc/self/cgroup's spelling.
func v1Subsystems(options string) string {
	var out []string
	for _, o := range strings.Split(options, ",") {
		switch {
		case o == "rw" || o == "ro" || o == "clone_children" || o == "noprefix" || o == "xattr":
		case strings.HasPrefix(o, "release_agent="):
		default:
			out = append(out, o)
		}
	}
	return strings.Join(out, ",")
}

// needsDevSetup is false when /dev comes from a bind mount: then the caller
// provides the device nodes.
func needsDevSetup(spec *specs.Spec) bool {
	for _, m := range spec.Mounts {
		if filepath.Clean(m.Destination) == "/dev" && IsBind(m.Type, m.Options) {
			return false
		}
	}
	return true
}

// planDevices lists the default and the spec's device nodes. In a user
// namespace, where mknod is not allowed, the host's nodes are bind-mounted.
func planDevices(spec *specs.Spec) ([]nsenter.PlanDevice, error) {
	bind := hasNamespace(spec, specs.UserNamespace)
	devs := defaultDevices()
	if spec.Linux != nil {
		devs = append(devs, spec.Linux.Devices...)
	}
	out := make([]nsenter.PlanDevice, 0, len(devs))
	for _, d := range devs {
		var mode uint32
		switch d.Type {
		case "c", "u":
			mode = unix.S_IFCHR
		case "b":
			mode = unix.S_IFBLK
		case "p":
			mode = unix.S_IFIFO
		default:
			return nil, fmt.Errorf("device %q: unknown device type %q", d.Path, d.Type)
		}
		perm := uint32(0o666)
		if d.FileMode != nil {
			perm = uint32(*d.FileMode) & 0o7777
		}
		pd := nsenter.PlanDevice{Path: d.Path, Mode: mode | perm, Rdev: unix.Mkdev(uint32(d.Major), uint32(d.Minor)), Bind: bind}
		if d.UID != nil {
			pd.UID = *d.UID
		}
		if d.GID != nil {
			pd.GID = *d.GID
		}
		out = append(out, pd)
	}
	return out, nil
}

// defaultDevices are created in every container's /dev, as runc does.
func defaultDevices() []specs.LinuxDevice {
	mode := os.FileMode(0o666)
	zero := uint32(0)
	dev := func(path string, major, minor int64) specs.LinuxDevice {
		return specs.LinuxDevice{Path: path, Type: "c", Major: major, Minor: minor, FileMode: &mode, UID: &zero, GID: &zero}
	}
	return []specs.LinuxDevice{
		// runc's order, which shows in a user namespace, where each is
		// a bind mount of the host's node
		dev("/dev/null", 1, 3),
		dev("/dev/random", 1, 8),
		dev("/dev/full", 1, 7),
		dev("/dev/tty", 5, 0),
		dev("/dev/zero", 1, 5),
		dev("/dev/urandom", 1, 9),
	}
}
