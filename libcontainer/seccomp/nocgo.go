//go:build !cgo

package seccomp

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func errNoCgo() error {
	return errors.New(prefix + ": seccomp filters are not supported: berth was built without cgo (libseccomp)")
}

// Load fails for any seccomp configuration: building filters needs
// libseccomp, and this berth was built without cgo.
func Load(cfg *specs.LinuxSeccomp) (notifyFd int, err error) {
	if !enabled(cfg) {
		return -1, nil
	}
	return -1, errNoCgo()
}

// Compile fails for any seccomp configuration, as Load.
func Compile(cfg *specs.LinuxSeccomp) (Program, error) {
	if !enabled(cfg) {
		return nil, nil
	}
	return nil, errNoCgo()
}

// SyscallName returns nr in decimal: without libseccomp there is no table.
func SyscallName(auditArch uint32, nr int32) string {
	return fmt.Sprint(nr)
}
