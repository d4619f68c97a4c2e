package seccomp

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// The -ENOSYS stub, as runc prepends it: a syscall newer than anything the
// profile names would get the default action (typically EPERM), and
// programs only fall back from a missing syscall on ENOSYS. So, for each
// architecture the spec lists, syscalls numbered above the highest one the
// profile names fail with ENOSYS before the libseccomp filter runs.

// x32Bit marks x32 syscalls, which the kernel reports as x86_64 ones.
const x32Bit = 0x40000000

// archLimit is the highest syscall number the profile names on one kernel
// architecture (AUDIT_ARCH_*). On x86_64, main is for x86_64 syscalls and
// x32 for x32 ones (with x32Bit set); a zero limit means the profile names
// none there and those syscalls go straight to the filter.
type archLimit struct {
	audit uint32
	main  uint32
	x32   uint32
}

// enosysStub returns the stub to put in front of the filter, nil when no
// architecture has a limit.
func enosysStub(limits []archLimit) ([]unix.SockFilter, error) {
	if len(limits) == 0 {
		return nil, nil
	}
	var a asm
	a.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 4) // seccomp_data.arch
	for i, l := range limits {
		a.jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, l.audit, archLabel(i), "")
	}
	a.jumpTo("filter")
	for i, l := range limits {
		a.label(archLabel(i))
		a.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0) // seccomp_data.nr
		switch l.audit {
		case unix.AUDIT_ARCH_S390, unix.AUDIT_ARCH_S390X:
			// Syscall 0 multiplexes the large syscall numbers there; the
			// kernel leaves an unknown number as 0.
			a.jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, 0, "enosys", "")
		case unix.AUDIT_ARCH_X86_64:
			x32 := archLabel(i) + "x32"
			switch {
			case l.main != 0 && l.x32 != 0:
				a.jump(unix.BPF_JMP|unix.BPF_JSET|unix.BPF_K, x32Bit, x32, "")
				a.jump(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, l.main, "enosys", "filter")
				a.label(x32)
				a.jump(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, l.x32, "enosys", "filter")
			case l.main != 0:
				a.jump(unix.BPF_JMP|unix.BPF_JSET|unix.BPF_K, x32Bit, "filter", "")
				a.jump(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, l.main, "enosys", "filter")
			default:
				a.jump(unix.BPF_JMP|unix.BPF_JSET|unix.BPF_K, x32Bit, "", "filter")
				a.jump(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, l.x32, "enosys", "filter")
			}
			continue
		}
		a.jump(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, l.main, "enosys", "filter")
	}
	a.label("enosys")
	a.stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS))
	a.label("filter") // the first instruction after the stub
	return a.assemble()
}

func archLabel(i int) string { return fmt.Sprintf("arch%d", i) }

// asm is a tiny classic-BPF assembler with forward jumps to labels; ""
// as a jump target means the next instruction.
type asm struct {
	insns  []asmInsn
	labels map[string]int
}

type asmInsn struct {
	unix.SockFilter
	jt, jf string // conditional jump targets
	ja     string // unconditional jump target
}

func (a *asm) stmt(code uint16, k uint32) {
	a.insns = append(a.insns, asmInsn{SockFilter: unix.SockFilter{Code: code, K: k}})
}

func (a *asm) jump(code uint16, k uint32, jt, jf string) {
	a.insns = append(a.insns, asmInsn{SockFilter: unix.SockFilter{Code: code, K: k}, jt: jt, jf: jf})
}

func (a *asm) jumpTo(label string) {
	a.insns = append(a.insns, asmInsn{SockFilter: unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JA}, ja: label})
}

func (a *asm) label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.insns)
}

func (a *asm) assemble() ([]unix.SockFilter, error) {
	offset := func(from int, label string) (int, error) {
		if label == "" {
			return 0, nil
		}
		to, ok := a.labels[label]
		if !ok || to <= from {
			return 0, fmt.Errorf("BPF stub: bad jump to %q", label)
		}
		return to - from - 1, nil
	}
	prog := make([]unix.SockFilter, len(a.insns))
	for i, in := range a.insns {
		prog[i] = in.SockFilter
		if in.ja != "" {
			off, err := offset(i, in.ja)
			if err != nil {
				return nil, err
			}
			prog[i].K = uint32(off)
			continue
		}
		jt, err := offset(i, in.jt)
		if err != nil {
			return nil, err
		}
		jf, err := offset(i, in.jf)
		if err != nil {
			return nil, err
		}
		if jt > 255 || jf > 255 {
			return nil, fmt.Errorf("BPF stub: jump too long (%d architectures)", len(a.labels))
		}
		prog[i].Jt, prog[i].Jf = uint8(jt), uint8(jf)
	}
	return prog, nil
}
