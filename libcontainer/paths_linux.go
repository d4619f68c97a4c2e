package libcontainer

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// readonlyPath bind-mounts path onto itself read-only. A missing path is
// fine: the spec's default list names files not every kernel has.
func readonlyPath(sys hostOps, path string) error {
	f, err := os.OpenFile(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open %q: %w", path, err)
	}
	defer f.Close()
	if err := sys.Mount(fdPath(f), fdPath(f), "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	mnt, err := os.OpenFile(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("reopen %q: %w", path, err)
	}
	defer mnt.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(mnt.Fd()), &st); err != nil {
		return fmt.Errorf("statfs %q: %w", path, err)
	}
	flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_REC) | lockedFlags(&st)
	return sys.Mount("", fdPath(mnt), "", flags, "")
}

// maskPath hides path: a directory gets an empty read-only tmpfs, anything
// else the container's /dev/null, which must be the real null device (a
// symlink or another file there would turn the mask into an exposure).
func maskPath(sys hostOps, path string) error {
	f, err := os.OpenFile(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open %q: %w", path, err)
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fmt.Errorf("stat %q: %w", path, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return sys.Mount("tmpfs", fdPath(f), "tmpfs", unix.MS_RDONLY, "")
	}
	null, err := openDevNull()
	if err != nil {
		return err
	}
	defer null.Close()
	return sys.Mount(fdPath(null), fdPath(f), "", unix.MS_BIND, "")
}

// openDevNull opens the container's /dev/null and checks it is the null
// character device (1:3).
func openDevNull() (*os.File, error) {
	f, err := os.OpenFile("/dev/null", unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/null: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("stat /dev/null: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		f.Close()
		return nil, fmt.Errorf("/dev/null is not the null device")
	}
	return f, nil
}
