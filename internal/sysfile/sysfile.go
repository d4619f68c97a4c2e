// Package sysfile reads and opens the small files berth touches on every
// operation (cgroup knobs, /proc/<pid>/stat, state.json) with plain
// open/read/close: os.ReadFile adds an fstat, a poller check and a read,
// which `list` would pay for every container.
package sysfile

import "golang.org/x/sys/unix"

// Open is open(2), retried on EINTR. Errors are the bare errno: callers
// wrap them with the path in their own error type.
func Open(path string, flags int) (int, error) {
	return OpenAt(unix.AT_FDCWD, path, flags)
}

// OpenAt is Open of path relative to the directory dirfd.
func OpenAt(dirfd int, path string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, path, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// Read returns the whole content of path. Errors are the bare errno.
func Read(path string) ([]byte, error) {
	return read(unix.AT_FDCWD, path, false, nil)
}

// ReadAt is Read of path relative to the directory dirfd.
func ReadAt(dirfd int, path string) ([]byte, error) {
	return read(dirfd, path, false, nil)
}

// ReadWholeInto returns the content of a file that comes in one piece: a
// regular file (a state file, written whole and renamed into place) or a
// one-line proc file (/proc/<pid>/stat). A read that does not fill the
// buffer is then the end, which spares the read that would return 0. Not
// for multi-line proc or cgroup files: a seq_file read can stop short of
// the buffer before the end. The content goes into buf's storage (grown if
// too small; nil for a new buffer), for callers that reuse one buffer.
func ReadWholeInto(path string, buf []byte) ([]byte, error) {
	return read(unix.AT_FDCWD, path, true, buf)
}

func read(dirfd int, path string, whole bool, buf []byte) ([]byte, error) {
	fd, err := OpenAt(dirfd, path, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if buf == nil {
		buf = make([]byte, 0, 2048)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		want := cap(buf) - len(buf)
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		buf = buf[:len(buf)+n]
		if n == 0 || (whole && n < want) {
			return buf, nil
		}
	}
}
