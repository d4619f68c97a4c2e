package devices

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// run decodes code with cilium/ebpf's asm package (an independent reading
// of our encoding) and interprets the few instructions Program emits
// (32-bit loads from the context, ALU32 and/rsh/mov, jeq/jne with
// immediates, exit) the way the kernel would, returning R0.
func run(t *testing.T, code []byte, typ Type, acc Access, major, minor int64) uint32 {
	t.Helper()
	insns := decode(t, code)
	dev := uint64(bpfDevChar)
	if typ == Block {
		dev = bpfDevBlock
	}
	ctx := map[int16]uint64{ctxAccessType: dev | uint64(bpfAccess(acc))<<16, ctxMajor: uint64(major), ctxMinor: uint64(minor)}
	var r [11]uint64
	for pc, steps := 0, 0; steps < 1000; steps++ {
		if pc >= len(insns) {
			t.Fatalf("ran off the end at %d", pc)
		}
		ins := insns[pc]
		op := ins.OpCode
		pc++
		switch op.Class() {
		case asm.LdXClass:
			if op.Size() != asm.Word || ins.Src != asm.R1 {
				t.Fatalf("unexpected load %v", ins)
			}
			r[ins.Dst] = ctx[ins.Offset]
		case asm.ALUClass:
			v := uint64(uint32(ins.Constant))
			if op.Source() == asm.RegSource {
				v = r[ins.Src]
			}
			switch op.ALUOp() {
			case asm.And:
				r[ins.Dst] = uint64(uint32(r[ins.Dst] & v))
			case asm.RSh:
				r[ins.Dst] = uint64(uint32(r[ins.Dst]) >> v)
			case asm.Mov:
				r[ins.Dst] = uint64(uint32(v))
			default:
				t.Fatalf("unexpected ALU op %v", ins)
			}
		case asm.JumpClass:
			switch op.JumpOp() {
			case asm.Exit:
				return uint32(r[asm.R0])
			case asm.JEq, asm.JNE:
				if op.Source() != asm.ImmSource {
					t.Fatalf("unexpected jump %v", ins)
				}
				eq := r[ins.Dst] == uint64(ins.Constant) // 64-bit compare, imm sign-extended
				if eq == (op.JumpOp() == asm.JEq) {
					if ins.Offset < 0 {
						t.Fatalf("backward jump at %d", pc-1)
					}
					pc += int(ins.Offset)
				}
			default:
				t.Fatalf("unexpected jump %v", ins)
			}
		default:
			t.Fatalf("unexpected instruction %v", ins)
		}
	}
	t.Fatal("program did not terminate")
	return 0
}

// decode reads code with cilium/ebpf's decoder.
func decode(t *testing.T, code []byte) asm.Instructions {
	t.Helper()
	if len(code)%insnSize != 0 {
		t.Fatalf("%d bytes is no whole number of instructions", len(code))
	}
	// cilium/ebpf takes one of the two ByteOrder values, not NativeEndian.
	var bo binary.ByteOrder = binary.BigEndian
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		bo = binary.LittleEndian
	}
	r := bytes.NewReader(code)
	insns := make(asm.Instructions, len(code)/insnSize)
	for i := range insns {
		if err := insns[i].Unmarshal(r, bo, "linux"); err != nil {
			t.Fatalf("cilium/ebpf cannot decode instruction %d: %v", i, err)
		}
	}
	return insns
}

// v1Allows is the cgroup v1 kernel's check (security/device_cgroup.c):
// allow-by-default denies when any deny exception overlaps the request
// (match_exception_partial); deny-by-default allows only when one allow
// exception covers the whole request (match_exception).
func v1Allows(s *State, typ Type, acc Access, major, minor int64) bool {
	for k, a := range s.exceptions {
		if k.typ != typ || (k.major != Wildcard && k.major != major) || (k.minor != Wildcard && k.minor != minor) {
			continue
		}
		if s.defaultAllow && a&acc != 0 {
			return false
		}
		if !s.defaultAllow && acc&^a == 0 {
			return true
		}
	}
	return s.defaultAllow
}

var ruleSets = map[string][]Rule{
	"default spec":        append([]Rule{denyAll()}, DefaultRules(nil)...),
	"privileged":          {allowAll()},
	"allow all but some":  {allowAll(), rule("c 1:5 w", false), rule("b 8:* rw", false), rule("c *:200 m", false)},
	"partial permissions": {denyAll(), rule("c 1:3 r", true), rule("c 1:9 rw", true), rule("b *:* m", true)},
	"wildcard minor":      {denyAll(), rule("c 136:* rw", true), rule("b 8:0 rwm", true)},
	"deny everything":     {denyAll()},
}

func TestProgramMatchesV1Semantics(t *testing.T) {
	for name, rules := range ruleSets {
		s, err := Emulate(rules)
		if err != nil {
			t.Fatal(err)
		}
		code, err := Program(rules)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n := 0
		for _, typ := range []Type{Char, Block} {
			for _, major := range []int64{0, 1, 5, 8, 10, 136, 4000} {
				for _, minor := range []int64{0, 2, 3, 5, 7, 8, 9, 200, 1 << 19} {
					for acc := Access(1); acc <= RWM; acc++ {
						want := v1Allows(s, typ, acc, major, minor)
						got := run(t, code, typ, acc, major, minor) == 1
						if got != want {
							t.Errorf("%s: %c %d:%d %s: program says %v, v1 says %v", name, typ, major, minor, acc, got, want)
						}
						n++
					}
				}
			}
		}
		t.Logf("%s: %d instructions, %d requests checked", name, len(code)/insnSize, n)
	}
}

func TestProgramShape(t *testing.T) {
	code, err := Program([]Rule{denyAll(), rule("c 1:3 rwm", true), rule("c 136:* rw", true)})
	if err != nil {
		t.Fatal(err)
	}
	insns := decode(t, code)
	text := fmt.Sprint(insns)
	// prologue (6) + "c 1:3 rwm": type, major, minor, mov, exit (5)
	// + "c 136:* rw": type, 3 access, major, mov, exit (7) + default (2)
	if len(insns) != 20 {
		t.Errorf("%d instructions, want 20:\n%s", len(insns), text)
	}
	last := insns[len(insns)-2:]
	if last[0].OpCode != asm.Mov.Op32(asm.ImmSource) || last[0].Dst != asm.R0 || last[0].Constant != 0 || last[1].OpCode.JumpOp() != asm.Exit {
		t.Errorf("program must end with the deny default:\n%s", text)
	}
	if _, err := Program([]Rule{rule("c 1:3 r", true), {Type: Char, Major: 1 << 31, Minor: 0, Access: Read, Allow: true}}); err == nil {
		t.Error("a major beyond 31 bits must be refused")
	}
}

// TestProgramLoadAndTestRun loads the program into the kernel (the
// verifier must accept it) and tries BPF_PROG_TEST_RUN, which the kernel
// does not implement for BPF_PROG_TYPE_CGROUP_DEVICE; the behaviour is
// then covered by the interpreter above and by TestSetV2OnHost.
func TestProgramLoadAndTestRun(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading a BPF program needs root")
	}
	fd, err := LoadProgram(ruleSets["default spec"])
	if err != nil {
		t.Fatalf("the verifier refused the device program: %v", err)
	}
	prog, err := ebpf.NewProgramFromFD(fd)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	ctx := make([]byte, 12)
	binary.NativeEndian.PutUint32(ctx[0:], bpfDevChar|bpfAccRead<<16)
	binary.NativeEndian.PutUint32(ctx[4:], 1)
	binary.NativeEndian.PutUint32(ctx[8:], 3)
	ret, err := prog.Run(&ebpf.RunOptions{Context: ctx})
	if errors.Is(err, ebpf.ErrNotSupported) || err != nil {
		t.Skipf("loaded fine, but BPF_PROG_TEST_RUN of a CGROUP_DEVICE program is not supported by this kernel: %v", err)
	}
	if ret != 1 {
		t.Errorf("read of /dev/null: verdict %d, want 1", ret)
	}
}

// A program the verifier refuses comes back with the verifier's last word.
func TestLoadRefusedShowsVerifier(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading a BPF program needs root")
	}
	code, err := assemble([]insn{exit()}) // R0 never set
	if err != nil {
		t.Fatal(err)
	}
	fd, err := load(code)
	if err == nil {
		unix.Close(fd)
		t.Fatal("the verifier took a program that never sets R0")
	}
	if !strings.Contains(err.Error(), "verifier: R0 !read_ok") || !errors.Is(err, unix.EACCES) {
		t.Errorf("error %q: want EACCES and the verifier's last line", err)
	}
}
