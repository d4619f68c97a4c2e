package specconv

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maxSyscallArgs is the number of syscall arguments seccomp can compare.
const maxSyscallArgs = 6

// seccomp checks that linux.seccomp only uses actions, operators,
// architectures and flags that exist, with runc's restrictions on
// SCMP_ACT_NOTIFY. Whether libseccomp and the kernel support them is
// checked when the filter is built.
func (v *validator) seccomp() error {
	sc := v.linux().Seccomp
	if sc == nil || (sc.DefaultAction == "" && len(sc.Syscalls) == 0) {
		return nil // runc treats this as "no seccomp"
	}
	const p = "linux.seccomp"
	switch {
	case sc.DefaultAction == "":
		return cfgErr(p+".defaultAction", "must be specified")
	case !knownSeccompAction(sc.DefaultAction):
		return cfgErr(p+".defaultAction", fmt.Sprintf("unknown action %q", sc.DefaultAction))
	case sc.DefaultAction == specs.ActNotify:
		return cfgErr(p+".defaultAction", "SCMP_ACT_NOTIFY cannot be used as default action")
	}
	for i, a := range sc.Architectures {
		if !knownSeccompArch(a) {
			return cfgErr(idx(p+".architectures", i), fmt.Sprintf("unknown architecture %q", a))
		}
	}
	for i, f := range sc.Flags {
		if !knownSeccompFlag(f) {
			return cfgErr(idx(p+".flags", i), fmt.Sprintf("unknown flag %q", f))
		}
	}
	for i, call := range sc.Syscalls {
		cp := idx(p+".syscalls", i)
		if len(call.Names) == 0 {
			return cfgErr(cp+".names", "must not be empty")
		}
		if !knownSeccompAction(call.Action) {
			return cfgErr(cp+".action", fmt.Sprintf("unknown action %q", call.Action))
		}
		for j, name := range call.Names {
			if name == "" {
				return cfgErr(idx(cp+".names", j), "must not be empty")
			}
			if call.Action == specs.ActNotify && name == "write" {
				return cfgErr(idx(cp+".names", j), "SCMP_ACT_NOTIFY cannot be used for the write syscall")
			}
		}
		for j, arg := range call.Args {
			ap := idx(cp+".args", j)
			if arg.Index >= maxSyscallArgs {
				return cfgErr(ap+".index", fmt.Sprintf("%d is out of range [0, %d]", arg.Index, maxSyscallArgs-1))
			}
			if !knownSeccompOp(arg.Op) {
				return cfgErr(ap+".op", fmt.Sprintf("unknown operator %q", arg.Op))
			}
		}
	}
	return nil
}
