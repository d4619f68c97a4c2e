package libcontainer

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// The container's init runs our own binary. If a process in the container
// could open that binary for writing (through /proc/<pid>/exe of an init,
// or of an exec re-executed via a "#!/proc/self/exe" script), it could
// replace berth on the host (CVE-2019-5736). So init is never executed from
// the host file itself, and we don't pay ~10 ms per start copying 9 MB into
// a sealed memfd either: we execute the same file seen through a private,
// detached, read-only overlayfs. Writes through it fail with EROFS, the
// mount is attached nowhere so nobody can remount it, and it costs a few
// syscalls. Where overlayfs can't be used (no overlay, no privilege) we
// fall back to the sealed memfd copy.

// sealedExe returns an O_PATH (or memfd) handle of our binary that
// cannot be written through. scratch is a directory we own (the overlay
// wants two lower layers; the binary's dir on top hides what it holds).
// overlayfs refuses layers nested in one another (ELOOP), as when the
// state root is under the binary's dir: then /dev, which holds no binary,
// is the second layer, rather than a copy of the binary per start.
func sealedExe(scratch string) (*os.File, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("find own binary: %w", err)
	}
	var why error = fmt.Errorf("the state root and /dev both nest with the dir of %s", exe)
	for _, s := range []string{scratch, "/dev"} {
		if nested(filepath.Dir(exe), s) {
			continue
		}
		f, err := overlayExe(exe, s)
		if err == nil {
			return f, nil
		}
		why = err
	}
	// A copy per start costs more CPU than the rest of a start here.
	logrus.Debugf("sealing the binary with overlayfs failed (%v): copying it into a memfd", why)
	return memfdExe()
}

// nested reports whether a and b are the same dir or one is inside the
// other, by their names (a symlink can still hide it: overlayExe fails then).
func nested(a, b string) bool {
	a, b = filepath.Clean(a), filepath.Clean(b)
	within := func(x, y string) bool { return x == y || y == "/" || strings.HasPrefix(x, y+"/") }
	return within(a, b) || within(b, a)
}

func overlayExe(exe, scratch string) (*os.File, error) {
	dir, name := filepath.Split(exe)
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fsfd)
	// The binary's directory on top, so nothing in scratch can shadow it.
	lower := escapeLowerDir(dir) + ":" + escapeLowerDir(scratch)
	if err := unix.FsconfigSetString(fsfd, "lowerdir", lower); err != nil {
		return nil, err
	}
	_ = unix.FsconfigSetString(fsfd, "xino", "off") // only quiets dmesg
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return nil, err
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID)
	if err != nil {
		return nil, err
	}
	defer unix.Close(mfd)
	fd, err := unix.Openat(mfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "berth (sealed)"), nil
}

func escapeLowerDir(p string) string {
	return strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), `:`, `\:`)
}

// memfdExe copies the binary into a memfd sealed against any change.
func memfdExe() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	defer src.Close()
	fd, err := unix.MemfdCreate("berth", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "berth (memfd)")
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return nil, fmt.Errorf("copy own binary: %w", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal own binary: %w", err)
	}
	return f, nil
}
