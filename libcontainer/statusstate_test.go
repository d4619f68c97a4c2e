package libcontainer

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/cgroups"
)

// TestLoadForStatusMatchesLoad: what LoadForStatus keeps of a state file
// is what Load reads, and its cgroup paths ask the same freezer.
func TestLoadForStatusMatchesLoad(t *testing.T) {
	hybrid := map[string]string{"memory": "/sys/fs/cgroup/memory/c", "freezer": "/sys/fs/cgroup/freezer/c",
		"": "/sys/fs/cgroup/unified/c", "pids": "/sys/fs/cgroup/pids/c", "name=systemd": "/sys/fs/cgroup/systemd/c"}
	cases := map[string]State{
		"hybrid": {CgroupPaths: hybrid, Annotations: map[string]string{"a": "b"}, PrivatePidNS: true,
			NamespacePaths: map[string]string{"pid": "/proc/1/ns/pid"},
			Hooks:          &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/true"}}}},
		"v2":               {CgroupPaths: map[string]string{"": "/sys/fs/cgroup/c"}, Systemd: true, CgroupsPath: "s:p:c"},
		"v1 no freezer":    {CgroupPaths: map[string]string{"memory": "/m/c", "pids": "/p/c"}},
		"v1 lone path":     {CgroupPaths: map[string]string{"memory": "/m/c"}},
		"v1 lone freezer":  {CgroupPaths: map[string]string{"freezer": "/f/c"}},
		"rootless, none":   {Rootless: true},
		"creating":         {Creating: true, InitPid: 0, InitStartTime: 0, CreatorPid: 9, CreatorStartTime: 10, CgroupPaths: hybrid},
		"no cgroup at all": {},
	}
	root := t.TempDir()
	dir := filepath.Join(root, "c")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, st := range cases {
		st.ID, st.Bundle, st.Rootfs = "c", "/b", "/b/rootfs"
		if !st.Creating {
			st.InitPid, st.InitStartTime = 42, 7
		}
		st.Created = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
		if err := saveState(dir, &st); err != nil {
			t.Fatal(err)
		}
		full, ferr := Load(root, "c")
		part, perr := LoadForStatus(root, "c")
		if (ferr == nil) != (perr == nil) || ferr != nil && ferr.Error() != perr.Error() {
			t.Fatalf("%s: Load: %v, LoadForStatus: %v", name, ferr, perr)
		}
		if ferr != nil {
			if name != "no cgroup at all" {
				t.Fatalf("%s: %v", name, ferr)
			}
			continue
		}
		want := *full.State
		want.CgroupPaths, want.NamespacePaths, want.Hooks, want.PrivatePidNS = nil, nil, nil, false
		got := *part.State
		got.CgroupPaths = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: LoadForStatus read %+v, Load %+v", name, got, want)
		}
		kept, all := part.cgroupPaths(), full.State.CgroupPaths
		if kept["freezer"] != all["freezer"] || part.v1FreezerDir() != all["freezer"] || cgroups.V2Dir(kept) != cgroups.V2Dir(all) || len(kept) > 1 {
			t.Errorf("%s: kept cgroup paths %v of %v", name, kept, all)
		}
	}
}

// TestLoadForStatusCorrupt: a file the partial decoder cannot read gets
// Load's error.
func TestLoadForStatusCorrupt(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "c")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{`{"id":"c","init_pid":"x"}`, `{truncated`, `{"id":"other","init_pid":1,"init_start_time":1,"rootless":true}`} {
		if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		_, ferr := Load(root, "c")
		_, perr := LoadForStatus(root, "c")
		if ferr == nil || perr == nil || ferr.Error() != perr.Error() {
			t.Errorf("%s: Load: %v, LoadForStatus: %v", data, ferr, perr)
		}
	}
	if _, err := LoadForStatus(root, "missing"); err != ErrNotExist {
		t.Errorf("missing container: %v", err)
	}
}
