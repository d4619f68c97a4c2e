package seccomp

import (
	"encoding/json"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SendToAgent hands a notify fd to the seccomp agent listening on
// listenerPath (linux.seccomp.listenerPath), as the runtime-spec says: it
// connects an AF_UNIX SOCK_STREAM socket, sends state as JSON with the fd
// in SCM_RIGHTS on the first sendmsg(2), and closes the connection. It sets
// state.Fds to ["seccompFd"] and an empty state.Version to the spec's
// version; the caller fills in the rest (pid: the process that loaded the
// filter; metadata: linux.seccomp.listenerMetadata; state: the container's
// state, "creating" during create). notifyFd stays open.
func SendToAgent(listenerPath string, state *specs.ContainerProcessState, notifyFd int) error {
	if listenerPath == "" {
		return fieldErr(prefix+".listenerPath", "must be set to use SCMP_ACT_NOTIFY")
	}
	st := *state
	st.Fds = []string{specs.SeccompFdName}
	if st.Version == "" {
		st.Version = specs.Version
	}
	data, err := json.Marshal(&st)
	if err != nil {
		return fmt.Errorf("seccomp agent state: %w", err)
	}
	if err := sendState(listenerPath, data, notifyFd); err != nil {
		return fmt.Errorf("send seccomp notify fd to the agent at %q: %w", listenerPath, err)
	}
	return nil
}

func sendState(path string, data []byte, fd int) error {
	sock, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(sock)
	if err := ignoringEINTR(func() error { return unix.Connect(sock, &unix.SockaddrUnix{Name: path}) }); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	oob := unix.UnixRights(fd)
	for len(data) > 0 {
		var n int
		err := ignoringEINTR(func() (err error) {
			n, err = unix.SendmsgN(sock, data, oob, nil, 0)
			return err
		})
		if err != nil {
			return fmt.Errorf("sendmsg: %w", err)
		}
		data, oob = data[n:], nil // the fd goes with the first part only
	}
	return nil
}

func ignoringEINTR(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}
