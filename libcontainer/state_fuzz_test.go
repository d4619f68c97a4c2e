package libcontainer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzLoadState feeds arbitrary bytes as a state file to Load, LoadForStatus
// and the status derivation: nothing may panic, and a rejected file is reported
// in one line.
func FuzzLoadState(f *testing.F) {
	good, err := json.Marshal(&State{ID: "c", Bundle: "/b", Rootfs: "/b/rootfs", InitPid: 1, InitStartTime: 1,
		Created: time.Unix(0, 0).UTC(), CgroupPaths: map[string]string{"memory": "/sys/fs/cgroup/memory/c"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	for _, s := range []string{``, `{`, `null`, `[]`, `{"init_pid":-5}`, `{"init_pid":99999999999999999999}`,
		`{"created":"yesterday"}`, "{\"id\":\"\xff\"}", `{"cgroup_paths":{"":"/"}}`} {
		f.Add([]byte(s))
	}
	root := f.TempDir()
	dir := filepath.Join(root, "c")
	if err := os.Mkdir(dir, 0o700); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, stateFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(root, "c")
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			return
		}
		// What Load reads, LoadForStatus (list) reads the same.
		part, err := LoadForStatus(root, "c")
		if err != nil {
			t.Fatalf("Load read the file, LoadForStatus: %v", err)
		}
		if part.State.ID != c.State.ID || part.State.InitPid != c.State.InitPid || part.State.Bundle != c.State.Bundle ||
			!part.State.Created.Equal(c.State.Created) || part.v1FreezerDir() != c.v1FreezerDir() {
			t.Fatalf("LoadForStatus read %+v, Load %+v", part.State, c.State)
		}
		// Deriving the status reads /proc and the cgroup; it must cope
		// with any pid and any path. (Cgroup paths from a fuzzed file are
		// only read, never written.)
		c.State.CgroupPaths = nil
		_ = c.Status()
		_ = c.OCIState(Stopped)
	})
}
