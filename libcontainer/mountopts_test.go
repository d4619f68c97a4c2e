package libcontainer

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseMountOptions(t *testing.T) {
	m := parseMountOptions([]string{"rbind", "ro", "nosuid", "rw", "rslave", "size=64k", "mode=755", "rro", "tmpcopyup", "rnoatime"})
	if m.flags&unix.MS_BIND == 0 || m.flags&unix.MS_REC == 0 || !m.recursive {
		t.Errorf("rbind not parsed: flags %#x", m.flags)
	}
	if m.flags&unix.MS_RDONLY != 0 || m.clear&unix.MS_RDONLY == 0 {
		t.Errorf("a later rw must clear ro: flags %#x clear %#x", m.flags, m.clear)
	}
	if m.flags&unix.MS_NOSUID == 0 {
		t.Errorf("nosuid missing")
	}
	if len(m.propagation) != 1 || m.propagation[0] != unix.MS_SLAVE|unix.MS_REC {
		t.Errorf("propagation %v", m.propagation)
	}
	if got := m.dataString(); got != "size=64k,mode=755" {
		t.Errorf("data %q", got)
	}
	if m.recSet&unix.MOUNT_ATTR_RDONLY == 0 || m.recSet&unix.MOUNT_ATTR_NOATIME == 0 || m.recClr&unix.MOUNT_ATTR__ATIME == 0 {
		t.Errorf("recursive attrs set %#x clr %#x", m.recSet, m.recClr)
	}
	if !m.tmpcopyup {
		t.Error("tmpcopyup missing")
	}
}

func TestIsBind(t *testing.T) {
	cases := []struct {
		typ  string
		opts []string
		want bool
	}{
		{"bind", nil, true},
		{"none", []string{"rbind"}, true},
		{"", []string{"ro", "bind"}, true},
		{"tmpfs", []string{"ro"}, false},
	}
	for _, c := range cases {
		if got := IsBind(c.typ, c.opts); got != c.want {
			t.Errorf("IsBind(%q, %v) = %v", c.typ, c.opts, got)
		}
	}
}

func TestV1Subsystems(t *testing.T) {
	for in, want := range map[string]string{
		"rw,memory":                   "memory",
		"rw,cpu,cpuacct":              "cpu,cpuacct",
		"rw,xattr,name=systemd":       "name=systemd",
		"rw,release_agent=/x,net_cls": "net_cls",
		"rw,clone_children,cpuset":    "cpuset",
	} {
		if got := v1Subsystems(in); got != want {
			t.Errorf("v1Subsystems(%q) = %q, want %q", in, got, want)
		}
	}
}
