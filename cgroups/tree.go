package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// rmdirTries bounds the retries of an rmdir failing with EBUSY while the
// last processes of a cgroup exit (the kernel keeps it busy until they are
// reaped): 9 retries doubling from 1ms wait about 500ms in all.
const rmdirTries = 9

// removeTree removes dir and every cgroup below it, deepest first.
// A dir that is already gone counts as removed.
func removeTree(dir string) error {
	if err := rmdirAt(dir); err == nil || err == unix.ENOENT {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return &FileError{Op: "rmdir", Path: dir, Err: unwrapErrno(err)}
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := removeTree(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return rmdirRetry(dir)
}

func rmdirRetry(dir string) error {
	delay := time.Millisecond
	for i := 0; ; i++ {
		err := rmdirAt(dir)
		switch {
		case err == nil || err == unix.ENOENT:
			return nil
		case err == unix.EINTR:
			continue
		case err == unix.EBUSY && i < rmdirTries:
			time.Sleep(delay)
			delay *= 2
			continue
		}
		return &FileError{Op: "rmdir", Path: dir, Err: err}
	}
}

func unwrapErrno(err error) error {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return err
}

// readProcs reads the pids listed in dir/cgroup.procs (or cgroup.threads
// for a threaded v2 cgroup, whose cgroup.procs read fails with EOPNOTSUPP).
func readProcs(dir string) ([]int, error) {
	s, err := readFile(dir, "cgroup.procs")
	if errors.Is(err, unix.EOPNOTSUPP) {
		s, err = readFile(dir, "cgroup.threads")
	}
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(s) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, &FileError{Op: "read", Path: filepath.Join(dir, "cgroup.procs"), Err: err}
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// readProcsTree returns the pids in dir and every cgroup below it, sorted.
// A missing dir gives no pids and no error.
func readProcsTree(dir string) ([]int, error) {
	var pids []int
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		got, err := readProcs(p)
		if err != nil {
			if isNotExist(err) {
				return nil // removed while walking
			}
			return err
		}
		pids = append(pids, got...)
		return nil
	})
	sort.Ints(pids)
	return pids, err
}

// addProc moves pid into dir. EINVAL right after clone means the task is
// not fully set up yet (TASK_NEW); it is retried a few times like runc does.
func addProc(dir string, pid int) error {
	var err error
	for i := 0; i < 5; i++ {
		err = writeFile(dir, "cgroup.procs", strconv.Itoa(pid))
		if err == nil || !errors.Is(err, unix.EINVAL) {
			return err
		}
		time.Sleep(30 * time.Millisecond)
	}
	return err
}

// refuseSelf guards the kill in Destroy: a cgroupsPath that resolves to the
// runtime's own cgroup (".", "/" on some hosts) must not kill the caller.
func refuseSelf(dir string, pids []int) error {
	self := os.Getpid()
	for _, p := range pids {
		if p == self {
			return fmt.Errorf("refusing to kill the processes of %s: it holds the runtime itself", dir)
		}
	}
	return nil
}
