package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/opencontainers/selinux/go-selinux"
	"golang.org/x/sys/unix"
)

// AppArmor and SELinux labels for the process: both are set for the next
// execve, so they apply to the user's process, not to init.

// apparmorEnabled reports whether the host kernel enforces AppArmor.
func apparmorEnabled() bool {
	data, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && strings.HasPrefix(string(data), "Y")
}

// setAppArmorProfile makes the next exec run under profile. Asking for a
// profile on a host without AppArmor is an error, not a silent no-op.
func setAppArmorProfile(profile string) error {
	if profile == "" {
		return nil
	}
	if !apparmorEnabled() {
		return fmt.Errorf("process.apparmorProfile: %q requested but AppArmor is not enabled on this host", profile)
	}
	proc, err := openPrivateProc()
	if err != nil {
		return fmt.Errorf("apply AppArmor profile %q: %w", profile, err)
	}
	defer proc.close()
	// Our own thread's file, through our own procfs; the LSM-specific file
	// first (Linux 5.8+), the shared one otherwise.
	task := fmt.Sprintf("%d/task/%d/attr/", os.Getpid(), unix.Gettid())
	for _, rel := range []string{task + "apparmor/exec", task + "exec"} {
		err := proc.write(rel, "exec "+profile)
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("apply AppArmor profile %q: %w", profile, err)
		}
	}
	return fmt.Errorf("apply AppArmor profile %q: no attr/exec file", profile)
}

// setSELinuxLabel makes the next exec run with label.
func setSELinuxLabel(label string) error {
	if label == "" {
		return nil
	}
	if !selinux.GetEnabled() {
		return errors.New("selinux label is specified in config, but selinux is disabled or not supported")
	}
	if err := selinux.SetExecLabel(label); err != nil {
		return fmt.Errorf("set SELinux label %q: %w", label, err)
	}
	return nil
}
