//go:build cgo

package seccomp

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// Load builds the filter cfg describes and installs it on the calling
// thread: Compile, then LoadProgram, which says what the thread needs and
// what notifyFd is. A nil or empty cfg installs nothing and returns -1.
func Load(cfg *specs.LinuxSeccomp) (notifyFd int, err error) {
	prog, err := Compile(cfg)
	if err != nil || prog == nil {
		return -1, err
	}
	return LoadProgram(cfg, prog)
}

// Compile builds the filter cfg describes with libseccomp, without
// installing it; nil when cfg asks for no filter. The program depends only
// on cfg, the machine's architecture and the libseccomp version, so a caller
// may build it once (in the parent, or from a cache) and give it to
// LoadProgram in the init. Errors
// are one line that starts with the spec field at fault.
func Compile(cfg *specs.LinuxSeccomp) (Program, error) {
	if !enabled(cfg) {
		return nil, nil
	}
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	prog, err := p.program()
	if err != nil {
		return nil, err
	}
	return encodeProgram(prog), nil
}

// program builds the BPF program with libseccomp, behind the -ENOSYS stub.
func (p *plan) program() ([]unix.SockFilter, error) {
	f, err := newFilter(p.defAction)
	if err != nil {
		return nil, fieldErr(prefix+".defaultAction", "%v", err)
	}
	defer f.release()
	tokens := make([]uint32, 0, len(p.archs))
	for _, a := range p.archs {
		tok := archToken(a.name)
		if tok == 0 {
			return nil, fieldErr(a.field, "architecture %q is not supported by this libseccomp", a.name)
		}
		if err := f.addArch(tok); err != nil {
			return nil, fieldErr(a.field, "add architecture %q: %v", a.name, err)
		}
		tokens = append(tokens, tok)
	}
	// A binary tree of syscalls for long profiles, as runc (libseccomp
	// 2.5.4 misbuilds the tree for a filter without rules).
	if len(p.rules) > 32 {
		if err := f.optimize(2); err != nil {
			logrus.Debugf("seccomp: binary tree optimization unavailable: %v", err)
		}
	}
	for _, r := range p.rules {
		nr, ok := resolveSyscall(r.name)
		if !ok {
			logrus.Debugf("seccomp: unknown syscall %q ignored", r.name)
			continue
		}
		for _, conds := range r.conds {
			if err := f.addRule(r.action, nr, conds); err != nil {
				return nil, fieldErr(r.field, "add rule for syscall %q: %v", r.name, err)
			}
		}
	}
	prog, err := f.program()
	if err != nil {
		return nil, fmt.Errorf("build seccomp filter: %w", err)
	}
	if p.enosysStub {
		stub, err := enosysStub(p.limits(tokens))
		if err != nil {
			return nil, fmt.Errorf("build seccomp filter: %w", err)
		}
		prog = append(stub, prog...)
	}
	if len(prog) > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("build seccomp filter: %d BPF instructions, the kernel takes at most %d", len(prog), unix.BPF_MAXINSNS)
	}
	return prog, nil
}

// limits finds, for the listed architectures, the highest syscall number
// the profile names (skipped rules included, as runc).
func (p *plan) limits(tokens []uint32) []archLimit {
	var out []archLimit
	at := func(audit uint32) *archLimit {
		for i := range out {
			if out[i].audit == audit {
				return &out[i]
			}
		}
		out = append(out, archLimit{audit: audit})
		return &out[len(out)-1]
	}
	for _, tok := range tokens {
		var highest uint32
		for _, name := range p.names {
			if nr, ok := resolveSyscallArch(tok, name); ok && nr > 0 && uint32(nr) > highest {
				highest = uint32(nr)
			}
		}
		if highest == 0 {
			continue
		}
		// libseccomp's x32 token is not a kernel value: x32 syscalls come
		// as x86_64 ones with x32Bit set.
		if tok == x32Token {
			at(unix.AUDIT_ARCH_X86_64).x32 = highest
		} else {
			at(tok).main = highest
		}
	}
	return out
}
