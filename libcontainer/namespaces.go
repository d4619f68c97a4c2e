package libcontainer

import (
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// namespaceKinds lists the namespace types with their CLONE_NEW* flag and
// their name under /proc/<pid>/ns.
var namespaceKinds = [...]struct {
	typ  specs.LinuxNamespaceType
	flag uint32
	proc string
}{
	{specs.UserNamespace, unix.CLONE_NEWUSER, "user"},
	{specs.PIDNamespace, unix.CLONE_NEWPID, "pid"},
	{specs.NetworkNamespace, unix.CLONE_NEWNET, "net"},
	{specs.MountNamespace, unix.CLONE_NEWNS, "mnt"},
	{specs.IPCNamespace, unix.CLONE_NEWIPC, "ipc"},
	{specs.UTSNamespace, unix.CLONE_NEWUTS, "uts"},
	{specs.CgroupNamespace, unix.CLONE_NEWCGROUP, "cgroup"},
	{specs.TimeNamespace, unix.CLONE_NEWTIME, "time"},
}

// namespaceFlag is the CLONE_NEW* flag of a namespace type (0 if unknown;
// validation rejects unknown types before this is used).
func namespaceFlag(t specs.LinuxNamespaceType) uint32 {
	for _, k := range namespaceKinds {
		if k.typ == t {
			return k.flag
		}
	}
	return 0
}

// namespacePaths records where the init's namespaces can be joined, for
// exec. For the pid and time namespaces the init's own one is the container's.
func namespacePaths(pid int, spec *specs.Spec) map[string]string {
	out := make(map[string]string)
	if spec.Linux == nil {
		return out
	}
	base := "/proc/" + strconv.Itoa(pid) + "/ns/"
	for _, ns := range spec.Linux.Namespaces {
		for _, k := range namespaceKinds {
			if k.typ == ns.Type {
				out[string(ns.Type)] = base + k.proc
			}
		}
	}
	return out
}

// hostRootIDs are the host uid and gid of the container's root: 0 without a
// user namespace, else what the mappings make of container id 0.
func hostRootIDs(spec *specs.Spec) (int, int) {
	if spec.Linux == nil || !hasNamespace(spec, specs.UserNamespace) {
		return 0, 0
	}
	return hostID(spec.Linux.UIDMappings, 0), hostID(spec.Linux.GIDMappings, 0)
}

func hostID(maps []specs.LinuxIDMapping, id uint32) int {
	for _, m := range maps {
		if id >= m.ContainerID && id-m.ContainerID < m.Size {
			return int(m.HostID + id - m.ContainerID)
		}
	}
	return 0
}

// hasNamespace reports whether the spec asks for ns (new or joined).
func hasNamespace(spec *specs.Spec, ns specs.LinuxNamespaceType) bool {
	if spec.Linux == nil {
		return false
	}
	for _, n := range spec.Linux.Namespaces {
		if n.Type == ns {
			return true
		}
	}
	return false
}

// namespacePath returns the path of a joined namespace, "" when new or absent.
func namespacePath(spec *specs.Spec, ns specs.LinuxNamespaceType) string {
	if spec.Linux == nil {
		return ""
	}
	for _, n := range spec.Linux.Namespaces {
		if n.Type == ns {
			return n.Path
		}
	}
	return ""
}
