package libcontainer

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// readonlyPath bind-mounts path onto itself read-only. A missing path is
// fine: the spec's default list names files not every kernel has.
func readonlyPath(sys hostOps, path string) error {
	f, err := openPath(path)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	defer f.close()
	if err := sys.Mount(f.path(), f.path(), "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	mnt, err := openPath(path)
	if err != nil {
		return err
	}
	defer mnt.close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(mnt), &st); err != nil {
		return fmt.Errorf("statfs %q: %w", path, err)
	}
	flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_REC) | lockedFlags(&st)
	return sys.Mount("", mnt.path(), "", flags, "")
}

// maskPath hides path: a directory gets an empty read-only tmpfs, anything
// else the container's /dev/null (null, checked by openDevNull: a symlink or
// another file there would turn the mask into an exposure).
func maskPath(sys hostOps, path string, null handle) error {
	f, err := openPath(path)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	defer f.close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f), &st); err != nil {
		return fmt.Errorf("stat %q: %w", path, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return sys.Mount("tmpfs", f.path(), "tmpfs", unix.MS_RDONLY, "")
	}
	return sys.Mount(null.path(), f.path(), "", unix.MS_BIND, "")
}

// openDevNull opens the container's /dev/null and checks it is the null
// character device (1:3).
func openDevNull() (handle, error) {
	f, err := openPath("/dev/null")
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f), &st); err != nil {
		f.close()
		return -1, fmt.Errorf("stat /dev/null: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		f.close()
		return -1, fmt.Errorf("/dev/null is not the null device")
	}
	return f, nil
}
