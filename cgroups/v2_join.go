package cgroups

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// TakesProcesses reports whether a process can surely be put in the
// cgroup2 dir: it is the hierarchy's root, or a cgroup with no controller
// enabled for its children (cgroup.subtree_control empty). v2 keeps
// processes out of a cgroup with domain controllers (memory, io...) enabled
// for its children (EBUSY); one with only threaded ones (pids, cpu) may
// still take them, but that is not worth telling apart here. A container
// that nests cgroups (systemd or docker inside it) leaves its cgroup so.
func TakesProcesses(dir string) bool {
	if !exists(filepath.Join(dir, "cgroup.type")) {
		// No cgroup.type: the root of the hierarchy (or no cgroup at all).
		return exists(filepath.Join(dir, "cgroup.procs"))
	}
	ctl, err := readTrim(dir, "cgroup.subtree_control")
	return err == nil && ctl == ""
}

// ProcessDirV2 returns the dir of pid's cgroup in the cgroup2 hierarchy, as
// the caller sees it (/proc/<pid>/cgroup and the caller's mounts).
func ProcessDirV2(pid int) (string, error) {
	l, err := DiscoverLayout()
	if err != nil {
		return "", err
	}
	if l.Unified == nil {
		return "", fmt.Errorf("no cgroup2 hierarchy is mounted")
	}
	f, err := readProc("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return "", err
	}
	lines, err := parseProcCgroup(f)
	if err != nil {
		return "", err
	}
	for _, line := range lines {
		if line.hierarchyID == "0" && line.controllers == "" {
			if !strings.HasPrefix(line.path, "/") {
				return "", fmt.Errorf("/proc/%d/cgroup: cgroup2 path %q is outside our cgroup namespace", pid, line.path)
			}
			return l.Unified.dirFor(line.path), nil
		}
	}
	return "", fmt.Errorf("/proc/%d/cgroup: no cgroup2 line", pid)
}
