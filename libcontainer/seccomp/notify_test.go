//go:build cgo

package seccomp

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// agentConn is what an agent received on one connection.
type agentConn struct {
	data []byte
	fds  []int
}

// acceptAgent accepts one connection on ln and reads it to its end.
func acceptAgent(t *testing.T, ln *net.UnixListener) agentConn {
	t.Helper()
	_ = ln.SetDeadline(time.Now().Add(10 * time.Second))
	conn, err := ln.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	var got agentConn
	got.data = buf[:n]
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			t.Fatal(err)
		}
		got.fds = append(got.fds, fds...)
	}
	rest, err := io.ReadAll(conn) // the runtime closes after one state
	if err != nil {
		t.Fatal(err)
	}
	got.data = append(got.data, rest...)
	t.Cleanup(func() {
		for _, fd := range got.fds {
			unix.Close(fd)
		}
	})
	return got
}

func listen(t *testing.T) (string, *net.UnixListener) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return path, ln
}

// waitNotif polls a notify fd; it returns false on POLLHUP.
func waitNotif(t *testing.T, fd int) bool {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 10000)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			t.Fatalf("poll notify fd: %v (n=%d)", err, n)
		}
		return fds[0].Revents&unix.POLLIN != 0
	}
}

// TestNotify: a child loads a filter with SCMP_ACT_NOTIFY on getppid and
// hands the fd to us with SendToAgent; we answer its three calls with a
// value, an errno and "continue", and see the fd hang up when it exits.
func TestNotify(t *testing.T) {
	path, ln := listen(t)
	sc := allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActNotify},
		specs.LinuxSyscall{Names: sys("getuid"), Action: specs.ActErrno})
	sc.ListenerPath, sc.ListenerMetadata = path, "meta=1"
	sc.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}
	cmd, stdout, stderr, cancel := startChild(t, childSpec{Seccomp: sc, Agent: path,
		Calls: []childCall{getppid(), getppid(), getppid(), call(unix.SYS_GETUID)}})
	defer cancel()

	got := acceptAgent(t, ln)
	var st specs.ContainerProcessState
	if err := json.Unmarshal(got.data, &st); err != nil {
		t.Fatalf("state %q: %v", got.data, err)
	}
	if len(got.fds) != 1 || len(st.Fds) != 1 || st.Fds[0] != specs.SeccompFdName ||
		st.Pid != cmd.Process.Pid || st.Metadata != "meta=1" || st.Version != specs.Version ||
		st.State.ID != "test-ctr" || st.State.Status != specs.StateCreating {
		t.Fatalf("agent got %d fds and %s", len(got.fds), got.data)
	}
	fd := got.fds[0]
	answers := []NotifResp{{Val: 4242}, {Error: -int32(unix.EOWNERDEAD)}, {Flags: NotifFlagContinue}}
	for i, resp := range answers {
		if !waitNotif(t, fd) {
			t.Fatalf("notify fd hung up before request %d; stderr: %s", i, stderr)
		}
		req, err := NotifReceive(fd)
		if err != nil {
			t.Fatal(err)
		}
		if req.Pid != uint32(cmd.Process.Pid) || req.Data.Nr != unix.SYS_GETPPID ||
			SyscallName(req.Data.Arch, req.Data.Nr) != "getppid" {
			t.Fatalf("request %d: %+v (%s)", i, req, SyscallName(req.Data.Arch, req.Data.Nr))
		}
		resp.ID = req.ID
		if err := NotifRespond(fd, &resp); err != nil {
			t.Fatal(err)
		}
	}
	res := waitChild(t, cmd, stdout, stderr, cancel)
	if len(res.calls) != 4 {
		t.Fatalf("child: %v\nstdout: %s\nstderr: %s", res.status, res.stdout, res.stderr)
	}
	expect(t, res.calls, ok(4242), fails(unix.EOWNERDEAD), ppid(), fails(unix.EPERM))
	if waitNotif(t, fd) {
		t.Fatal("notify fd readable after the child exited, want POLLHUP")
	}
}

func TestLoadNoNotifyFd(t *testing.T) {
	res := runChild(t, childSpec{Seccomp: allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActErrno})})
	if strings.Contains(res.stdout, "fd:") || res.status.ExitStatus() != 0 {
		t.Fatalf("status %v, stdout %q, stderr %s", res.status, res.stdout, res.stderr)
	}
}

func TestSendToAgent(t *testing.T) {
	path, ln := listen(t)
	f, err := os.CreateTemp(t.TempDir(), "fd")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Large annotations: more than one sendmsg, the fd with the first.
	big := strings.Repeat("x", 300<<10)
	st := &specs.ContainerProcessState{Pid: 42, Metadata: "m",
		State: specs.State{Version: specs.Version, ID: "c", Status: specs.StateRunning, Pid: 7,
			Bundle: "/b", Annotations: map[string]string{"big": big}}}
	errc := make(chan error, 1)
	go func() { errc <- SendToAgent(path, st, int(f.Fd())) }()
	got := acceptAgent(t, ln)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// Field names and order are the spec's.
	if !strings.HasPrefix(string(got.data), `{"ociVersion":"`+specs.Version+`","fds":["seccompFd"],"pid":42,"metadata":"m","state":{"ociVersion":`) {
		t.Errorf("JSON starts %.120s", got.data)
	}
	var back specs.ContainerProcessState
	if err := json.Unmarshal(got.data, &back); err != nil || back.State.Annotations["big"] != big || back.State.Pid != 7 {
		t.Fatalf("state did not survive: %v", err)
	}
	if len(got.fds) != 1 {
		t.Fatalf("got %d fds", len(got.fds))
	}
	var a, b unix.Stat_t
	if unix.Fstat(got.fds[0], &a) != nil || unix.Fstat(int(f.Fd()), &b) != nil || a.Ino != b.Ino || a.Dev != b.Dev {
		t.Fatal("received fd is not the one sent")
	}
	if st.Fds != nil || st.Version != "" {
		t.Error("SendToAgent changed its argument")
	}
}

func TestSendToAgentErrors(t *testing.T) {
	st := &specs.ContainerProcessState{}
	if err := SendToAgent("", st, 0); err == nil || !strings.HasPrefix(err.Error(), "linux.seccomp.listenerPath: ") {
		t.Errorf("no path: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "none.sock")
	if err := SendToAgent(missing, st, 0); err == nil || !strings.Contains(err.Error(), missing) ||
		!errors.Is(err, unix.ENOENT) {
		t.Errorf("missing socket: %v", err)
	}
}
