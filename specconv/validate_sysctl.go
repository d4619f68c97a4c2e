package specconv

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// sysctl applies runc's rules: /proc/sys is only partly namespaced, so a
// key is allowed only when the container has its own instance of the
// namespace that owns it.
//   - kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.*: ipc namespace;
//   - net.*: a network namespace that is not the runtime's own;
//   - kernel.domainname: uts namespace (kernel.hostname is refused: it
//     conflicts with the hostname field);
//   - user.*: user namespace (runc >= 1.4);
//   - anything else is refused.
//
// Keys may use '/' as separator (sysctl.d(5)); a key whose components are
// empty, "." or ".." is refused, so that it cannot name a file outside
// /proc/sys.
func (v *validator) sysctl() error {
	const p = "linux.sysctl"
	sysctls := v.linux().Sysctl
	if len(sysctls) == 0 {
		return nil
	}
	var hostNet *bool // computed on the first net.* key
	for _, k := range sortedKeys(sysctls) {
		s := dottedSysctl(k)
		if !validSysctlKey(s) {
			return cfgErr(p, fmt.Sprintf("invalid key %q", k))
		}
		switch {
		case ipcSysctl(s):
			if found, _, _ := v.ns(specs.IPCNamespace); !found {
				return cfgErr(p, fmt.Sprintf("%q is not allowed in the host's ipc namespace", k))
			}
			continue
		case strings.HasPrefix(s, "net."):
			if hostNet == nil {
				h, err := v.usesHostNet()
				if err != nil {
					return err
				}
				hostNet = &h
			}
			if *hostNet {
				return cfgErr(p, fmt.Sprintf("%q is not allowed in the host's network namespace", k))
			}
			continue
		case strings.HasPrefix(s, "user."):
			if found, _, _ := v.ns(specs.UserNamespace); found {
				continue
			}
		case s == "kernel.domainname" || s == "kernel.hostname":
			if found, _, _ := v.ns(specs.UTSNamespace); found {
				if s == "kernel.hostname" {
					return cfgErr(p, fmt.Sprintf("%q is not allowed as it conflicts with the OCI \"hostname\" field", k))
				}
				continue
			}
		}
		return cfgErr(p, fmt.Sprintf("%q is not in a separate kernel namespace", k))
	}
	return nil
}

func ipcSysctl(s string) bool {
	switch s {
	case "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced":
		return true
	}
	return strings.HasPrefix(s, "fs.mqueue.")
}

// usesHostNet reports whether the container stays in the runtime's own
// network namespace: no network namespace, or a joined one that is the
// same file as /proc/self/ns/net.
func (v *validator) usesHostNet() (bool, error) {
	found, path, i := v.ns(specs.NetworkNamespace)
	if !found {
		return true, nil
	}
	if path == "" {
		return false, nil
	}
	var self, other unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &self); err != nil {
		return false, cfgErr("linux.sysctl", "cannot stat /proc/self/ns/net: "+err.Error())
	}
	if err := unix.Stat(path, &other); err != nil {
		return false, cfgErr(idx("linux.namespaces", i)+".path", fmt.Sprintf("cannot stat %q: %s", path, err.Error()))
	}
	return self.Dev == other.Dev && self.Ino == other.Ino, nil
}

// dottedSysctl converts a '/'-separated key to the '.'-separated form, in
// which a '/' stands for a '.' inside a component (sysctl(8)): the key
// "net/ipv4/conf/eth0.100/rp_filter" becomes "net.ipv4.conf.eth0/100.rp_filter".
// A key whose first separator is '.' is returned unchanged.
func dottedSysctl(k string) string {
	i := strings.IndexAny(k, "./")
	if i < 0 || k[i] == '.' {
		return k
	}
	return SwapSysctlSeparators(k)
}

// SwapSysctlSeparators swaps the '.' and '/' of a sysctl key: a
// '/'-separated key becomes the '.'-separated one and back, and a
// '.'-separated key becomes its path under /proc/sys.
func SwapSysctlSeparators(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, k)
}

// validSysctlKey reports whether a dotted key names a file under /proc/sys
// and nothing else: no empty component, no component that would read as
// "." or "..", no NUL.
func validSysctlKey(s string) bool {
	if s == "" || hasNUL(s) {
		return false
	}
	for _, c := range strings.Split(s, ".") {
		if c == "" || strings.Trim(c, "/") == "" {
			return false
		}
	}
	return true
}
