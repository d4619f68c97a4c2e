// Command sysdeny runs a command under a seccomp filter that fails the
// named syscalls with an errno, as a container's seccomp profile would for
// a runtime that runs inside one (Docker's default profile fails clone3
// with ENOSYS). The integration tests use it to check berth's fallbacks.
//
//	sysdeny NAME=ERRNO[,NAME=ERRNO...] CMD ARG...
//
// NAME is one of the syscalls below; ERRNO a number.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

var syscalls = map[string]uint32{
	"clone":   unix.SYS_CLONE,
	"clone3":  unix.SYS_CLONE3,
	"unshare": unix.SYS_UNSHARE,
	"setns":   unix.SYS_SETNS,
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: sysdeny NAME=ERRNO[,NAME=ERRNO...] CMD ARG...")
		os.Exit(2)
	}
	prog, err := filter(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sysdeny:", err)
		os.Exit(2)
	}
	path, err := exec.LookPath(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sysdeny:", err)
		os.Exit(2)
	}
	// The filter binds the calling thread, which exec then makes the
	// whole process.
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "sysdeny: no_new_privs:", err)
		os.Exit(1)
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		fmt.Fprintln(os.Stderr, "sysdeny: seccomp:", e)
		os.Exit(1)
	}
	err = syscall.Exec(path, os.Args[2:], os.Environ())
	fmt.Fprintln(os.Stderr, "sysdeny: exec:", err)
	os.Exit(1)
}

// filter compiles the rules into classic BPF: x86-64 only, each named
// syscall fails with its errno, everything else is allowed.
func filter(rules string) ([]unix.SockFilter, error) {
	const archOff, nrOff = 4, 0 // offsets in struct seccomp_data
	prog := []unix.SockFilter{
		stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, archOff),
		jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, unix.AUDIT_ARCH_X86_64, 1, 0),
		stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_KILL_PROCESS),
		stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, nrOff),
	}
	for _, rule := range strings.Split(rules, ",") {
		name, num, ok := strings.Cut(rule, "=")
		nr, known := syscalls[name]
		errno, err := strconv.ParseUint(num, 10, 16)
		if !ok || !known || err != nil {
			return nil, fmt.Errorf("bad rule %q (want NAME=ERRNO, NAME one of clone, clone3, unshare, setns)", rule)
		}
		prog = append(prog,
			jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, nr, 0, 1),
			stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(errno)))
	}
	return append(prog, stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ALLOW)), nil
}

func stmt(code uint16, k uint32) unix.SockFilter {
	return unix.SockFilter{Code: code, K: k}
}

func jump(code uint16, k uint32, jt, jf uint8) unix.SockFilter {
	return unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k}
}
