package cgroups

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/sysfile"
)

// FileError is a failed operation on a cgroup file or directory. Its text is
// one line naming the operation, the value for writes, and the path, worded
// as runc words it: `failed to write "100": write
// /sys/fs/cgroup/memory/x/memory.limit_in_bytes: device or resource busy`.
type FileError struct {
	Op    string // "open", "write", "read", "mkdir", "rmdir"
	Path  string
	Value string // what was written, for Op "write"
	Err   error  // usually a unix.Errno
}

// Error formats the failure as one line.
func (e *FileError) Error() string {
	if e.Op == "write" {
		return fmt.Sprintf("failed to write %q: write %s: %v", e.Value, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Op, e.Path, e.Err)
}

// Unwrap returns the errno, for errors.Is(err, unix.EBUSY) and the like.
func (e *FileError) Unwrap() error { return e.Err }

// isPermission reports errors that mean "not allowed to touch this cgroup";
// with Config.Rootless these make cgroup creation best-effort.
func isPermission(err error) bool {
	return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.EROFS)
}

func isNotExist(err error) bool { return errors.Is(err, unix.ENOENT) }

// writer writes val to the cgroup file dir/name. Managers write resource
// settings through one (writeFile; tests substitute a recorder).
type writer func(dir, name, val string) error

// writeFile writes val to dir/name in one write(2), as cgroup files expect.
// It never creates the file: a missing knob is an error (ENOENT).
func writeFile(dir, name, val string) error {
	p := filepath.Join(dir, name)
	fd, err := OpenAt(p, unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC)
	if err != nil {
		return &FileError{Op: "open", Path: p, Err: err}
	}
	defer unix.Close(fd)
	for {
		_, err = unix.Write(fd, []byte(val))
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return &FileError{Op: "write", Path: p, Value: val, Err: err}
	}
	return nil
}

// readFile returns the content of dir/name.
func readFile(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	data, err := sysfile.ReadAt(at(p))
	if err != nil {
		return "", &FileError{Op: "read", Path: p, Err: err}
	}
	return string(data), nil
}

// readTrim reads a one-value file without its trailing newline.
func readTrim(dir, name string) (string, error) {
	s, err := readFile(dir, name)
	return strings.TrimSpace(s), err
}

// readUint reads a one-number file. "max" reads as math.MaxUint64 and a
// negative number (v1 uses -1 for "no limit") as 0, as runc reports them.
func readUint(dir, name string) (uint64, error) {
	s, err := readTrim(dir, name)
	if err != nil {
		return 0, err
	}
	return parseUint(s, filepath.Join(dir, name))
}

func parseUint(s, where string) (uint64, error) {
	if s == "max" {
		return math.MaxUint64, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		if i, ierr := strconv.ParseInt(s, 10, 64); ierr == nil && i < 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("parse %s: bad number %q", where, s)
	}
	return v, nil
}

// readKeyValues parses a "key value" per line file (memory.stat, cpu.stat, ...).
func readKeyValues(dir, name string) (map[string]uint64, error) {
	s, err := readFile(dir, name)
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		n, err := parseUint(strings.TrimSpace(v), filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// mkdir creates one directory level; an existing one is fine.
func mkdir(p string) (created bool, err error) {
	if err := mkdirAt(p); err != nil {
		if err == unix.EEXIST {
			return false, nil
		}
		return false, &FileError{Op: "mkdir", Path: p, Err: err}
	}
	return true, nil
}

// mkdirAll creates dir and its missing parents below stop (which must
// exist), returning the directories it created, top first.
func mkdirAll(stop, dir string) ([]string, error) {
	rel, err := filepath.Rel(stop, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("cgroup dir %s is outside its hierarchy %s", dir, stop)
	}
	if rel == "." {
		return nil, nil
	}
	// The parents usually exist: try the leaf alone first.
	switch err := mkdirAt(dir); err {
	case nil:
		return []string{dir}, nil
	case unix.EEXIST:
		return nil, nil
	}
	var made []string
	cur := stop
	for _, e := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, e)
		c, err := mkdir(cur)
		if err != nil {
			return made, err
		}
		if c {
			made = append(made, cur)
		}
	}
	return made, nil
}

func fmtInt(v int64) string   { return strconv.FormatInt(v, 10) }
func fmtUint(v uint64) string { return strconv.FormatUint(v, 10) }

// multiError joins errors on one line ("a; b").
type multiError []error

func (e multiError) Error() string {
	s := make([]string, len(e))
	for i, err := range e {
		s[i] = err.Error()
	}
	return strings.Join(s, "; ")
}

func (e multiError) Unwrap() []error { return e }

func joinErrs(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return multiError(errs)
}
