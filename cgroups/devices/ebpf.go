package devices

import (
	"encoding/binary"
	"fmt"
	"strconv"
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
func Program(rules []Rule) ([]byte, error) {
	s, err := Emulate(rules)
	if err != nil {
		return nil, err
	}
	return programFor(s)
}

func programFor(s *State) ([]byte, error) {
	insns := []insn{
		// R2 = device type, R3 = requested access, R4 = major, R5 = minor.
		ldxW(r2, r1, ctxAccessType),
		alu32Imm(bpfAnd, r2, 0xffff),
		ldxW(r3, r1, ctxAccessType),
		alu32Imm(bpfRsh, r3, 16),
		ldxW(r4, r1, ctxMajor),
		ldxW(r5, r1, ctxMinor),
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
		block[0].label = "rule" + strconv.Itoa(i)
		insns = append(insns, block...)
	}
	tail := verdict(s.defaultAllow)
	tail[0].label = "default"
	return assemble(append(insns, tail...))
}

// ruleBlock matches one exception, jumping to next on any mismatch.
func ruleBlock(r Rule, next string) ([]insn, error) {
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
	b := []insn{jmpImm(bpfJne, r2, typ, next)}
	if acc := bpfAccess(r.Access); acc != bpfAccMknod|bpfAccRead|bpfAccWrite {
		if r.Allow {
			// An allow exception must grant every requested bit:
			// (access & ^acc) == 0, else try the next one.
			b = append(b,
				mov32Reg(r1, r3),
				alu32Imm(bpfAnd, r1, ^acc&0xffff),
				jmpImm(bpfJne, r1, 0, next))
		} else {
			// A deny exception denies a request sharing any bit with it
			// (the v1 kernel's partial match): (access & acc) != 0.
			b = append(b,
				mov32Reg(r1, r3),
				alu32Imm(bpfAnd, r1, acc),
				jmpImm(bpfJeq, r1, 0, next))
		}
	}
	if r.Major != Wildcard {
		b = append(b, jmpImm(bpfJne, r4, int32(r.Major), next))
	}
	if r.Minor != Wildcard {
		b = append(b, jmpImm(bpfJne, r5, int32(r.Minor), next))
	}
	return append(b, verdict(r.Allow)...), nil
}

func verdict(allow bool) []insn {
	var v int32
	if allow {
		v = 1
	}
	return []insn{mov32Imm(r0, v), exit()}
}

// insn is one instruction (struct bpf_insn) with, for jumps, the label it
// goes to; assemble turns labels into offsets.
type insn struct {
	code     uint8
	dst, src uint8
	off      int16
	imm      int32
	label    string // this instruction's
	target   string // a jump's
}

const insnSize = 8

// The registers and the few opcodes the program uses (linux/bpf_common.h,
// linux/bpf.h): 32-bit loads, ALU32 and/rsh/mov, jeq/jne, exit.
const (
	r0, r1, r2, r3, r4, r5 = 0, 1, 2, 3, 4, 5

	bpfLdx  = 0x01
	bpfAlu  = 0x04
	bpfJmp  = 0x05
	bpfMem  = 0x60
	bpfW    = 0x00
	bpfK    = 0x00
	bpfX    = 0x08
	bpfAnd  = 0x50
	bpfRsh  = 0x70
	bpfMov  = 0xb0
	bpfJeq  = 0x10
	bpfJne  = 0x50
	bpfExit = 0x90
)

func ldxW(dst, src uint8, off int16) insn {
	return insn{code: bpfLdx | bpfMem | bpfW, dst: dst, src: src, off: off}
}
func alu32Imm(op, dst uint8, imm int32) insn {
	return insn{code: bpfAlu | op | bpfK, dst: dst, imm: imm}
}
func mov32Reg(dst, src uint8) insn { return insn{code: bpfAlu | bpfMov | bpfX, dst: dst, src: src} }
func mov32Imm(dst uint8, imm int32) insn {
	return insn{code: bpfAlu | bpfMov | bpfK, dst: dst, imm: imm}
}
func exit() insn { return insn{code: bpfJmp | bpfExit} }

func jmpImm(op, dst uint8, imm int32, target string) insn {
	return insn{code: bpfJmp | op | bpfK, dst: dst, imm: imm, target: target}
}

// assemble resolves the jumps and encodes the program in the machine's
// byte order, as the kernel reads it.
func assemble(insns []insn) ([]byte, error) {
	at := map[string]int{}
	for i, in := range insns {
		if in.label != "" {
			at[in.label] = i
		}
	}
	bigEndian := binary.NativeEndian.Uint16([]byte{1, 0}) != 1
	out := make([]byte, 0, len(insns)*insnSize)
	for i, in := range insns {
		if in.target != "" {
			t, ok := at[in.target]
			if !ok || t <= i || t-i-1 > 1<<15-1 {
				return nil, fmt.Errorf("device program: bad jump from %d to %q", i, in.target)
			}
			in.off = int16(t - i - 1)
		}
		regs := in.dst | in.src<<4 // dst_reg:4, src_reg:4 bit-fields
		if bigEndian {
			regs = in.src | in.dst<<4
		}
		out = append(out, in.code, regs)
		out = binary.NativeEndian.AppendUint16(out, uint16(in.off))
		out = binary.NativeEndian.AppendUint32(out, uint32(in.imm))
	}
	return out, nil
}
