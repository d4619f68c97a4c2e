package cgroups

import (
	"strings"
	"testing"
)

// This host's tables (Debian 12 VM, hybrid).
const hostMountinfo = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

const hostCgroup = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/5f52
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`

func TestParseLayoutHybridHost(t *testing.T) {
	l, err := ParseLayout(strings.NewReader(hostMountinfo), strings.NewReader(hostCgroup))
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != ModeHybrid || len(l.V1) != 9 || l.Unified == nil {
		t.Fatalf("mode %v, %d v1 hierarchies, unified %v", l.Mode, len(l.V1), l.Unified)
	}
	if h := l.V1["memory"]; h.Mountpoint != "/sys/fs/cgroup/memory" || h.Current != "/process_api/5f52" {
		t.Errorf("memory: %+v", h)
	}
	if h := l.V1["name=systemd"]; h.Mountpoint != "/sys/fs/cgroup/systemd" {
		t.Errorf("name=systemd: %+v", h)
	}
	if l.Unified.Mountpoint != "/sys/fs/cgroup/unified" || l.Unified.Current != "/" {
		t.Errorf("unified: %+v", l.Unified)
	}
	// Paths: relative under the caller's cgroup, absolute from the root.
	m := newV1(Config{ID: "c1"}, l, "c1")
	if got := m.paths["memory"]; got != "/sys/fs/cgroup/memory/process_api/5f52/c1" {
		t.Errorf("relative memory path %s", got)
	}
	if got := m.paths["cpu"]; got != "/sys/fs/cgroup/cpu/c1" {
		t.Errorf("relative cpu path %s", got)
	}
	if got := m.Path(""); got != "/sys/fs/cgroup/unified/c1" {
		t.Errorf("unified path %s", got)
	}
	m = newV1(Config{}, l, "/machine/c1")
	if got := m.paths["memory"]; got != "/sys/fs/cgroup/memory/machine/c1" {
		t.Errorf("absolute memory path %s", got)
	}
}

func TestParseLayoutVariants(t *testing.T) {
	for _, tc := range []struct {
		name, mountinfo, cgroup string
		mode                    Mode
		check                   func(*Layout) string
	}{
		{
			name: "co-mounted v1 with a mount root (container without cgroupns)",
			mountinfo: "1 0 0:1 / / rw - ext4 /dev/sda rw\n" +
				"2 1 0:2 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n" +
				"3 1 0:3 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
				"4 1 0:3 /docker/abc /mnt/again rw - cgroup cgroup rw,memory\n",
			cgroup: "3:cpu,cpuacct:/docker/abc\n2:memory:/docker/abc/sub\n1:net_cls:/\n",
			mode:   ModeV1,
			check: func(l *Layout) string {
				if l.V1["cpu"] != l.V1["cpuacct"] || l.V1["net_cls"] != nil {
					return "cpu and cpuacct must share a hierarchy; unmounted net_cls must be absent"
				}
				m := newV1(Config{}, l, "c")
				if m.paths["memory"] != "/sys/fs/cgroup/memory/sub/c" || m.paths["cpu"] != "/sys/fs/cgroup/cpu,cpuacct/c" {
					return "relative paths: " + m.paths["memory"] + " " + m.paths["cpu"]
				}
				m = newV1(Config{}, l, "/docker/abc/x")
				if m.paths["memory"] != "/sys/fs/cgroup/memory/x" {
					return "absolute path under the mount root: " + m.paths["memory"]
				}
				m = newV1(Config{}, l, "/other")
				if m.paths["memory"] != "/sys/fs/cgroup/memory/other" {
					return "absolute path outside the mount root: " + m.paths["memory"]
				}
				return ""
			},
		},
		{
			name: "a hierarchy bound over itself with another root: the mount on top counts",
			mountinfo: "1 0 0:1 / / rw - ext4 /dev/sda rw\n" +
				"2 1 0:2 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
				"3 1 0:2 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
				"4 1 0:2 / /mnt/again rw - cgroup cgroup rw,memory\n" +
				"5 1 0:5 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n" +
				"6 1 0:5 /x /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
			cgroup: "1:memory:/docker/abc/sub\n0::/x/y\n",
			mode:   ModeHybrid,
			check: func(l *Layout) string {
				if h := l.V1["memory"]; h.Mountpoint != "/sys/fs/cgroup/memory" || h.Root != "/docker/abc" {
					return "memory: " + h.Mountpoint + " " + h.Root
				}
				if l.Unified.Root != "/x" {
					return "unified root " + l.Unified.Root
				}
				if m := newV1(Config{}, l, "c"); m.paths["memory"] != "/sys/fs/cgroup/memory/sub/c" {
					return "relative path: " + m.paths["memory"]
				}
				return ""
			},
		},
		{
			name:      "pure v2 with cgroupns",
			mountinfo: "1 0 0:1 / / rw - ext4 /dev/sda rw\n5 1 0:5 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
			cgroup:    "0::/user.slice/session-1.scope\n",
			mode:      ModeV2,
			check: func(l *Layout) string {
				d := l.Unified.dirFor(l.Unified.resolve("../../x"))
				if d != "/sys/fs/cgroup/user.slice/session-1.scope/x" {
					return "'..' must not climb above the caller's cgroup: " + d
				}
				return ""
			},
		},
	} {
		l, err := ParseLayout(strings.NewReader(tc.mountinfo), strings.NewReader(tc.cgroup))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if l.Mode != tc.mode {
			t.Errorf("%s: mode %v want %v", tc.name, l.Mode, tc.mode)
		}
		if msg := tc.check(l); msg != "" {
			t.Errorf("%s: %s", tc.name, msg)
		}
	}
	l, err := ParseLayout(strings.NewReader("5 1 0:5 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n6 5 0:6 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"),
		strings.NewReader("1:name=systemd:/\n0::/\n"))
	if err != nil || l.Mode != ModeV2 || len(l.V1) != 0 {
		t.Errorf("v2 with a named v1 hierarchy: %v %+v", err, l)
	}
	if _, err := ParseLayout(strings.NewReader("1 0 0:1 / / rw - ext4 x rw\n"), strings.NewReader("0::/\n")); err == nil {
		t.Error("no cgroup mount must be an error")
	}
	if _, err := ParseLayout(strings.NewReader(""), strings.NewReader("garbage\n")); err == nil {
		t.Error("malformed /proc/self/cgroup must be an error")
	}
}

func TestNewPicksDriver(t *testing.T) {
	for _, mode := range []Mode{ModeV1, ModeHybrid, ModeV2} {
		l, _ := fakeLayout(t, mode)
		m, err := New(Config{ID: "c1", Layout: l})
		if err != nil {
			t.Fatal(err)
		}
		_, isV2 := m.(*v2Manager)
		if isV2 != (mode == ModeV2) {
			t.Errorf("%v: got %T", mode, m)
		}
		// Load from the saved paths gives the same driver and paths.
		back, err := Load(Config{ID: "c1"}, m.Paths())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(sortedKeys(back.Paths()), ",") != strings.Join(sortedKeys(m.Paths()), ",") {
			t.Errorf("%v: Load paths %v != %v", mode, back.Paths(), m.Paths())
		}
		for k, v := range m.Paths() {
			if back.Paths()[k] != v {
				t.Errorf("%v: Load path %q = %s, want %s", mode, k, back.Paths()[k], v)
			}
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without path or ID must fail")
	}
}
