package specconv

import (
	"fmt"
	"path/filepath"
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maxIDMapLines is the kernel's limit on lines in uid_map and gid_map
// (since Linux 4.15).
const maxIDMapLines = 340

func (v *validator) namespaces() error {
	l := v.linux()
	for i, n := range l.Namespaces {
		p := idx("linux.namespaces", i)
		if !knownNamespace(n.Type) {
			return cfgErr(p+".type", fmt.Sprintf("unknown namespace %q", n.Type))
		}
		for _, prev := range l.Namespaces[:i] {
			if prev.Type == n.Type {
				return cfgErr(p+".type", fmt.Sprintf("duplicate namespace %q", n.Type))
			}
		}
		if n.Path != "" && !filepath.IsAbs(n.Path) {
			return cfgErr(p+".path", fmt.Sprintf("%q must be an absolute path", n.Path))
		}
		if hasNUL(n.Path) {
			return cfgErr(p+".path", "contains a NUL byte")
		}
	}
	if err := v.userNamespace(); err != nil {
		return err
	}
	if err := v.userMapped(); err != nil {
		return err
	}
	if err := v.timeNamespace(); err != nil {
		return err
	}
	if len(l.NetDevices) > 0 {
		found, path, _ := v.ns(specs.NetworkNamespace)
		if !found || path != "" {
			return cfgErr("linux.netDevices", "network devices can only be moved into a new network namespace")
		}
		for _, name := range sortedKeys(l.NetDevices) {
			if !validIfName(name) {
				return cfgErr(key("linux.netDevices", name), fmt.Sprintf("invalid network device name %q", name))
			}
			if n := l.NetDevices[name].Name; n != "" && !validIfName(n) {
				return cfgErr(key("linux.netDevices", name)+".name", fmt.Sprintf("invalid network device name %q", n))
			}
		}
	}
	return nil
}

func (v *validator) userNamespace() error {
	l := v.linux()
	found, path, _ := v.ns(specs.UserNamespace)
	if !found {
		if len(l.UIDMappings) > 0 {
			return cfgErr("linux.uidMappings", "user namespace mappings given but no user namespace")
		}
		if len(l.GIDMappings) > 0 {
			return cfgErr("linux.gidMappings", "user namespace mappings given but no user namespace")
		}
		return nil
	}
	if path == "" {
		if len(l.UIDMappings) == 0 && len(l.GIDMappings) == 0 {
			return cfgErr("linux.uidMappings", "user namespaces enabled, but no namespace path to join nor mappings to apply specified")
		}
		if len(l.UIDMappings) == 0 {
			return cfgErr("linux.uidMappings", "a new user namespace needs uid mappings")
		}
		if len(l.GIDMappings) == 0 {
			return cfgErr("linux.gidMappings", "a new user namespace needs gid mappings")
		}
	}
	if err := checkIDMappings("linux.uidMappings", l.UIDMappings); err != nil {
		return err
	}
	return checkIDMappings("linux.gidMappings", l.GIDMappings)
}

// checkIDMappings refuses what the kernel would refuse when the map is
// written: empty ranges, ranges past 2^32, too many lines.
func checkIDMappings(path string, maps []specs.LinuxIDMapping) error {
	if len(maps) > maxIDMapLines {
		return cfgErr(path, fmt.Sprintf("%d mappings exceed the kernel's limit of %d", len(maps), maxIDMapLines))
	}
	for i, m := range maps {
		p := idx(path, i)
		if m.Size == 0 {
			return cfgErr(p+".size", "must be greater than zero")
		}
		// The kernel refuses a range that wraps to 0 (id 4294967295 is "no id").
		if uint64(m.ContainerID)+uint64(m.Size) >= 1<<32 || uint64(m.HostID)+uint64(m.Size) >= 1<<32 {
			return cfgErr(p, "range extends past the largest id 4294967294")
		}
		// The kernel refuses overlapping ranges on either side.
		for j := 0; j < i; j++ {
			o := maps[j]
			if overlaps(m.ContainerID, m.Size, o.ContainerID, o.Size) {
				return cfgErr(p, fmt.Sprintf("container ids overlap those of %s", idx(path, j)))
			}
			if overlaps(m.HostID, m.Size, o.HostID, o.Size) {
				return cfgErr(p, fmt.Sprintf("host ids overlap those of %s", idx(path, j)))
			}
		}
	}
	// The map is written in one write(2) of less than a page.
	n := 0
	for _, m := range maps {
		n += len(fmt.Sprintf("%d %d %d\n", m.ContainerID, m.HostID, m.Size))
	}
	if n >= 4096 {
		return cfgErr(path, fmt.Sprintf("the mappings take %d bytes, over the kernel's limit of 4095", n))
	}
	return nil
}

func overlaps(a, an, b, bn uint32) bool {
	return uint64(a) < uint64(b)+uint64(bn) && uint64(b) < uint64(a)+uint64(an)
}

func (v *validator) timeNamespace() error {
	l := v.linux()
	found, path, _ := v.ns(specs.TimeNamespace)
	if len(l.TimeOffsets) == 0 {
		return nil
	}
	if !found {
		return cfgErr("linux.timeOffsets", "time namespace offsets specified, but time namespace isn't enabled in the config")
	}
	if path != "" {
		return cfgErr("linux.timeOffsets", "time namespace enabled, but both namespace path and time offsets specified -- you may only provide one")
	}
	for _, clock := range sortedKeys(l.TimeOffsets) {
		if clock != "boottime" && clock != "monotonic" {
			return cfgErr(key("linux.timeOffsets", clock), fmt.Sprintf("unknown clock %q (want boottime or monotonic)", clock))
		}
		if ns := l.TimeOffsets[clock].Nanosecs; ns >= 1e9 {
			return cfgErr(key("linux.timeOffsets", clock)+".nanosecs", fmt.Sprintf("%d is out of range [0, 999999999]", ns))
		}
	}
	return nil
}

// validIfName follows the kernel's dev_valid_name.
func validIfName(name string) bool {
	if name == "" || len(name) >= 16 || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '/', c == ':', c == ' ', c == '\t', c == '\n', c == '\r', c == '\v', c == '\f', c == 0:
			return false
		}
	}
	return true
}

// sortedKeys returns a map's keys in order, so that "the first problem" is
// the same on every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
