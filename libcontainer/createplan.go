package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/nsenter"
)

// initRootfsPlan is the first message create's init reads (sync.go step
// 3): the rootfs plan (rootfsplan.go), with the exec fifo and the hooks
// the init runs itself.
func (p *initProcess) initRootfsPlan() (*nsenter.RootfsPlan, error) {
	plan, err := rootfsPlan(p.spec, p.opts.Bundle, p.rootfs, p.opts.NoPivot, p.pid, p.cgroupMounts)
	if err != nil {
		return nil, err
	}
	plan.FifoFD, plan.Trace = p.childFDs[envFifoFD], traceOn
	if fd, ok := p.childFDs[envConsoleFD]; ok {
		plan.CloexecFDs = append(plan.CloexecFDs, fd)
	}
	if h := p.spec.Hooks; h != nil {
		plan.RuntimeHooks = len(h.Prestart) > 0 || len(h.CreateRuntime) > 0 //nolint:staticcheck // prestart is deprecated, still honoured
		plan.CreateHooks, plan.StartHooks = planHooks(h.CreateContainer), planHooks(h.StartContainer)
		if len(h.CreateContainer)+len(h.StartContainer) > 0 {
			if plan.CreateState, plan.StartState, err = p.initHookStates(); err != nil {
				plan.CloseMountFDs()
				return nil, err
			}
		}
	}
	return plan, nil
}

func planHooks(hooks []specs.Hook) []nsenter.PlanHook {
	out := make([]nsenter.PlanHook, 0, len(hooks))
	for _, h := range hooks {
		ph := nsenter.PlanHook{Path: h.Path, Args: h.Args, Env: h.Env}
		if h.Timeout != nil && *h.Timeout > 0 {
			ph.Timeout = uint32(*h.Timeout)
		}
		out = append(out, ph)
	}
	return out
}

// initHookStates are the states createContainer ("creating") and
// startContainer ("created") hooks get on stdin. They run in the init, so
// the pid is the init's in its own pid namespace, as runc gives it.
func (p *initProcess) initHookStates() (creating, created []byte, err error) {
	pid, err := nsPid(p.pid)
	if err != nil {
		return nil, nil, err
	}
	st := specs.State{Version: specs.Version, ID: p.c.ID, Pid: pid, Bundle: p.opts.Bundle, Annotations: p.spec.Annotations}
	st.Status = specs.StateCreating
	if creating, err = json.Marshal(st); err != nil {
		return nil, nil, err
	}
	st.Status = specs.StateCreated
	created, err = json.Marshal(st)
	return creating, created, err
}

// nsPid is pid as its own pid namespace sees it (the last NSpid field).
func nsPid(pid int) (int, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if f := bytes.Fields(line); len(f) > 1 && string(f[0]) == "NSpid:" {
			return strconv.Atoi(string(f[len(f)-1]))
		}
	}
	return pid, nil // a kernel without NSpid has no pid namespaces to speak of
}

// initProcessPlan is create's process plan (procplan.go), asked for once
// the init has entered the rootfs: the user is looked up through the
// init's root, i.e. in the container's own /etc/passwd and /etc/group.
func (p *initProcess) initProcessPlan() ([]byte, error) {
	proc := p.spec.Process
	root, err := openProcRoot(p.pid)
	if err != nil {
		return nil, err
	}
	eu, err := lookupUserIn(root, proc.User)
	root.close()
	if err != nil {
		return nil, err
	}
	prog, err := p.seccompProgram()
	if err != nil {
		return nil, err
	}
	src := planSource{proc: proc, user: eu, extraEnv: listenEnv(), consoleFD: -1, mountConsole: true,
		extraFDs: p.opts.PreserveFDs + listenFDs(), closedStdio: closedStdio(), program: prog}
	if l := p.spec.Linux; l != nil {
		src.seccomp, src.personality, src.memoryPolicy = l.Seccomp, l.Personality, l.MemoryPolicy
	}
	if !p.opts.NoNewKeyring {
		src.keyring = "_ses." + p.c.ID
	}
	if proc.Terminal {
		fd, ok := p.childFDs[envConsoleFD]
		if !ok {
			return nil, errors.New("process.terminal is set but there is no console socket")
		}
		src.consoleFD = fd
	}
	plan, err := src.plan()
	if err != nil {
		return nil, err
	}
	if plan.Umask == nil {
		// The init does not inherit the caller's umask: runc's sets 0022
		// (an exec'd process keeps the caller's, as with runc).
		m := uint32(0o022)
		plan.Umask = &m
	}
	return plan.Encode(), nil
}
