package libcontainer

import (
	"fmt"
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
	if spec.Linux == nil || len(spec.Linux.Sysctl) == 0 {
		return nil
	}
	proc, err := openPrivateProc()
	if err != nil {
		return fmt.Errorf("linux.sysctl: %w", err)
	}
	defer proc.close()
	for key, value := range spec.Linux.Sysctl {
		if err := proc.write(sysctlPath(key), value); err != nil {
			return fmt.Errorf("linux.sysctl: set %s to %q: %w", key, value, err)
		}
	}
	return nil
}

// sysctlPath is the procfs path of a sysctl key: "net.ipv4.conf.eth0/100.
// forwarding" names sys/net/ipv4/conf/eth0.100/forwarding (dots and
// slashes swap; no ".." survives the swap).
func sysctlPath(key string) string {
	return "sys/" + strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, key)
}
