package libcontainer

import (
	"errors"
	"os"
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
