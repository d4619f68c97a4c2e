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

// openProcRoot opens the root directory of process pid (the container's
// root, for its init), to look things up inside it with openInRoot.
func openProcRoot(pid int) (handle, error) {
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open the container's root: %w", err)
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
