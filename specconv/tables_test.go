package specconv

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestKnownLists(t *testing.T) {
	opts := KnownMountOptions()
	if !slices.IsSorted(opts) {
		t.Error("KnownMountOptions is not sorted")
	}
	for _, o := range opts {
		if !knownMountOption(o) {
			t.Errorf("KnownMountOptions lists %q but knownMountOption refuses it", o)
		}
	}
	for _, o := range []string{"size=1k", "mode=755", "gid=5", "acl", ""} {
		if knownMountOption(o) {
			t.Errorf("knownMountOption(%q) = true, want false (file-system data)", o)
		}
	}
	ns := KnownNamespaces()
	if !slices.IsSorted(ns) || len(ns) != 8 {
		t.Errorf("KnownNamespaces = %q", ns)
	}
	for _, n := range ns {
		if !knownNamespace(specs.LinuxNamespaceType(n)) {
			t.Errorf("KnownNamespaces lists %q but knownNamespace refuses it", n)
		}
	}
	caps := KnownCapabilities()
	for _, c := range []string{"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_AUDIT_WRITE", "CAP_CHECKPOINT_RESTORE"} {
		if !slices.Contains(caps, c) {
			t.Errorf("KnownCapabilities lacks %s", c)
		}
	}
}

func TestConfigError(t *testing.T) {
	cause := fs.ErrPermission
	tests := []struct {
		err  *ConfigError
		want string
	}{
		{&ConfigError{Path: "process.args", Msg: "must not be empty"}, "process.args: must not be empty"},
		{&ConfigError{File: "config.json", Path: "root", Msg: "x"}, "config.json: root: x"},
		{&ConfigError{File: "config.json", Msg: "file is empty"}, "config.json: file is empty"},
		{&ConfigError{Msg: "two\nlines\r"}, `two\nlines\r`},
		{&ConfigError{Path: "a", Msg: "b", Err: cause}, "a: b"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if !errors.Is(tests[4].err, fs.ErrPermission) {
		t.Error("ConfigError does not unwrap to its cause")
	}
}

func TestKeyPath(t *testing.T) {
	for _, tt := range []struct{ path, key, want string }{
		{"", "process", "process"},
		{"linux", "sysctl", "linux.sysctl"},
		{"linux.sysctl", "net.ipv4.ip_forward", `linux.sysctl["net.ipv4.ip_forward"]`},
		{"annotations", "a\nb", `annotations["a\nb"]`},
		{"x", "1a", `x["1a"]`},
		{"x", "", `x[""]`},
	} {
		if got := key(tt.path, tt.key); got != tt.want {
			t.Errorf("key(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
		}
	}
}

func TestRootfsPath(t *testing.T) {
	s := &specs.Spec{Root: &specs.Root{Path: "rootfs/"}}
	if got := RootfsPath(s, "/b/x"); got != "/b/x/rootfs" {
		t.Errorf("relative: %q", got)
	}
	s.Root.Path = "/abs//rootfs"
	if got := RootfsPath(s, "/b/x"); got != "/abs/rootfs" {
		t.Errorf("absolute: %q", got)
	}
	s.Root.Path = "rootfs"
	if got := RootfsPath(s, "rel"); !filepath.IsAbs(got) {
		t.Errorf("relative bundle: %q is not absolute", got)
	}
	if got := RootfsPath(&specs.Spec{}, "/b"); got != "" {
		t.Errorf("no root: %q", got)
	}
}
