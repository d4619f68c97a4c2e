package specconv

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func (v *validator) mounts() error {
	for i, m := range v.s.Mounts {
		if err := v.mount(idx("mounts", i), m); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) mount(p string, m specs.Mount) error {
	switch {
	case m.Destination == "":
		return cfgErr(p+".destination", "must not be empty")
	case !filepath.IsAbs(m.Destination):
		return cfgErr(p+".destination", fmt.Sprintf("%q must be an absolute path", m.Destination))
	case hasNUL(m.Destination):
		return cfgErr(p+".destination", "contains a NUL byte")
	case hasNUL(m.Source):
		return cfgErr(p+".source", "contains a NUL byte")
	case hasNUL(m.Type):
		return cfgErr(p+".type", "contains a NUL byte")
	}
	bind := isBind(m)
	if bind {
		// The type of a bind mount is ignored; its options must all be
		// VFS flags: file-system options would change the source's
		// superblock, i.e. the host's mount.
		if m.Source == "" {
			return cfgErr(p+".source", "a bind mount needs a source")
		}
		for j, o := range m.Options {
			if !knownMountOption(o) {
				return cfgErr(idx(p+".options", j), fmt.Sprintf("bind mounts cannot have file-system option %q", o))
			}
		}
	} else if !knownMountType(m.Type) && !v.fsTypeKnown(m.Type) {
		return cfgErr(p+".type", fmt.Sprintf("unknown mount type %q", m.Type))
	}
	return v.idmapMount(p, m, bind)
}

func isBind(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}

// idmapMount applies runc's rules for id-mapped mounts: bind mounts only,
// not rootless, and both maps (or, with the idmap option alone, the
// container's user namespace).
func (v *validator) idmapMount(p string, m specs.Mount, bind bool) error {
	option := false
	for _, o := range m.Options {
		if o == "idmap" || o == "ridmap" {
			option = true
		}
	}
	maps := len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0
	if !option && !maps {
		return nil
	}
	switch {
	case !bind:
		return cfgErr(p, "id-mapped mounts are only supported for bind-mounts")
	case v.opts.Rootless:
		return cfgErr(p, "id-mapped mounts are not supported for rootless containers")
	case maps && (len(m.UIDMappings) == 0 || len(m.GIDMappings) == 0):
		return cfgErr(p, "id-mapped mounts must have both uid and gid mappings specified")
	case !maps:
		if found, _, _ := v.ns(specs.UserNamespace); !found {
			return cfgErr(p, "id-mapped mount without mappings needs a user namespace")
		}
		return nil
	}
	if err := checkIDMappings(p+".uidMappings", m.UIDMappings); err != nil {
		return err
	}
	return checkIDMappings(p+".gidMappings", m.GIDMappings)
}

// fsTypes caches, for one Validate call, the file systems the kernel has.
type fsTypes struct {
	unknown bool     // /proc/filesystems could not be read: allow any type
	names   []string // the types /proc/filesystems lists
	alias   *[]byte  // modules.alias, read on first need
}

// fsTypeKnown reports whether the kernel can mount type t: it is listed in
// /proc/filesystems, or a module alias "fs-<t>" exists so that mount(2)
// would load it. "fuse.<subtype>" counts as fuse.
func (v *validator) fsTypeKnown(t string) bool {
	base, _, _ := strings.Cut(t, ".")
	if base == "" {
		return false
	}
	if v.fsTypes == nil {
		v.fsTypes = &fsTypes{}
		data, err := os.ReadFile("/proc/filesystems")
		v.fsTypes.unknown = err != nil
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				v.fsTypes.names = append(v.fsTypes.names, f[len(f)-1])
			}
		}
	}
	if v.fsTypes.unknown {
		return true // cannot tell; let mount(2) decide
	}
	for _, n := range v.fsTypes.names {
		if n == base {
			return true
		}
	}
	return v.fsTypes.hasModuleAlias("fs-" + base)
}

func (f *fsTypes) hasModuleAlias(alias string) bool {
	if f.alias == nil {
		var data []byte
		var uts unix.Utsname
		if unix.Uname(&uts) == nil {
			release := unix.ByteSliceToString(uts.Release[:])
			data, _ = os.ReadFile(filepath.Join("/lib/modules", release, "modules.alias"))
		}
		f.alias = &data
	}
	want := []byte("alias " + alias + " ")
	sc := bufio.NewScanner(bytes.NewReader(*f.alias))
	for sc.Scan() {
		if bytes.HasPrefix(sc.Bytes(), want) {
			return true
		}
	}
	return false
}
