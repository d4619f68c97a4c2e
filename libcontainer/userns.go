package libcontainer

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// writeIDMaps writes the uid and gid maps of the stage's new user namespace.
// Root writes them directly; another user can map only itself directly
// (with setgroups denied) and needs newuidmap/newgidmap for anything more.
func (p *initProcess) writeIDMaps() error {
	pid := p.stage.Pid
	l := p.spec.Linux
	if os.Geteuid() == 0 {
		if err := writeMapFile(pid, "uid_map", l.UIDMappings); err != nil {
			return err
		}
		return writeMapFile(pid, "gid_map", l.GIDMappings)
	}
	if selfMapOnly(l.UIDMappings, os.Geteuid()) && selfMapOnly(l.GIDMappings, os.Getegid()) {
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/setgroups", pid), []byte("deny"), 0); err != nil {
			return fmt.Errorf("deny setgroups: %w", err)
		}
		if err := writeMapFile(pid, "uid_map", l.UIDMappings); err != nil {
			return err
		}
		return writeMapFile(pid, "gid_map", l.GIDMappings)
	}
	if err := runIDMapTool("newuidmap", pid, l.UIDMappings); err != nil {
		return err
	}
	return runIDMapTool("newgidmap", pid, l.GIDMappings)
}

func formatIDMap(maps []specs.LinuxIDMapping) string {
	var b strings.Builder
	for _, m := range maps {
		fmt.Fprintf(&b, "%d %d %d\n", m.ContainerID, m.HostID, m.Size)
	}
	return b.String()
}

func writeMapFile(pid int, name string, maps []specs.LinuxIDMapping) error {
	path := fmt.Sprintf("/proc/%d/%s", pid, name)
	if err := os.WriteFile(path, []byte(formatIDMap(maps)), 0); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func selfMapOnly(maps []specs.LinuxIDMapping, id int) bool {
	return len(maps) == 1 && maps[0].Size == 1 && int(maps[0].HostID) == id
}

func runIDMapTool(tool string, pid int, maps []specs.LinuxIDMapping) error {
	args := []string{strconv.Itoa(pid)}
	for _, m := range maps {
		args = append(args, strconv.Itoa(int(m.ContainerID)), strconv.Itoa(int(m.HostID)), strconv.Itoa(int(m.Size)))
	}
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", tool, err, strings.TrimSpace(string(out)))
	}
	return nil
}
