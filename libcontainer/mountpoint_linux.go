package libcontainer

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// openMountTarget returns a handle of dest inside the rootfs handle root,
// creating it (a directory, or an empty file when dir is false) and its
// parents when missing. Symlinks are resolved as if root were "/", so
// nothing outside the rootfs can be reached (CVE-2021-30465).
func openMountTarget(root handle, dest string, dir bool) (handle, error) {
	if dir {
		return mkdirAllInRoot(root, dest, 0o755)
	}
	return createFileInRoot(root, dest, 0o644)
}

// mountTmpfsCopyUp mounts a tmpfs on target that starts with a copy of what
// the directory held ("tmpcopyup"). The tmpfs is built detached (fsopen),
// filled, given its flags, then moved onto target.
func (it *initer) mountTmpfsCopyUp(target handle, m *specs.Mount, opts *mountOptions, keepMode *uint32) error {
	fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("fsopen tmpfs: %w", err)
	}
	defer unix.Close(fsfd)
	source := m.Source
	if source == "" {
		source = "tmpfs"
	}
	if err := unix.FsconfigSetString(fsfd, "source", source); err != nil {
		return fmt.Errorf("tmpfs source %q: %w", source, err)
	}
	for _, o := range opts.data {
		k, v, hasValue := strings.Cut(o, "=")
		if hasValue {
			err = unix.FsconfigSetString(fsfd, k, v)
		} else {
			err = unix.FsconfigSetFlag(fsfd, k)
		}
		if err != nil {
			return fmt.Errorf("tmpfs option %q: %w", o, err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return fmt.Errorf("create tmpfs: %w", err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("fsmount tmpfs: %w", err)
	}
	defer unix.Close(mfd)
	if err := copyTree(target.path(), handle(mfd).path()); err != nil {
		return fmt.Errorf("tmpcopyup %q: %w", m.Destination, err)
	}
	if keepMode != nil {
		if err := unix.Chmod(handle(mfd).path(), *keepMode); err != nil {
			return fmt.Errorf("tmpcopyup %q: chmod: %w", m.Destination, err)
		}
	}
	if attr := mountAttrFromFlags(opts.flags); attr != 0 {
		a := unix.MountAttr{Attr_set: attr}
		if err := it.sys.MountSetattr(mfd, "", unix.AT_EMPTY_PATH, &a); err != nil {
			return fmt.Errorf("mount_setattr %q: %w", m.Destination, err)
		}
	}
	if err := unix.MoveMount(mfd, "", int(target), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount tmpfs to %q: %w", m.Destination, err)
	}
	return nil
}

func mountAttrFromFlags(flags uintptr) uint64 {
	var a uint64
	for _, f := range []struct {
		ms   uintptr
		attr uint64
	}{
		{unix.MS_RDONLY, unix.MOUNT_ATTR_RDONLY},
		{unix.MS_NOSUID, unix.MOUNT_ATTR_NOSUID},
		{unix.MS_NODEV, unix.MOUNT_ATTR_NODEV},
		{unix.MS_NOEXEC, unix.MOUNT_ATTR_NOEXEC},
		{unix.MS_NOATIME, unix.MOUNT_ATTR_NOATIME},
		{unix.MS_NODIRATIME, unix.MOUNT_ATTR_NODIRATIME},
		{unix.MS_STRICTATIME, unix.MOUNT_ATTR_STRICTATIME},
	} {
		if flags&f.ms != 0 {
			a |= f.attr
		}
	}
	return a
}

// copyTree copies the contents of src into dst (both directories, named
// through /proc/self/fd), keeping modes (with setuid/sticky bits), owners
// and symlinks. Used only for tmpcopyup; dst's own mode is the caller's.
func copyTree(src, dst string) error {
	// The trailing "/." makes the walk go through the fd link into the dir.
	root := src + "/."
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(path))
		if err != nil || rel == "." {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		mode := st.Mode & 0o7777
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			err = unix.Mkdir(to, mode)
		case unix.S_IFLNK:
			var link string
			if link, err = os.Readlink(path); err == nil {
				err = os.Symlink(link, to)
			}
		case unix.S_IFREG:
			err = copyFile(path, to, fs.FileMode(mode))
		default:
			err = unix.Mknod(to, st.Mode, int(st.Rdev))
		}
		if err != nil {
			return err
		}
		if err := unix.Lchown(to, int(st.Uid), int(st.Gid)); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			return unix.Chmod(to, mode) // past the umask, with the special bits
		}
		return nil
	})
}

func copyFile(from, to string, perm fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
