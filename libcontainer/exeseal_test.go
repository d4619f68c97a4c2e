package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// The binary init runs from must not be writable through any handle a
// container could reach (CVE-2019-5736).
func TestSealedExeIsNotWritable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("overlayfs sealing needs root")
	}
	f, err := sealedExe(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	path := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	if _, err := os.OpenFile(path, os.O_WRONLY, 0); !errors.Is(err, unix.EROFS) {
		t.Fatalf("open sealed binary for writing: %v, want EROFS", err)
	}
	// It is still our binary: the same size as /proc/self/exe.
	var a, b unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &a); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat("/proc/self/exe", &b); err != nil {
		t.Fatal(err)
	}
	if a.Size != b.Size {
		t.Fatalf("sealed size %d, own binary %d", a.Size, b.Size)
	}
}

// A state root inside the binary's dir (or the reverse) must not cost a
// copy of the binary per start: overlayfs refuses nested layers, so another
// second layer is used.
func TestSealedExeWithScratchNestedInBinaryDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("overlayfs sealing needs root")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp(filepath.Dir(exe), "state")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(scratch)
	for _, s := range []string{scratch, filepath.Dir(exe), filepath.Dir(filepath.Dir(exe))} {
		f, err := sealedExe(s)
		if err != nil {
			t.Fatal(err)
		}
		var st unix.Statfs_t
		err = unix.Fstatfs(int(f.Fd()), &st)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if st.Type != unix.OVERLAYFS_SUPER_MAGIC {
			t.Errorf("scratch %s: sealed binary on fs type %#x, want overlayfs (not a memfd copy)", s, st.Type)
		}
	}
}

func TestNestedDirs(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"/tmp", "/tmp/root", true},
		{"/tmp/root/", "/tmp", true},
		{"/tmp", "/tmp", true},
		{"/", "/run/berth", true},
		{"/usr/bin", "/run/berth", false},
		{"/tmp", "/tmpx", false},
		{"/tmpx/a", "/tmp", false},
	} {
		if got := nested(c.a, c.b); got != c.want {
			t.Errorf("nested(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestMemfdExeIsSealed(t *testing.T) {
	f, err := memfdExe()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("x"), 0); !errors.Is(err, unix.EPERM) {
		t.Fatalf("write to sealed memfd: %v, want EPERM", err)
	}
	if err := unix.Ftruncate(int(f.Fd()), 0); !errors.Is(err, unix.EPERM) {
		t.Fatalf("truncate sealed memfd: %v, want EPERM", err)
	}
}
