//go:build cgo

package seccomp

import (
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// These tests never install a filter: they run in the test process.

func TestPlanErrors(t *testing.T) {
	base := func() *specs.LinuxSeccomp {
		return &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
			{Names: sys("read"), Action: specs.ActAllow},
			{Names: sys("personality"), Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Op: specs.OpEqualTo}}},
		}}
	}
	for _, tc := range []struct {
		mutate func(*specs.LinuxSeccomp)
		want   string
	}{
		{func(c *specs.LinuxSeccomp) { c.DefaultAction = "" }, `linux.seccomp.defaultAction: unknown action ""`},
		{func(c *specs.LinuxSeccomp) { c.DefaultAction = specs.ActNotify }, `linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action`},
		{func(c *specs.LinuxSeccomp) { c.DefaultErrnoRet = uintp(70000) }, `linux.seccomp.defaultErrnoRet: 70000 is out of range [0, 65535]`},
		{func(c *specs.LinuxSeccomp) { c.Architectures = []specs.Arch{"SCMP_ARCH_X86", "SCMP_ARCH_Z80"} }, `linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_Z80"`},
		{func(c *specs.LinuxSeccomp) { c.Flags = []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_X"} }, `linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_X"`},
		{func(c *specs.LinuxSeccomp) { c.Syscalls[1].Action = "X" }, `linux.seccomp.syscalls[1].action: unknown action "X"`},
		{func(c *specs.LinuxSeccomp) { c.Syscalls[0].Names = nil }, `linux.seccomp.syscalls[0].names: must not be empty`},
		{func(c *specs.LinuxSeccomp) { c.Syscalls[0].Names = sys("read", "") }, `linux.seccomp.syscalls[0].names[1]: must not be empty`},
		{func(c *specs.LinuxSeccomp) {
			c.Syscalls[0] = specs.LinuxSyscall{Names: sys("read", "write"), Action: specs.ActNotify}
		},
			`linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall`},
		{func(c *specs.LinuxSeccomp) {
			c.Syscalls[1].Action, c.Syscalls[1].ErrnoRet = specs.ActTrace, uintp(1<<16)
		},
			`linux.seccomp.syscalls[1].errnoRet: 65536 is out of range [0, 65535]`},
		{func(c *specs.LinuxSeccomp) { c.Syscalls[1].Args[0].Index = 6 }, `linux.seccomp.syscalls[1].args[0].index: 6 is out of range [0, 5]`},
		{func(c *specs.LinuxSeccomp) { c.Syscalls[1].Args[0].Op = "SCMP_CMP_X" }, `linux.seccomp.syscalls[1].args[0].op: unknown operator "SCMP_CMP_X"`},
	} {
		c := base()
		tc.mutate(c)
		_, err := newPlan(c)
		if err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %s", err, tc.want)
		}
	}
	if _, err := newPlan(base()); err != nil {
		t.Fatal(err)
	}
}

func TestEnabled(t *testing.T) {
	if enabled(nil) || enabled(&specs.LinuxSeccomp{}) || enabled(&specs.LinuxSeccomp{Architectures: []specs.Arch{specs.ArchX86}}) {
		t.Error("empty config enabled")
	}
	if fd, err := Load(&specs.LinuxSeccomp{Flags: []specs.LinuxSeccompFlag{}}); fd != -1 || err != nil {
		t.Errorf("empty config: %d, %v", fd, err)
	}
	if IsNotify(allowAll(specs.LinuxSyscall{Names: sys("read"), Action: specs.ActErrno})) ||
		!IsNotify(allowAll(specs.LinuxSyscall{Names: sys("read"), Action: specs.ActNotify})) {
		t.Error("IsNotify")
	}
}

func TestPlanRules(t *testing.T) {
	p, err := newPlan(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uintp(5), Syscalls: []specs.LinuxSyscall{
		{Names: sys("a", "b"), Action: specs.ActErrno, ErrnoRet: uintp(5)}, // the default: skipped
		{Names: sys("c"), Action: specs.ActErrno},                          // EPERM: kept
		{Names: sys("d"), Action: specs.ActTrace},
		{Names: sys("e"), Action: specs.ActKill},
		{Names: sys("f"), Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{
			{Index: 0, Op: specs.OpEqualTo, Value: 1}, {Index: 2, Op: specs.OpMaskedEqual, Value: 0xf, ValueTwo: 2}}},
		{Names: sys("g"), Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{
			{Index: 0, Op: specs.OpEqualTo, Value: 1}, {Index: 0, Op: specs.OpEqualTo, Value: 2}, {Index: 1, Op: specs.OpNotEqual, Value: 3}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p.defAction != actErrno|5 || !reflect.DeepEqual(p.names, sys("a", "b", "c", "d", "e", "f", "g")) {
		t.Fatalf("plan %+v", p)
	}
	want := []rule{
		{"linux.seccomp.syscalls[1]", "c", actErrno | uint32(unix.EPERM), [][]cond{nil}},
		{"linux.seccomp.syscalls[2]", "d", actTrace | uint32(unix.EPERM), [][]cond{nil}},
		{"linux.seccomp.syscalls[3]", "e", actKillThread, [][]cond{nil}},
		{"linux.seccomp.syscalls[4]", "f", actAllow, [][]cond{{{0, 4, 1, 0}, {2, 7, 0xf, 2}}}},
		// Two conditions on arg 0: each condition is a rule (runc).
		{"linux.seccomp.syscalls[5]", "g", actAllow, [][]cond{{{0, 4, 1, 0}}, {{0, 4, 2, 0}}, {{1, 1, 3, 0}}}},
	}
	if !reflect.DeepEqual(p.rules, want) {
		t.Errorf("rules\n got %+v\nwant %+v", p.rules, want)
	}
	if !p.enosysStub {
		t.Error("no -ENOSYS stub for an ERRNO default")
	}
	for def, errno := range map[specs.LinuxSeccompAction]*uint{specs.ActAllow: nil, specs.ActLog: nil, specs.ActTrace: nil,
		specs.ActErrno: uintp(uint(unix.ENOSYS))} {
		p, _ := newPlan(&specs.LinuxSeccomp{DefaultAction: def, DefaultErrnoRet: errno})
		if p.enosysStub {
			t.Errorf("-ENOSYS stub with default %s", def)
		}
	}
}

func TestKernelFlags(t *testing.T) {
	const (
		tsync   = unix.SECCOMP_FILTER_FLAG_TSYNC
		esrch   = unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
		log     = unix.SECCOMP_FILTER_FLAG_LOG
		spec    = unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		killrcv = unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
		listen  = unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	)
	notify := []specs.LinuxSyscall{{Names: sys("getppid"), Action: specs.ActNotify}}
	for _, tc := range []struct {
		flags []specs.LinuxSeccompFlag
		rules []specs.LinuxSyscall
		want  uint
	}{
		{nil, nil, spec}, // the kernel here has SPEC_ALLOW
		{[]specs.LinuxSeccompFlag{}, nil, 0},
		{[]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog}, nil, log},
		{[]specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagSpecAllow}, nil, tsync | spec},
		{[]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}, nil, 0},
		{[]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}, notify, killrcv | listen},
		{[]specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC"}, notify, tsync | esrch | listen},
		{nil, notify, spec | listen},
	} {
		sc := allowAll(tc.rules...)
		sc.Flags = tc.flags
		p, err := newPlan(sc)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.kernelFlags(); got != tc.want {
			t.Errorf("flags %v with %d rules: got %#x, want %#x", tc.flags, len(tc.rules), got, tc.want)
		}
		if !flagsSupported(p.kernelFlags()) {
			t.Errorf("kernel refuses %#x", p.kernelFlags())
		}
	}
	if err := unsupportedFlag([]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagWaitKillableRecv}); err != nil {
		t.Errorf("kernel 5.19+ has every flag: %v", err)
	}
}

// TestProgram builds (without loading) filters with libseccomp.
func TestProgram(t *testing.T) {
	p, err := newPlan(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32, specs.ArchAARCH64},
		Syscalls:      []specs.LinuxSyscall{{Names: append(sys("berth_unknown"), runtimeSyscalls...), Action: specs.ActAllow}}})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := p.program()
	if err != nil {
		t.Fatal(err)
	}
	limits := p.limits([]uint32{unix.AUDIT_ARCH_X86_64, unix.AUDIT_ARCH_I386, x32Token, unix.AUDIT_ARCH_AARCH64})
	if len(limits) != 3 || limits[0].audit != unix.AUDIT_ARCH_X86_64 || limits[0].main == 0 || limits[0].x32&x32Bit == 0 {
		t.Errorf("limits %+v", limits)
	}
	stub, _ := enosysStub(limits)
	if len(prog) <= len(stub) || !reflect.DeepEqual(prog[:len(stub)], stub) {
		t.Error("program does not start with the -ENOSYS stub")
	}
	for _, arch := range []specs.Arch{specs.ArchM68K, specs.ArchLOONGARCH64} {
		p, _ := newPlan(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86, arch}})
		name, _ := archName(arch)
		if archToken(name) != 0 {
			continue // a newer libseccomp
		}
		_, err := p.program()
		if err == nil || !strings.HasPrefix(err.Error(), "linux.seccomp.architectures[1]: architecture ") {
			t.Errorf("%s: %v", arch, err)
		}
	}
}

func TestSyscallName(t *testing.T) {
	for _, tc := range []struct {
		arch uint32
		nr   int32
		want string
	}{
		{unix.AUDIT_ARCH_X86_64, unix.SYS_GETPPID, "getppid"},
		{unix.AUDIT_ARCH_I386, 64, "getppid"},
		{unix.AUDIT_ARCH_X86_64, x32Bit | 110, "getppid"},
		{unix.AUDIT_ARCH_X86_64, 100000, "100000"},
	} {
		if got := SyscallName(tc.arch, tc.nr); got != tc.want {
			t.Errorf("SyscallName(%#x, %d) = %q, want %q", tc.arch, tc.nr, got, tc.want)
		}
	}
}

// runStub runs a stub on one syscall, the way the kernel would: it returns
// the stub's verdict, or filter when it falls through to the filter.
func runStub(t *testing.T, prog []unix.SockFilter, audit uint32, nr uint32) uint32 {
	const filter = 0xffffffff
	var acc uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		cond := func(ok bool) {
			if ok {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		}
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			acc = map[uint32]uint32{0: nr, 4: audit}[in.K]
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K:
			cond(acc == in.K)
		case unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K:
			cond(acc > in.K)
		case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			cond(acc&in.K != 0)
		case unix.BPF_RET | unix.BPF_K:
			return in.K
		default:
			t.Fatalf("instruction %d: code %#x", pc, in.Code)
		}
	}
	return filter
}

func TestENOSYSStubProgram(t *testing.T) {
	const enosys, filter = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS), 0xffffffff
	if stub, err := enosysStub(nil); err != nil || stub != nil {
		t.Fatalf("no limits: %v %v", stub, err)
	}
	all := []archLimit{
		{audit: unix.AUDIT_ARCH_X86_64, main: 300, x32: x32Bit | 500},
		{audit: unix.AUDIT_ARCH_I386, main: 400},
		{audit: unix.AUDIT_ARCH_S390X, main: 100},
	}
	cases := []struct {
		limits []archLimit
		audit  uint32
		nr     uint32
		want   uint32
	}{
		{all, unix.AUDIT_ARCH_X86_64, 300, filter},
		{all, unix.AUDIT_ARCH_X86_64, 301, enosys},
		{all, unix.AUDIT_ARCH_X86_64, 0xffffffff, enosys},
		{all, unix.AUDIT_ARCH_X86_64, x32Bit | 500, filter},
		{all, unix.AUDIT_ARCH_X86_64, x32Bit | 501, enosys},
		{all, unix.AUDIT_ARCH_I386, 400, filter},
		{all, unix.AUDIT_ARCH_I386, 401, enosys},
		{all, unix.AUDIT_ARCH_S390X, 0, enosys},
		{all, unix.AUDIT_ARCH_S390X, 50, filter},
		{all, unix.AUDIT_ARCH_S390X, 101, enosys},
		{all, unix.AUDIT_ARCH_AARCH64, 5000, filter},
		{all[:1:1], unix.AUDIT_ARCH_I386, 5000, filter},
		// x86_64 without x32 in the profile: x32 syscalls go to the filter.
		{[]archLimit{{audit: unix.AUDIT_ARCH_X86_64, main: 300}}, unix.AUDIT_ARCH_X86_64, x32Bit | 5000, filter},
		{[]archLimit{{audit: unix.AUDIT_ARCH_X86_64, main: 300}}, unix.AUDIT_ARCH_X86_64, 301, enosys},
		// Only x32.
		{[]archLimit{{audit: unix.AUDIT_ARCH_X86_64, x32: x32Bit | 500}}, unix.AUDIT_ARCH_X86_64, 5000, filter},
		{[]archLimit{{audit: unix.AUDIT_ARCH_X86_64, x32: x32Bit | 500}}, unix.AUDIT_ARCH_X86_64, x32Bit | 501, enosys},
	}
	for _, tc := range cases {
		stub, err := enosysStub(tc.limits)
		if err != nil {
			t.Fatal(err)
		}
		if got := runStub(t, stub, tc.audit, tc.nr); got != tc.want {
			t.Errorf("arch %#x nr %#x with %+v: got %#x, want %#x", tc.audit, tc.nr, tc.limits, got, tc.want)
		}
	}
	many := make([]archLimit, 200)
	for i := range many {
		many[i] = archLimit{audit: uint32(i + 1), main: 10}
	}
	if _, err := enosysStub(many); err == nil {
		t.Error("200 architectures: no error for jumps over 255 instructions")
	}
}
