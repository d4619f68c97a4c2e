package libcontainer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unsafe"

	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/seccomp"
	"github.com/berth-runtime/berth/nsenter"
)

// The container's process is set up in C (nsenter/process.c) from a plan
// (nsenter.ProcessPlan) that Go computes: the user from the container's
// /etc files, the environment, capability masks, limits, the compiled
// seccomp filter, and every error text that needs a name. The parent
// computes it, looking the user up through the init's root (for create
// once the init has pivoted, createplan.go; for exec, exec.go), and the
// init applies it without ever starting Go.

// planSource is what a plan is made from.
type planSource struct {
	proc         *specs.Process
	user         *user.ExecUser
	extraEnv     []string // added to proc.Env (LISTEN_FDS)
	keyring      string   // the session keyring to join, "" for none
	consoleFD    int      // the console socket, -1 without a terminal
	mountConsole bool     // bind the pty onto /dev/console (create)
	extraFDs     int
	closedStdio  []int
	personality  *specs.LinuxPersonality
	memoryPolicy *specs.LinuxMemoryPolicy
	seccomp      *specs.LinuxSeccomp
	program      seccomp.Program // seccomp compiled by the parent
}

// plan checks every value and resolves every name of src.
func (src *planSource) plan() (*nsenter.ProcessPlan, error) {
	proc, eu := src.proc, src.user
	plan := &nsenter.ProcessPlan{
		Args:         proc.Args,
		Env:          buildEnv(proc.Env, src.extraEnv, eu.Home),
		ListenPID:    envValue(src.extraEnv, "LISTEN_FDS") != "",
		Cwd:          proc.Cwd,
		UID:          uint32(eu.Uid),
		GID:          uint32(eu.Gid),
		Keyring:      src.keyring,
		ConsoleFD:    src.consoleFD,
		MountConsole: src.mountConsole,
		ExtraFDs:     uint32(src.extraFDs),
	}
	for _, g := range eu.Sgids {
		plan.Groups = append(plan.Groups, uint32(g))
	}
	if proc.User.Umask != nil {
		m := *proc.User.Umask
		plan.Umask = &m
	}
	if sz := proc.ConsoleSize; sz != nil && src.consoleFD >= 0 {
		plan.Rows, plan.Cols = uint32(sz.Height), uint32(sz.Width)
	}
	for _, fd := range src.closedStdio {
		plan.ClosedStdio |= 1 << fd
	}
	for i, r := range proc.Rlimits {
		res, ok := rlimitResource(r.Type)
		if !ok {
			return nil, fmt.Errorf("process.rlimits[%d].type: unknown rlimit %q", i, r.Type)
		}
		plan.Rlimits = append(plan.Rlimits, nsenter.PlanRlimit{Resource: uint32(res), Soft: r.Soft, Hard: r.Hard,
			ErrPrefix: fmt.Sprintf("set %s to soft %d, hard %d", r.Type, r.Soft, r.Hard)})
	}
	if src.personality != nil {
		persona, err := personaOf(src.personality)
		if err != nil {
			return nil, err
		}
		plan.Personality, plan.PersonalityErrPrefix = &persona, "personality "+string(src.personality.Domain)
	}
	if src.memoryPolicy != nil {
		m, err := memPolicyOf(src.memoryPolicy)
		if err != nil {
			return nil, err
		}
		plan.MemPolicy = m
	}
	if err := planAttrs(plan, proc); err != nil {
		return nil, err
	}
	var err error
	if plan.Caps, plan.LastCap, err = capMasks(proc.Capabilities); err != nil {
		return nil, err
	}
	plan.NoNewPrivs = proc.NoNewPrivileges
	in, err := seccomp.PrepareInstall(src.seccomp, src.program)
	if err != nil {
		return nil, err
	}
	if in != nil {
		plan.Seccomp = &nsenter.PlanSeccomp{Flags: uint32(in.Flags), Program: in.Program}
		if ferr := in.UnsupportedFlag(); ferr != nil {
			plan.Seccomp.OnEINVAL = ferr.Error()
		}
	}
	return plan, nil
}

// planAttrs adds the attributes that survive exec: CPU affinity, scheduler,
// I/O priority and the LSM labels.
func planAttrs(plan *nsenter.ProcessPlan, proc *specs.Process) error {
	if a := proc.ExecCPUAffinity; a != nil {
		for when, l := range [2]struct{ field, list string }{{"initial", a.Initial}, {"final", a.Final}} {
			set, err := parseCPUList(l.field, l.list)
			if err != nil {
				return err
			}
			if set != nil {
				var mask []byte
				for _, word := range set {
					mask = binary.LittleEndian.AppendUint64(mask, uint64(word))
				}
				plan.Affinity[when] = &nsenter.PlanAffinity{Mask: mask,
					ErrPrefix: fmt.Sprintf("process.execCPUAffinity.%s %q", l.field, l.list)}
			}
		}
	}
	attr, err := schedAttr(proc.Scheduler)
	if err != nil {
		return err
	}
	if attr != nil {
		plan.SchedAttr = unsafe.Slice((*byte)(unsafe.Pointer(attr)), unix.SizeofSchedAttr)
		plan.SchedErrPrefix = "sched_setattr " + string(proc.Scheduler.Policy)
	}
	prio, err := ioprioValue(proc.IOPriority)
	if err != nil {
		return err
	}
	if proc.IOPriority != nil {
		v := uint32(prio)
		plan.IOPrio = &v
		plan.IOErrPrefix = fmt.Sprintf("ioprio_set %s %d", proc.IOPriority.Class, proc.IOPriority.Priority)
	}
	if p := proc.ApparmorProfile; p != "" {
		if !apparmorEnabled() {
			return fmt.Errorf("process.apparmorProfile: %q requested but AppArmor is not enabled on this host", p)
		}
		plan.AppArmor = "exec " + p
	}
	if l := proc.SelinuxLabel; l != "" {
		if !selinux.GetEnabled() {
			return errors.New("selinux label is specified in config, but selinux is disabled or not supported")
		}
		plan.SELinux = l
	}
	return nil
}

// lookupUserIn resolves process.user against the /etc/passwd and
// /etc/group of the container whose root is open as root: every path,
// symlinks included, resolves inside it, and only regular files are read.
func lookupUserIn(root handle, u specs.User) (*user.ExecUser, error) {
	passwd := openUserDB(root, "etc/passwd")
	defer passwd.Close()
	group := openUserDB(root, "etc/group")
	defer group.Close()
	spec := strconv.FormatUint(uint64(u.UID), 10) + ":" + strconv.FormatUint(uint64(u.GID), 10)
	defaults := &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}
	eu, err := user.GetExecUser(spec, defaults, passwd.reader(), group.reader())
	if err != nil {
		return nil, fmt.Errorf("process.user: %w", err)
	}
	for _, g := range u.AdditionalGids {
		eu.Sgids = append(eu.Sgids, int(g))
	}
	return eu, nil
}

// userDB is an open /etc/passwd or /etc/group, or none.
type userDB struct{ f *os.File }

func (d userDB) reader() io.Reader {
	if d.f == nil {
		return nil
	}
	return d.f
}

func (d userDB) Close() {
	if d.f != nil {
		d.f.Close()
	}
}

// openUserDB opens rel in root. A file that cannot be opened counts as
// absent, as the user library has it; so does one that is not a regular
// file (a fifo would block us).
func openUserDB(root handle, rel string) userDB {
	h, err := openInRoot(root, rel, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY)
	if err != nil {
		return userDB{}
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(h), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		h.close()
		return userDB{}
	}
	return userDB{os.NewFile(uintptr(h), "/"+rel)}
}
