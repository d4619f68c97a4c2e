package libcontainer

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/nsenter"
)

// idmappedTree makes the detached, id-mapped copy of a bind mount's source
// that the init attaches in its place. The parent makes it, as runc does:
// id-mapping a mount needs CAP_SYS_ADMIN over the source's filesystem,
// which a container in its own user namespace lacks. The ids are mapped
// through the mount's uidMappings and gidMappings, or, without them, through
// the container's user namespace.
func (b *planBuilder) idmappedTree(src string, m *specs.Mount, opts *mountOptions) (*os.File, error) {
	userns, err := b.idmapUserns(m)
	if err != nil {
		return nil, err
	}
	defer userns.Close()
	tree, err := sourceTree(src, opts.flags&unix.MS_REC != 0)
	if err != nil {
		return nil, fmt.Errorf("open_tree %s: %w", src, err)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())}
	setFlags := unix.AT_EMPTY_PATH
	if opts.ridmap {
		setFlags |= unix.AT_RECURSIVE
	}
	if err := unix.MountSetattr(int(tree.Fd()), "", uint(setFlags), &attr); err != nil {
		tree.Close()
		return nil, fmt.Errorf("id-map %s: %w", src, err)
	}
	return tree, nil
}

// idmapUserns opens the user namespace whose mapping an id-mapped mount
// uses.
func (b *planBuilder) idmapUserns(m *specs.Mount) (*os.File, error) {
	if len(m.UIDMappings) == 0 {
		f, err := os.Open("/proc/" + strconv.Itoa(b.pid) + "/ns/user")
		if err != nil {
			return nil, fmt.Errorf("the container's user namespace: %w", err)
		}
		return f, nil
	}
	return usernsWithMaps(m.UIDMappings, m.GIDMappings)
}

// usernsWithMaps opens a new user namespace with the given maps: a child
// (our own binary, whose C constructor only waits) is started in it, and
// killed once we hold the namespace.
func usernsWithMaps(uids, gids []specs.LinuxIDMapping) (*os.File, error) {
	conv := func(maps []specs.LinuxIDMapping) []syscall.SysProcIDMap {
		out := make([]syscall.SysProcIDMap, len(maps))
		for i, m := range maps {
			out[i] = syscall.SysProcIDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)}
		}
		return out
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"berth-userns"}
	cmd.Env = []string{nsenter.EnvUsernsHold + "=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER, UidMappings: conv(uids), GidMappings: conv(gids),
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("user namespace for the mount's mappings: %w", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	f, err := os.Open("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/user")
	if err != nil {
		return nil, fmt.Errorf("user namespace for the mount's mappings: %w", err)
	}
	return f, nil
}
