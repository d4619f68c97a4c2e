package libcontainer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// handle is an O_PATH file descriptor. The init works on handles rather
// than paths so that what it checked is what it mounts on.
type handle int

func (h handle) close() { unix.Close(int(h)) }

// path names the handle's file through procfs, for syscalls that want a path.
func (h handle) path() string { return "/proc/self/fd/" + strconv.Itoa(int(h)) }

// openPath opens path (outside any rootfs, or after pivot_root) as a handle
// without following a final symlink.
func openPath(path string) (handle, error) {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &pathError{"open", path, err}
	}
	return handle(fd), nil
}

// openInRoot opens rel inside the directory root as if root were "/":
// absolute symlinks and ".." stop at root, magic links are refused. One
// openat2 call: the kernel does the resolution, race-free.
func openInRoot(root handle, rel string, flags int) (handle, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(int(root), cleanRel(rel), &how)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue // a concurrent rename: the kernel asks us to retry
		}
		if err != nil {
			return -1, &pathError{"open", "/" + cleanRel(rel), err}
		}
		return handle(fd), nil
	}
}

// mkdirAllInRoot creates rel and its missing parents inside root and returns
// a handle of the directory. A component that exists but is not a
// directory, or a dangling symlink, is an error: nothing is ever created
// outside root.
func mkdirAllInRoot(root handle, rel string, mode uint32) (handle, error) {
	rel = cleanRel(rel)
	h, err := openInRoot(root, rel, unix.O_PATH|unix.O_DIRECTORY)
	if err == nil || !errors.Is(err, unix.ENOENT) || rel == "." {
		return h, err
	}
	parent, err := mkdirAllInRoot(root, filepath.Dir(rel), mode)
	if err != nil {
		return -1, err
	}
	defer parent.close()
	base := filepath.Base(rel)
	if err := unix.Mkdirat(int(parent), base, mode); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, &pathError{"mkdir", "/" + rel, err}
	}
	// What we just made, without following anything swapped in meanwhile.
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(int(parent), base, &how)
	if err != nil {
		return -1, &pathError{"open", "/" + rel, err}
	}
	return handle(fd), nil
}

// createFileInRoot returns a handle of the file rel inside root, creating an
// empty one (and its parents) when missing.
func createFileInRoot(root handle, rel string, mode uint32) (handle, error) {
	h, err := openInRoot(root, rel, unix.O_PATH)
	if err == nil || !errors.Is(err, unix.ENOENT) {
		return h, err
	}
	rel = cleanRel(rel)
	parent, err := mkdirAllInRoot(root, filepath.Dir(rel), 0o755)
	if err != nil {
		return -1, err
	}
	defer parent.close()
	base := filepath.Base(rel)
	fd, err := unix.Openat(int(parent), base, unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, mode)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, &pathError{"create", "/" + rel, err}
	}
	if err == nil {
		unix.Close(fd)
	}
	// Resolve again from the root: if a symlink sits there, it is followed
	// inside the rootfs, never mounted on.
	return openInRoot(root, rel, unix.O_PATH)
}

// cleanRel turns a container path into one relative to the rootfs.
func cleanRel(p string) string {
	rel := strings.TrimPrefix(filepath.Clean("/"+p), "/")
	if rel == "" {
		return "."
	}
	return rel
}

// pathError is an error on a path inside the container.
type pathError struct {
	op, path string
	err      error
}

func (e *pathError) Error() string { return fmt.Sprintf("%s %s: %v", e.op, e.path, e.err) }
func (e *pathError) Unwrap() error { return e.err }
