package specconv

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ValidateOptions are the facts about the invocation that change what a
// valid configuration is.
type ValidateOptions struct {
	// Systemd is set with --systemd-cgroup: linux.cgroupsPath must then be
	// "slice:prefix:name".
	Systemd bool
	// Rootless is set when the runtime runs without root on the host
	// (euid != 0): a user namespace with mappings becomes mandatory and
	// uid=/gid= mount options must be mapped.
	Rootless bool
	// NoPivotRoot is set with --no-pivot: a private root propagation is
	// then unsafe and refused, as runc does.
	NoPivotRoot bool
}

// Validate checks s, loaded from bundle, before a container is created
// from it, and returns the first problem found or nil.
//
// The error is a *ConfigError whose Path is the JSON path of the offending
// field and whose message is one line, e.g.
// `linux.namespaces[2].type: unknown namespace "foo"`. Validate does not
// modify s. Besides reading s it only stats the rootfs and, when the
// configuration needs them, a joined network namespace, /proc/filesystems
// (for an unusual mount type) and the kernel's modules.alias.
func Validate(s *specs.Spec, bundle string, opts ValidateOptions) error {
	if s == nil {
		return cfgErr("", "no configuration")
	}
	v := &validator{s: s, l: s.Linux, bundle: bundle, opts: opts}
	if v.l == nil {
		v.l = &specs.Linux{} // no linux section: no namespaces, nothing to check
	}
	checks := [...]func() error{
		v.root,
		v.process,
		v.namespaces,
		v.uts,
		v.mounts,
		v.linuxPaths,
		v.devices,
		v.sysctl,
		v.hooks,
		v.cgroupsPath,
		v.personality,
		v.resources,
		v.seccomp,
		v.misc,
		v.rootless,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// RootfsPath returns the absolute, cleaned path of s's root file system:
// root.path itself when absolute, else root.path joined to bundle (made
// absolute). It does not resolve symlinks. It returns "" if s has no root.
func RootfsPath(s *specs.Spec, bundle string) string {
	if s.Root == nil || s.Root.Path == "" {
		return ""
	}
	p := s.Root.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(bundle, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return filepath.Clean(p)
}

// validator carries one Validate call's state; nothing outlives the call.
type validator struct {
	s      *specs.Spec
	l      *specs.Linux // s.Linux, or an empty one
	bundle string
	opts   ValidateOptions

	fsTypes *fsTypes // loaded on the first unusual mount type
}

func (v *validator) linux() *specs.Linux { return v.l }

// ns reports whether the spec lists namespace type t (to be created or
// joined), the path to join if any, and its index in linux.namespaces.
func (v *validator) ns(t specs.LinuxNamespaceType) (found bool, path string, index int) {
	for i, n := range v.linux().Namespaces {
		if n.Type == t {
			return true, n.Path, i
		}
	}
	return false, "", -1
}

// newUserNS reports whether a new user namespace is created (listed, no path).
func (v *validator) newUserNS() bool {
	found, path, _ := v.ns(specs.UserNamespace)
	return found && path == ""
}

func (v *validator) root() error {
	r := v.s.Root
	if r == nil {
		return cfgErr("root", "must be specified")
	}
	if r.Path == "" {
		return cfgErr("root.path", "must not be empty")
	}
	if hasNUL(r.Path) {
		return cfgErr("root.path", "contains a NUL byte")
	}
	rootfs := RootfsPath(v.s, v.bundle)
	st, err := os.Stat(rootfs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cfgErr("root.path", fmt.Sprintf("rootfs %q does not exist", rootfs))
	case err != nil:
		return cfgErr("root.path", fmt.Sprintf("rootfs %q: %s", rootfs, errnoText(err)))
	case !st.IsDir():
		return cfgErr("root.path", fmt.Sprintf("rootfs %q is not a directory", rootfs))
	}
	return nil
}

func (v *validator) uts() error {
	found, _, _ := v.ns(specs.UTSNamespace)
	if v.s.Hostname != "" && !found {
		return cfgErr("hostname", "unable to set hostname without a private UTS namespace")
	}
	if v.s.Domainname != "" && !found {
		return cfgErr("domainname", "unable to set domainname without a private UTS namespace")
	}
	return nil
}

func (v *validator) hooks() error {
	h := v.s.Hooks
	if h == nil {
		return nil
	}
	lists := [...]struct {
		name  string
		hooks []specs.Hook
	}{
		{"prestart", h.Prestart}, //nolint:staticcheck // deprecated but still run
		{"createRuntime", h.CreateRuntime},
		{"createContainer", h.CreateContainer},
		{"startContainer", h.StartContainer},
		{"poststart", h.Poststart},
		{"poststop", h.Poststop},
	}
	for _, l := range lists {
		for i, hook := range l.hooks {
			p := idx("hooks."+l.name, i)
			switch {
			case hook.Path == "":
				return cfgErr(p+".path", "must not be empty")
			case !filepath.IsAbs(hook.Path):
				return cfgErr(p+".path", fmt.Sprintf("%q must be an absolute path", hook.Path))
			case hasNUL(hook.Path):
				return cfgErr(p+".path", "contains a NUL byte")
			case hook.Timeout != nil && *hook.Timeout <= 0:
				return cfgErr(p+".timeout", fmt.Sprintf("must be greater than zero, got %d", *hook.Timeout))
			}
		}
	}
	return nil
}

func (v *validator) personality() error {
	p := v.linux().Personality
	if p == nil {
		return nil
	}
	if p.Domain != specs.PerLinux && p.Domain != specs.PerLinux32 {
		return cfgErr("linux.personality.domain", fmt.Sprintf("unknown personality domain %q (want LINUX or LINUX32)", p.Domain))
	}
	return nil
}

func hasNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}
