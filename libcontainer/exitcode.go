package libcontainer

import "golang.org/x/sys/unix"

// ExitCode is a process's status the way a shell reports it: the exit code,
// or 128+N when signal N killed it.
func ExitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
