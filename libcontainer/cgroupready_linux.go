package libcontainer

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/nsenter"
)

// sendCgroupReady releases a stage that waits for its cgroup (CgroupSync).
// With dir, a cgroup2 dir, the stage forks the init or exec'd process
// straight into it (CLONE_INTO_CGROUP); with "", the stage is in its
// cgroups already, moved there by the caller.
func sendCgroupReady(conn *os.File, dir string) error {
	if dir == "" {
		if err := nsenter.SendCgroupReady(conn); err != nil {
			return fmt.Errorf("tell the stage its cgroup is ready: %w", err)
		}
		return nil
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("join cgroup %s: %w", dir, err)
	}
	defer unix.Close(fd)
	if err := nsenter.SendCgroupFD(conn, fd); err != nil {
		return fmt.Errorf("tell the stage its cgroup is ready: %w", err)
	}
	return nil
}

// openTasks opens the `tasks` file of the v1 cgroup dir for the stage to
// move itself in (sendCgroupTasks).
func openTasks(dir string) (int, error) {
	return unix.Open(filepath.Join(dir, "tasks"), unix.O_WRONLY|unix.O_CLOEXEC, 0)
}

// sendCgroupTasks has a stage that waits for its cgroup move itself into
// the v1 cgroups whose `tasks` files are open as fds (nsenter.c's
// join_v1_cgroups), and closes them. It must precede sendCgroupReady.
func sendCgroupTasks(conn *os.File, fds []int) error {
	defer closeFDs(fds)
	for rest := fds; len(rest) > 0; {
		n := min(len(rest), nsenter.MaxTasksFDs)
		if err := nsenter.SendCgroupTasks(conn, rest[:n]); err != nil {
			return fmt.Errorf("send the stage its cgroups: %w", err)
		}
		rest = rest[n:]
	}
	return nil
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// stageMayCloneInto reports whether a stage that creates the namespaces
// flags and joins join may fork into a cgroup: it must stay in the host's
// user namespace (forking into a cgroup needs write access to its
// cgroup.procs, which the host's root owns), and not join a cgroup
// namespace by path before the fork (it must see the cgroup it forks
// into; a new one, or exec's join through the pidfd, is the init's to
// enter).
func stageMayCloneInto(flags uint32, join []nsenter.NamespacePath) bool {
	if flags&unix.CLONE_NEWUSER != 0 {
		return false
	}
	for _, j := range join {
		if j.Type == unix.CLONE_NEWUSER || j.Type == unix.CLONE_NEWCGROUP {
			return false
		}
	}
	return true
}
