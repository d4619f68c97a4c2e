package libcontainer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ExecError is a failure to find the process's binary, worded as Go's
// os/exec words it, which is what callers of runc match on: podman maps
// "executable file not found in $PATH" and "no such file or directory" to
// exit code 127, "permission denied" to 126.
type ExecError struct {
	Name string
	Err  error
}

func (e *ExecError) Error() string { return "exec: " + strconv.Quote(e.Name) + ": " + e.Err.Error() }
func (e *ExecError) Unwrap() error { return e.Err }

var errNotFound = errors.New("executable file not found in $PATH")

// lookPath finds name as exec.LookPath would inside the container, using the
// process's PATH rather than init's.
func lookPath(name, path string) (string, error) {
	if strings.Contains(name, "/") {
		if err := checkExecutable(name); err != nil {
			return "", &ExecError{name, err}
		}
		return name, nil
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", &ExecError{name, errNotFound}
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if m := fi.Mode(); m.IsDir() || m&0o111 == 0 {
		return fs.ErrPermission
	}
	return nil
}
