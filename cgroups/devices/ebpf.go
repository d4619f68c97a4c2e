package devices

import (
	"fmt"
	"strconv"

	"github.com/cilium/ebpf/asm"
)

// License is the license string the device program is loaded with.
const License = "Apache"

// Offsets in struct bpf_cgroup_dev_ctx (include/uapi/linux/bpf.h):
// u32 access_type (low 16 bits: BPF_DEVCG_DEV_*, high 16: BPF_DEVCG_ACC_*),
// u32 major, u32 minor.
const (
	ctxAccessType = 0
	ctxMajor      = 4
	ctxMinor      = 8
)

// Kernel values of BPF_DEVCG_DEV_* and BPF_DEVCG_ACC_*.
const (
	bpfDevBlock = 1
	bpfDevChar  = 2
	bpfAccMknod = 1
	bpfAccRead  = 2
	bpfAccWrite = 4
)

func bpfAccess(a Access) int32 {
	var v int32
	if a&Mknod != 0 {
		v |= bpfAccMknod
	}
	if a&Read != 0 {
		v |= bpfAccRead
	}
	if a&Write != 0 {
		v |= bpfAccWrite
	}
	return v
}

// Program builds the BPF_PROG_TYPE_CGROUP_DEVICE program enforcing rules.
// The rules are first reduced to a State (the cgroup v1 semantics, so v1
// and v2 hosts agree); the program then returns the verdict of an
// exception matching the request, or else the default verdict. As in the
// v1 kernel, an allow exception matches when it grants every requested
// access bit, a deny exception when it names any of them (runc's program
// requires all bits for both, so an O_RDWR open of a device denied only
// for writing passes there; here it is refused as on v1). All exceptions
// share one verdict, so their order in the program does not matter.
func Program(rules []Rule) (asm.Instructions, error) {
	s, err := Emulate(rules)
	if err != nil {
		return nil, err
	}
	return programFor(s)
}

func programFor(s *State) (asm.Instructions, error) {
	insns := asm.Instructions{
		// R2 = device type, R3 = requested access, R4 = major, R5 = minor.
		asm.LoadMem(asm.R2, asm.R1, ctxAccessType, asm.Word),
		asm.And.Imm32(asm.R2, 0xffff),
		asm.LoadMem(asm.R3, asm.R1, ctxAccessType, asm.Word),
		asm.RSh.Imm32(asm.R3, 16),
		asm.LoadMem(asm.R4, asm.R1, ctxMajor, asm.Word),
		asm.LoadMem(asm.R5, asm.R1, ctxMinor, asm.Word),
	}
	exc := s.Exceptions()
	for i, r := range exc {
		next := "rule" + strconv.Itoa(i+1)
		if i == len(exc)-1 {
			next = "default"
		}
		block, err := ruleBlock(r, next)
		if err != nil {
			return nil, err
		}
		block[0] = block[0].WithSymbol("rule" + strconv.Itoa(i))
		insns = append(insns, block...)
	}
	tail := verdict(s.defaultAllow)
	tail[0] = tail[0].WithSymbol("default")
	return append(insns, tail...), nil
}

// ruleBlock matches one exception, jumping to next on any mismatch.
func ruleBlock(r Rule, next string) (asm.Instructions, error) {
	var typ int32
	switch r.Type {
	case Block:
		typ = bpfDevBlock
	case Char:
		typ = bpfDevChar
	default:
		return nil, fmt.Errorf("device rule %q: type %q cannot be an exception", r, string(r.Type))
	}
	// Immediates are sign-extended in 64-bit compares; real device numbers
	// (12-bit major, 20-bit minor) are far below this bound.
	if r.Major > 1<<31-1 || r.Minor > 1<<31-1 {
		return nil, fmt.Errorf("device rule %q: device number out of range", r)
	}
	b := asm.Instructions{asm.JNE.Imm(asm.R2, typ, next)}
	if acc := bpfAccess(r.Access); acc != bpfAccMknod|bpfAccRead|bpfAccWrite {
		if r.Allow {
			// An allow exception must grant every requested bit:
			// (access & ^acc) == 0, else try the next one.
			b = append(b,
				asm.Mov.Reg32(asm.R1, asm.R3),
				asm.And.Imm32(asm.R1, ^acc&0xffff),
				asm.JNE.Imm(asm.R1, 0, next))
		} else {
			// A deny exception denies a request sharing any bit with it
			// (the v1 kernel's partial match): (access & acc) != 0.
			b = append(b,
				asm.Mov.Reg32(asm.R1, asm.R3),
				asm.And.Imm32(asm.R1, acc),
				asm.JEq.Imm(asm.R1, 0, next))
		}
	}
	if r.Major != Wildcard {
		b = append(b, asm.JNE.Imm(asm.R4, int32(r.Major), next))
	}
	if r.Minor != Wildcard {
		b = append(b, asm.JNE.Imm(asm.R5, int32(r.Minor), next))
	}
	return append(b, verdict(r.Allow)...), nil
}

func verdict(allow bool) asm.Instructions {
	var v int32
	if allow {
		v = 1
	}
	return asm.Instructions{asm.Mov.Imm32(asm.R0, v), asm.Return()}
}
