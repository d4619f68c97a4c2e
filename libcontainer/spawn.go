package libcontainer

// How create starts `berth init`: as a stage that makes the namespaces and
// forks the container's init, or, when that is all a stage would do, as
// the init itself, cloned into its namespaces (see sync.go).

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
	"github.com/berth-runtime/berth/nsenter"
)

// spawn starts the init without a stage where it may (mayCloneInit; the
// cgroup is then created first, and applied says so), else the stage. b
// is updated to say which.
func (p *initProcess) spawn(b *nsenter.Bootstrap, child, fifo, console *os.File) (applied bool, err error) {
	if mayCloneInit(b, p.cgroup) {
		if err := p.applyCgroup(0); err != nil {
			return false, err
		}
		err := p.cloneInit(child, fifo, console, b)
		if err == nil {
			// The init is in its namespaces but the cgroup one.
			b.SelfInit, b.CloneFlags = true, b.CloneFlags&unix.CLONE_NEWCGROUP
			return true, nil
		}
		if !errors.Is(err, errNoCloneInto) {
			return true, err
		}
		applied = true
	}
	return applied, p.spawnStage(child, fifo, console, nil)
}

// spawnStage starts `berth init` (P0) with the caller's stdio, the
// preserved fds at their numbers, the init pipe, the fifo and the console.
// With sys, it is cloned as sys says.
func (p *initProcess) spawnStage(child, fifo, console *os.File, sys *syscall.SysProcAttr) error {
	named := []namedFile{{nsenter.EnvInitPipe, child}, {envFifoFD, fifo}}
	if console != nil {
		named = append(named, namedFile{envConsoleFD, console})
	}
	proc, fds, err := spawnStage(p.opts.Root, p.opts.PreserveFDs+listenFDs(), named, sys)
	if err != nil {
		return err
	}
	p.stage, p.childFDs = proc, fds
	return nil
}

// mayCloneInit reports whether we may clone the container's init
// ourselves, with no stage (b.SelfInit): when the stage would only create
// namespaces and the init can reach its cgroups without being moved by pid
// (born in its cgroup2 one, moving itself into the v1 ones; the systemd
// driver and rootless move by pid). A stage is needed to join a namespace
// by path (setns into a mount or user namespace wants a single-threaded
// process), for a user namespace (Go would fork, not vfork, our whole
// address space; and its maps must be written before the init acts) and
// for a time namespace (its offsets must be written before a process is in
// it).
func mayCloneInit(b *nsenter.Bootstrap, m cgroups.Manager) bool {
	if len(b.Join) > 0 || b.TimeOffsets != "" || os.Geteuid() != 0 {
		return false
	}
	if b.CloneFlags&(unix.CLONE_NEWUSER|unix.CLONE_NEWTIME) != 0 {
		return false
	}
	return cgroups.V1SelfMoveDirs(m) != nil || cgroups.CloneInto(m) != ""
}

// errNoCloneInto: the kernel (or a seccomp filter around us) has no clone3
// with CLONE_INTO_CGROUP; a stage can fall back to a move.
var errNoCloneInto = errors.New("clone3 into a cgroup is not available")

// cloneInit starts `berth init` as the container's init itself, in its new
// namespaces but the cgroup one (it makes that once in its cgroups) and
// born in its cgroup2 dir, if it has one. The cgroup must exist.
func (p *initProcess) cloneInit(child, fifo, console *os.File, b *nsenter.Bootstrap) error {
	sys := &syscall.SysProcAttr{Cloneflags: uintptr(b.CloneFlags &^ unix.CLONE_NEWCGROUP)}
	if dir := cgroups.CloneInto(p.cgroup); dir != "" {
		fd, err := cgroups.OpenAt(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC)
		if err != nil {
			return fmt.Errorf("join cgroup %s: %w", dir, err)
		}
		defer unix.Close(fd)
		sys.UseCgroupFD, sys.CgroupFD = true, fd
	}
	err := p.spawnStage(child, fifo, console, sys)
	if sys.UseCgroupFD && (errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.E2BIG) || errors.Is(err, unix.EINVAL)) {
		return errNoCloneInto
	}
	return err
}

// namedFile is an fd handed to `berth init` whose number it finds in env.
type namedFile struct {
	env  string
	file *os.File
}

// spawnStage starts `berth init`: stdio as they are (a closed one stays
// closed), fds 3..3+extra-1 at their numbers, then the named files. It
// returns the fd number each named file has in the child, by env name. The
// binary is executed sealed (exeseal_linux.go); root is the state root.
// sys (may be nil) says how to clone it.
func spawnStage(root string, extra int, named []namedFile, sys *syscall.SysProcAttr) (*stageProcess, map[string]int, error) {
	exe, err := sealedExe(root)
	if err != nil {
		return nil, nil, err
	}
	defer exe.Close()
	files := []int{stdioFD(0), stdioFD(1), stdioFD(2)}
	for i := 0; i < extra; i++ {
		files = append(files, stdioFD(3+i))
	}
	// The environment holds nothing but the fd numbers: no Go runs in the
	// stage or the init, and hooks that inherit the init's see it empty.
	env := make([]string, 0, len(named)+1)
	fds := make(map[string]int, len(named))
	for _, n := range named {
		fds[n.env] = len(files)
		env = append(env, n.env+"="+strconv.Itoa(len(files)))
		files = append(files, int(n.file.Fd()))
	}
	// The C stage closes this fd first thing; the path is what we execute.
	exeFD := len(files)
	files = append(files, int(exe.Fd()))
	env = append(env, envExeFD+"="+strconv.Itoa(exeFD))
	path := "/proc/self/fd/" + strconv.Itoa(exeFD)
	// Our caller may have left fds open without close-on-exec; none of them
	// may reach init (CVE-2024-21626). The files above are passed explicitly.
	if err := unix.CloseRange(uint(3+extra), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return nil, nil, fmt.Errorf("close_range: %w", err)
	}
	proc, err := startStage(path, []string{"berth", "init"}, env, files, sys)
	if err != nil {
		return nil, nil, fmt.Errorf("start init: %w", err)
	}
	for _, n := range named {
		runtime.KeepAlive(n.file) // its fd was passed by number
	}
	return proc, fds, nil
}

// stdioFD returns fd if it is open, -1 (closed in the child) if not. For
// 0-2 it asks the C constructor: the Go runtime reopens closed stdio fds on
// /dev/null before main runs.
func stdioFD(fd int) int {
	if fd <= 2 && nsenter.StdioWasClosed(fd) {
		return -1
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		return -1
	}
	return fd
}

// closedStdio lists the caller's closed stdio fds, for the process plans.
func closedStdio() []int {
	var fds []int
	for fd := 0; fd <= 2; fd++ {
		if nsenter.StdioWasClosed(fd) {
			fds = append(fds, fd)
		}
	}
	return fds
}

// listenFDs is the number of socket-activation fds passed to us: $LISTEN_FDS
// when $LISTEN_PID names this process, as systemd's protocol says.
func listenFDs() int {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return 0
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// checkPassedFDs: the fds a container gets beyond stdio (socket
// activation's, then preserve of --preserve-fds) must be ones the caller
// passed us. Past those, the fd numbers are berth's own, which must never
// reach a container (the state dir's, for one, is a way out of its root).
func checkPassedFDs(preserve int) error {
	listen, have := listenFDs(), nsenter.CallerFDs()
	if listen > have {
		return fmt.Errorf("LISTEN_FDS=%d, but fd %d was not passed to berth", listen, 3+have)
	}
	if listen+preserve > have {
		fd := 3 + have
		return fmt.Errorf("unable to stat preserved-fd %d (of %d): stat /proc/self/fd/%d: no such file or directory", fd-3-listen, preserve, fd)
	}
	return nil
}

// listenEnv is what the process gets for socket activation; init adds
// LISTEN_PID with its own pid.
func listenEnv() []string {
	if n := listenFDs(); n > 0 {
		return []string{"LISTEN_FDS=" + strconv.Itoa(n)}
	}
	return nil
}
