package cgroups

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMkdirAll(t *testing.T) {
	stop := t.TempDir()
	isDir := func(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }

	// Missing parents: all made, top first.
	deep := filepath.Join(stop, "a", "b", "c")
	made, err := mkdirAll(stop, deep)
	want := []string{filepath.Join(stop, "a"), filepath.Join(stop, "a", "b"), deep}
	if err != nil || !slices.Equal(made, want) || !isDir(deep) {
		t.Fatalf("mkdirAll(%s) = %v, %v; want %v", deep, made, err, want)
	}
	// Parents there: only the leaf.
	leaf := filepath.Join(stop, "a", "b", "d")
	if made, err := mkdirAll(stop, leaf); err != nil || !slices.Equal(made, []string{leaf}) || !isDir(leaf) {
		t.Fatalf("mkdirAll(%s) = %v, %v; want [%s]", leaf, made, err, leaf)
	}
	// All there: nothing made, no error.
	if made, err := mkdirAll(stop, deep); err != nil || len(made) != 0 {
		t.Fatalf("mkdirAll of an existing dir = %v, %v", made, err)
	}
	// The hierarchy itself: nothing to do.
	if made, err := mkdirAll(stop, stop); err != nil || len(made) != 0 {
		t.Fatalf("mkdirAll(stop, stop) = %v, %v", made, err)
	}
	// Outside the hierarchy: refused.
	if _, err := mkdirAll(deep, stop); err == nil {
		t.Fatal("mkdirAll outside its hierarchy succeeded")
	}
	// A file in the way of a parent: an error naming it.
	if err := os.WriteFile(filepath.Join(stop, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := mkdirAll(stop, filepath.Join(stop, "f", "x")); err == nil {
		t.Fatal("mkdirAll through a file succeeded")
	}
}
