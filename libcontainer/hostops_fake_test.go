package libcontainer

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// recordedCall is one hostOps call, with /proc/self/fd paths resolved to
// the real paths they named at the time of the call.
type recordedCall struct {
	op     string
	source string
	target string
	fstype string
	flags  uintptr
	data   string
}

// fakeHost records calls instead of changing the system.
type fakeHost struct{ calls []recordedCall }

func resolveFdPath(p string) string {
	if strings.HasPrefix(p, "/proc/self/fd/") {
		if real, err := os.Readlink(p); err == nil {
			return real
		}
	}
	return p
}

func (f *fakeHost) Mount(source, target, fstype string, flags uintptr, data string) error {
	f.calls = append(f.calls, recordedCall{"mount", resolveFdPath(source), resolveFdPath(target), fstype, flags, data})
	return nil
}
func (f *fakeHost) Unmount(target string, flags int) error {
	f.calls = append(f.calls, recordedCall{op: "umount", target: resolveFdPath(target)})
	return nil
}
func (f *fakeHost) PivotRoot(newroot, putold string) error {
	f.calls = append(f.calls, recordedCall{op: "pivot_root", source: newroot, target: putold})
	return nil
}
func (f *fakeHost) Chroot(path string) error {
	f.calls = append(f.calls, recordedCall{op: "chroot", target: path})
	return nil
}
func (f *fakeHost) Sethostname(name string) error {
	f.calls = append(f.calls, recordedCall{op: "sethostname", data: name})
	return nil
}
func (f *fakeHost) Setdomainname(name string) error {
	f.calls = append(f.calls, recordedCall{op: "setdomainname", data: name})
	return nil
}
func (f *fakeHost) Mknodat(dirfd int, name string, mode uint32, dev int) error {
	f.calls = append(f.calls, recordedCall{op: "mknod", target: name, flags: uintptr(mode), data: string(rune(dev))})
	return nil
}
func (f *fakeHost) MountSetattr(dirfd int, path string, flags uint, attr *unix.MountAttr) error {
	f.calls = append(f.calls, recordedCall{op: "mount_setattr", target: resolveFdPath("/proc/self/fd/" + itoa(dirfd)), flags: uintptr(attr.Attr_set)})
	return nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
