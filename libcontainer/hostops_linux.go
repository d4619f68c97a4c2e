package libcontainer

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// hostOps are the system calls of the init sequence that change the host or
// the container's view of it. The init goes through this interface so that a
// recording fake can check the sequence in unit tests.
type hostOps interface {
	Mount(source, target, fstype string, flags uintptr, data string) error
	Unmount(target string, flags int) error
	PivotRoot(newroot, putold string) error
	Chroot(path string) error
	Sethostname(name string) error
	Setdomainname(name string) error
	Mknodat(dirfd int, name string, mode uint32, dev int) error
	MountSetattr(dirfd int, path string, flags uint, attr *unix.MountAttr) error
}

// MountError names every argument of a failed mount(2).
type MountError struct {
	Source, Target, Type string
	Flags                uintptr
	Data                 string
	Err                  error
}

func (e *MountError) Error() string {
	s := fmt.Sprintf("mount %q on %q", e.Source, e.Target)
	if e.Type != "" {
		s += fmt.Sprintf(" (type %q", e.Type)
		if e.Data != "" {
			s += fmt.Sprintf(", data %q", e.Data)
		}
		s += ")"
	}
	return fmt.Sprintf("%s flags 0x%x: %v", s, e.Flags, e.Err)
}

func (e *MountError) Unwrap() error { return e.Err }

// realHost performs the calls.
type realHost struct{}

func (realHost) Mount(source, target, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(source, target, fstype, flags, data); err != nil {
		return &MountError{source, target, fstype, flags, data, err}
	}
	return nil
}

func (realHost) Unmount(target string, flags int) error {
	if err := unix.Unmount(target, flags); err != nil {
		return fmt.Errorf("umount %q: %w", target, err)
	}
	return nil
}

func (realHost) PivotRoot(newroot, putold string) error {
	if err := unix.PivotRoot(newroot, putold); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	return nil
}

func (realHost) Chroot(path string) error {
	if err := unix.Chroot(path); err != nil {
		return fmt.Errorf("chroot %q: %w", path, err)
	}
	return nil
}

func (realHost) Sethostname(name string) error {
	if err := unix.Sethostname([]byte(name)); err != nil {
		return fmt.Errorf("sethostname %q: %w", name, err)
	}
	return nil
}

func (realHost) Setdomainname(name string) error {
	if err := unix.Setdomainname([]byte(name)); err != nil {
		return fmt.Errorf("setdomainname %q: %w", name, err)
	}
	return nil
}

func (realHost) Mknodat(dirfd int, name string, mode uint32, dev int) error {
	return unix.Mknodat(dirfd, name, mode, dev)
}

func (realHost) MountSetattr(dirfd int, path string, flags uint, attr *unix.MountAttr) error {
	return unix.MountSetattr(dirfd, path, flags, attr)
}
