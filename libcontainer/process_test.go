package libcontainer

import "testing"

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
