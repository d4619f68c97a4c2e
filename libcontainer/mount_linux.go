package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux/label"
	"golang.org/x/sys/unix"
)

// mountOne mounts one spec mount inside the rootfs (root is an O_PATH handle
// of it). The target is created and opened inside the rootfs without
// following symlinks out of it, and the mount goes onto that handle, so a
// symlink swapped in afterwards cannot redirect it (CVE-2021-30465).
func (it *initer) mountOne(root handle, m *specs.Mount) error {
	if !filepath.IsAbs(m.Destination) {
		return fmt.Errorf("destination %q is not an absolute path", m.Destination)
	}
	opts := parseMountOptions(m.Options)
	switch {
	case IsBind(m.Type, m.Options):
		return it.mountBind(root, m, &opts)
	case m.Type == "cgroup":
		return it.mountCgroup(root, m, &opts)
	default:
		return it.mountFilesystem(root, m, &opts)
	}
}

// mountBind bind-mounts m.Source (relative to the bundle when not absolute),
// then applies the per-mount flags with a remount, as mount(8) does.
func (it *initer) mountBind(root handle, m *specs.Mount, opts *mountOptions) error {
	src := m.Source
	if src == "" {
		return errors.New("bind mount without a source")
	}
	if !filepath.IsAbs(src) {
		src = filepath.Join(it.cfg.Bundle, src)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind mount source: %w", err)
	}
	target, err := openMountTarget(root, m.Destination, fi.IsDir())
	if err != nil {
		return err
	}
	defer target.close()
	if err := it.checkProcTarget(target, m); err != nil {
		return err
	}
	flags := uintptr(unix.MS_BIND) | opts.flags&unix.MS_REC
	if err := it.sys.Mount(src, target.path(), "", flags, ""); err != nil {
		return err
	}
	// The handle still names the directory under the new mount: reopen the
	// destination to reach the mount itself.
	mnt, err := openMountTarget(root, m.Destination, fi.IsDir())
	if err != nil {
		return err
	}
	defer mnt.close()
	if opts.flags&^(unix.MS_BIND|unix.MS_REC|unix.MS_REMOUNT) != 0 || opts.clear != 0 {
		var st unix.Statfs_t
		if err := unix.Fstatfs(int(mnt), &st); err != nil {
			return fmt.Errorf("statfs %q: %w", m.Destination, err)
		}
		rflags := unix.MS_BIND | unix.MS_REMOUNT | opts.flags&^(unix.MS_BIND|unix.MS_REC|unix.MS_REMOUNT)
		rflags |= lockedFlags(&st) &^ opts.clear
		if err := it.sys.Mount("", mnt.path(), "", rflags, ""); err != nil {
			return err
		}
	}
	return it.applyMountAttrs(mnt, opts)
}

// applyMountAttrs sets propagation and the recursive "r*" attributes on the
// mount opened as mnt.
func (it *initer) applyMountAttrs(mnt handle, opts *mountOptions) error {
	for _, p := range opts.propagation {
		if err := it.sys.Mount("", mnt.path(), "", p, ""); err != nil {
			return err
		}
	}
	if opts.recSet != 0 || opts.recClr != 0 {
		attr := unix.MountAttr{Attr_set: opts.recSet, Attr_clr: opts.recClr}
		err := it.sys.MountSetattr(int(mnt), "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr)
		if err != nil {
			return fmt.Errorf("mount_setattr: %w", err)
		}
	}
	return nil
}

// mountFilesystem mounts a new filesystem instance (proc, sysfs, tmpfs,
// devpts, mqueue, cgroup2, overlay, ...) on a directory.
func (it *initer) mountFilesystem(root handle, m *specs.Mount, opts *mountOptions) error {
	// A tmpfs over an existing directory takes that directory's mode, as
	// with runc (even over a mode= option).
	var keepMode *uint32
	if m.Type == "tmpfs" {
		if h, err := openInRoot(root, m.Destination, unix.O_PATH|unix.O_DIRECTORY); err == nil {
			var st unix.Stat_t
			if unix.Fstat(int(h), &st) == nil {
				mode := st.Mode & 0o7777
				keepMode = &mode
			}
			h.close()
		}
	}
	target, err := openMountTarget(root, m.Destination, true)
	if err != nil {
		return err
	}
	defer target.close()
	if err := it.checkProcTarget(target, m); err != nil {
		return err
	}
	src := m.Source
	if src == "" {
		src = m.Type
	}
	if opts.tmpcopyup && m.Type == "tmpfs" {
		if err := it.mountTmpfsCopyUp(target, m, opts, keepMode); err != nil {
			return err
		}
		return it.applyMountAttrsAt(root, m, opts)
	}
	flags := opts.flags &^ unix.MS_REMOUNT
	data := opts.dataString()
	if l := it.cfg.Spec.Linux; l != nil && l.MountLabel != "" && m.Type != "proc" && m.Type != "sysfs" {
		// A no-op where SELinux is disabled.
		data = label.FormatMountLabel(data, l.MountLabel)
	}
	if err := it.sys.Mount(src, target.path(), m.Type, flags, data); err != nil {
		return err
	}
	if keepMode != nil && flags&unix.MS_RDONLY == 0 {
		mnt, err := openMountTarget(root, m.Destination, true)
		if err != nil {
			return err
		}
		err = unix.Chmod(mnt.path(), *keepMode)
		mnt.close()
		if err != nil {
			return fmt.Errorf("chmod tmpfs %q: %w", m.Destination, err)
		}
	}
	return it.applyMountAttrsAt(root, m, opts)
}

// applyMountAttrsAt applies propagation and recursive attributes, if any,
// to the mount now at m.Destination.
func (it *initer) applyMountAttrsAt(root handle, m *specs.Mount, opts *mountOptions) error {
	if len(opts.propagation) == 0 && opts.recSet == 0 && opts.recClr == 0 {
		return nil
	}
	mnt, err := openMountTarget(root, m.Destination, true)
	if err != nil {
		return err
	}
	defer mnt.close()
	return it.applyMountAttrs(mnt, opts)
}

// checkProcTarget refuses mounts over /proc or inside it, except a real proc
// mount on /proc and the files lxcfs emulates: mounting over procfs files is
// a known way out of a container. "Inside /proc" is decided by where the
// target really is (no name games with symlinks) and by the filesystem it
// is on (a procfs reached another way counts too). proc and sysfs must be
// mounted on an ordinary directory, not through a symlink.
func (it *initer) checkProcTarget(target handle, m *specs.Mount) error {
	dest, err := os.Readlink(target.path())
	if err != nil {
		return err
	}
	rootPath := it.cfg.Rootfs
	if (m.Type == "proc" || m.Type == "sysfs") && dest != filepath.Join(rootPath, cleanRel(m.Destination)) {
		return fmt.Errorf("%q: %s must be mounted on an ordinary directory, not through a symlink", m.Destination, m.Type)
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(target), &st); err != nil {
		return fmt.Errorf("statfs %q: %w", m.Destination, err)
	}
	procDir := filepath.Join(rootPath, "proc")
	onProc := st.Type == unix.PROC_SUPER_MAGIC
	if dest != procDir && !strings.HasPrefix(dest, procDir+"/") && !onProc {
		return nil
	}
	if dest == procDir && !onProc {
		if m.Type == "proc" {
			return nil
		}
		return fmt.Errorf("%q cannot be mounted because it is not of type proc", m.Destination)
	}
	switch strings.TrimPrefix(dest, rootPath) {
	case "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
		"/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid":
		return nil
	}
	return fmt.Errorf("%q cannot be mounted because it is inside /proc", m.Destination)
}
