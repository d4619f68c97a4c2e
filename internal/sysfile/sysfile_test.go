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
	// A reused buffer that is too small, and one with old content in it.
	small := func(p string) ([]byte, error) { return ReadWholeInto(p, make([]byte, 5, 16)) }
	dirty := func(p string) ([]byte, error) { return ReadWholeInto(p, bytes.Repeat([]byte("x"), 1<<15)) }
	fresh := func(p string) ([]byte, error) { return ReadWholeInto(p, nil) }
	for name, read := range map[string]func(string) ([]byte, error){"Read": Read, "ReadWholeInto nil": fresh, "ReadWholeInto small": small, "ReadWholeInto dirty": dirty} {
		got, err := read(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s = %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
	}
	// Exactly the first buffer's size: the read that fills it is not the end.
	if err := os.WriteFile(p, want[:2048], 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadWholeInto(p, nil); err != nil || !bytes.Equal(got, want[:2048]) {
		t.Fatalf("ReadWholeInto of 2048 bytes = %d bytes, %v", len(got), err)
	}
	if got, err := ReadWholeInto("/proc/self/stat", nil); err != nil || !bytes.HasSuffix(got, []byte("\n")) {
		t.Errorf("ReadWholeInto of /proc/self/stat = %q, %v", got, err)
	}
	if got, err := Read("/proc/self/stat"); err != nil || len(got) == 0 {
		t.Errorf("Read of a proc file = %q, %v", got, err)
	}
	if _, err := Read(filepath.Join(dir, "missing")); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Read of a missing file: %v, want ENOENT", err)
	}
}
