package libcontainer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/nsenter"
)

// stageProcess is the C stage we spawned, by pid. It is not an os.Process:
// the first os.StartProcess or os.FindProcess in a process forks a child to
// probe pidfd support, ~0.5 ms of every create and exec for nothing.
type stageProcess struct {
	Pid int
}

// startStage forks and executes path with exactly files as its fds (-1:
// closed in the child) and env as its environment; sys (may be nil) says
// how to clone it.
func startStage(path string, argv, env []string, files []int, sys *syscall.SysProcAttr) (*stageProcess, error) {
	fds := make([]uintptr, len(files))
	for i, fd := range files {
		fds[i] = uintptr(fd) // -1 becomes ^0: "closed" to forkExec
	}
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Env: env, Files: fds, Sys: sys})
	if err != nil {
		return nil, err
	}
	return &stageProcess{Pid: pid}, nil
}

// Kill sends SIGKILL.
func (s *stageProcess) Kill() error {
	return unix.Kill(s.Pid, unix.SIGKILL)
}

// Wait reaps the stage and returns how it ended.
func (s *stageProcess) Wait() (stageStatus, error) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(s.Pid, &ws, 0, nil)
		if err != unix.EINTR {
			return stageStatus(ws), err
		}
	}
}

// stageStatus is a reaped stage's wait status.
type stageStatus unix.WaitStatus

func (st stageStatus) Success() bool {
	ws := unix.WaitStatus(st)
	return ws.Exited() && ws.ExitStatus() == 0
}

// String words it as os.ProcessState does.
func (st stageStatus) String() string {
	ws := unix.WaitStatus(st)
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		return "signal: " + ws.Signal().String()
	default:
		return fmt.Sprintf("wait status %#x", uint32(ws))
	}
}

// reports returns what to run nsenter.Await on: conn, except that a read
// fails with io.EOF (nsenter.ErrNoReport) once the stage has exited with
// nothing left to read. The init the stage forks holds the pipe open too,
// so a stage that dies between that fork and its report (say, killed for
// lack of memory) would leave us waiting on the pipe forever. done
// releases the stage's pidfd.
func (s *stageProcess) reports(conn *os.File) (rw io.ReadWriter, done func()) {
	fd, err := unix.PidfdOpen(s.Pid, 0)
	if err != nil {
		return conn, func() {} // no pidfds (Linux < 5.3): as before
	}
	return &stageReports{conn: conn, pidfd: fd}, func() { unix.Close(fd) }
}

type stageReports struct {
	conn  *os.File
	pidfd int
}

func (r *stageReports) Read(b []byte) (int, error) {
	fds := []unix.PollFd{{Fd: int32(r.conn.Fd()), Events: unix.POLLIN}, {Fd: int32(r.pidfd), Events: unix.POLLIN}}
	for {
		if _, err := unix.Poll(fds, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			return 0, err
		}
		// What the stage wrote before it exited is read first.
		if fds[0].Revents != 0 {
			return r.conn.Read(b)
		}
		if fds[1].Revents != 0 {
			return 0, io.EOF
		}
	}
}

func (r *stageReports) Write(b []byte) (int, error) { return r.conn.Write(b) }

// awaitStage waits for the stage's report on conn (answering a request for
// id maps with writeMaps, which may be nil) and reaps the stage, which
// exits right after it: the init's pid, or an error saying why there is
// none. A stage that fails otherwise is killed first: it may be blocked
// waiting for us (e.g. the maps could not be written).
func awaitStage(conn *os.File, stage *stageProcess, writeMaps func() error) (int, error) {
	reports, done := stage.reports(conn)
	pid, err := nsenter.Await(reports, writeMaps)
	done()
	if err != nil && !errors.Is(err, nsenter.ErrNoReport) {
		_ = stage.Kill()
	}
	st, werr := stage.Wait()
	switch {
	case errors.Is(err, nsenter.ErrNoReport) && werr == nil:
		return 0, fmt.Errorf("nsenter: init stage exited without reporting (%v)", st)
	case err != nil:
		return 0, fmt.Errorf("nsenter: %w", err)
	case werr == nil && !st.Success():
		return 0, fmt.Errorf("nsenter: init stage failed: %v", st)
	}
	return pid, nil
}
