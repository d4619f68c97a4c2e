// Package sysfile reads and opens the small files berth touches on every
// operation (cgroup knobs, /proc/<pid>/stat, state.json) with plain
// open/read/close: os.ReadFile adds an fstat, a poller check and a read,
// which `list` would pay for every container.
package sysfile

import "golang.org/x/sys/unix"

// Open is open(2), retried on EINTR. Errors are the bare errno: callers
// wrap them with the path in their own error type.
func Open(path string, flags int) (int, error) {
	for {
		fd, err := unix.Open(path, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// Read returns the whole content of path. Errors are the bare errno.
func Read(path string) ([]byte, error) {
	fd, err := Open(path, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 2048)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}
