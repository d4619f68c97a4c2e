package libcontainer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// newTestIniter returns an initer over a fresh rootfs with a recording host.
func newTestIniter(t *testing.T) (*initer, *fakeHost, handle, string) {
	t.Helper()
	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	rootfs, _ = filepath.EvalSymlinks(rootfs)
	fake := &fakeHost{}
	it := &initer{cfg: &initConfig{ID: "t", Bundle: bundle, Rootfs: rootfs, Spec: &specs.Spec{}}, sys: fake}
	fd, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	root := handle(fd)
	t.Cleanup(root.close)
	return it, fake, root, rootfs
}

func TestMountBindReadonly(t *testing.T) {
	it, fake, root, rootfs := newTestIniter(t)
	src := t.TempDir()
	m := specs.Mount{Destination: "/data", Type: "bind", Source: src, Options: []string{"rbind", "ro", "nosuid", "rprivate"}}
	if err := it.mountOne(root, &m); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(rootfs, "data")
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		t.Fatalf("mount point not created as a directory: %v", err)
	}
	if len(fake.calls) != 3 {
		t.Fatalf("calls %+v, want bind, remount, propagation", fake.calls)
	}
	bind, remount, prop := fake.calls[0], fake.calls[1], fake.calls[2]
	if bind.source != src || bind.target != target || bind.flags != unix.MS_BIND|unix.MS_REC {
		t.Errorf("bind call %+v", bind)
	}
	want := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID)
	if remount.target != target || remount.flags&want != want {
		t.Errorf("remount call %+v, want flags %#x", remount, want)
	}
	if prop.flags != unix.MS_PRIVATE|unix.MS_REC {
		t.Errorf("propagation call %+v", prop)
	}
}

func TestMountBindFileCreatesFile(t *testing.T) {
	it, fake, root, rootfs := newTestIniter(t)
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := specs.Mount{Destination: "/etc/resolv.conf", Source: src, Options: []string{"bind"}}
	if err := it.mountOne(root, &m); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(rootfs, "etc/resolv.conf"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("file mount point not created: %v", err)
	}
	if len(fake.calls) != 1 {
		t.Fatalf("a plain bind needs no remount: %+v", fake.calls)
	}
}

// A symlink inside the rootfs that points outside it must be resolved
// within the rootfs (CVE-2021-30465): the mount lands inside, or fails.
func TestMountTargetSymlinkStaysInRootfs(t *testing.T) {
	it, fake, root, rootfs := newTestIniter(t)
	if err := os.Mkdir(filepath.Join(rootfs, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../inside", filepath.Join(rootfs, "up")); err != nil {
		t.Fatal(err)
	}
	m := specs.Mount{Destination: "/up/x", Type: "tmpfs", Source: "tmpfs"}
	if err := it.mountOne(root, &m); err != nil {
		t.Fatal(err)
	}
	if got, want := fake.calls[0].target, filepath.Join(rootfs, "inside/x"); got != want {
		t.Fatalf("mount target %q, want %q", got, want)
	}

	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(rootfs, "escape")); err != nil {
		t.Fatal(err)
	}
	m = specs.Mount{Destination: "/escape/x", Type: "tmpfs", Source: "tmpfs"}
	err := it.mountOne(root, &m)
	for _, c := range fake.calls[1:] {
		if !strings.HasPrefix(c.target, rootfs+"/") {
			t.Fatalf("mount target %q escaped the rootfs %q", c.target, rootfs)
		}
	}
	if err == nil && len(fake.calls) == 1 {
		t.Fatal("mount through a dangling absolute symlink neither failed nor mounted")
	}
	if _, err := os.Stat(filepath.Join(outside, "x")); err == nil {
		t.Fatal("a directory was created outside the rootfs")
	}
}

func TestMountFilesystemFlagsAndData(t *testing.T) {
	it, fake, root, rootfs := newTestIniter(t)
	m := specs.Mount{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}
	if err := it.mountOne(root, &m); err != nil {
		t.Fatal(err)
	}
	c := fake.calls[0]
	if c.source != "shm" || c.fstype != "tmpfs" || c.target != filepath.Join(rootfs, "dev/shm") ||
		c.flags != unix.MS_NOSUID|unix.MS_NOEXEC|unix.MS_NODEV || c.data != "mode=1777,size=65536k" {
		t.Fatalf("call %+v", c)
	}
}

func TestMountOverProcRefused(t *testing.T) {
	it, _, root, _ := newTestIniter(t)
	for _, m := range []specs.Mount{
		{Destination: "/proc", Type: "tmpfs", Source: "tmpfs"},
		{Destination: "/proc/sys/kernel/core_pattern", Type: "bind", Source: "/etc/hostname"},
	} {
		if err := it.mountOne(root, &m); err == nil {
			t.Errorf("mount on %s was allowed", m.Destination)
		}
	}
	ok := specs.Mount{Destination: "/proc/uptime", Type: "bind", Source: "/etc/hostname"}
	if err := it.mountOne(root, &ok); err != nil {
		t.Errorf("lxcfs-style mount on /proc/uptime refused: %v", err)
	}
}

func TestRelativeDestinationRefused(t *testing.T) {
	it, _, root, _ := newTestIniter(t)
	m := specs.Mount{Destination: "rel", Type: "tmpfs", Source: "tmpfs"}
	if err := it.mountOne(root, &m); err == nil {
		t.Fatal("relative destination accepted")
	}
}

// A file mount target that is a symlink out of the rootfs never creates or
// mounts on anything outside it.
func TestFileTargetSymlinkOutside(t *testing.T) {
	it, fake, root, rootfs := newTestIniter(t)
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(rootfs, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "victim"), filepath.Join(rootfs, "etc/resolv.conf")); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m := specs.Mount{Destination: "/etc/resolv.conf", Source: src, Options: []string{"bind"}}
	err := it.mountOne(root, &m)
	if _, serr := os.Lstat(filepath.Join(outside, "victim")); serr == nil {
		t.Fatal("a file was created outside the rootfs")
	}
	for _, c := range fake.calls {
		if !strings.HasPrefix(c.target, rootfs+"/") {
			t.Fatalf("mounted on %q outside the rootfs", c.target)
		}
	}
	if err == nil && len(fake.calls) == 0 {
		t.Fatal("neither mounted nor failed")
	}
}

func TestMkdirAllInRootRefusesFileComponent(t *testing.T) {
	_, _, root, rootfs := newTestIniter(t)
	if err := os.WriteFile(filepath.Join(rootfs, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if h, err := mkdirAllInRoot(root, "/file/sub", 0o755); err == nil {
		h.close()
		t.Fatal("created a directory under a regular file")
	}
	h, err := mkdirAllInRoot(root, "/a/b/../c", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	h.close()
	if fi, err := os.Stat(filepath.Join(rootfs, "a/c")); err != nil || !fi.IsDir() {
		t.Fatalf("a/c not created: %v", err)
	}
}
