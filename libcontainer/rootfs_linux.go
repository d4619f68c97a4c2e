package libcontainer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// prepareRootfs builds the container's filesystem while the host's is still
// visible: propagation, the rootfs bind, every spec mount in order, device
// nodes and the /dev symlinks. enterRootfs then pivots into it.
func (it *initer) prepareRootfs() error {
	spec := it.cfg.Spec
	if !hasNamespace(spec, specs.MountNamespace) {
		return errors.New("linux.namespaces: a mount namespace is required")
	}
	prop := uintptr(unix.MS_SLAVE | unix.MS_REC)
	if spec.Linux != nil && spec.Linux.RootfsPropagation != "" {
		p, ok := PropagationFlag(spec.Linux.RootfsPropagation)
		if !ok {
			return fmt.Errorf("linux.rootfsPropagation: unknown propagation %q", spec.Linux.RootfsPropagation)
		}
		prop = p
	}
	// Nothing we mount from now on may propagate back to the host.
	if err := it.sys.Mount("", "/", "", prop, ""); err != nil {
		return err
	}
	it.faultPoint("init:after-propagation")
	rootfs := it.cfg.Rootfs
	if prop&unix.MS_SHARED != 0 {
		// pivot_root refuses a new root whose parent mount is shared.
		if err := makeParentMountPrivate(it.sys, rootfs); err != nil {
			return err
		}
	}
	// pivot_root needs the new root to be a mount point.
	if err := it.sys.Mount(rootfs, rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	it.faultPoint("init:after-rootfs-bind")
	rootfd, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs: %w", err)
	}
	root := handle(rootfd)
	defer root.close()

	for i := range spec.Mounts {
		if err := it.mountOne(root, &spec.Mounts[i]); err != nil {
			return fmt.Errorf("mounts[%d] (%s): %w", i, spec.Mounts[i].Destination, err)
		}
		it.faultPoint("init:after-mount-" + strconv.Itoa(i))
	}
	if needsDevSetup(spec) {
		if err := it.createDevices(root); err != nil {
			return err
		}
		if err := setupDevSymlinks(root, spec); err != nil {
			return err
		}
		it.faultPoint("init:after-devices")
	}
	// A missing cwd is created, as runc does (after the mounts, so that a
	// cwd on a tmpfs lands in it).
	if cwd := it.cfg.Spec.Process.Cwd; cwd != "" {
		h, err := mkdirAllInRoot(root, cwd, 0o755)
		if err != nil {
			return fmt.Errorf("process.cwd: %w", err)
		}
		h.close()
	}
	return nil
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

// enterRootfs makes the rootfs the container's "/" with pivot_root (or
// MS_MOVE + chroot with --no-pivot) and leaves the cwd at the new root.
func (it *initer) enterRootfs() error {
	var err error
	if it.cfg.NoPivot {
		err = moveRoot(it.sys, it.cfg.Rootfs)
	} else {
		err = pivotRoot(it.sys, it.cfg.Rootfs)
	}
	if err != nil {
		return err
	}
	// linux.rootfsPropagation is the propagation of the container's "/".
	if l := it.cfg.Spec.Linux; l != nil && l.RootfsPropagation != "" {
		if p, ok := PropagationFlag(l.RootfsPropagation); ok {
			return it.sys.Mount("", "/", "", p, "")
		}
	}
	return nil
}

// finishRootfs applies what must happen after the pivot: a read-only root,
// readonlyPaths, then maskedPaths (in runc's order).
func (it *initer) finishRootfs() error {
	spec := it.cfg.Spec
	if spec.Root != nil && spec.Root.Readonly {
		if err := remountReadonly(it.sys, "/"); err != nil {
			return fmt.Errorf("root.readonly: %w", err)
		}
	}
	if spec.Linux == nil {
		return nil
	}
	for i, p := range spec.Linux.ReadonlyPaths {
		if err := readonlyPath(it.sys, p); err != nil {
			return fmt.Errorf("linux.readonlyPaths[%d]: %w", i, err)
		}
	}
	if len(spec.Linux.MaskedPaths) == 0 {
		return nil
	}
	null, err := openDevNull()
	if err != nil {
		return fmt.Errorf("linux.maskedPaths: %w", err)
	}
	defer null.close()
	for i, p := range spec.Linux.MaskedPaths {
		if err := maskPath(it.sys, p, null); err != nil {
			return fmt.Errorf("linux.maskedPaths[%d]: %w", i, err)
		}
	}
	return nil
}

// remountReadonly makes the mount at path read-only, keeping its other flags
// (which may be locked in a user namespace).
func remountReadonly(sys hostOps, path string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return fmt.Errorf("statfs %q: %w", path, err)
	}
	flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY) | lockedFlags(&st)
	return sys.Mount("", path, "", flags, "")
}

// lockedFlags are the per-mount flags of a mount that a remount inside a user
// namespace must repeat, or it fails with EPERM.
func lockedFlags(st *unix.Statfs_t) uintptr {
	var f uintptr
	for _, m := range []struct {
		st int64
		ms uintptr
	}{
		{unix.ST_NOSUID, unix.MS_NOSUID},
		{unix.ST_NODEV, unix.MS_NODEV},
		{unix.ST_NOEXEC, unix.MS_NOEXEC},
		{unix.ST_NOATIME, unix.MS_NOATIME},
		{unix.ST_NODIRATIME, unix.MS_NODIRATIME},
		{unix.ST_RELATIME, unix.MS_RELATIME},
	} {
		if st.Flags&m.st != 0 {
			f |= m.ms
		}
	}
	return f
}
