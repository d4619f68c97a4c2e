//go:build faultinject

package libcontainer

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Test builds only (go build -tags faultinject): BERTH_FAULT=<step> makes
// berth die (SIGKILL) when it reaches that step, so the crash tests can
// check what a dead berth leaves behind and that `delete --force` cleans
// it. A step inside the container's init ("init:...") kills the berth
// process that creates it (asked over the init pipe: init may be pid 1 of
// its own namespace and not see its parent) and then the init.
const envFault = "BERTH_FAULT"

func faultPoint(step string) {
	if os.Getenv(envFault) != step {
		return
	}
	faultDie()
}

func faultDie() {
	_ = unix.Kill(os.Getpid(), unix.SIGKILL)
	select {}
}

// initFaultStep is BERTH_FAULT when it names a step of the init's C code
// (nsenter/rootfs.c and create.c check it there, from the rootfs plan).
func initFaultStep() string {
	if v := os.Getenv(envFault); strings.HasPrefix(v, "init:") {
		return v
	}
	return ""
}

// stageFaultStep is BERTH_FAULT when it names a step of the C stage
// (nsenter.c checks it, from the bootstrap): "stage:after-clone" makes the
// stage exit after it forked the init, without reporting it.
func stageFaultStep() string {
	if v := os.Getenv(envFault); strings.HasPrefix(v, "stage:") {
		return v
	}
	return ""
}
