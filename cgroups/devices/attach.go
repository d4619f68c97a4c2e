package devices

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// SetV2 makes the cgroup v2 directory dir enforce rules: it loads the device
// program for them and attaches it (BPF_F_ALLOW_MULTI), then detaches every
// device program that was attached before. Between the two steps both old
// and new programs apply, and a device is allowed only if both allow it, so
// no access is ever granted that neither rule set grants. When the rules
// allow everything, the old programs are only detached.
func SetV2(dir string, rules []Rule) error {
	s, err := Emulate(rules)
	if err != nil {
		return err
	}
	var insns asm.Instructions
	if !(s.defaultAllow && len(s.exceptions) == 0) {
		if insns, err = programFor(s); err != nil {
			return err
		}
	}
	fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer unix.Close(fd)

	old, err := attachedPrograms(fd)
	if err != nil {
		return fmt.Errorf("device programs of %s: %w", dir, err)
	}
	defer func() {
		for _, p := range old {
			p.Close()
		}
	}()
	if insns != nil && len(old) == 1 && sameProgram(old[0], insns) {
		return nil // an update that changes nothing costs no reload
	}
	if insns != nil {
		prog, err := load(insns)
		if err != nil {
			return fmt.Errorf("load device program for %s: %w", dir, err)
		}
		defer prog.Close()
		err = link.RawAttachProgram(link.RawAttachProgramOptions{
			Target: fd, Program: prog, Attach: ebpf.AttachCGroupDevice, Flags: unix.BPF_F_ALLOW_MULTI,
		})
		if err != nil {
			return fmt.Errorf("attach device program to %s: %w", dir, err)
		}
	}
	for _, p := range old {
		err := link.RawDetachProgram(link.RawDetachProgramOptions{
			Target: fd, Program: p, Attach: ebpf.AttachCGroupDevice,
		})
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("detach old device program from %s: %w", dir, err)
		}
	}
	return nil
}

// attachedPrograms opens the device programs attached directly to the
// cgroup fd. Programs we may not open (an LSM can forbid it) are skipped:
// they can only restrict further, never grant.
func attachedPrograms(fd int) ([]*ebpf.Program, error) {
	res, err := link.QueryPrograms(link.QueryOptions{Target: fd, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		return nil, err
	}
	var out []*ebpf.Program
	for _, ap := range res.Programs {
		p, err := ebpf.NewProgramFromID(ap.ID)
		if err != nil {
			if errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrNotExist) {
				continue
			}
			for _, q := range out {
				q.Close()
			}
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// sameProgram reports whether p is the program insns would load (the
// kernel's tag is a hash of the instructions).
func sameProgram(p *ebpf.Program, insns asm.Instructions) bool {
	info, err := p.Info()
	if err != nil || info.Type != ebpf.CGroupDevice {
		return false
	}
	// The tag hashes the encoded instructions: resolve the jump offsets
	// (Marshal does, in place) on a copy first.
	bo := nativeEndian()
	enc := slices.Clone(insns)
	if enc.Marshal(io.Discard, bo) != nil {
		return false
	}
	same, err := enc.HasTag(info.Tag, bo)
	return err == nil && same
}

// nativeEndian is binary.NativeEndian as one of the two ByteOrder values
// cilium/ebpf accepts.
func nativeEndian() binary.ByteOrder {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// load loads the program; on kernels that still charge BPF memory to
// RLIMIT_MEMLOCK (before 5.11) it lifts that limit and retries once.
func load(insns asm.Instructions) (*ebpf.Program, error) {
	spec := &ebpf.ProgramSpec{Type: ebpf.CGroupDevice, License: License, Instructions: insns}
	p, err := ebpf.NewProgram(spec)
	if errors.Is(err, unix.EPERM) {
		inf := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
		if unix.Setrlimit(unix.RLIMIT_MEMLOCK, &inf) == nil {
			p, err = ebpf.NewProgram(spec)
		}
	}
	return p, err
}

// LoadProgram loads the device program for rules without attaching it
// (for tests and diagnostics); the caller closes it.
func LoadProgram(rules []Rule) (*ebpf.Program, error) {
	insns, err := Program(rules)
	if err != nil {
		return nil, err
	}
	return load(insns)
}
