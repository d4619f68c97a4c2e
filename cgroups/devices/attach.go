package devices

import (
	"bytes"
	"errors"
	"fmt"
	"os"

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
	var code []byte
	if !(s.defaultAllow && len(s.exceptions) == 0) {
		if code, err = programFor(s); err != nil {
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
			unix.Close(p)
		}
	}()
	if code != nil && len(old) == 1 && sameProgram(old[0], code) {
		return nil // an update that changes nothing costs no reload
	}
	if code != nil {
		prog, err := load(code)
		if err != nil {
			return fmt.Errorf("load device program for %s: %w", dir, err)
		}
		defer unix.Close(prog)
		if err := progAttach(fd, prog, unix.BPF_F_ALLOW_MULTI); err != nil {
			return fmt.Errorf("attach device program to %s: %w", dir, err)
		}
	}
	for _, p := range old {
		if err := progDetach(fd, p); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("detach old device program from %s: %w", dir, err)
		}
	}
	return nil
}

// attachedPrograms opens the device programs attached directly to the
// cgroup fd. Programs we may not open (an LSM can forbid it) are skipped:
// they can only restrict further, never grant.
func attachedPrograms(fd int) ([]int, error) {
	ids, err := progQuery(fd)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, id := range ids {
		p, err := progFDByID(id)
		if err != nil {
			if errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrNotExist) {
				continue
			}
			for _, q := range out {
				unix.Close(q)
			}
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// sameProgram reports whether the loaded program prog is code: the
// verifier leaves a device program's instructions as they are, and where it
// does not (constant blinding, a kernel that hides them) we only reload.
func sameProgram(prog int, code []byte) bool {
	typ, loaded, err := progCode(prog, len(code)+insnSize)
	return err == nil && typ == unix.BPF_PROG_TYPE_CGROUP_DEVICE && bytes.Equal(loaded, code)
}

// load loads the program; on kernels that still charge BPF memory to
// RLIMIT_MEMLOCK (before 5.11) it lifts that limit and retries once.
func load(code []byte) (int, error) {
	p, err := progLoad(code)
	if errors.Is(err, unix.EPERM) {
		inf := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
		if unix.Setrlimit(unix.RLIMIT_MEMLOCK, &inf) == nil {
			p, err = progLoad(code)
		}
	}
	return p, err
}

// LoadProgram loads the device program for rules without attaching it
// (for tests and diagnostics) and returns its fd; the caller closes it.
func LoadProgram(rules []Rule) (int, error) {
	code, err := Program(rules)
	if err != nil {
		return -1, err
	}
	return load(code)
}
