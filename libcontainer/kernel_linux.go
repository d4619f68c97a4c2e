package libcontainer

import (
	"fmt"
	"os"
	"strings"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setupNetwork brings up the loopback device of a new network namespace, as
// runc does; a joined namespace is left as it is.
func (it *initer) setupNetwork() error {
	spec := it.cfg.Spec
	if !hasNamespace(spec, specs.NetworkNamespace) || namespacePath(spec, specs.NetworkNamespace) != "" {
		return nil
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring up lo: socket: %w", err)
	}
	defer unix.Close(fd)
	var req [unix.IFNAMSIZ + 24]byte // struct ifreq
	copy(req[:], "lo")
	flags := (*uint16)(unsafe.Pointer(&req[unix.IFNAMSIZ]))
	if err := ioctl(fd, unix.SIOCGIFFLAGS, unsafe.Pointer(&req[0])); err != nil {
		return fmt.Errorf("bring up lo: get flags: %w", err)
	}
	*flags |= unix.IFF_UP
	if err := ioctl(fd, unix.SIOCSIFFLAGS, unsafe.Pointer(&req[0])); err != nil {
		return fmt.Errorf("bring up lo: set flags: %w", err)
	}
	return nil
}

func ioctl(fd int, req uint, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}

// setupKernelSettings sets hostname, domainname and sysctls, all inside the
// container's namespaces (validation refused those that would reach the host).
func (it *initer) setupKernelSettings() error {
	spec := it.cfg.Spec
	if spec.Hostname != "" {
		if err := it.sys.Sethostname(spec.Hostname); err != nil {
			return err
		}
	}
	if spec.Domainname != "" {
		if err := it.sys.Setdomainname(spec.Domainname); err != nil {
			return err
		}
	}
	if spec.Linux == nil {
		return nil
	}
	for key, value := range spec.Linux.Sysctl {
		if err := writeSysctl(key, value); err != nil {
			return fmt.Errorf("linux.sysctl: %w", err)
		}
	}
	return nil
}

// writeSysctl writes /proc/sys/<key with dots as slashes>, refusing a target
// that is not on procfs (a mount placed over it by the rootfs).
func writeSysctl(key, value string) error {
	// "net.ipv4.conf.eth0/100.forwarding" names .../eth0.100/forwarding:
	// dots and slashes swap. No ".." can survive the swap.
	path := "/proc/sys/" + strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, key)
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	defer f.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil || st.Type != unix.PROC_SUPER_MAGIC {
		return fmt.Errorf("set %s: %s is not on procfs", key, path)
	}
	if _, err := f.WriteString(value); err != nil {
		return fmt.Errorf("set %s to %q: %w", key, value, err)
	}
	return nil
}
