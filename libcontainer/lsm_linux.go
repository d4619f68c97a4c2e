package libcontainer

import (
	"os"
	"strings"
)

// AppArmor and SELinux labels for the process are written for the next
// execve by nsenter/process.c, so they apply to the user's process, not to
// init; procplan.go checks first that the host has the LSM.

// apparmorEnabled reports whether the host kernel enforces AppArmor.
func apparmorEnabled() bool {
	data, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && strings.HasPrefix(string(data), "Y")
}
