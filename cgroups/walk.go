package cgroups

import (
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/sysfile"
)

// Paths in a cgroup hierarchy are walked from an fd of its mountpoint,
// opened on first use and kept for the life of the process, not from /: a
// lookup through /sys/fs crosses sysfs, and each kernfs component it
// crosses waits on its root's rwsem while other containers' cgroup mkdirs
// and network namespaces (their sysfs entries) hold it for writing.
var walkRoots struct {
	sync.Mutex
	mounts []string
	fds    []int // -1 until first used
	// parents are the fds of the mountpoints' parent dirs (a v1 host's
	// /sys/fs/cgroup), each opened once: the mountpoints are opened from
	// them, so that only the first crosses sysfs.
	parents map[string]int
}

// registerMounts adds the mountpoints of l's hierarchies.
func registerMounts(l *Layout) {
	walkRoots.Lock()
	defer walkRoots.Unlock()
	add := func(h *Hierarchy) {
		if h == nil {
			return
		}
		for _, m := range walkRoots.mounts {
			if m == h.Mountpoint {
				return
			}
		}
		walkRoots.mounts = append(walkRoots.mounts, h.Mountpoint)
		walkRoots.fds = append(walkRoots.fds, -1)
	}
	for _, h := range l.V1 {
		add(h)
	}
	add(l.Unified)
}

// at returns a dir fd and a path relative to it that name the absolute
// path p: the fd of the deepest registered mountpoint p is under, or
// AT_FDCWD and p itself.
func at(p string) (int, string) {
	walkRoots.Lock()
	defer walkRoots.Unlock()
	best, bestRel := -1, ""
	for i, m := range walkRoots.mounts {
		rel, ok := strings.CutPrefix(p, m)
		if !ok || (rel != "" && rel[0] != '/' && m != "/") {
			continue
		}
		if best < 0 || len(m) > len(walkRoots.mounts[best]) {
			best, bestRel = i, rel
		}
	}
	if best < 0 {
		return unix.AT_FDCWD, p
	}
	if walkRoots.fds[best] < 0 {
		fd, err := openMountpoint(walkRoots.mounts[best])
		if err != nil {
			return unix.AT_FDCWD, p
		}
		walkRoots.fds[best] = fd
	}
	if bestRel = strings.TrimLeft(bestRel, "/"); bestRel == "" {
		bestRel = "."
	}
	return walkRoots.fds[best], bestRel
}

// openMountpoint opens the mountpoint m (O_PATH) from its parent dir's fd,
// opened on first use and kept. Called with walkRoots locked.
func openMountpoint(m string) (int, error) {
	const flags = unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC
	dir, base := filepath.Split(m)
	if base == "" || dir == "/" {
		return unix.Open(m, flags, 0)
	}
	parent, ok := walkRoots.parents[dir]
	if !ok {
		var err error
		if parent, err = unix.Open(dir, flags, 0); err != nil {
			return unix.Open(m, flags, 0)
		}
		if walkRoots.parents == nil {
			walkRoots.parents = map[string]int{}
		}
		walkRoots.parents[dir] = parent
	}
	return unix.Openat(parent, base, flags, 0)
}

// OpenAt opens p, an absolute path in a cgroup hierarchy, walking from its
// mountpoint. Errors are the bare errno.
func OpenAt(p string, flags int) (int, error) {
	fd, rel := at(p)
	return sysfile.OpenAt(fd, rel, flags)
}

func mkdirAt(p string) error {
	fd, rel := at(p)
	return unix.Mkdirat(fd, rel, 0o755)
}

func rmdirAt(p string) error {
	fd, rel := at(p)
	return unix.Unlinkat(fd, rel, unix.AT_REMOVEDIR)
}
