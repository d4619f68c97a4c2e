// Command seccomp-agent is a seccomp notify agent for berth's tests: it
// takes the notify fd of one container process from the runtime (the
// runtime-spec's linux.seccomp.listenerPath protocol) and answers every
// SCMP_ACT_NOTIFY syscall the same way.
//
//	seccomp-agent -socket PATH [-errno N | -allow] [-log FILE]
//
// The socket appears at PATH only once the agent listens, so a test can
// wait for the file. The agent takes one connection, writes the container
// process state it received (one JSON line) to the log, then answers each
// request with errno N (default EPERM), or lets the syscall run (-allow),
// logging one line per request: "<syscall> pid=<pid> -> <answer>". It exits
// 0 when no process uses the filter any more, or on SIGTERM/SIGINT.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/seccomp"
)

type agent struct {
	errno int
	allow bool
	log   io.Writer
}

func main() {
	socket := flag.String("socket", "", "listen on this unix socket path")
	errno := flag.Int("errno", int(unix.EPERM), "fail each notified syscall with this errno")
	allow := flag.Bool("allow", false, "let each notified syscall run instead")
	logPath := flag.String("log", "", "append the state and one line per request to this file")
	flag.Parse()
	if *socket == "" || flag.NArg() != 0 || *errno <= 0 {
		fmt.Fprintln(os.Stderr, "usage: seccomp-agent -socket PATH [-errno N | -allow] [-log FILE]")
		os.Exit(2)
	}
	a := &agent{errno: *errno, allow: *allow, log: io.Discard}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fail(err)
		}
		a.log = f
	}
	if err := a.run(*socket); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "seccomp-agent:", err)
	os.Exit(1)
}

func (a *agent) run(path string) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		os.Remove(path)
		os.Exit(0)
	}()
	ln, err := listen(path)
	if err != nil {
		return err
	}
	conn, err := ln.AcceptUnix()
	ln.Close()
	os.Remove(path)
	if err != nil {
		return err
	}
	state, fd, err := receive(conn)
	conn.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.log, "%s\n", state)
	return a.serve(fd)
}

// listen binds a temporary name and renames it to path once listening, so
// that a client never finds a socket that refuses connections.
func listen(path string) (*net.UnixListener, error) {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.%d", filepath.Base(path), os.Getpid()))
	os.Remove(tmp)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(false)
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	return ln, nil
}

// receive reads the container process state to its end and the fd named
// seccompFd, sent with its first part.
func receive(conn *net.UnixConn) ([]byte, int, error) {
	buf, oob := make([]byte, 64<<10), make([]byte, unix.CmsgSpace(16*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, -1, fmt.Errorf("receive state: %w", err)
	}
	var fds []int
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, -1, fmt.Errorf("receive state: %w", err)
	}
	for _, m := range msgs {
		if got, err := unix.ParseUnixRights(&m); err == nil {
			fds = append(fds, got...)
		}
	}
	rest, err := io.ReadAll(conn)
	if err != nil {
		return nil, -1, fmt.Errorf("receive state: %w", err)
	}
	data := append(buf[:n:n], rest...)
	var st specs.ContainerProcessState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, -1, fmt.Errorf("container process state %q: %w", data, err)
	}
	i := slices.Index(st.Fds, specs.SeccompFdName)
	if i < 0 || i >= len(fds) {
		return nil, -1, fmt.Errorf("no %s among %d fds for %v", specs.SeccompFdName, len(fds), st.Fds)
	}
	var line bytes.Buffer
	if err := json.Compact(&line, data); err != nil {
		return nil, -1, err
	}
	return line.Bytes(), fds[i], nil
}

// serve answers requests until no process uses the filter.
func (a *agent) serve(fd int) error {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		if _, err := unix.Poll(pfd, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("poll: %w", err)
		}
		if pfd[0].Revents&unix.POLLIN == 0 {
			return nil // POLLHUP: every process of the filter is gone
		}
		req, err := seccomp.NotifReceive(fd)
		if errors.Is(err, unix.ENOENT) {
			continue // the caller died before we read it
		}
		if err != nil {
			return fmt.Errorf("receive notification: %w", err)
		}
		resp := seccomp.NotifResp{ID: req.ID}
		answer := fmt.Sprintf("errno %d", a.errno)
		if a.allow {
			resp.Flags, answer = seccomp.NotifFlagContinue, "continue"
		} else {
			resp.Error = -int32(a.errno)
		}
		if err := seccomp.NotifRespond(fd, &resp); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("answer notification: %w", err)
		}
		fmt.Fprintf(a.log, "%s pid=%d -> %s\n", seccomp.SyscallName(req.Data.Arch, req.Data.Nr), req.Pid, answer)
	}
}
