package sysfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	// Larger than the first buffer, so that it grows.
	want := bytes.Repeat([]byte("0123456789"), 1000)
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, want, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Read(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Read = %d bytes, %v; want %d bytes", len(got), err, len(want))
	}
	if got, err := Read("/proc/self/stat"); err != nil || len(got) == 0 {
		t.Errorf("Read of a proc file = %q, %v", got, err)
	}
	if _, err := Read(filepath.Join(dir, "missing")); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Read of a missing file: %v, want ENOENT", err)
	}
}
