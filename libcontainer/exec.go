package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/nsenter"
)

// ExecOptions are the inputs of Exec; they mirror runc exec's flags.
type ExecOptions struct {
	Process       *specs.Process
	ConsoleSocket string
	Console       *os.File // an already connected console socket (exec -t proxy)
	PidFile       string
	PidfdSocket   string
	PreserveFDs   int
	// Cgroups maps a v1 controller ("" for all, and for v2) to a sub-cgroup
	// of the container's, for --cgroup.
	Cgroups      map[string]string
	IgnorePaused bool
}

// Exec starts a process in the running (or created) container and returns
// its host pid once it runs: it is a child of the caller, which may wait
// for it. Nothing is written to the container's state.
func (c *Container) Exec(o *ExecOptions) (int, error) {
	switch c.Status() {
	case Stopped:
		return 0, errors.New("cannot exec in a stopped container")
	case Paused:
		if !o.IgnorePaused {
			return 0, errors.New("cannot exec in a paused container (use --ignore-paused to override)")
		}
	case Creating:
		return 0, errors.New("cannot exec in a container that is still being created")
	}
	if err := checkPassedFDs(o.PreserveFDs); err != nil {
		return 0, err
	}
	spec, err := c.Spec()
	if err != nil {
		return 0, err
	}
	pidfd, err := c.openInit()
	if err != nil {
		if errors.Is(err, ErrNotRunning) {
			return 0, errors.New("cannot exec in a stopped container")
		}
		return 0, err
	}
	pidfdFile := os.NewFile(uintptr(pidfd), "init-pidfd")
	defer pidfdFile.Close()

	e := &execProcess{c: c, opts: o, spec: spec}
	pid, err := e.start(pidfdFile)
	if err != nil {
		e.abort()
		if c.Status() == Stopped {
			// It died while we were joining it.
			return 0, errors.New("cannot exec in a stopped container")
		}
		return 0, err
	}
	return pid, nil
}

// execProcess is the parent's side of one `berth exec`.
type execProcess struct {
	c     *Container
	opts  *ExecOptions
	spec  *specs.Spec
	conn  *os.File
	stage *stageProcess
	pid   int
}

func (e *execProcess) start(pidfd *os.File) (int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("init pipe: %w", err)
	}
	e.conn = os.NewFile(uintptr(fds[0]), "init-pipe")
	defer e.conn.Close()
	child := os.NewFile(uintptr(fds[1]), "init-pipe-child")
	defer child.Close()

	var scmp *specs.LinuxSeccomp
	if e.spec.Linux != nil {
		scmp = e.spec.Linux.Seccomp
	}
	program := seccompCompile(scmp)
	named := []namedFile{{nsenter.EnvInitPipe, child}, {envPidfdFD, pidfd}}
	if e.opts.Process.Terminal {
		console := e.opts.Console
		if console == nil {
			if e.opts.ConsoleSocket == "" {
				return 0, errors.New("cannot allocate tty if berth will detach without setting console socket")
			}
			if console, err = dialConsole(e.opts.ConsoleSocket); err != nil {
				return 0, err
			}
			defer console.Close()
		}
		named = append(named, namedFile{envConsoleFD, console})
	}
	stage, fdnums, err := spawnStage(filepath.Dir(e.c.Dir), e.opts.PreserveFDs+listenFDs(), named, nil)
	// Our copy of the child's end must go now: its EOF is the success signal.
	child.Close()
	if err != nil {
		return 0, err
	}
	e.stage = stage
	faultPoint("exec:after-stage")
	// The stage joins the namespaces while we prepare its cgroup moves
	// (joinCgroup); it waits for SendCgroupReady before it forks the
	// process.
	b := &nsenter.Bootstrap{JoinPidfd: fdnums[envPidfdFD], JoinFlags: e.namespaceFlags(), CgroupSync: true, ExecPlan: true, Fault: stageFaultStep()}
	b.CloneInto = e.mayCloneInto()
	if e.opts.Process.OOMScoreAdj != nil {
		b.OOMScoreAdj = strconv.Itoa(*e.opts.Process.OOMScoreAdj)
	}
	if _, err := e.conn.Write(b.Encode()); err != nil {
		return 0, fmt.Errorf("send bootstrap: %w", err)
	}
	into, err := e.joinCgroup(b.CloneInto)
	if err != nil {
		return 0, stageFailedFirst(e.conn, &e.stage, "init stage", err)
	}
	faultPoint("exec:after-cgroup")
	prog, err := program()
	if err != nil {
		return 0, err
	}
	consoleFD, ok := fdnums[envConsoleFD]
	if !ok {
		consoleFD = -1
	}
	plan, err := e.execPlan(consoleFD, pidfd, prog)
	if err != nil {
		if errors.Is(err, ErrNotRunning) {
			return 0, err
		}
		return 0, errors.New("unable to start container process: " + err.Error())
	}
	if err := sendCgroupReady(e.conn, into); err != nil {
		return 0, stageFailedFirst(e.conn, &e.stage, "init stage", err)
	}
	traceStep("exec: cgroup joined")
	pid, err := awaitStage(e.conn, e.stage, nil)
	e.stage = nil
	if err != nil {
		return 0, err
	}
	e.pid = pid
	// Only now: the process writes its messages once it has read the plan,
	// and they must come after the stage's pid.
	if _, err := e.conn.Write(plan.Encode()); err != nil {
		return 0, fmt.Errorf("send process plan: %w", err)
	}
	if err := e.waitExec(json.NewEncoder(e.conn), json.NewDecoder(e.conn), scmp); err != nil {
		return 0, err
	}
	if e.opts.PidFile != "" {
		if err := writePidFile(e.opts.PidFile, pid); err != nil {
			return 0, err
		}
	}
	if e.opts.PidfdSocket != "" {
		if err := sendPidfd(e.opts.PidfdSocket, pid); err != nil {
			return 0, err
		}
	}
	return pid, nil
}

// waitExec serves init until its exec: EOF (the exec closed init's end of
// the pipe) means the process runs; an error message means it failed.
func (e *execProcess) waitExec(enc *json.Encoder, dec *json.Decoder, scmp *specs.LinuxSeccomp) error {
	for {
		var m syncMsg
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read from init: %w", err)
		}
		switch m.Type {
		case msgError:
			return errors.New("unable to start container process: " + m.Error)
		case msgSeccomp:
			if scmp == nil {
				return errNoSeccompConfig
			}
			if err := serveSeccomp(e.pid, m.Fd, scmp, e.c.OCIState(Running)); err != nil {
				return err
			}
			if err := enc.Encode(syncMsg{Type: msgSeccompDone}); err != nil {
				return fmt.Errorf("answer init: %w", err)
			}
		default:
			return fmt.Errorf("init sent unexpected message %q", m.Type)
		}
	}
}

// execPlan is the plan of e's process (procplan.go), which the init the
// stage forks applies in C. consoleFD is that init's fd of the console
// socket, -1 without a terminal; pidfd is the container init's.
func (e *execProcess) execPlan(consoleFD int, pidfd *os.File, program seccomp.Program) (*nsenter.ProcessPlan, error) {
	root, err := e.containerRoot(pidfd)
	if err != nil {
		return nil, err
	}
	defer root.close()
	eu, err := lookupUserIn(root, e.opts.Process.User)
	if err != nil {
		return nil, err
	}
	src := planSource{proc: e.opts.Process, user: eu, extraEnv: listenEnv(), keyring: "_ses." + e.c.ID,
		consoleFD: consoleFD, extraFDs: e.opts.PreserveFDs + listenFDs(), closedStdio: closedStdio(),
		program: program}
	if l := e.spec.Linux; l != nil {
		// The memory policy and personality are the container's: an exec'd
		// process does not descend from the init, so it gets them itself.
		src.seccomp, src.memoryPolicy, src.personality = l.Seccomp, l.MemoryPolicy, l.Personality
	}
	return src.plan()
}

// containerRoot opens the root of the container's init. The pid was the
// init when we opened its pidfd; if the pidfd still names a live process,
// the root is that init's.
func (e *execProcess) containerRoot(pidfd *os.File) (handle, error) {
	root, err := openProcRoot(e.c.State.InitPid)
	if err != nil {
		return -1, err
	}
	if err := unix.PidfdSendSignal(int(pidfd.Fd()), 0, nil, 0); err != nil {
		root.close()
		return -1, ErrNotRunning
	}
	return root, nil
}

// namespaceFlags are the container's namespaces, all of which exec joins.
func (e *execProcess) namespaceFlags() uint32 {
	var flags uint32
	if e.spec.Linux != nil {
		for _, ns := range e.spec.Linux.Namespaces {
			flags |= namespaceFlag(ns.Type)
		}
	}
	return flags
}

// joinCgroup puts the process in the container's cgroup, or in the
// sub-cgroups --cgroup names. With mayCloneInto it returns the cgroup2 dir
// for the stage to fork the process into; otherwise it moves the stage
// there, whose fork inherits its cgroups, and returns "". The stage moves
// itself into v1 hierarchies (sendCgroupTasks).
func (e *execProcess) joinCgroup(mayCloneInto bool) (string, error) {
	paths := e.c.State.CgroupPaths
	if err := checkControllers(e.opts.Cgroups, paths); err != nil {
		return "", err
	}
	if dir := cgroups.V2Dir(paths); dir != "" {
		target, err := e.v2Target(dir)
		if err != nil || target == "" || mayCloneInto {
			return target, err
		}
		if err := os.WriteFile(filepath.Join(target, "cgroup.procs"), []byte(strconv.Itoa(e.stage.Pid)), 0); err != nil {
			return "", fmt.Errorf("join cgroup %s: %w", target, err)
		}
		return "", nil
	}
	// v1 or hybrid: the stage moves itself into each v1 hierarchy
	// (sendCgroupTasks) and forks the process into the unified one, or
	// we move it there. A hierarchy where the container's own cgroup is
	// gone is left alone.
	var tasks tasksFiles
	into := ""
	for key, dir := range paths {
		target, sub := e.cgroupTarget(key, dir)
		gone := func(err error) bool { return errors.Is(err, os.ErrNotExist) && sub == "" }
		var err error
		switch {
		case key == "" && mayCloneInto:
			if _, err = os.Stat(target); err == nil {
				into = target
			}
		case key == "":
			err = os.WriteFile(filepath.Join(target, "cgroup.procs"), []byte(strconv.Itoa(e.stage.Pid)), 0)
		default:
			err = tasks.open(target)
		}
		if err != nil && !gone(err) {
			tasks.close()
			return "", fmt.Errorf("join cgroup %s: %w", target, err)
		}
	}
	return into, sendCgroupTasks(e.conn, &tasks)
}

// v2Target is the cgroup2 dir the process joins: the --cgroup sub-cgroup
// if one is named, else the container's cgroup, or, as runc does, init's
// own cgroup when the container's cannot take it. That happens when the
// container nests cgroups (systemd or docker inside: its cgroup then has
// controllers for its children, and v2 keeps processes out of it), or
// when init moved away and its cgroup is gone. "" means no cgroup to join.
func (e *execProcess) v2Target(dir string) (string, error) {
	target, sub := e.cgroupTarget("", dir)
	if sub != "" || cgroups.TakesProcesses(target) {
		return target, nil
	}
	initDir, err := cgroups.ProcessDirV2(e.c.State.InitPid)
	if err != nil || initDir == target {
		if _, serr := os.Stat(target); errors.Is(serr, os.ErrNotExist) {
			return "", nil // the container's cgroup is gone, and init's unknown
		}
		return target, nil // joining it fails with the kernel's reason
	}
	return initDir, nil
}

// mayCloneInto: the container has a cgroup2 cgroup (on a v2 host, or the
// unified hierarchy's twin on a hybrid one) and the stage may fork into it
// (stageMayCloneInto).
func (e *execProcess) mayCloneInto() bool {
	return e.c.State.CgroupPaths[""] != "" && stageMayCloneInto(e.namespaceFlags(), nil)
}

// cgroupTarget is the dir of hierarchy key (a v1 controller list, or ""
// for v2) the process joins, and the --cgroup sub-path it took ("" for the
// container's own cgroup).
func (e *execProcess) cgroupTarget(key, dir string) (target, sub string) {
	sub, ok := e.opts.Cgroups[key]
	if !ok {
		sub = e.opts.Cgroups[""]
		if key != "" && key != "name=systemd" {
			// A v1 controller named on its own wins over the default.
			for k, v := range e.opts.Cgroups {
				if k != "" && containsController(key, k) {
					sub = v
				}
			}
		}
	}
	if sub == "" {
		return dir, ""
	}
	return filepath.Join(dir, sub), sub
}

// checkControllers refuses a --cgroup controller that no v1 hierarchy of
// the container has (on a v2 host, with none, the names are not checked).
func checkControllers(subs, paths map[string]string) error {
	if cgroups.V2Dir(paths) != "" {
		return nil
	}
	for c := range subs {
		if c == "" {
			continue
		}
		known := false
		for key := range paths {
			known = known || (key != "" && containsController(key, c))
		}
		if !known {
			return fmt.Errorf("--cgroup: unknown controller %s", c)
		}
	}
	return nil
}

// containsController reports whether a v1 hierarchy key ("cpu,cpuacct")
// holds controller.
func containsController(key, controller string) bool {
	for _, k := range strings.Split(key, ",") {
		if k == controller {
			return true
		}
	}
	return false
}

func (e *execProcess) abort() {
	if e.stage != nil {
		_ = e.stage.Kill()
		_, _ = e.stage.Wait()
	}
	if e.pid > 0 {
		_ = unix.Kill(e.pid, unix.SIGKILL)
		var ws unix.WaitStatus
		_, _ = unix.Wait4(e.pid, &ws, 0, nil)
	}
}
