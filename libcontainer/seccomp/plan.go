package seccomp

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A plan is the spec's seccomp section checked and translated into the
// values libseccomp and the kernel take, before any of them is touched.
type plan struct {
	defAction uint32
	archs     []archRef
	rules     []rule
	// names is every syscall name of the profile, rules that are skipped
	// included: the -ENOSYS stub starts above the highest of them.
	names []string
	// flags are the SECCOMP_FILTER_FLAG_* bits the spec asks for;
	// defaultFlags says the spec had no flags and SPEC_ALLOW is only wanted
	// if the kernel has it.
	flags        uint
	defaultFlags bool
	notify       bool
	enosysStub   bool
}

type archRef struct {
	field string // linux.seccomp.architectures[i]
	name  string // libseccomp's name: "x86_64"
}

// A rule is one syscall name of one linux.seccomp.syscalls entry. Each
// element of conds is one libseccomp rule whose conditions must all match;
// a rule without conditions has a single empty element.
type rule struct {
	field  string // linux.seccomp.syscalls[i]
	name   string
	action uint32
	conds  [][]cond
}

type cond struct {
	arg  uint
	op   uint32 // SCMP_CMP_*
	a, b uint64
}

// Values of libseccomp's actions (SCMP_ACT_*), which are the kernel's
// SECCOMP_RET_* values.
const (
	actKillProcess uint32 = unix.SECCOMP_RET_KILL_PROCESS
	actKillThread  uint32 = unix.SECCOMP_RET_KILL_THREAD
	actTrap        uint32 = unix.SECCOMP_RET_TRAP
	actErrno       uint32 = unix.SECCOMP_RET_ERRNO
	actTrace       uint32 = unix.SECCOMP_RET_TRACE
	actLog         uint32 = unix.SECCOMP_RET_LOG
	actAllow       uint32 = unix.SECCOMP_RET_ALLOW
	actNotify      uint32 = unix.SECCOMP_RET_USER_NOTIF
)

const (
	maxSyscallArgs = 6
	prefix         = "linux.seccomp"
)

// enabled reports whether cfg asks for a filter at all (runc: a section
// with neither defaultAction nor syscalls means none).
func enabled(cfg *specs.LinuxSeccomp) bool {
	return cfg != nil && (cfg.DefaultAction != "" || len(cfg.Syscalls) != 0)
}

// IsNotify reports whether cfg installs a filter with an SCMP_ACT_NOTIFY
// rule, that is whether Load returns a notify fd that must reach the agent
// at cfg.ListenerPath.
func IsNotify(cfg *specs.LinuxSeccomp) bool {
	if !enabled(cfg) {
		return false
	}
	for _, call := range cfg.Syscalls {
		if call.Action == specs.ActNotify {
			return true
		}
	}
	return false
}

func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

func index(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// newPlan checks cfg and translates it. cfg must be enabled.
func newPlan(cfg *specs.LinuxSeccomp) (*plan, error) {
	p := &plan{}
	if cfg.DefaultAction == specs.ActNotify {
		// The init could not even tell its parent about the notify fd.
		return nil, fieldErr(prefix+".defaultAction", "SCMP_ACT_NOTIFY cannot be used as default action")
	}
	def, err := action(cfg.DefaultAction, cfg.DefaultErrnoRet, prefix+".defaultAction", prefix+".defaultErrnoRet")
	if err != nil {
		return nil, err
	}
	p.defAction = def
	for i, a := range cfg.Architectures {
		field := index(prefix+".architectures", i)
		name, ok := archName(a)
		if !ok {
			return nil, fieldErr(field, "unknown architecture %q", a)
		}
		p.archs = append(p.archs, archRef{field: field, name: name})
	}
	if err := p.setFlags(cfg.Flags); err != nil {
		return nil, err
	}
	for i, call := range cfg.Syscalls {
		if err := p.addSyscalls(index(prefix+".syscalls", i), call); err != nil {
			return nil, err
		}
	}
	if p.notify {
		p.flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
		if p.flags&unix.SECCOMP_FILTER_FLAG_TSYNC != 0 {
			// Without it the kernel refuses TSYNC with a listener.
			p.flags |= unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
		}
	} else {
		// Only means something for a listener; the kernel refuses it alone.
		p.flags &^= unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
	}
	p.enosysStub = !letsThrough(cfg.DefaultAction) &&
		(cfg.DefaultErrnoRet == nil || *cfg.DefaultErrnoRet != uint(unix.ENOSYS))
	return p, nil
}

func (p *plan) setFlags(flags []specs.LinuxSeccompFlag) error {
	if flags == nil {
		p.defaultFlags = true
		return nil
	}
	for i, f := range flags {
		switch f {
		case "SECCOMP_FILTER_FLAG_TSYNC":
			p.flags |= unix.SECCOMP_FILTER_FLAG_TSYNC
		case specs.LinuxSeccompFlagLog:
			p.flags |= unix.SECCOMP_FILTER_FLAG_LOG
		case specs.LinuxSeccompFlagSpecAllow:
			p.flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		case specs.LinuxSeccompFlagWaitKillableRecv:
			p.flags |= unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
		default:
			return fieldErr(index(prefix+".flags", i), "unknown flag %q", f)
		}
	}
	return nil
}

func (p *plan) addSyscalls(field string, call specs.LinuxSyscall) error {
	if len(call.Names) == 0 {
		return fieldErr(field+".names", "must not be empty")
	}
	act, err := action(call.Action, call.ErrnoRet, field+".action", field+".errnoRet")
	if err != nil {
		return err
	}
	if act == actNotify {
		p.notify = true
	}
	conds, err := conditions(field, call.Args)
	if err != nil {
		return err
	}
	for j, name := range call.Names {
		if name == "" {
			return fieldErr(index(field+".names", j), "must not be empty")
		}
		if act == actNotify && name == "write" {
			// The init reports the notify fd to its parent with write(2).
			return fieldErr(index(field+".names", j), "SCMP_ACT_NOTIFY cannot be used for the write syscall")
		}
		p.names = append(p.names, name)
		if act == p.defAction {
			continue // libseccomp refuses it, and it would change nothing
		}
		p.rules = append(p.rules, rule{field: field, name: name, action: act, conds: conds})
	}
	return nil
}

// conditions translates a rule's args into libseccomp rules, splitting them
// as runc does when two conditions compare the same argument.
func conditions(field string, args []specs.LinuxSeccompArg) ([][]cond, error) {
	if len(args) == 0 {
		return [][]cond{nil}, nil
	}
	var seen [maxSyscallArgs]int
	all := make([]cond, 0, len(args))
	split := false
	for i, arg := range args {
		af := index(field+".args", i)
		if arg.Index >= maxSyscallArgs {
			return nil, fieldErr(af+".index", "%d is out of range [0, %d]", arg.Index, maxSyscallArgs-1)
		}
		op, ok := operator(arg.Op)
		if !ok {
			return nil, fieldErr(af+".op", "unknown operator %q", arg.Op)
		}
		seen[arg.Index]++
		split = split || seen[arg.Index] > 1
		all = append(all, cond{arg: arg.Index, op: op, a: arg.Value, b: arg.ValueTwo})
	}
	if !split {
		return [][]cond{all}, nil
	}
	out := make([][]cond, len(all))
	for i := range all {
		out[i] = all[i : i+1 : i+1]
	}
	return out, nil
}

// action translates an SCMP_ACT_* name, with its errno for ERRNO and TRACE.
func action(a specs.LinuxSeccompAction, errnoRet *uint, field, errnoField string) (uint32, error) {
	withData := func(base uint32) (uint32, error) {
		v := uint(unix.EPERM)
		if errnoRet != nil {
			v = *errnoRet
		}
		if v > unix.SECCOMP_RET_DATA {
			return 0, fieldErr(errnoField, "%d is out of range [0, %d]", v, unix.SECCOMP_RET_DATA)
		}
		return base | uint32(v), nil
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return actKillThread, nil
	case specs.ActKillProcess:
		return actKillProcess, nil
	case specs.ActTrap:
		return actTrap, nil
	case specs.ActErrno:
		return withData(actErrno)
	case specs.ActTrace:
		return withData(actTrace)
	case specs.ActAllow:
		return actAllow, nil
	case specs.ActLog:
		return actLog, nil
	case specs.ActNotify:
		return actNotify, nil
	}
	return 0, fieldErr(field, "unknown action %q", a)
}

// letsThrough reports whether a default action runs unknown syscalls, so
// that the -ENOSYS stub must not be added (runc: ALLOW, LOG and TRACE; a
// tracer is expected to handle new syscalls).
func letsThrough(a specs.LinuxSeccompAction) bool {
	return a == specs.ActAllow || a == specs.ActLog || a == specs.ActTrace
}

// operator translates an SCMP_CMP_* name to libseccomp's enum scmp_compare.
func operator(op specs.LinuxSeccompOperator) (uint32, bool) {
	switch op {
	case specs.OpNotEqual:
		return 1, true
	case specs.OpLessThan:
		return 2, true
	case specs.OpLessEqual:
		return 3, true
	case specs.OpEqualTo:
		return 4, true
	case specs.OpGreaterEqual:
		return 5, true
	case specs.OpGreaterThan:
		return 6, true
	case specs.OpMaskedEqual:
		return 7, true
	}
	return 0, false
}

// archName maps SCMP_ARCH_X86_64 to libseccomp's name for it, "x86_64".
// Whether this libseccomp knows the architecture is checked when it is added.
func archName(a specs.Arch) (string, bool) {
	switch a {
	case specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
		specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL,
		specs.ArchMIPSEL64, specs.ArchMIPSEL64N32, specs.ArchPPC, specs.ArchPPC64,
		specs.ArchPPC64LE, specs.ArchS390, specs.ArchS390X, specs.ArchPARISC,
		specs.ArchPARISC64, specs.ArchRISCV64, specs.ArchLOONGARCH64, specs.ArchM68K,
		specs.ArchSH, specs.ArchSHEB:
		return strings.ToLower(strings.TrimPrefix(string(a), "SCMP_ARCH_")), true
	}
	return "", false
}
