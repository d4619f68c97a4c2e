package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
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
