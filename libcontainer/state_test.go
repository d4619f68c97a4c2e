package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestStateRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	want := &State{
		ID: "c1", Bundle: "/b", Rootfs: "/b/rootfs", InitPid: 42, InitStartTime: 7,
		Created: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Annotations: map[string]string{"k": "v"},
		CgroupPaths: map[string]string{"memory": "/sys/fs/cgroup/memory/c1"}, PrivatePidNS: true,
	}
	if err := saveState(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.InitPid != 42 || got.InitStartTime != 7 || !got.Created.Equal(want.Created) ||
		got.Annotations["k"] != "v" || got.CgroupPaths["memory"] != want.CgroupPaths["memory"] || !got.PrivatePidNS {
		t.Fatalf("round trip: got %+v, want %+v", got, want)
	}
	// No temporary files are left next to the state.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("state dir holds %d entries, want 1", len(entries))
	}
}

func TestLoadStateErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadState(dir); !errors.Is(err, errNoState) {
		t.Fatalf("missing state: got %v, want errNoState", err)
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("{truncated"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadState(dir); err == nil || errors.Is(err, errNoState) {
		t.Fatalf("corrupt state: got %v, want a corrupt-state error", err)
	}
}

func TestLoadMissingContainer(t *testing.T) {
	root := t.TempDir()
	if _, err := Load(root, "nope"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("got %v, want ErrNotExist", err)
	}
	if err := os.Mkdir(filepath.Join(root, "half"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, "half"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("state dir without state: got %v, want ErrNotExist", err)
	}
	if _, err := Load(root, "../x"); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("bad id: got %v, want ErrInvalidID", err)
	}
}

func TestSpecRoundTrip(t *testing.T) {
	dir := t.TempDir()
	spec := &specs.Spec{Version: specs.Version, Hostname: "h", Process: &specs.Process{Args: []string{"sh"}}}
	if err := saveSpec(dir, spec); err != nil {
		t.Fatal(err)
	}
	got, err := loadSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hostname != "h" || got.Process.Args[0] != "sh" {
		t.Fatalf("got %+v", got)
	}
}

func TestStatusStoppedWhenInitGone(t *testing.T) {
	c := &Container{ID: "x", Dir: t.TempDir(), State: &State{InitPid: 0}}
	if s := c.Status(); s != Stopped {
		t.Fatalf("status %q, want stopped", s)
	}
}

func TestWritePidFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pid")
	if err := writePidFile(path, 1234); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "1234" {
		t.Fatalf("pid file holds %q, want \"1234\" without newline", data)
	}
}

// A state file that parses but describes no container is corrupt, so that
// delete --force goes looking for what it would otherwise leave behind.
func TestEmptyStateIsCorrupt(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "c")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{`{}`, `null`, `{"id":"c"}`, `{"id":"other","init_pid":5,"init_start_time":9,"cgroup_paths":{"":"/x"}}`,
		`{"id":"c","init_pid":-1,"cgroup_paths":{"":"/x"}}`, `{"id":"c","init_pid":5,"init_start_time":9}`} {
		if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		var corrupt *CorruptStateError
		if _, err := Load(root, "c"); !errors.As(err, &corrupt) {
			t.Errorf("state %s: got %v, want a CorruptStateError", data, err)
		}
	}
	ok := `{"id":"c","creating":true,"cgroup_paths":{"":"/x"}}`
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(ok), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, "c"); err != nil {
		t.Errorf("a create's first state file is valid: %v", err)
	}
}

// State files are read into pooled buffers: a loaded state must not share
// memory with the buffer that the next load overwrites, for either decoder.
func TestLoadedStateOutlivesItsBuffer(t *testing.T) {
	root := t.TempDir()
	write := func(id, content string) string {
		dir := filepath.Join(root, id)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	generated := write("aaaa", `{"id":"aaaa","bundle":"/bundle-a","init_pid":1,"init_start_time":2,"created":"2026-01-02T03:04:05Z","annotations":{"ka":"va"},"cgroup_paths":{"memory":"/cg/aaaa"}}`)
	// An unknown key sends this one through encoding/json.
	fallback := write("bbbb", `{"id":"bbbb","bundle":"/bundle-b","init_pid":1,"init_start_time":2,"annotations":{"kb":"vb"},"cgroup_paths":{"memory":"/cg/bbbb"},"someday":1}`)
	overwrite := write("zzzz", `{"id":"zzzz","bundle":"/zzzzzzzzzzzzzzz","init_pid":9,"init_start_time":9,"annotations":{"zz":"zzzzzz"},"cgroup_paths":{"zzzzzz":"/zzzzzzzz"}}`)
	for _, tc := range []struct{ dir, id, bundle, key, val, cg string }{
		{generated, "aaaa", "/bundle-a", "ka", "va", "/cg/aaaa"},
		{fallback, "bbbb", "/bundle-b", "kb", "vb", "/cg/bbbb"},
	} {
		st, err := loadState(tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			if _, err := loadState(overwrite); err != nil {
				t.Fatal(err)
			}
		}
		if st.ID != tc.id || st.Bundle != tc.bundle || st.Annotations[tc.key] != tc.val || st.CgroupPaths["memory"] != tc.cg {
			t.Fatalf("state of %s changed after other loads: %+v", tc.id, st)
		}
	}
}

// Each replace leaves the file it replaced as the spare, and the next one
// writes into that file (no new inode), cut to the new length.
func TestReplaceFromSpare(t *testing.T) {
	dir := t.TempDir()
	path, spare := filepath.Join(dir, "f"), filepath.Join(dir, ".f.spare")
	ino := func(p string) uint64 {
		t.Helper()
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			t.Fatal(err)
		}
		return st.Ino
	}
	want := func(p, content string) {
		t.Helper()
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("%s: %q, %v; want %q", p, got, err, content)
		}
	}
	if err := replaceFromSpare(spare, path, []byte("first, and long")); err != nil {
		t.Fatal(err)
	}
	want(path, "first, and long")
	if _, err := os.Stat(spare); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after the first replace, a spare: %v", err)
	}
	first := ino(path)
	if err := replaceFromSpare(spare, path, []byte("second")); err != nil {
		t.Fatal(err)
	}
	want(path, "second")
	want(spare, "first, and long")
	second := ino(path)
	if err := replaceFromSpare(spare, path, []byte("third")); err != nil {
		t.Fatal(err)
	}
	want(path, "third")
	want(spare, "second")
	if ino(path) != first || ino(spare) != second {
		t.Fatalf("inodes: path %d spare %d, want %d and %d (no new file)", ino(path), ino(spare), first, second)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("mode %v, %v: want no access for group and others", fi.Mode(), err)
	}
}

func TestRemoveStateDir(t *testing.T) {
	root := t.TempDir()
	// Berth's own files, and a dir that holds something else too.
	ours := filepath.Join(root, "ours")
	other := filepath.Join(root, "other")
	for _, dir := range []string{ours, other} {
		if err := os.Mkdir(dir, 0o711); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{stateFile, stateSpare, configFile} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(other, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{ours, other, filepath.Join(root, "gone")} {
		if err := removeStateDir(dir); err != nil {
			t.Fatalf("removeStateDir(%s): %v", dir, err)
		}
		if _, err := os.Lstat(dir); !os.IsNotExist(err) {
			t.Fatalf("%s still there (%v)", dir, err)
		}
	}
}
