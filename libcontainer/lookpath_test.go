package libcontainer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "tool")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "data")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := lookPath("tool", "/nonexistent:"+dir); err != nil || p != exe {
		t.Fatalf("lookPath(tool) = %q, %v", p, err)
	}
	cases := map[string]string{
		"nosuch":           `exec: "nosuch": executable file not found in $PATH`,
		plain:              `exec: "` + plain + `": permission denied`,
		dir + "/missing/x": `exec: "` + dir + `/missing/x": stat ` + dir + `/missing/x: no such file or directory`,
		"data":             `exec: "data": executable file not found in $PATH`,
	}
	for name, want := range cases {
		_, err := lookPath(name, dir)
		if err == nil || err.Error() != want {
			t.Errorf("lookPath(%q) error %v, want %q", name, err, want)
		}
	}
}

func TestBuildEnv(t *testing.T) {
	env := buildEnv([]string{"PATH=/bin", "A=1"}, []string{"LISTEN_FDS=2"}, "/root")
	if envValue(env, "HOME") != "/root" || envValue(env, "LISTEN_FDS") != "2" || envValue(env, "PATH") != "/bin" {
		t.Fatalf("env %v", env)
	}
	env = buildEnv([]string{"HOME=/x"}, nil, "/root")
	if envValue(env, "HOME") != "/x" || len(env) != 1 {
		t.Fatalf("spec HOME must win: %v", env)
	}
}
