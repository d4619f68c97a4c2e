package cgroups

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"

	"github.com/berth-runtime/berth/internal/sysfile"
)

// Mode is the cgroup layout of a host.
type Mode int

// The three layouts a host can have.
const (
	ModeV1     Mode = iota + 1 // only v1 hierarchies
	ModeHybrid                 // v1 controllers plus a cgroup2 mount (e.g. /sys/fs/cgroup/unified)
	ModeV2                     // one cgroup2 hierarchy, no v1
)

// String returns "v1", "hybrid" or "v2".
func (m Mode) String() string {
	switch m {
	case ModeV1:
		return "v1"
	case ModeHybrid:
		return "hybrid"
	case ModeV2:
		return "v2"
	}
	return "unknown"
}

// Hierarchy is one mounted cgroup hierarchy as the caller sees it.
type Hierarchy struct {
	// Mountpoint is where the hierarchy is mounted, e.g. /sys/fs/cgroup/memory.
	Mountpoint string
	// Root is the cgroup mounted there (mountinfo's root field), usually "/".
	Root string
	// Subsystems are the v1 controllers (and "name=..." entries) of the
	// hierarchy; empty for cgroup2.
	Subsystems []string
	// Current is the caller's own cgroup in this hierarchy (/proc/self/cgroup).
	Current string
}

// Layout is what New needs to know about the host: the mode and where each
// hierarchy is. DiscoverLayout reads it from /proc/self; tests build one with
// ParseLayout over a fake mountinfo whose mountpoints are in a temp dir.
type Layout struct {
	Mode Mode
	// V1 maps each v1 subsystem name ("memory", "name=systemd", ...) to its
	// hierarchy; co-mounted subsystems share one *Hierarchy.
	V1 map[string]*Hierarchy
	// Unified is the cgroup2 hierarchy, nil if none is mounted.
	Unified *Hierarchy
	// Mounts are every cgroup and cgroup2 mount of the mount namespace the
	// layout was read in, in mountinfo's order: a container's new mount
	// namespace starts as a copy of it (see rootfsPlan).
	Mounts []*mountinfo.Info
}

// DiscoverLayout reads /proc/self/mountinfo and /proc/self/cgroup once.
func DiscoverLayout() (*Layout, error) {
	mi, err := readProc("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	cg, err := readProc("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	l, err := ParseLayout(mi, cg)
	if err == nil {
		registerMounts(l)
	}
	return l, err
}

// readProc reads a proc file whole, with plain open/read/close (os.Open
// would also register it with the poller), for a parser that takes a reader.
func readProc(path string) (*bytes.Reader, error) {
	data, err := sysfile.Read(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return bytes.NewReader(data), nil
}

// ParseLayout builds a Layout from the text of a mountinfo and a
// /proc/<pid>/cgroup file. Only hierarchies that are both mounted and listed
// in the cgroup file are used; for a hierarchy mounted twice, the first
// mount wins.
func ParseLayout(mountinfoText, cgroupText io.Reader) (*Layout, error) {
	mounts, err := mountinfo.GetMountsFromReader(mountinfoText, mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	if err != nil {
		return nil, fmt.Errorf("parse mountinfo: %w", err)
	}
	own, err := parseProcCgroup(cgroupText)
	if err != nil {
		return nil, err
	}
	l := &Layout{V1: map[string]*Hierarchy{}, Mounts: mounts}
	for _, line := range own {
		if line.hierarchyID == "0" && line.controllers == "" {
			if m := pickMount(mounts, func(m *mountinfo.Info) bool { return m.FSType == "cgroup2" }); m != nil {
				l.Unified = &Hierarchy{Mountpoint: m.Mountpoint, Root: m.Root, Current: line.path}
			}
			continue
		}
		subs := strings.Split(line.controllers, ",")
		m := pickMount(mounts, func(m *mountinfo.Info) bool { return m.FSType == "cgroup" && hasAll(m.VFSOptions, subs) })
		if m != nil {
			h := &Hierarchy{Mountpoint: m.Mountpoint, Root: m.Root, Subsystems: subs, Current: line.path}
			for _, s := range subs {
				l.V1[s] = h
			}
		}
	}
	controllers := 0 // real v1 controllers, not named hierarchies
	for s := range l.V1 {
		if !strings.HasPrefix(s, "name=") {
			controllers++
		}
	}
	switch {
	case controllers == 0 && l.Unified != nil:
		// A v2 host that also mounts a named v1 hierarchy (e.g.
		// name=systemd for old containers) is still a v2 host.
		l.Mode = ModeV2
		l.V1 = map[string]*Hierarchy{}
	case len(l.V1) > 0 && l.Unified != nil:
		l.Mode = ModeHybrid
	case len(l.V1) > 0:
		l.Mode = ModeV1
	default:
		return nil, fmt.Errorf("no cgroup hierarchy of this process is mounted")
	}
	return l, nil
}

// pickMount returns the first mount that matches, or, where later ones
// that match share its mountpoint, the last of those: the one stacked on
// top, which a path there reaches (its Root is the one that counts).
func pickMount(mounts []*mountinfo.Info, match func(*mountinfo.Info) bool) *mountinfo.Info {
	var pick *mountinfo.Info
	for _, m := range mounts {
		if match(m) && (pick == nil || m.Mountpoint == pick.Mountpoint) {
			pick = m
		}
	}
	return pick
}

// hasAll reports whether the comma-separated super options hold every name.
func hasAll(opts string, names []string) bool {
	set := map[string]bool{}
	for _, o := range strings.Split(opts, ",") {
		set[o] = true
	}
	for _, n := range names {
		if !set[n] {
			return false
		}
	}
	return len(names) > 0
}

type procCgroupLine struct {
	hierarchyID, controllers, path string
}

func parseProcCgroup(r io.Reader) ([]procCgroupLine, error) {
	var out []procCgroupLine
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		t := sc.Text()
		if t == "" {
			continue
		}
		parts := strings.SplitN(t, ":", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("/proc/self/cgroup: malformed line %q", t)
		}
		out = append(out, procCgroupLine{parts[0], parts[1], parts[2]})
	}
	return out, sc.Err()
}

// PathsOf maps each hierarchy's controller list of pid ("cpu,cpuacct",
// "name=systemd", "" for cgroup2) to its cgroup path there, as the caller
// sees it (/proc/<pid>/cgroup).
func PathsOf(pid int) (map[string]string, error) {
	f, err := readProc("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return nil, err
	}
	lines, err := parseProcCgroup(f)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(lines))
	for _, l := range lines {
		out[l.controllers] = l.path
	}
	return out, nil
}

// dirFor returns the directory of cgroup path p (already made absolute in
// the hierarchy, as by resolve) under h's mountpoint. A path outside the
// mounted subtree is taken relative to the mountpoint, as runc does for
// containers that see only part of the hierarchy without a cgroup namespace.
func (h *Hierarchy) dirFor(p string) string {
	root := path.Clean("/" + h.Root)
	if root != "/" {
		if p == root {
			return h.Mountpoint
		}
		if rel, ok := strings.CutPrefix(p, root+"/"); ok {
			return path.Join(h.Mountpoint, rel)
		}
	}
	return path.Join(h.Mountpoint, p)
}

// resolve turns a cgroupsPath into a cgroup path inside h: an absolute
// path as is, a relative one under the caller's own cgroup. ".." elements
// are cleaned lexically as if the path were rooted, so a relative path
// never climbs above the caller's cgroup.
func (h *Hierarchy) resolve(cgPath string) string {
	if path.IsAbs(cgPath) {
		return path.Clean(cgPath)
	}
	return path.Join("/", h.Current, path.Clean("/"+cgPath))
}
