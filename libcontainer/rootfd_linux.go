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
// a handle of the directory. Symlinks are followed as if root were "/", also
// dangling ones (their target is created inside root, as runc does); a
// component that is not a directory is an error. Nothing is ever created
// outside root.
func mkdirAllInRoot(root handle, rel string, mode uint32) (handle, error) {
	h, err := openInRoot(root, rel, unix.O_PATH|unix.O_DIRECTORY)
	if err == nil || !errors.Is(err, unix.ENOENT) {
		return h, err
	}
	// The common case: only the last component is missing.
	if h, err := mkdirUnderParent(root, rel, mode); err == nil {
		return h, nil
	}
	resolved, err := resolveInRoot(root, rel)
	if err != nil {
		return -1, err
	}
	return mkdirResolved(root, resolved, mode)
}

// mkdirUnderParent makes rel's last component in its existing parent
// (resolved inside root) and opens it without following anything. Any
// surprise (no parent, a symlink in the way) is an error for the caller's
// slower, general path.
func mkdirUnderParent(root handle, rel string, mode uint32) (handle, error) {
	rel = cleanRel(rel)
	if rel == "." {
		return -1, unix.ENOENT
	}
	parent, err := openInRoot(root, filepath.Dir(rel), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return -1, err
	}
	defer parent.close()
	base := filepath.Base(rel)
	if err := unix.Mkdirat(int(parent), base, mode); err != nil {
		return -1, err
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(int(parent), base, &how)
	if err != nil {
		return -1, err
	}
	return handle(fd), nil
}

// mkdirResolved is mkdir -p of a path whose existing part has no symlinks.
// Each step opens what it made without following links, so a symlink
// swapped in meanwhile makes it fail rather than escape.
func mkdirResolved(root handle, rel string, mode uint32) (handle, error) {
	if rel == "." {
		return openInRoot(root, ".", unix.O_PATH|unix.O_DIRECTORY)
	}
	parent, err := mkdirResolved(root, filepath.Dir(rel), mode)
	if err != nil {
		return -1, err
	}
	defer parent.close()
	base := filepath.Base(rel)
	if err := unix.Mkdirat(int(parent), base, mode); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, &pathError{"mkdir", "/" + rel, err}
	}
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

// resolveInRoot follows the symlinks of rel's existing components as if
// root were "/" ("..' stops at root, absolute targets restart at root) and
// returns the symlink-free path it leads to, which may not exist yet.
func resolveInRoot(root handle, rel string) (string, error) {
	var done []string
	todo := strings.Split(cleanRel(rel), "/")
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		cur := strings.Join(append(done, c), "/")
		target, err := readlinkAt(int(root), cur)
		if err != nil {
			if errors.Is(err, unix.EINVAL) { // exists, not a symlink
				done = append(done, c)
				continue
			}
			if errors.Is(err, unix.ENOENT) { // the rest does not exist yet
				done = append(done, c)
				for _, r := range todo {
					switch r {
					case "", ".":
					case "..":
						if len(done) > 0 {
							done = done[:len(done)-1]
						}
					default:
						done = append(done, r)
					}
				}
				break
			}
			return "", &pathError{"readlink", "/" + cur, err}
		}
		if links++; links > 255 {
			return "", &pathError{"resolve", "/" + cleanRel(rel), unix.ELOOP}
		}
		if filepath.IsAbs(target) {
			done = nil
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	if len(done) == 0 {
		return ".", nil
	}
	return strings.Join(done, "/"), nil
}

func readlinkAt(dirfd int, path string) (string, error) {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(dirfd, path, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// createFileInRoot returns a handle of the file rel inside root, creating an
// empty one (and its parents) when missing.
func createFileInRoot(root handle, rel string, mode uint32) (handle, error) {
	h, err := openInRoot(root, rel, unix.O_PATH)
	if err == nil || !errors.Is(err, unix.ENOENT) {
		return h, err
	}
	resolved, err := resolveInRoot(root, rel)
	if err != nil {
		return -1, err
	}
	parent, err := mkdirResolved(root, filepath.Dir(resolved), 0o755)
	if err != nil {
		return -1, err
	}
	defer parent.close()
	base := filepath.Base(resolved)
	fd, err := unix.Openat(int(parent), base, unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, mode)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, &pathError{"create", "/" + resolved, err}
	}
	if err == nil {
		unix.Close(fd)
	}
	// Resolve again from the root: if a symlink sits there, it is followed
	// inside the rootfs, never mounted on.
	return openInRoot(root, resolved, unix.O_PATH)
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
