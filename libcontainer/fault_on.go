//go:build faultinject

package libcontainer

import (
	"os"

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

// faultInInit is faultPoint for the init: the parent dies first, then we
// exit (a pid namespace's init ignores its own SIGKILL).
func (it *initer) faultPoint(step string) {
	if os.Getenv(envFault) != step {
		return
	}
	if it.pipe != nil {
		_ = it.send(syncMsg{Type: msgFault})
		var m syncMsg
		_ = it.dec.Decode(&m) // returns when the parent is gone
	}
	os.Exit(137)
}

// faultEnv passes the switch on to `berth init`.
func faultEnv() []string {
	if v := os.Getenv(envFault); v != "" {
		return []string{envFault + "=" + v}
	}
	return nil
}
