package specconv

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Largest device numbers the kernel's dev_t encoding carries (12 and 20 bits).
const (
	maxMajor = 1<<12 - 1
	maxMinor = 1<<20 - 1
)

// linuxPaths checks linux.rootfsPropagation, linux.maskedPaths and
// linux.readonlyPaths.
func (v *validator) linuxPaths() error {
	l := v.linux()
	if rp := l.RootfsPropagation; rp != "" {
		if !propagationOption(rp) {
			return cfgErr("linux.rootfsPropagation", fmt.Sprintf("unknown propagation %q (want [r]shared, [r]slave, [r]private or [r]unbindable)", rp))
		}
		if v.opts.NoPivotRoot && (rp == "private" || rp == "rprivate") {
			return cfgErr("linux.rootfsPropagation", "rootfsPropagation of [r]private is not safe without pivot_root")
		}
	}
	lists := [...]struct {
		path  string
		paths []string
	}{{"linux.maskedPaths", l.MaskedPaths}, {"linux.readonlyPaths", l.ReadonlyPaths}}
	for _, list := range lists {
		for i, p := range list.paths {
			if !filepath.IsAbs(p) {
				return cfgErr(idx(list.path, i), fmt.Sprintf("%q must be an absolute path", p))
			}
			if hasNUL(p) {
				return cfgErr(idx(list.path, i), "contains a NUL byte")
			}
		}
		if len(list.paths) > 0 {
			if found, _, _ := v.ns(specs.MountNamespace); !found {
				return cfgErr(list.path, "unable to restrict sys entries without a private MNT namespace")
			}
		}
	}
	return nil
}

// devices checks linux.devices, the device nodes created in the container.
func (v *validator) devices() error {
	devs := v.linux().Devices
	for i, d := range devs {
		p := idx("linux.devices", i)
		switch d.Type {
		case "c", "b", "u", "p":
		default:
			return cfgErr(p+".type", fmt.Sprintf("unknown device type %q (want c, b, u or p)", d.Type))
		}
		switch clean := filepath.Clean(d.Path); {
		case d.Path == "":
			return cfgErr(p+".path", "must not be empty")
		case !filepath.IsAbs(d.Path):
			return cfgErr(p+".path", fmt.Sprintf("%q must be an absolute path", d.Path))
		case hasNUL(d.Path):
			return cfgErr(p+".path", "contains a NUL byte")
		case !strings.HasPrefix(clean, "/dev/"):
			return cfgErr(p+".path", fmt.Sprintf("%q is not under /dev", d.Path))
		}
		for _, prev := range devs[:i] {
			if filepath.Clean(prev.Path) == filepath.Clean(d.Path) {
				return cfgErr(p+".path", fmt.Sprintf("duplicate device %q", d.Path))
			}
		}
		if d.Type != "p" {
			if d.Major < 0 || d.Major > maxMajor {
				return cfgErr(p+".major", fmt.Sprintf("%d is out of range [0, %d]", d.Major, maxMajor))
			}
			if d.Minor < 0 || d.Minor > maxMinor {
				return cfgErr(p+".minor", fmt.Sprintf("%d is out of range [0, %d]", d.Minor, maxMinor))
			}
		}
	}
	return nil
}

// cgroupsPath checks linux.cgroupsPath: "slice:prefix:name" with systemd,
// otherwise a path that does not climb out of the cgroup root.
func (v *validator) cgroupsPath() error {
	const p = "linux.cgroupsPath"
	cp := v.linux().CgroupsPath
	if cp == "" {
		return nil
	}
	if hasNUL(cp) {
		return cfgErr(p, "contains a NUL byte")
	}
	if !v.opts.Systemd {
		if clean := filepath.Clean(cp); clean == ".." || strings.HasPrefix(clean, "../") {
			return cfgErr(p, fmt.Sprintf("%q escapes the cgroup root", cp))
		}
		return nil
	}
	parts := strings.Split(cp, ":")
	if len(parts) != 3 {
		return cfgErr(p, fmt.Sprintf("expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got %q instead", cp))
	}
	slice, prefix, name := parts[0], parts[1], parts[2]
	switch {
	case slice != "" && (!strings.HasSuffix(slice, ".slice") || strings.Contains(slice, "/")):
		return cfgErr(p, fmt.Sprintf("invalid slice %q in %q (want e.g. \"system.slice\")", slice, cp))
	case strings.Contains(prefix, "/"):
		return cfgErr(p, fmt.Sprintf("invalid prefix %q in %q", prefix, cp))
	case name == "" || strings.Contains(name, "/"):
		return cfgErr(p, fmt.Sprintf("invalid name %q in %q", name, cp))
	}
	return nil
}

// misc checks linux.intelRdt and linux.memoryPolicy.
func (v *validator) misc() error {
	l := v.linux()
	if rdt := l.IntelRdt; rdt != nil {
		if id := rdt.ClosID; id == "." || id == ".." || strings.Contains(id, "/") {
			return cfgErr("linux.intelRdt.closID", fmt.Sprintf("invalid CLOS ID %q", id))
		}
		// berth has no resctrl support (features says so): a container
		// that asks for it must not start without it. runc's words.
		switch {
		case rdt.L3CacheSchema != "":
			return cfgErr("", "intelRdt.l3CacheSchema is specified in config, but Intel RDT/CAT is not enabled")
		case rdt.MemBwSchema != "":
			return cfgErr("", "intelRdt.memBwSchema is specified in config, but Intel RDT/MBA is not enabled")
		case rdt.ClosID != "" || len(rdt.Schemata) > 0 || rdt.EnableMonitoring:
			return cfgErr("", "intelRdt is specified in config, but Intel RDT is not supported or enabled")
		}
	}
	if mp := l.MemoryPolicy; mp != nil {
		switch mp.Mode {
		case specs.MpolDefault, specs.MpolBind, specs.MpolInterleave, specs.MpolWeightedInterleave,
			specs.MpolPreferred, specs.MpolPreferredMany, specs.MpolLocal:
		default:
			return cfgErr("linux.memoryPolicy.mode", fmt.Sprintf("unknown mode %q", mp.Mode))
		}
		for i, f := range mp.Flags {
			switch f {
			case specs.MpolFNumaBalancing, specs.MpolFRelativeNodes, specs.MpolFStaticNodes:
			default:
				return cfgErr(idx("linux.memoryPolicy.flags", i), fmt.Sprintf("unknown flag %q", f))
			}
		}
		if err := checkList("linux.memoryPolicy.nodes", mp.Nodes); err != nil {
			return err
		}
	}
	return nil
}

// rootless applies runc's extra rules for a runtime without root on the
// host: the container needs a user namespace, and uid=/gid= mount options
// must name ids mapped in it.
func (v *validator) rootless() error {
	if !v.opts.Rootless {
		return nil
	}
	if found, _, _ := v.ns(specs.UserNamespace); !found {
		return cfgErr("linux.namespaces", "rootless container requires user namespaces")
	}
	l := v.linux()
	if !v.newUserNS() {
		return nil // the joined namespace's mappings are not known here
	}
	for i, m := range v.s.Mounts {
		for j, o := range m.Options {
			name, val, _ := strings.Cut(o, "=")
			maps := l.UIDMappings
			switch name {
			case "uid":
			case "gid":
				maps = l.GIDMappings
			default:
				continue
			}
			id, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				continue // not an id: the file system will judge it
			}
			if !mapped(maps, uint32(id)) {
				return cfgErr(idx(idx("mounts", i)+".options", j),
					fmt.Sprintf("cannot specify %s=%d mount option for rootless container: not mapped in the user namespace", name, id))
			}
		}
	}
	return nil
}
