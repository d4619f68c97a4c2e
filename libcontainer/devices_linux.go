package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// defaultDevices are created in every container's /dev, as runc does.
func defaultDevices() []specs.LinuxDevice {
	mode := os.FileMode(0o666)
	zero := uint32(0)
	dev := func(path string, major, minor int64) specs.LinuxDevice {
		return specs.LinuxDevice{Path: path, Type: "c", Major: major, Minor: minor, FileMode: &mode, UID: &zero, GID: &zero}
	}
	return []specs.LinuxDevice{
		dev("/dev/null", 1, 3),
		dev("/dev/zero", 1, 5),
		dev("/dev/full", 1, 7),
		dev("/dev/random", 1, 8),
		dev("/dev/urandom", 1, 9),
		dev("/dev/tty", 5, 0),
	}
}

// createDevices makes the default and the spec's device nodes. Where mknod
// is not allowed (a user namespace) the host's node is bind-mounted instead.
func (it *initer) createDevices(root handle) error {
	spec := it.cfg.Spec
	bind := hasNamespace(spec, specs.UserNamespace)
	devs := defaultDevices()
	if spec.Linux != nil {
		devs = append(devs, spec.Linux.Devices...)
	}
	old := unix.Umask(0)
	defer unix.Umask(old)
	for i := range devs {
		if err := it.createDevice(root, &devs[i], bind); err != nil {
			return fmt.Errorf("device %q: %w", devs[i].Path, err)
		}
	}
	return nil
}

func (it *initer) createDevice(root handle, d *specs.LinuxDevice, bind bool) error {
	rel := strings.TrimPrefix(filepath.Clean(d.Path), "/")
	if !strings.HasPrefix(rel, "dev/") {
		return errors.New("device path must be under /dev")
	}
	dir, err := mkdirAllInRoot(root, filepath.Dir(rel), 0o755)
	if err != nil {
		return err
	}
	defer dir.close()
	name := filepath.Base(rel)
	if !bind {
		err := it.mknodDevice(int(dir), name, d)
		if !errors.Is(err, unix.EPERM) {
			return err
		}
		// Not allowed to mknod: fall back to a bind mount of the host node.
	}
	target, err := createFileInRoot(root, rel, 0o644)
	if err != nil {
		return fmt.Errorf("create bind target: %w", err)
	}
	defer target.close()
	return it.sys.Mount(d.Path, target.path(), "", unix.MS_BIND, "")
}

func (it *initer) mknodDevice(dirfd int, name string, d *specs.LinuxDevice) error {
	var mode uint32
	switch d.Type {
	case "c", "u":
		mode = unix.S_IFCHR
	case "b":
		mode = unix.S_IFBLK
	case "p":
		mode = unix.S_IFIFO
	default:
		return fmt.Errorf("unknown device type %q", d.Type)
	}
	perm := uint32(0o666)
	if d.FileMode != nil {
		perm = uint32(*d.FileMode) & 0o7777
	}
	// Replace whatever the rootfs holds at that name.
	if err := unix.Unlinkat(dirfd, name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove existing: %w", err)
	}
	if err := it.sys.Mknodat(dirfd, name, mode|perm, int(unix.Mkdev(uint32(d.Major), uint32(d.Minor)))); err != nil {
		if errors.Is(err, unix.EPERM) {
			return err
		}
		return fmt.Errorf("mknod: %w", err)
	}
	uid, gid := 0, 0
	if d.UID != nil {
		uid = int(*d.UID)
	}
	if d.GID != nil {
		gid = int(*d.GID)
	}
	if err := unix.Fchownat(dirfd, name, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	return nil
}

// setupDevSymlinks creates /dev/fd, /dev/std{in,out,err}, /dev/core and,
// with a devpts mount, /dev/ptmx -> pts/ptmx.
func setupDevSymlinks(root handle, spec *specs.Spec) error {
	dev, err := mkdirAllInRoot(root, "dev", 0o755)
	if err != nil {
		return err
	}
	defer dev.close()
	links := [][2]string{
		{"/proc/self/fd", "fd"},
		{"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"},
	}
	if _, err := os.Stat("/proc/kcore"); err == nil {
		links = append(links, [2]string{"/proc/kcore", "core"})
	}
	for _, m := range spec.Mounts {
		if filepath.Clean(m.Destination) == "/dev/pts" {
			// The rootfs may hold a real ptmx node; the link must win.
			if err := unix.Unlinkat(int(dev), "ptmx", 0); err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("remove /dev/ptmx: %w", err)
			}
			links = append(links, [2]string{"pts/ptmx", "ptmx"})
			break
		}
	}
	for _, l := range links {
		if err := unix.Symlinkat(l[0], int(dev), l[1]); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("symlink /dev/%s: %w", l[1], err)
		}
	}
	return nil
}
