package libcontainer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// hostCgroupMount is one cgroup hierarchy as mounted on the host.
type hostCgroupMount struct {
	mountpoint string // e.g. /sys/fs/cgroup/memory
	root       string // the hierarchy path mounted there (mountinfo field 4)
	fstype     string // "cgroup" or "cgroup2"
	options    string // super options, e.g. "rw,memory" or "rw,name=systemd"
}

// mountCgroup gives the container a view of its own cgroup at m.Destination.
// On cgroup v2 that is one cgroup2 mount; on v1 (and hybrid) a tmpfs with one
// mount per hierarchy. Inside a cgroup namespace the hierarchies are mounted
// afresh (they show the namespace root); without one, the container's own
// cgroup dirs are bind-mounted from the host.
func (it *initer) mountCgroup(root handle, m *specs.Mount, opts *mountOptions) error {
	mounts, err := readHostCgroupMounts()
	if err != nil {
		return err
	}
	own, err := readSelfCgroups()
	if err != nil {
		return err
	}
	cgroupNS := hasNamespace(it.cfg.Spec, specs.CgroupNamespace)
	flags := opts.flags&^(unix.MS_BIND|unix.MS_REC|unix.MS_REMOUNT) | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC

	if len(mounts) == 1 && mounts[0].fstype == "cgroup2" {
		return it.mountHierarchy(root, m.Destination, mounts[0], own, cgroupNS, flags)
	}
	// v1 / hybrid: a tmpfs to hold one directory per hierarchy.
	target, err := openMountTarget(root, m.Destination, true)
	if err != nil {
		return err
	}
	defer target.close()
	if err := it.sys.Mount("tmpfs", target.path(), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=755"); err != nil {
		return err
	}
	for _, hm := range mounts {
		dest := filepath.Join(m.Destination, filepath.Base(hm.mountpoint))
		if err := it.mountHierarchy(root, dest, hm, own, cgroupNS, flags); err != nil {
			return err
		}
	}
	if flags&unix.MS_RDONLY != 0 {
		mnt, err := openMountTarget(root, m.Destination, true)
		if err != nil {
			return err
		}
		defer mnt.close()
		ro := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
		if err := it.sys.Mount("", mnt.path(), "", ro, ""); err != nil {
			return err
		}
	}
	return nil
}

// mountHierarchy mounts one hierarchy at dest inside the rootfs.
func (it *initer) mountHierarchy(root handle, dest string, hm hostCgroupMount, own map[string]string, cgroupNS bool, flags uintptr) error {
	target, err := openMountTarget(root, dest, true)
	if err != nil {
		return err
	}
	defer target.close()
	if cgroupNS {
		data := ""
		if hm.fstype == "cgroup" {
			data = v1Subsystems(hm.options)
		}
		return it.sys.Mount(hm.fstype, target.path(), hm.fstype, flags, data)
	}
	key := v1Subsystems(hm.options)
	if hm.fstype == "cgroup2" {
		key = ""
	}
	path, ok := own[key]
	if !ok {
		return fmt.Errorf("cgroup hierarchy %q: init is not in it", hm.mountpoint)
	}
	rel, err := filepath.Rel(hm.root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("cgroup %q is outside the hierarchy mounted at %q", path, hm.mountpoint)
	}
	src := filepath.Join(hm.mountpoint, rel)
	if err := it.sys.Mount(src, target.path(), "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	mnt, err := openMountTarget(root, dest, true)
	if err != nil {
		return err
	}
	defer mnt.close()
	return it.sys.Mount("", mnt.path(), "", unix.MS_BIND|unix.MS_REMOUNT|flags, "")
}

// v1Subsystems extracts the controller list ("cpu,cpuacct", "name=systemd")
// from a v1 mount's super options, in /proc/self/cgroup's spelling.
func v1Subsystems(options string) string {
	var out []string
	for _, o := range strings.Split(options, ",") {
		switch {
		case o == "rw" || o == "ro" || o == "clone_children" || o == "noprefix" || o == "xattr":
		case strings.HasPrefix(o, "release_agent="):
		default:
			out = append(out, o)
		}
	}
	return strings.Join(out, ",")
}

// readHostCgroupMounts lists the cgroup hierarchies mounted in our mount
// namespace (before pivot: the host's).
func readHostCgroupMounts() ([]hostCgroupMount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []hostCgroupMount
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for s.Scan() {
		// id parent major:minor root mountpoint opts [optional...] - fstype source superopts
		line := s.Text()
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		pf := strings.Fields(pre)
		qf := strings.Fields(post)
		if len(pf) < 5 || len(qf) < 3 || (qf[0] != "cgroup" && qf[0] != "cgroup2") {
			continue
		}
		// Only the standard place counts: a hierarchy mounted elsewhere
		// (say, for a benchmark) is not the container's business.
		if mp := unescapeMountinfo(pf[4]); mp != "/sys/fs/cgroup" && !strings.HasPrefix(mp, "/sys/fs/cgroup/") {
			continue
		}
		out = append(out, hostCgroupMount{
			mountpoint: unescapeMountinfo(pf[4]),
			root:       unescapeMountinfo(pf[3]),
			fstype:     qf[0],
			options:    qf[2],
		})
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no cgroup filesystem is mounted")
	}
	return out, nil
}

// readSelfCgroups maps each hierarchy's controller list ("" for v2) to our
// cgroup path in it.
func readSelfCgroups() (map[string]string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 {
			out[parts[1]] = parts[2]
		}
	}
	return out, nil
}

// unescapeMountinfo undoes the octal escapes (\040 for space, ...) of mountinfo.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			ok := true
			for _, c := range []byte(s[i+1 : i+4]) {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				v = v*8 + c - '0'
			}
			if ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
