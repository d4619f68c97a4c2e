package libcontainer

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// pivotRoot makes rootfs "/" and detaches the old root. It uses the
// pivot_root(".", ".") idiom: no directory for the old root is needed inside
// the rootfs, and the old root is stacked under the new one until unmounted.
func pivotRoot(sys hostOps, rootfs string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open old root: %w", err)
	}
	defer unix.Close(oldroot)
	newroot, err := unix.Open(rootfs, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs: %w", err)
	}
	defer unix.Close(newroot)
	if err := unix.Fchdir(newroot); err != nil {
		return fmt.Errorf("chdir to rootfs: %w", err)
	}
	if err := sys.PivotRoot(".", "."); err != nil {
		return err
	}
	if err := unix.Fchdir(oldroot); err != nil {
		return fmt.Errorf("chdir to old root: %w", err)
	}
	// Keep the unmount from propagating to the host.
	if err := sys.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return err
	}
	if err := sys.Unmount(".", unix.MNT_DETACH); err != nil {
		return err
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir to new root: %w", err)
	}
	return nil
}

// moveRoot is --no-pivot: for a rootfs on a ramfs (where pivot_root fails),
// detach every mount outside the rootfs, move the rootfs onto "/" and chroot.
func moveRoot(sys hostOps, rootfs string) error {
	mounts, err := mountinfo.GetMounts(nil)
	if err != nil {
		return err
	}
	for _, m := range mounts {
		mp := m.Mountpoint
		if mp == "/" || mp == rootfs || strings.HasPrefix(mp, rootfs+"/") || strings.HasPrefix(rootfs, mp+"/") {
			continue
		}
		// Best effort: a mount whose parent was already detached is gone.
		if err := unix.Mount("", mp, "", unix.MS_PRIVATE|unix.MS_REC, ""); err == nil {
			_ = unix.Unmount(mp, unix.MNT_DETACH)
		}
	}
	if err := unix.Chdir(rootfs); err != nil {
		return fmt.Errorf("chdir to rootfs: %w", err)
	}
	if err := sys.Mount(rootfs, "/", "", unix.MS_MOVE, ""); err != nil {
		return err
	}
	if err := sys.Chroot("."); err != nil {
		return err
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir to new root: %w", err)
	}
	return nil
}

// makeParentMountPrivate makes the mount holding rootfs's parent private when
// it is shared (pivot_root refuses a shared parent).
func makeParentMountPrivate(sys hostOps, rootfs string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.ParentsFilter(filepath.Dir(rootfs)))
	if err != nil {
		return err
	}
	var best *mountinfo.Info
	for _, m := range mounts {
		if best == nil || len(m.Mountpoint) > len(best.Mountpoint) {
			best = m
		}
	}
	if best == nil || !strings.Contains(best.Optional, "shared:") {
		return nil
	}
	return sys.Mount("", best.Mountpoint, "", unix.MS_PRIVATE, "")
}
