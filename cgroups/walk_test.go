package cgroups

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWalkFromMountpoint checks that paths under a registered mountpoint
// are walked from its fd (the deepest one that holds them, never one that
// only shares a prefix of its name), and other paths from the cwd as given.
func TestWalkFromMountpoint(t *testing.T) {
	saved := walkRoots.mounts
	savedFDs := walkRoots.fds
	defer func() { walkRoots.mounts, walkRoots.fds = saved, savedFDs }()
	walkRoots.mounts, walkRoots.fds = nil, nil

	tmp := t.TempDir()
	cpu := filepath.Join(tmp, "cpu")
	cpuset := filepath.Join(tmp, "cpuset")
	nested := filepath.Join(cpu, "nested")
	for _, d := range []string{cpu, cpuset, nested} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	registerMounts(&Layout{V1: map[string]*Hierarchy{"cpu": {Mountpoint: cpu}, "cpuset": {Mountpoint: cpuset}}, Unified: &Hierarchy{Mountpoint: nested}})
	defer func() {
		for _, fd := range walkRoots.fds {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	}()

	for _, c := range []struct{ path, root, rel string }{
		{cpu + "/a/b", cpu, "a/b"},
		{cpu, cpu, "."},
		{cpuset + "/x", cpuset, "x"},
		{nested + "/y", nested, "y"},
		{cpu + "x/y", "", cpu + "x/y"},
		{"/elsewhere/z", "", "/elsewhere/z"},
	} {
		fd, rel := at(c.path)
		if rel != c.rel {
			t.Errorf("at(%s): relative path %q, want %q", c.path, rel, c.rel)
		}
		if c.root == "" {
			if fd != unix.AT_FDCWD {
				t.Errorf("at(%s): fd %d, want AT_FDCWD", c.path, fd)
			}
			continue
		}
		got, err := os.Readlink("/proc/self/fd/" + itoa(fd))
		if err != nil || got != c.root {
			t.Errorf("at(%s): fd of %q (%v), want %s", c.path, got, err, c.root)
		}
	}

	// The operations themselves, through those fds.
	dir := filepath.Join(cpu, "c1")
	if err := mkdirAt(dir); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(dir, "knob", ""); !isNotExist(err) {
		t.Errorf("writeFile of a missing knob: %v, want ENOENT", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "knob"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(dir, "knob", "42"); err != nil {
		t.Fatal(err)
	}
	if got, err := readTrim(dir, "knob"); err != nil || got != "42" {
		t.Errorf("readTrim = %q, %v", got, err)
	}
	os.Remove(filepath.Join(dir, "knob"))
	if err := rmdirAt(dir); err != nil || exists(dir) {
		t.Errorf("rmdirAt: %v (still there: %v)", err, exists(dir))
	}
}

func itoa(n int) string { return fmtInt(int64(n)) }
