package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// Start runs the user's process of a created container: it opens the exec
// fifo (releasing init), waits until init reports it is about to exec, then
// runs the poststart hooks. A poststart failure is logged, not returned, as
// the runtime spec says.
func (c *Container) Start() error {
	if err := c.Lock(); err != nil {
		return err
	}
	defer c.Unlock()
	switch st := c.Status(); st {
	case Created:
	case Stopped:
		return errors.New("cannot start a container that has stopped")
	case Creating, Paused:
		return fmt.Errorf("cannot start a container in the %s state", st) // runc's words
	default:
		return errors.New("cannot start an already running container")
	}
	return c.start()
}

// StartCreated is Start for the caller that just created the container and
// still holds its lock (CreateOptions.KeepLock): no reload, no status
// derivation; it releases the lock.
func (c *Container) StartCreated() error {
	defer c.Unlock()
	return c.start()
}

func (c *Container) start() error {
	if err := c.releaseInit(); err != nil {
		return err
	}
	traceStep("started")
	faultPoint("start:before-poststart")
	if h := c.State.Hooks; h != nil && len(h.Poststart) > 0 {
		if err := runHooksAll("poststart", h.Poststart, c.OCIState(Running)); err != nil {
			logrus.Warn(err)
		}
	}
	return nil
}

// releaseInit opens the fifo without blocking (which unblocks init's open
// for writing), or for run writes a byte on the socket init waits on, and
// waits for init's byte or its death, whichever comes first.
func (c *Container) releaseInit() error {
	// The pidfd first: once released, init may exec and its process may
	// be gone before we look.
	pidfd, err := c.openInit()
	if err != nil {
		return err
	}
	defer unix.Close(pidfd)
	named := c.release == nil // the exec fifo, not run's socket
	fd, err := c.openStartWait()
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	faultPoint("start:after-fifo-open")
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(pidfd), Events: unix.POLLIN}}
	died := false
	for {
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("wait for container init: %w", err)
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			break
		}
		if fds[1].Revents != 0 {
			// Init died; it may still have written its answer just before.
			died = true
			break
		}
		// POLLHUP alone: a writer came and went without a byte.
		if fds[0].Revents != 0 {
			return errNoAnswer
		}
	}
	if err := readStartAnswer(fd); err != nil {
		if died && errors.Is(err, errNoAnswer) {
			return errors.New("container init exited before it could start the process")
		}
		return err
	}
	if named {
		if err := os.Remove(filepath.Join(c.Dir, fifoName)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove exec fifo: %w", err)
		}
	}
	// Init closes its end by exec'ing (or dying): wait for that, so that
	// poststart hooks run after the process has started, as the spec says.
	fds = fds[:1]
	fds[0].Events = 0 // POLLHUP is always reported
	for {
		_, err := unix.Poll(fds, 5000)
		if err == nil || !errors.Is(err, unix.EINTR) {
			break
		}
	}
	return nil
}

// errNoAnswer: the init closed its end without a word.
var errNoAnswer = errors.New("container init closed the exec fifo without starting")

// readStartAnswer reads what the released init says on fd (non-blocking,
// readable): "0" once it is about to exec, or "E" and the error that ended
// it before (a startContainer hook that failed, say; nsenter/planio.c).
func readStartAnswer(fd int) error {
	var b [1]byte
	n, err := unix.Read(fd, b[:])
	if n != 1 {
		if err != nil && !errors.Is(err, unix.EAGAIN) {
			return fmt.Errorf("read exec fifo: %w", err)
		}
		// A socket's EOF is readable (a fifo's is only a hangup).
		return errNoAnswer
	}
	if b[0] != 'E' {
		return nil
	}
	// The init wrote the whole message at once, then exited.
	var msg []byte
	buf := make([]byte, 4096)
	for len(msg) < 64<<10 {
		n, _ := unix.Read(fd, buf)
		if n <= 0 {
			break
		}
		msg = append(msg, buf[:n]...)
	}
	return errors.New(string(msg))
}

// openStartWait returns an fd to wait for init's byte on, having released
// init: the exec fifo opened for reading, or run's socket once a byte is
// written to it.
func (c *Container) openStartWait() (int, error) {
	if c.release != nil {
		fd, err := unix.FcntlInt(c.release.Fd(), unix.F_DUPFD_CLOEXEC, 0)
		c.release.Close()
		c.release = nil
		if err == nil {
			_, err = unix.Write(fd, []byte{'1'})
			if err != nil {
				unix.Close(fd)
			}
		}
		if err != nil {
			return -1, fmt.Errorf("release container init: %w", err)
		}
		return fd, nil
	}
	fd, err := unix.Open(filepath.Join(c.Dir, fifoName), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return -1, errors.New("cannot start an already running container")
		}
		return -1, fmt.Errorf("open exec fifo: %w", err)
	}
	return fd, nil
}

// openInit returns a pidfd of the container's init, after checking that the
// pid still belongs to it (a pidfd pins the process; the start time proves
// it is ours, not a recycled pid).
func (c *Container) openInit() (int, error) {
	pid := c.State.InitPid
	if pid <= 0 {
		return -1, ErrNotRunning
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return -1, ErrNotRunning
		}
		return -1, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	if !processAlive(pid, c.State.InitStartTime) {
		unix.Close(fd)
		return -1, ErrNotRunning
	}
	return fd, nil
}

// Signal sends sig to the container's init, or with all to every process
// in its cgroup (frozen meanwhile so none can fork away).
func (c *Container) Signal(sig unix.Signal, all bool) error {
	// Without a pid namespace of its own, the init's death does not end
	// the container's other processes: SIGKILL goes to all of them, as
	// newer runc does (runc issue 4047), init alive or not.
	if all || (sig == unix.SIGKILL && !c.State.PrivatePidNS) {
		return c.signalAll(sig)
	}
	fd, err := c.openInit()
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return ErrNotRunning
		}
		return fmt.Errorf("unable to signal init: %w", err) // runc's words
	}
	if sig == unix.SIGKILL {
		c.thawIfPaused()
	}
	return nil
}

// thawIfPaused lets a SIGKILLed container die: a v1-frozen task cannot act
// on any signal until it is thawed.
func (c *Container) thawIfPaused() {
	if c.isPaused() {
		if m, err := c.cgroupManager(); err == nil {
			_ = m.Thaw()
		}
	}
}

// The init need not be alive: what it left in the cgroup (no pid
// namespace) is signalled too, as runc and containerd's shim expect.
func (c *Container) signalAll(sig unix.Signal) error {
	m, err := c.cgroupManager()
	if err != nil {
		return err
	}
	if !m.Exists() {
		if c.Status() == Stopped {
			return nil
		}
		return errors.New("container has no cgroup to signal")
	}
	// Freeze so that nothing forks away while we signal; on v1 a frozen
	// task acts on no signal, not even SIGKILL, until thawed, so thaw after.
	frozen := m.Freeze() == nil
	pids, err := m.GetPids()
	if err == nil {
		for _, pid := range pids {
			if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
				logrus.Warnf("signal %d to pid %d: %v", sig, pid, err)
			}
		}
	}
	if frozen {
		if terr := m.Thaw(); terr != nil && err == nil {
			err = terr
		}
	}
	return err
}

// Destroy kills whatever runs in the container, removes its cgroup and state
// dir, and runs the poststop hooks (failures logged; all hooks run).
func (c *Container) Destroy() error {
	if c.Status() != Stopped {
		if err := c.killInit(); err != nil {
			return err
		}
	}
	traceStep("destroy: init dead")
	faultPoint("delete:after-kill")
	var cgErr error
	if len(c.State.CgroupPaths) > 0 {
		// Destroy also kills what init's death left behind (no pid namespace).
		m, err := c.cgroupManager()
		if err == nil {
			err = m.Destroy()
		}
		cgErr = err
	}
	traceStep("destroy: cgroup removed")
	faultPoint("delete:after-cgroup")
	if err := removeStateDir(c.Dir); err != nil {
		return fmt.Errorf("remove state dir: %w", err)
	}
	faultPoint("delete:before-poststop")
	if h := c.State.Hooks; h != nil && len(h.Poststop) > 0 {
		if err := runHooksAll("poststop", h.Poststop, c.OCIState(Stopped)); err != nil {
			logrus.Warn(err)
		}
	}
	return cgErr
}

// killInit SIGKILLs the init and waits (bounded) until it is gone.
func (c *Container) killInit() error {
	fd, err := c.openInit()
	if err != nil {
		if errors.Is(err, ErrNotRunning) {
			return nil
		}
		return err
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("kill container init: %w", err)
	}
	c.thawIfPaused()
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		n, err := unix.Poll(fds, int(time.Until(deadline).Milliseconds())+1)
		if err == nil && n > 0 {
			return nil
		}
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("wait for container init: %w", err)
		}
	}
	return errors.New("container init did not die after SIGKILL")
}

// Processes lists the host pids of every process in the container's cgroup.
func (c *Container) Processes() ([]int, error) {
	if len(c.State.CgroupPaths) == 0 {
		return nil, errors.New("container has no cgroup")
	}
	m, err := c.cgroupManager()
	if err != nil {
		return nil, err
	}
	return m.GetPids()
}
