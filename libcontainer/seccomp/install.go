package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Program is a compiled filter: classic BPF instructions (struct
// sock_filter) in host byte order. It encodes to JSON as base64.
type Program []byte

// LoadProgram installs prog, built by Compile from the same cfg, on the
// calling thread, which must be locked to its goroutine
// (runtime.LockOSThread) and have no_new_privs set or CAP_SYS_ADMIN; see
// the package doc for where the init calls it. cfg gives the flags: with
// SECCOMP_FILTER_FLAG_TSYNC the filter goes on every thread of the process.
// It does not use libseccomp.
//
// notifyFd is the filter's notify listener (close-on-exec) when a rule has
// SCMP_ACT_NOTIFY, -1 otherwise; the caller hands it to the seccomp agent
// (SendToAgent) and closes it.
func LoadProgram(cfg *specs.LinuxSeccomp, prog Program) (notifyFd int, err error) {
	in, err := PrepareInstall(cfg, prog)
	if err != nil || in == nil {
		return -1, err
	}
	insns, err := decodeProgram(in.Program)
	if err != nil {
		return -1, fmt.Errorf("load seccomp filter: %w", err)
	}
	fd, err := install(in.Flags, insns)
	if err != nil {
		if errors.Is(err, unix.EINVAL) {
			if ferr := in.UnsupportedFlag(); ferr != nil {
				return -1, ferr
			}
		}
		return -1, fmt.Errorf("load seccomp filter: %w", err)
	}
	return fd, nil
}

// Install is one filter to install: what seccomp(2) takes.
type Install struct {
	Flags     uint
	Program   Program
	specFlags []specs.LinuxSeccompFlag
}

// PrepareInstall checks prog, built by Compile from cfg, and says how to
// install it: for LoadProgram, and for exec's init, which installs it in C
// (nsenter/process.c). It returns nil when cfg installs no filter.
func PrepareInstall(cfg *specs.LinuxSeccomp, prog Program) (*Install, error) {
	if !enabled(cfg) {
		return nil, nil
	}
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := decodeProgram(prog); err != nil {
		return nil, fmt.Errorf("load seccomp filter: %w", err)
	}
	return &Install{Flags: p.kernelFlags(), Program: prog, specFlags: cfg.Flags}, nil
}

// UnsupportedFlag is what an EINVAL from seccomp(2) means when a flag of
// the spec is one this kernel lacks (it asks the kernel); nil otherwise.
func (in *Install) UnsupportedFlag() error { return unsupportedFlag(in.specFlags) }

const insnSize = int(unsafe.Sizeof(unix.SockFilter{}))

func encodeProgram(prog []unix.SockFilter) Program {
	out := make(Program, len(prog)*insnSize)
	copy(out, unsafe.Slice((*byte)(unsafe.Pointer(&prog[0])), len(out)))
	return out
}

// decodeProgram reads struct sock_filter instructions in host byte order.
func decodeProgram(data []byte) ([]unix.SockFilter, error) {
	if len(data) == 0 || len(data)%insnSize != 0 {
		return nil, fmt.Errorf("BPF program of %d bytes", len(data))
	}
	if len(data)/insnSize > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("%d BPF instructions, the kernel takes at most %d", len(data)/insnSize, unix.BPF_MAXINSNS)
	}
	prog := make([]unix.SockFilter, len(data)/insnSize)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&prog[0])), len(data)), data)
	return prog, nil
}

// kernelFlags are the flags for seccomp(2): the spec's, or SPEC_ALLOW when
// the spec has none and the kernel knows it.
func (p *plan) kernelFlags() uint {
	flags := p.flags
	if p.defaultFlags && flagsSupported(flags|unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW) {
		flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	}
	return flags
}

// install loads prog with seccomp(2) and returns the listener fd, or -1.
func install(flags uint, prog []unix.SockFilter) (int, error) {
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return -1, errno
	}
	if flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER != 0 {
		return int(r), nil
	}
	if r != 0 { // TSYNC without a listener: the thread that could not follow
		return -1, fmt.Errorf("thread %d could not be synchronized", r)
	}
	return -1, nil
}

// flagsSupported asks the kernel whether it knows every one of flags: with
// a NULL program it fails with EFAULT once the flags passed its checks.
func flagsSupported(flags uint) bool {
	_, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), 0)
	return errno == unix.EFAULT
}

// unsupportedFlag names the first flag of the spec the kernel does not have.
func unsupportedFlag(flags []specs.LinuxSeccompFlag) error {
	p := &plan{}
	for i, f := range flags {
		p.flags = 0
		if p.setFlags([]specs.LinuxSeccompFlag{f}) != nil {
			continue
		}
		probe := p.flags
		if probe&unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV != 0 {
			probe |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
		}
		if !flagsSupported(probe) {
			return fieldErr(index(prefix+".flags", i), "%s is not supported by the kernel", f)
		}
	}
	return nil
}
