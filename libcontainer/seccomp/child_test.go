//go:build cgo

package seccomp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Filters cannot be removed, so every test that loads one does it in a
// child: the test binary re-executed with envChild set to a childSpec.

const envChild = "_BERTH_SECCOMP_TEST_CHILD"

// childSpec is what a child does: load Seccomp (after no_new_privs), then
// hand the notify fd to Agent, report its threads, exec Exec, or make
// Calls and print "ret errno" for each.
type childSpec struct {
	Seccomp *specs.LinuxSeccomp `json:"seccomp"`
	Program Program             `json:"program,omitempty"` // LoadProgram it instead of Load
	Agent   string              `json:"agent,omitempty"`
	Threads bool                `json:"threads,omitempty"`
	Exec    []string            `json:"exec,omitempty"`
	Calls   []childCall         `json:"calls,omitempty"`
}

type childCall struct {
	Nr   uintptr    `json:"nr"`
	Args [6]uintptr `json:"args"`
}

func call(nr uintptr, args ...uintptr) childCall {
	c := childCall{Nr: nr}
	copy(c.Args[:], args)
	return c
}

// callResult is what one call returned in the child.
type callResult struct {
	ret   int64
	errno unix.Errno
}

func (r callResult) String() string {
	if r.errno != 0 {
		return fmt.Sprintf("errno %d (%v)", int(r.errno), r.errno)
	}
	return fmt.Sprintf("ret %d", r.ret)
}

type childResult struct {
	stdout, stderr string
	status         syscall.WaitStatus
	calls          []callResult
}

func TestMain(m *testing.M) {
	if spec, ok := os.LookupEnv(envChild); ok {
		childMain(spec)
	}
	os.Exit(m.Run())
}

func childMain(spec string) {
	runtime.LockOSThread()
	var cs childSpec
	if err := json.Unmarshal([]byte(spec), &cs); err != nil {
		fmt.Println("bad child spec:", err)
		os.Exit(2)
	}
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Println("no_new_privs:", err)
		os.Exit(2)
	}
	load := Load
	if cs.Program != nil {
		load = func(cfg *specs.LinuxSeccomp) (int, error) { return LoadProgram(cfg, cs.Program) }
	}
	fd, err := load(cs.Seccomp)
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(3)
	}
	if cs.Agent != "" {
		st := &specs.ContainerProcessState{
			Pid:      os.Getpid(),
			Metadata: cs.Seccomp.ListenerMetadata,
			State:    specs.State{ID: "test-ctr", Status: specs.StateCreating, Pid: os.Getpid(), Bundle: "/bundle"},
		}
		if err := SendToAgent(cs.Agent, st, fd); err != nil {
			fmt.Println("agent:", err)
			os.Exit(3)
		}
		unix.Close(fd)
	} else if fd != -1 {
		fmt.Println("fd:", fd)
	}
	if cs.Threads {
		filtered, total := threadModes()
		fmt.Printf("threads %d/%d\n", filtered, total)
	}
	if cs.Exec != nil {
		err := unix.Exec(cs.Exec[0], cs.Exec, os.Environ())
		fmt.Println("exec:", err)
		os.Exit(4)
	}
	// From here only raw syscalls, so that the filter sees ours alone.
	out := make([]byte, 0, 64*len(cs.Calls)+1)
	for _, c := range cs.Calls {
		r, _, errno := unix.RawSyscall6(c.Nr, c.Args[0], c.Args[1], c.Args[2], c.Args[3], c.Args[4], c.Args[5])
		out = strconv.AppendInt(out, int64(r), 10)
		out = append(out, ' ')
		out = strconv.AppendUint(out, uint64(errno), 10)
		out = append(out, '\n')
	}
	if len(out) > 0 {
		unix.RawSyscall(unix.SYS_WRITE, 1, uintptr(unsafe.Pointer(&out[0])), uintptr(len(out)))
	}
	unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
}

// threadModes counts the threads of this process in seccomp filter mode.
func threadModes() (filtered, total int) {
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, t := range tasks {
		data, err := os.ReadFile("/proc/self/task/" + t.Name() + "/status")
		if err != nil {
			continue
		}
		total++
		if strings.Contains(string(data), "\nSeccomp:\t2\n") {
			filtered++
		}
	}
	return filtered, total
}

// startChild starts a child; finish it with waitChild.
func startChild(t *testing.T, cs childSpec) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer, context.CancelFunc) {
	t.Helper()
	data, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+string(data),
		"GODEBUG=asyncpreemptoff=1", "GOGC=off", "GOMAXPROCS=2")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	return cmd, &stdout, &stderr, cancel
}

func waitChild(t *testing.T, cmd *exec.Cmd, stdout, stderr *bytes.Buffer, cancel context.CancelFunc) childResult {
	t.Helper()
	defer cancel()
	_ = cmd.Wait()
	res := childResult{stdout: stdout.String(), stderr: stderr.String(),
		status: cmd.ProcessState.Sys().(syscall.WaitStatus)}
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		var r callResult
		var errno uint64
		if n, _ := fmt.Sscanf(line, "%d %d", &r.ret, &errno); n == 2 {
			r.errno = unix.Errno(errno)
			res.calls = append(res.calls, r)
		}
	}
	return res
}

// runChild runs a child to its end.
func runChild(t *testing.T, cs childSpec) childResult {
	t.Helper()
	cmd, stdout, stderr, cancel := startChild(t, cs)
	return waitChild(t, cmd, stdout, stderr, cancel)
}

// runCalls runs a child that makes calls and checks it reported each one.
func runCalls(t *testing.T, sc *specs.LinuxSeccomp, calls ...childCall) []callResult {
	t.Helper()
	res := runChild(t, childSpec{Seccomp: sc, Calls: calls})
	if !res.status.Exited() || res.status.ExitStatus() != 0 || len(res.calls) != len(calls) {
		t.Fatalf("child: status %v, %d results for %d calls\nstdout: %s\nstderr: %s",
			res.status, len(res.calls), len(calls), res.stdout, res.stderr)
	}
	return res.calls
}
