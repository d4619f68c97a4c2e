//go:build cgo

package seccomp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func uintp(v uint) *uint { return &v }

// allowAll is a profile that allows everything but rules.
func allowAll(rules ...specs.LinuxSyscall) *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: rules}
}

// runtimeSyscalls are what the Go runtime of a child may need between Load
// and its exit, besides the calls under test.
var runtimeSyscalls = []string{
	"write", "exit_group", "exit", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction",
	"sigaltstack", "futex", "sched_yield", "nanosleep", "clock_nanosleep", "mmap",
	"munmap", "madvise", "mprotect", "getpid", "gettid", "tgkill", "clock_gettime",
	"epoll_pwait", "epoll_wait", "brk",
}

// denyAll is a profile whose default action is def, allowing the runtime.
func denyAll(def specs.LinuxSeccompAction, defErrno *uint, rules ...specs.LinuxSyscall) *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{
		DefaultAction:   def,
		DefaultErrnoRet: defErrno,
		Syscalls: append([]specs.LinuxSyscall{{Names: runtimeSyscalls, Action: specs.ActAllow}},
			rules...),
	}
}

func sys(names ...string) []string { return names }

func expect(t *testing.T, got []callResult, want ...callResult) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func ok(ret int64) callResult           { return callResult{ret: ret} }
func fails(e unix.Errno) callResult     { return callResult{ret: -1, errno: e} }
func ppid() callResult                  { return ok(int64(os.Getpid())) }
func getppid(args ...uintptr) childCall { return call(unix.SYS_GETPPID, args...) }

func TestActions(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   *specs.LinuxSeccomp
		want []callResult
	}{
		{"errno default EPERM", allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActErrno}),
			[]callResult{fails(unix.EPERM)}},
		{"errno errnoRet", allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActErrno, ErrnoRet: uintp(77)}),
			[]callResult{fails(77)}},
		// Without a tracer the kernel fails a traced syscall with ENOSYS.
		{"trace", allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActTrace, ErrnoRet: uintp(5)}),
			[]callResult{fails(unix.ENOSYS)}},
		{"log", allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActLog}),
			[]callResult{ppid()}},
		{"allow", denyAll(specs.ActErrno, nil, specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActAllow}),
			[]callResult{ppid()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, runCalls(t, tc.sc, getppid()), tc.want...)
		})
	}
}

func TestKillProcess(t *testing.T) {
	res := runChild(t, childSpec{
		Seccomp: allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActKillProcess}),
		Calls:   []childCall{getppid()},
	})
	if !res.status.Signaled() || res.status.Signal() != syscall.SIGSYS {
		t.Fatalf("status %v, want killed by SIGSYS\nstdout: %s\nstderr: %s", res.status, res.stdout, res.stderr)
	}
}

// The filter stays across execve: a single-threaded program (mkdir) run
// under it is killed, trapped or refused when it calls mkdir(2).
func TestActionsAcrossExec(t *testing.T) {
	for _, act := range []specs.LinuxSeccompAction{specs.ActKill, specs.ActKillThread,
		specs.ActKillProcess, specs.ActTrap, specs.ActErrno, specs.ActAllow} {
		t.Run(string(act), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			res := runChild(t, childSpec{
				Seccomp: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
					{Names: sys("mkdir", "mkdirat"), Action: act},
					{Names: sys("getppid"), Action: specs.ActErrno}, // so that an ALLOW profile is not empty
				}},
				Exec: []string{"/bin/mkdir", dir},
			})
			_, statErr := os.Stat(dir)
			switch act {
			case specs.ActAllow:
				if !res.status.Exited() || res.status.ExitStatus() != 0 || statErr != nil {
					t.Fatalf("status %v, stat %v\nstderr: %s", res.status, statErr, res.stderr)
				}
			case specs.ActErrno:
				if res.status.ExitStatus() != 1 || !strings.Contains(res.stderr, "Operation not permitted") {
					t.Fatalf("status %v\nstderr: %s", res.status, res.stderr)
				}
			default:
				if !res.status.Signaled() || res.status.Signal() != syscall.SIGSYS {
					t.Fatalf("status %v, want killed by SIGSYS\nstdout: %s\nstderr: %s", res.status, res.stdout, res.stderr)
				}
			}
			if act != specs.ActAllow && statErr == nil {
				t.Fatal("mkdir ran")
			}
		})
	}
}

func TestDefaultErrno(t *testing.T) {
	getuid := call(unix.SYS_GETUID)
	expect(t, runCalls(t, denyAll(specs.ActErrno, nil), getuid, getppid()),
		fails(unix.EPERM), fails(unix.EPERM))
	expect(t, runCalls(t, denyAll(specs.ActErrno, uintp(77),
		// The same action as the default: skipped, not an error.
		specs.LinuxSyscall{Names: sys("getuid"), Action: specs.ActErrno, ErrnoRet: uintp(77)},
		specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActErrno, ErrnoRet: uintp(78)},
	), getuid, getppid()), fails(77), fails(78))
}

func TestUnknownSyscallSkipped(t *testing.T) {
	sc := allowAll(specs.LinuxSyscall{Names: sys("berth_no_such_syscall", "getppid"), Action: specs.ActErrno})
	expect(t, runCalls(t, sc, getppid()), fails(unix.EPERM))
}

func TestArgs(t *testing.T) {
	const inet, inet6, unixFam = unix.AF_INET, unix.AF_INET6, unix.AF_UNIX
	socket := func(family, typ uintptr) childCall { return call(unix.SYS_SOCKET, family, typ, 0) }
	arg := func(i uint, op specs.LinuxSeccompOperator, v, v2 uint64) specs.LinuxSeccompArg {
		return specs.LinuxSeccompArg{Index: i, Op: op, Value: v, ValueTwo: v2}
	}
	deny := func(name string, errno uint, args ...specs.LinuxSeccompArg) specs.LinuxSyscall {
		return specs.LinuxSyscall{Names: sys(name), Action: specs.ActErrno, ErrnoRet: uintp(errno), Args: args}
	}
	opened := func(r callResult) bool { return r.errno == 0 && r.ret >= 0 }

	t.Run("personality", func(t *testing.T) {
		// Docker's profile: personality only with a few values.
		got := runCalls(t, allowAll(deny("personality", 77, arg(0, specs.OpEqualTo, 0xffffffff, 0))),
			call(unix.SYS_PERSONALITY, 0xffffffff), call(unix.SYS_PERSONALITY, 0))
		expect(t, got, fails(77), ok(0))
	})
	t.Run("socket family", func(t *testing.T) {
		got := runCalls(t, allowAll(deny("socket", 77, arg(0, specs.OpEqualTo, inet, 0))),
			socket(inet, unix.SOCK_STREAM), socket(unixFam, unix.SOCK_STREAM))
		if got[0] != fails(77) || !opened(got[1]) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("two args, one rule: all must match", func(t *testing.T) {
		got := runCalls(t, allowAll(deny("socket", 77, arg(0, specs.OpEqualTo, inet, 0), arg(1, specs.OpEqualTo, unix.SOCK_DGRAM, 0))),
			socket(inet, unix.SOCK_DGRAM), socket(inet, unix.SOCK_STREAM), socket(unixFam, unix.SOCK_DGRAM))
		if got[0] != fails(77) || !opened(got[1]) || !opened(got[2]) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("same arg twice: either matches", func(t *testing.T) {
		got := runCalls(t, allowAll(deny("socket", 77, arg(0, specs.OpEqualTo, inet, 0), arg(0, specs.OpEqualTo, inet6, 0))),
			socket(inet, unix.SOCK_DGRAM), socket(inet6, unix.SOCK_DGRAM), socket(unixFam, unix.SOCK_DGRAM))
		if got[0] != fails(77) || got[1] != fails(77) || !opened(got[2]) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("several rules for one syscall", func(t *testing.T) {
		got := runCalls(t, allowAll(deny("socket", 77, arg(0, specs.OpEqualTo, inet, 0)), deny("socket", 78, arg(0, specs.OpEqualTo, inet6, 0))),
			socket(inet, unix.SOCK_DGRAM), socket(inet6, unix.SOCK_DGRAM), socket(unixFam, unix.SOCK_DGRAM))
		if got[0] != fails(77) || got[1] != fails(78) || !opened(got[2]) {
			t.Fatalf("got %v", got)
		}
	})
	// getppid ignores its arguments, but seccomp sees them.
	for _, tc := range []struct {
		op              specs.LinuxSeccompOperator
		v, v2           uint64
		denied, allowed uintptr
	}{
		{specs.OpNotEqual, 10, 0, 9, 10},
		{specs.OpLessThan, 10, 0, 9, 10},
		{specs.OpLessEqual, 10, 0, 10, 11},
		{specs.OpEqualTo, 10, 0, 10, 11},
		{specs.OpGreaterEqual, 10, 0, 10, 9},
		{specs.OpGreaterThan, 10, 0, 11, 10},
		{specs.OpMaskedEqual, 0xf0, 0x20, 0x2f, 0x3f},
		{specs.OpGreaterThan, 0xffffffff, 0, 0x100000000, 0xffffffff}, // 64-bit
	} {
		t.Run(string(tc.op), func(t *testing.T) {
			got := runCalls(t, allowAll(deny("getppid", 77, arg(1, tc.op, tc.v, tc.v2))),
				getppid(0, tc.denied), getppid(0, tc.allowed))
			expect(t, got, fails(77), ppid())
		})
	}
}

// TestENOSYSStub: syscalls above the profile's highest fail with ENOSYS,
// older ones not in it with the default errno; on x32 too.
func TestENOSYSStub(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("x86_64 syscall numbers")
	}
	highest := func(token uint32) uintptr {
		var max int32
		for _, name := range append(runtimeSyscalls, "getppid") {
			if nr, ok := resolveSyscallArch(token, name); ok && nr > max {
				max = nr
			}
		}
		return uintptr(max)
	}
	max64, maxX32 := highest(unix.AUDIT_ARCH_X86_64), highest(x32Token)
	x32Getuid, _ := resolveSyscallArch(x32Token, "getuid")
	if maxX32&x32Bit == 0 || x32Getuid&x32Bit == 0 {
		t.Fatalf("x32 numbers without the x32 bit: %#x %#x", maxX32, x32Getuid)
	}
	calls := []childCall{call(unix.SYS_GETUID), call(max64 + 1), call(uintptr(x32Getuid)), call(maxX32 + 1), getppid()}

	sc := denyAll(specs.ActErrno, nil, specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActAllow})
	sc.Architectures = []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}
	expect(t, runCalls(t, sc, calls...),
		fails(unix.EPERM), fails(unix.ENOSYS), fails(unix.EPERM), fails(unix.ENOSYS), ppid())

	// As runc: no stub for the architectures the spec does not list.
	sc.Architectures = nil
	expect(t, runCalls(t, sc, calls[:2]...), fails(unix.EPERM), fails(unix.EPERM))
}

func TestThreadSync(t *testing.T) {
	sc := allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActErrno})
	count := func(flags []specs.LinuxSeccompFlag) (filtered, total int) {
		sc.Flags = flags
		res := runChild(t, childSpec{Seccomp: sc, Threads: true})
		if n, _ := fmt.Sscanf(res.stdout, "threads %d/%d", &filtered, &total); n != 2 {
			t.Fatalf("child said %q, stderr %s", res.stdout, res.stderr)
		}
		return filtered, total
	}
	// Threads the runtime starts from the filtered one inherit its filter.
	if f, n := count(nil); f < 1 || f >= n {
		t.Errorf("without TSYNC: %d of %d threads filtered, want some but not all", f, n)
	}
	if f, n := count([]specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC"}); f != n {
		t.Errorf("with TSYNC: %d of %d threads filtered", f, n)
	}
}

// TestLargeProfile: a profile the size of Docker's (every x86_64 syscall
// but one allowed, three architectures) takes libseccomp's binary tree.
func TestLargeProfile(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("x86_64 syscall numbers")
	}
	var names []string
	for nr := int32(0); nr < 1024; nr++ {
		if name := SyscallName(unix.AUDIT_ARCH_X86_64, nr); name != fmt.Sprint(nr) && name != "getppid" {
			names = append(names, name)
		}
	}
	sc := &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls:      []specs.LinuxSyscall{{Names: names, Action: specs.ActAllow}},
	}
	p, err := newPlan(sc)
	if err != nil {
		t.Fatal(err)
	}
	if prog, err := p.program(); err != nil || len(p.rules) < 300 {
		t.Fatalf("%d rules: %d instructions, %v", len(p.rules), len(prog), err)
	}
	expect(t, runCalls(t, sc, getppid(), call(unix.SYS_GETUID), call(1023)),
		fails(unix.EPERM), ok(0), fails(unix.ENOSYS))
}

// BenchmarkProgram builds a Docker-sized filter, as the init does per start.
func BenchmarkProgram(b *testing.B) {
	var names []string
	for nr := int32(0); nr < 460; nr++ {
		if name := SyscallName(unix.AUDIT_ARCH_X86_64, nr); name != fmt.Sprint(nr) {
			names = append(names, name)
		}
	}
	sc := &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls:      []specs.LinuxSyscall{{Names: names, Action: specs.ActAllow}},
	}
	for b.Loop() {
		p, err := newPlan(sc)
		if err != nil {
			b.Fatal(err)
		}
		prog, err := p.program()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(prog)), "insns")
	}
}

// TestLoadProgram: a filter compiled here, loaded in the child.
func TestLoadProgram(t *testing.T) {
	sc := allowAll(specs.LinuxSyscall{Names: sys("getppid"), Action: specs.ActErrno, ErrnoRet: uintp(77)})
	prog, err := Compile(sc)
	if err != nil || len(prog)%8 != 0 {
		t.Fatalf("%d bytes, %v", len(prog), err)
	}
	res := runChild(t, childSpec{Seccomp: sc, Program: prog, Calls: []childCall{getppid()}})
	if len(res.calls) != 1 {
		t.Fatalf("status %v\nstdout: %s\nstderr: %s", res.status, res.stdout, res.stderr)
	}
	expect(t, res.calls, fails(77))
	// Refused before anything is installed.
	for _, bad := range []Program{nil, make(Program, 12), make(Program, 8*(unix.BPF_MAXINSNS+1))} {
		if fd, err := LoadProgram(sc, bad); err == nil || fd != -1 {
			t.Errorf("%d bytes: %v", len(bad), err)
		}
	}
	if prog, err := Compile(&specs.LinuxSeccomp{}); prog != nil || err != nil {
		t.Errorf("empty config: %v, %v", prog, err)
	}
}
