package libcontainer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/nsenter"
)

func planSpec(mounts ...specs.Mount) *specs.Spec {
	return &specs.Spec{
		Process: &specs.Process{Cwd: "/work"},
		Mounts:  mounts,
		Linux:   &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.MountNamespace}}},
	}
}

func TestRootfsPlanMounts(t *testing.T) {
	spec := planSpec(
		specs.Mount{Destination: "/data", Type: "bind", Source: "rel/dir", Options: []string{"rbind", "ro", "rprivate", "rnosuid"}},
		specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "size=1m", "tmpcopyup"}},
	)
	plan, err := rootfsPlan(spec, "/bundle", "/bundle/rootfs", false, os.Getpid(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Propagation != unix.MS_SLAVE|unix.MS_REC || plan.Rootfs != "/bundle/rootfs" || plan.Cwd != "/work" {
		t.Errorf("plan %+v", plan)
	}
	bind, tmp := plan.Mounts[0], plan.Mounts[1]
	if bind.Kind != nsenter.MountBind || bind.Source != "/bundle/rel/dir" || bind.Flags != unix.MS_BIND|unix.MS_REC|unix.MS_RDONLY {
		t.Errorf("bind %+v", bind)
	}
	if len(bind.Propagation) != 1 || bind.Propagation[0] != unix.MS_PRIVATE|unix.MS_REC || bind.RecSet != unix.MOUNT_ATTR_NOSUID {
		t.Errorf("bind attributes %+v", bind)
	}
	if tmp.Kind != nsenter.MountFS || tmp.Index != 1 || !tmp.TmpCopyUp || tmp.Data != "size=1m" || tmp.Flags != unix.MS_NOSUID {
		t.Errorf("tmpfs %+v", tmp)
	}
	// The default devices and the /dev links come without a bind of /dev.
	if !plan.DevLinks || len(plan.Devices) != 6 || plan.Devices[0].Path != "/dev/null" ||
		plan.Devices[0].Mode != unix.S_IFCHR|0o666 || plan.Devices[0].Rdev != unix.Mkdev(1, 3) {
		t.Errorf("devices %+v links %v", plan.Devices, plan.DevLinks)
	}
}

// linux.mountLabel goes into the data of each new filesystem (tmpcopyup
// ones too) as context="...", but not proc's, sysfs's or mqueue's: an IPC
// namespace's one mqueue superblock refuses it, so its root is labelled
// after the mount, where SELinux is enabled (not on this host).
func TestRootfsPlanMountLabel(t *testing.T) {
	spec := planSpec(
		specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=1m"}},
		specs.Mount{Destination: "/etc", Type: "tmpfs", Source: "tmpfs", Options: []string{"tmpcopyup"}},
		specs.Mount{Destination: "/proc", Type: "proc", Source: "proc"},
		specs.Mount{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue"},
	)
	spec.Linux.MountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
	plan, err := rootfsPlan(spec, "/bundle", "/bundle/rootfs", false, os.Getpid(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := `context="system_u:object_r:container_file_t:s0:c1,c2"`
	for i, want := range []string{"size=1m," + ctx, ctx, "", ""} {
		if m := plan.Mounts[i]; m.Data != want || m.FileLabel != "" {
			t.Errorf("%s: data %q, file label %q; want data %q", m.Destination, m.Data, m.FileLabel, want)
		}
	}
}

func TestRootfsPlanErrors(t *testing.T) {
	for _, c := range []struct {
		spec *specs.Spec
		want string
	}{
		{planSpec(specs.Mount{Destination: "rel", Type: "tmpfs"}), `mounts[0] (rel): destination "rel" is not an absolute path`},
		{planSpec(specs.Mount{Destination: "/b", Type: "bind"}), "mounts[0] (/b): bind mount without a source"},
		{&specs.Spec{Process: &specs.Process{}}, "linux.namespaces: a mount namespace is required"},
	} {
		if _, err := rootfsPlan(c.spec, "/b", "/b/rootfs", false, os.Getpid(), nil); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	spec := planSpec()
	spec.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/x", Type: "q"}}
	if _, err := rootfsPlan(spec, "/b", "/b/rootfs", false, os.Getpid(), nil); err == nil || err.Error() != `device "/dev/x": unknown device type "q"` {
		t.Errorf("unknown device type: %v", err)
	}
	spec = planSpec()
	spec.Linux.RootfsPropagation = "sideways"
	if _, err := rootfsPlan(spec, "/b", "/b/rootfs", false, os.Getpid(), nil); err == nil || !strings.Contains(err.Error(), `unknown propagation "sideways"`) {
		t.Errorf("unknown propagation: %v", err)
	}
}

// Without a cgroup namespace each hierarchy is a bind of the process's own
// cgroup dir, which must exist on this host.
func TestRootfsPlanCgroupBindsOwnCgroups(t *testing.T) {
	spec := planSpec(specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro"}})
	plan, err := rootfsPlan(spec, "/b", "/b/rootfs", false, os.Getpid(), nil)
	if err != nil {
		t.Skipf("no cgroup hierarchy here: %v", err)
	}
	m := plan.Mounts[0]
	if len(m.CgroupDirs) == 0 {
		t.Fatalf("no hierarchies: %+v", m)
	}
	for _, d := range m.CgroupDirs {
		if d.Fresh || !strings.HasPrefix(d.Destination, "/sys/fs/cgroup") {
			t.Errorf("dir %+v", d)
		}
		if fi, err := os.Stat(d.Source); err != nil || !fi.IsDir() {
			t.Errorf("source of %s: %v", d.Destination, err)
		}
		if m.Kind == nsenter.MountCgroupV1 && filepath.Dir(d.Destination) != "/sys/fs/cgroup" {
			t.Errorf("v1 dir %s not under the mount", d.Destination)
		}
	}
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	if plan, err = rootfsPlan(spec, "/b", "/b/rootfs", false, os.Getpid(), nil); err != nil {
		t.Fatal(err)
	}
	for _, d := range plan.Mounts[0].CgroupDirs {
		if !d.Fresh || d.Source != "" {
			t.Errorf("in a cgroup namespace: %+v", d)
		}
	}
}

// The mount the rootfs is on is made private when it would still be shared
// after "/" gets its propagation: the rootfs itself when it is a mount, the
// last of those stacked on one point.
func TestSharedRootfsMount(t *testing.T) {
	table := []*mountinfo.Info{
		{Mountpoint: "/", Optional: "shared:1"},
		{Mountpoint: "/data", Optional: "shared:2"},
		{Mountpoint: "/data/c1/rootfs", Optional: "shared:3"},
		{Mountpoint: "/data/c2/rootfs", Optional: ""},
		{Mountpoint: "/data/c2/rootfs", Optional: "shared:4 master:1"},
		{Mountpoint: "/private", Optional: ""},
	}
	cases := []struct {
		rootfs string
		prop   uint32
		want   string
	}{
		{"/data/c1/rootfs", unix.MS_SLAVE | unix.MS_REC, ""},
		{"/data/c1/rootfs", unix.MS_PRIVATE | unix.MS_REC, ""},
		{"/data/c1/rootfs", unix.MS_SHARED | unix.MS_REC, "/data/c1/rootfs"},
		{"/data/c1/rootfs", unix.MS_SHARED, "/data/c1/rootfs"},
		{"/data/c1/rootfs", unix.MS_SLAVE, "/data/c1/rootfs"},
		{"/data/c1/rootfs", unix.MS_PRIVATE, "/data/c1/rootfs"},
		{"/data/c2/rootfs", unix.MS_SLAVE, "/data/c2/rootfs"},
		{"/data/c3/rootfs", unix.MS_SLAVE, "/data"},
		{"/private/rootfs", unix.MS_SLAVE, ""},
		{"/private/rootfs", unix.MS_SHARED | unix.MS_REC, "/private"},
		{"/other/rootfs", unix.MS_SLAVE, ""},
		{"/other/rootfs", unix.MS_SHARED, "/"},
		{"/other/rootfs", unix.MS_UNBINDABLE, ""},
	}
	for _, c := range cases {
		b := &planBuilder{rootfs: c.rootfs, mounts: table}
		got, err := b.sharedRootfsMount(c.prop)
		if err != nil || got != c.want {
			t.Errorf("%s with %#x: %q, %v; want %q", c.rootfs, c.prop, got, err, c.want)
		}
	}
}

func TestVisibleCgroupMounts(t *testing.T) {
	mi := func(id int, fstype, mountpoint, root string) *mountinfo.Info {
		return &mountinfo.Info{ID: id, FSType: fstype, Mountpoint: mountpoint, Root: root}
	}
	// The host's hierarchies, then make bench's tmpfs of binds of them
	// mounted over /sys/fs/cgroup (the first set is hidden under it), and
	// one hierarchy mounted elsewhere.
	mounts := []*mountinfo.Info{
		mi(30, "tmpfs", "/sys/fs/cgroup", "/"),
		mi(31, "cgroup", "/sys/fs/cgroup/cpu", "/"),
		mi(32, "cgroup2", "/sys/fs/cgroup/unified", "/"),
		mi(33, "cgroup", "/sys/fs/cgroup/memory", "/"),
		mi(40, "tmpfs", "/sys/fs/cgroup", "/"),
		mi(41, "cgroup", "/sys/fs/cgroup/cpu", "/"),
		mi(42, "cgroup", "/sys/fs/cgroup/memory", "/sub"),
		mi(43, "cgroup2", "/sys/fs/cgroup/unified", "/"),
		mi(44, "cgroup", "/mnt/h", "/"),
	}
	var got []int
	for _, m := range visibleCgroupMounts(mounts) {
		got = append(got, m.ID)
	}
	if want := []int{41, 43, 42}; !slices.Equal(got, want) {
		t.Errorf("visible cgroup mounts %v, want %v", got, want)
	}
}
