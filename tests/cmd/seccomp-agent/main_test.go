package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/seccomp"
)

const envChild = "_BERTH_SECCOMP_AGENT_TEST_CHILD"

// TestMain doubles as the "container": with envChild set to a socket path
// it loads a filter that notifies getppid, hands the fd to the agent, calls
// getppid and prints "ret errno".
func TestMain(m *testing.M) {
	if path, ok := os.LookupEnv(envChild); ok {
		runtime.LockOSThread()
		cfg := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: path, ListenerMetadata: "agent-test",
			Syscalls: []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActNotify}}}
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			panic(err)
		}
		fd, err := seccomp.Load(cfg)
		if err == nil {
			st := &specs.ContainerProcessState{Pid: os.Getpid(), Metadata: cfg.ListenerMetadata,
				State: specs.State{ID: "ctr", Status: specs.StateCreating, Pid: os.Getpid()}}
			err = seccomp.SendToAgent(path, st, fd)
			unix.Close(fd)
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		r, _, errno := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
		fmt.Println(int(r), int(errno))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestAgent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		agent agent
		want  string // the child's getppid: "ret errno"
		log   string
	}{
		{"errno", agent{errno: 77}, "-1 77", "-> errno 77"},
		{"allow", agent{allow: true}, fmt.Sprintf("%d 0", os.Getpid()), "-> continue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agent.sock")
			var log bytes.Buffer
			tc.agent.log = &log
			done := make(chan error, 1)
			go func() { done <- tc.agent.run(path) }()
			for i := 0; ; i++ {
				if _, err := os.Stat(path); err == nil {
					break
				}
				if i == 500 {
					t.Fatal("no socket")
				}
				time.Sleep(10 * time.Millisecond)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envChild+"="+path)
			out, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != tc.want {
				t.Fatalf("child: %v, said %q, want %q", err, out, tc.want)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("agent did not exit after the child")
			}
			lines := strings.Split(strings.TrimSpace(log.String()), "\n")
			var st specs.ContainerProcessState
			if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &st) != nil ||
				st.Pid != cmd.Process.Pid || st.Metadata != "agent-test" || st.Fds[0] != "seccompFd" {
				t.Fatalf("log:\n%s", log.String())
			}
			if want := fmt.Sprintf("getppid pid=%d %s", cmd.Process.Pid, tc.log); lines[1] != want {
				t.Errorf("log line %q, want %q", lines[1], want)
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("socket left behind")
			}
		})
	}
}
