package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"

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
	fd, err := cgroups.OpenAt(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return fmt.Errorf("join cgroup %s: %w", dir, err)
	}
	defer unix.Close(fd)
	if err := nsenter.SendCgroupFD(conn, fd); err != nil {
		return fmt.Errorf("tell the stage its cgroup is ready: %w", err)
	}
	return nil
}

// stageFailedFirst returns the error the stage reported if it had already
// failed when we wrote to it (which then gave EPIPE: say, it could not join
// a v1 cgroup), else err, with how the stage ended if it died silently
// (who names it: "init stage", or "container init" when there is no
// stage). After EPIPE the stage is reaped and *stage becomes nil; it is
// killed first, in case it is alive, waiting for us.
func stageFailedFirst(conn *os.File, stage **stageProcess, who string, err error) error {
	if !errors.Is(err, unix.EPIPE) && !errors.Is(err, unix.ECONNRESET) {
		return err
	}
	_ = (*stage).Kill()
	_, aerr := nsenter.Await(conn, nil)
	st, werr := (*stage).Wait()
	*stage = nil
	var se *nsenter.StageError
	if errors.As(aerr, &se) {
		return fmt.Errorf("nsenter: %w", aerr)
	}
	if werr == nil && !st.Success() {
		return fmt.Errorf("%w (the %s ended: %v)", err, who, st)
	}
	return err
}

// tasksFiles are v1 `tasks` files open for the stage to move itself in
// (sendCgroupTasks), and their paths for its errors.
type tasksFiles struct {
	fds   []int
	paths []string
}

// open adds the `tasks` file of the v1 cgroup dir.
func (t *tasksFiles) open(dir string) error {
	path := filepath.Join(dir, "tasks")
	fd, err := cgroups.OpenAt(path, unix.O_WRONLY|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	t.fds, t.paths = append(t.fds, fd), append(t.paths, path)
	return nil
}

func (t *tasksFiles) close() { closeFDs(t.fds) }

// sendCgroupTasks has a stage that waits for its cgroup move itself into
// the v1 cgroups whose `tasks` files t holds (nsenter.c's
// join_v1_cgroups), and closes them. It must precede sendCgroupReady.
func sendCgroupTasks(conn *os.File, t *tasksFiles) error {
	defer t.close()
	for i := 0; i < len(t.fds); i += nsenter.MaxTasksFDs {
		j := min(i+nsenter.MaxTasksFDs, len(t.fds))
		if err := nsenter.SendCgroupTasks(conn, t.fds[i:j], t.paths[i:j]); err != nil {
			return fmt.Errorf("send the stage its cgroups: %w", err)
		}
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
