package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/nsenter"
)

// initProcess is the parent's side of a container's birth (see sync.go).
type initProcess struct {
	c      *Container
	opts   *CreateOptions
	spec   *specs.Spec
	rootfs string

	conn   *os.File // parent end of the init pipe
	stage  *stageProcess
	cgroup cgroups.Manager
	// cgroupMounts are the cgroup mounts of our mount namespace (nil with
	// the systemd driver): a new mount namespace starts with the same.
	cgroupMounts []*mountinfo.Info
	pid          int // the container's init (P1), once known
	// seccompProgram waits for the filter being compiled meanwhile.
	seccompProgram func() (seccomp.Program, error)
	// childFDs are the init's fd numbers of the named files (sync.go).
	childFDs map[string]int
}

// start runs steps 1-5 of sync.go and returns once init waits on the fifo.
func (p *initProcess) start() error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("init pipe: %w", err)
	}
	p.conn = os.NewFile(uintptr(fds[0]), "init-pipe")
	child := os.NewFile(uintptr(fds[1]), "init-pipe-child")
	defer child.Close()

	fifo, err := p.makeStartWait()
	if err != nil {
		return err
	}
	defer fifo.Close()
	console, err := p.consoleSocket()
	if err != nil {
		return err
	}
	if console != nil && console != p.opts.Console {
		defer console.Close()
	}

	var scmp *specs.LinuxSeccomp
	if p.spec.Linux != nil {
		scmp = p.spec.Linux.Seccomp
	}
	p.seccompProgram = seccompCompile(scmp)
	b := p.bootstrap()
	b.CgroupSync, b.CreatePlan = true, true
	b.Fault = stageFaultStep()
	applied, err := p.spawn(b, child, fifo, console)
	if err != nil {
		return err
	}
	// Our copy of the child's end must go now, or an init that dies
	// without a word would leave us waiting for its EOF forever.
	child.Close()
	if b.SelfInit {
		traceStep("cloned init (no stage)")
	} else {
		traceStep("spawned stage")
	}
	faultPoint("create:after-stage")
	// The stage creates namespaces while we set up the cgroup; it waits for
	// SendCgroupReady before the cgroup namespace and the init's fork.
	// On a cgroup v2 host it forks the init into the cgroup, if it may.
	// An init without a stage waits the same way before its cgroup
	// namespace.
	into := !b.SelfInit && stageMayCloneInto(b.CloneFlags, b.Join) && cgroups.CloneInto(p.cgroup) != ""
	b.CloneInto = into
	if _, err := p.conn.Write(b.Encode()); err != nil {
		return fmt.Errorf("send bootstrap: %w", err)
	}
	if err := p.joinCgroup(into, applied); err != nil {
		return p.stageFailed(b.SelfInit, err)
	}
	dir := ""
	if into {
		dir = cgroups.CloneInto(p.cgroup) // "" if a rootless Apply skipped it
	}
	if err := sendCgroupReady(p.conn, dir); err != nil {
		return p.stageFailed(b.SelfInit, err)
	}
	traceStep("cgroup joined")
	faultPoint("create:after-cgroup")
	pid, err := p.awaitInit(b.SelfInit)
	if err != nil {
		return err
	}
	p.pid = pid
	traceStep("stage reported init pid")
	logrus.Debugf("init pid %d", pid)
	faultPoint("create:after-namespaces")
	if err := p.recordInit(); err != nil {
		return err
	}
	traceStep("state saved")
	faultPoint("create:after-state")
	if err := moveNetDevices(p.spec, p.pid); err != nil {
		return err
	}
	return p.handshake()
}

// stageFailed explains err, a failure to set up the cgroup or to tell the
// stage (or, selfInit, the init itself) about it.
func (p *initProcess) stageFailed(selfInit bool, err error) error {
	return p.oomHint(stageFailedFirst(p.conn, &p.stage, stageName(selfInit), err))
}

// stageName is what the errors call the process we started.
func stageName(selfInit bool) string {
	if selfInit {
		return "container init"
	}
	return "init stage"
}

// awaitInit waits for the stage (or, selfInit, the init itself) to report
// the init's pid, and reaps the stage.
func (p *initProcess) awaitInit(selfInit bool) (int, error) {
	if !selfInit {
		pid, err := awaitStage(p.conn, p.stage, p.writeIDMaps)
		p.stage = nil
		if err != nil {
			return 0, p.oomHint(err)
		}
		return pid, nil
	}
	// Without a stage, the init's death is the pipe's end.
	_, err := nsenter.Await(p.conn, p.writeIDMaps)
	if errors.Is(err, nsenter.ErrNoReport) {
		st, werr := p.stage.Wait()
		p.stage = nil
		if werr == nil {
			err = fmt.Errorf("nsenter: container init exited without reporting (%v)", st)
		}
		return 0, p.oomHint(err)
	}
	if err != nil {
		// It may be blocked waiting for us: it must not outlive the
		// error. abort reaps it.
		_ = p.stage.Kill()
		return 0, p.oomHint(fmt.Errorf("nsenter: %w", err))
	}
	pid := p.stage.Pid
	p.stage = nil
	return pid, nil
}

// makeStartWait returns what init waits on until it is started: for run
// (KeepLock), one end of a socket pair whose other end the container keeps;
// else an O_PATH handle of a new exec fifo, which `start` opens.
func (p *initProcess) makeStartWait() (*os.File, error) {
	if !p.opts.KeepLock {
		return p.makeFifo()
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("start socket: %w", err)
	}
	p.c.release = os.NewFile(uintptr(fds[0]), "start-socket")
	return os.NewFile(uintptr(fds[1]), "start-socket-child"), nil
}

// makeFifo creates the exec fifo and returns an O_PATH handle for init. Its
// owner is the container's root, who opens it for writing.
func (p *initProcess) makeFifo() (*os.File, error) {
	path := filepath.Join(p.c.Dir, fifoName)
	if err := unix.Mkfifo(path, 0o622); err != nil {
		return nil, fmt.Errorf("create exec fifo: %w", err)
	}
	// The umask took bits off; any container user must be able to write it.
	if err := unix.Chmod(path, 0o622); err != nil {
		return nil, fmt.Errorf("chmod exec fifo: %w", err)
	}
	uid, gid := hostRootIDs(p.spec)
	if err := os.Chown(path, uid, gid); err != nil {
		return nil, fmt.Errorf("chown exec fifo: %w", err)
	}
	f, err := os.OpenFile(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open exec fifo: %w", err)
	}
	return f, nil
}

// consoleSocket connects to --console-socket when the process has a terminal.
func (p *initProcess) consoleSocket() (*os.File, error) {
	if !p.spec.Process.Terminal {
		return nil, nil
	}
	if p.opts.Console != nil {
		return p.opts.Console, nil
	}
	if p.opts.ConsoleSocket == "" {
		return nil, errors.New("cannot allocate tty if berth will detach without setting console socket")
	}
	return dialConsole(p.opts.ConsoleSocket)
}

// dialConsole connects to a --console-socket path.
func dialConsole(path string) (*os.File, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("connect to console socket %s: %w", path, err)
	}
	defer conn.Close()
	f, err := conn.(*net.UnixConn).File()
	if err != nil {
		return nil, fmt.Errorf("console socket: %w", err)
	}
	return f, nil
}

// applyCgroup creates the container's cgroup, moving pid into it (0: none).
func (p *initProcess) applyCgroup(pid int) error {
	if err := p.cgroup.Apply(pid); err != nil {
		return err
	}
	p.c.State.CgroupPaths = p.cgroup.Paths()
	return nil
}

// joinCgroup creates the container's cgroup unless applied, has the stage
// (or the init, without one) join it (its children inherit it, so the init
// is there before any user code runs) and applies the resources, device
// rules included (deny-all plus runc's defaults when the spec has none).
// The stage moves itself into the v1 hierarchies (sendCgroupTasks); with
// into, it forks the init into the cgroup2 one (sendCgroupReady); what it
// cannot join itself, we move it into. An init without a stage was born in
// its cgroup2 dir.
func (p *initProcess) joinCgroup(into, applied bool) error {
	m := p.cgroup
	self := cgroups.V1SelfMoveDirs(m)
	if !applied {
		pid := p.stage.Pid
		if into || self != nil {
			pid = 0
		}
		if err := p.applyCgroup(pid); err != nil {
			return err
		}
	}
	if self != nil && !into && !applied {
		// A hybrid host's unified hierarchy, which the stage may not
		// fork into (stageMayCloneInto).
		if dir := cgroups.CloneInto(m); dir != "" {
			if err := cgroups.MoveProc(dir, p.stage.Pid); err != nil {
				return fmt.Errorf("join cgroup %s: %w", dir, err)
			}
		}
	}
	res := &specs.LinuxResources{}
	if p.spec.Linux != nil && p.spec.Linux.Resources != nil {
		res = p.spec.Linux.Resources
	}
	if err := m.Set(res); err != nil {
		return err
	}
	var tasks tasksFiles
	for _, dir := range self {
		if err := tasks.open(dir); err != nil {
			tasks.close()
			return fmt.Errorf("join cgroup %s: %w", dir, err)
		}
	}
	return sendCgroupTasks(p.conn, &tasks)
}

// bootstrap is the C stage's message: namespaces to create and to join,
// time offsets and oom_score_adj.
func (p *initProcess) bootstrap() *nsenter.Bootstrap {
	b := &nsenter.Bootstrap{}
	spec := p.spec
	if spec.Linux != nil {
		for _, ns := range spec.Linux.Namespaces {
			flag := namespaceFlag(ns.Type)
			if ns.Path == "" {
				b.CloneFlags |= flag
			} else {
				b.Join = append(b.Join, nsenter.NamespacePath{Type: flag, Path: ns.Path})
			}
		}
		var offs strings.Builder
		for clock, off := range spec.Linux.TimeOffsets {
			fmt.Fprintf(&offs, "%s %d %d\n", clock, off.Secs, off.Nanosecs)
		}
		b.TimeOffsets = offs.String()
	}
	if spec.Process.OOMScoreAdj != nil {
		b.OOMScoreAdj = strconv.Itoa(*spec.Process.OOMScoreAdj)
	}
	b.NoSetgroups = os.Geteuid() != 0
	return b
}

// recordInit notes the init's identity and saves a first state file, so
// that `delete --force` finds the init even if we die from here on.
func (p *initProcess) recordInit() error {
	st, err := readProcStat(p.pid)
	if err != nil {
		return fmt.Errorf("init process %d: %w", p.pid, err)
	}
	p.c.State.InitPid = p.pid
	p.c.State.InitStartTime = st.StartTime
	p.c.State.NamespacePaths = namespacePaths(p.pid, p.spec)
	return saveState(p.c.Dir, p.c.State)
}

// handshake sends init its rootfs plan and serves its requests until
// "ready" (sync.go, steps 3-5).
func (p *initProcess) handshake() error {
	plan, err := p.initRootfsPlan()
	if err != nil {
		return errors.New("unable to start container process: " + err.Error())
	}
	defer plan.CloseMountFDs()
	if _, err := p.conn.Write(plan.Encode()); err != nil {
		return p.initDied(fmt.Errorf("send the rootfs plan to init: %w", err))
	}
	if err := plan.SendMountFDs(p.conn); err != nil {
		return p.initDied(fmt.Errorf("send the mount fds to init: %w", err))
	}
	enc, dec := json.NewEncoder(p.conn), json.NewDecoder(p.conn)
	for {
		var m syncMsg
		if err := dec.Decode(&m); err != nil {
			return p.initDied(err)
		}
		switch m.Type {
		case msgHooks:
			if err := p.runRuntimeHooks(); err != nil {
				return err
			}
			if err := enc.Encode(syncMsg{Type: msgResume}); err != nil {
				return p.initDied(err)
			}
		case msgPlan:
			plan, err := p.initProcessPlan()
			if err != nil {
				return errors.New("unable to start container process: " + err.Error())
			}
			if _, err := p.conn.Write(plan); err != nil {
				return p.initDied(err)
			}
		case msgSeccomp:
			scmp, err := containerSeccomp(p.spec)
			if err == nil {
				err = serveSeccomp(p.pid, m.Fd, scmp, p.c.OCIState(Creating))
			}
			if err != nil {
				return err
			}
			if err := enc.Encode(syncMsg{Type: msgSeccompDone}); err != nil {
				return p.initDied(err)
			}
		case msgReady:
			traceStep("init ready")
			return nil
		case msgFault:
			faultDie()
		case msgError:
			return errors.New("unable to start container process: " + m.Error)
		default:
			return fmt.Errorf("init sent unknown message %q", m.Type)
		}
	}
}

// oomHint adds to err that the kernel killed processes in the container's
// cgroup for lack of memory, if it did: an init whose memory limit is too
// low to start dies without a word.
func (p *initProcess) oomHint(err error) error {
	if p.cgroup == nil {
		return err
	}
	n, ok := cgroups.OOMKills(p.cgroup)
	if !ok || n == 0 {
		return err
	}
	limit := ""
	if l := p.spec.Linux; l != nil && l.Resources != nil && l.Resources.Memory != nil && l.Resources.Memory.Limit != nil {
		limit = fmt.Sprintf(" (linux.resources.memory.limit is %d bytes)", *l.Resources.Memory.Limit)
	}
	return fmt.Errorf("%w: the container's cgroup ran out of memory%s", err, limit)
}

// initDied turns a broken pipe into the init's exit status.
func (p *initProcess) initDied(err error) error {
	return p.oomHint(p.initDiedWhy(err))
}

func (p *initProcess) initDiedWhy(err error) error {
	var ws unix.WaitStatus
	if wpid, werr := unix.Wait4(p.pid, &ws, 0, nil); werr == nil && wpid == p.pid {
		p.pid = 0
		if ws.Signaled() {
			return fmt.Errorf("container init was killed by signal %d (%v)", ws.Signal(), ws.Signal())
		}
		return fmt.Errorf("container init exited with status %d before it was ready", ws.ExitStatus())
	}
	if errors.Is(err, io.EOF) {
		return errors.New("container init exited before it was ready")
	}
	return err
}

func (p *initProcess) runRuntimeHooks() error {
	h := p.spec.Hooks
	state := p.c.OCIState(Creating)
	faultPoint("create:before-hooks")
	if err := runHooks("prestart", h.Prestart, state); err != nil { //nolint:staticcheck
		return err
	}
	if err := runHooks("createRuntime", h.CreateRuntime, state); err != nil {
		return err
	}
	faultPoint("create:after-hooks")
	return nil
}

// abort undoes a failed create: kill and reap the processes, remove the
// cgroup and the state dir, then run poststop hooks if init was born.
func (p *initProcess) abort() {
	if p.stage != nil {
		_ = p.stage.Kill()
		_, _ = p.stage.Wait()
	}
	if p.pid > 0 {
		_ = unix.Kill(p.pid, unix.SIGKILL)
		var ws unix.WaitStatus
		_, _ = unix.Wait4(p.pid, &ws, 0, nil)
	}
	if p.conn != nil {
		p.conn.Close()
	}
	if p.c.release != nil {
		p.c.release.Close()
	}
	p.c.discardNew(p.cgroup)
}

// discardNew undoes a create or restore that failed, once its processes
// are gone: the cgroup (m, if made), the state dir, then the poststop
// hooks if an init was born.
func (c *Container) discardNew(m cgroups.Manager) {
	if m != nil {
		_ = m.Destroy()
	}
	born := c.State.InitPid > 0
	_ = removeStateDir(c.Dir)
	if h := c.State.Hooks; born && h != nil && len(h.Poststop) > 0 {
		_ = runHooksAll("poststop", h.Poststop, c.OCIState(Stopped))
	}
}
