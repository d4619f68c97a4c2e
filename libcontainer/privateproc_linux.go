package libcontainer

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// privateProc is a procfs instance of init's own, attached nowhere. Writes
// that matter (sysctls, LSM attributes) go through it, so that no mount the
// container's config or rootfs placed over /proc can redirect them to some
// other file (CVE-2025-52881): the path is resolved beneath it, without
// symlinks and without leaving the filesystem.
type privateProc struct{ fd int }

func openPrivateProc() (*privateProc, error) {
	fsfd, err := unix.Fsopen("proc", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("fsopen proc: %w", err)
	}
	defer unix.Close(fsfd)
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return nil, fmt.Errorf("create procfs: %w", err)
	}
	fd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)
	if err != nil {
		return nil, fmt.Errorf("fsmount procfs: %w", err)
	}
	return &privateProc{fd: fd}, nil
}

// write writes data to rel (e.g. "sys/net/ipv4/ip_forward").
func (p *privateProc) write(rel, data string) error {
	how := unix.OpenHow{
		Flags:   unix.O_WRONLY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_XDEV | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(p.fd, rel, &how)
	if err != nil {
		return &pathError{"open", "/proc/" + rel, err}
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(data)); err != nil {
		return &pathError{"write", "/proc/" + rel, err}
	}
	return nil
}

func (p *privateProc) close() { unix.Close(p.fd) }
