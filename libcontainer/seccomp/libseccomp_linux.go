//go:build cgo

package seccomp

// The few libseccomp calls berth needs, bound directly rather than through
// libseccomp-golang, whose package init probes the kernel in every process
// that links it (berth's every command), not just when a filter is built.

/*
#cgo LDFLAGS: -lseccomp
#include <stdlib.h>
#include <seccomp.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// x32Token is libseccomp's SCMP_ARCH_X32, made up from EM_X86_64; every
// other architecture token is the kernel's AUDIT_ARCH_* value.
const x32Token = C.SCMP_ARCH_X32

// filter is a libseccomp filter context; release it when done.
type filter struct {
	ctx C.scmp_filter_ctx
}

// rcErr turns a libseccomp return code (-errno) into an error.
func rcErr(rc C.int) error {
	if rc >= 0 {
		return nil
	}
	return unix.Errno(-rc)
}

func newFilter(defAction uint32) (*filter, error) {
	ctx := C.seccomp_init(C.uint32_t(defAction))
	if ctx == nil {
		return nil, errors.New("libseccomp refused the default action")
	}
	return &filter{ctx: ctx}, nil
}

func (f *filter) release() {
	C.seccomp_release(f.ctx)
}

// archToken returns libseccomp's token (SCMP_ARCH_*) for an architecture
// name, 0 when this libseccomp does not know it.
func archToken(name string) uint32 {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return uint32(C.seccomp_arch_resolve_name(cs))
}

// nativeArch is the token of the architecture libseccomp was built for.
func nativeArch() uint32 {
	return uint32(C.seccomp_arch_native())
}

// addArch adds an architecture; adding one that is there is not an error.
func (f *filter) addArch(token uint32) error {
	if err := rcErr(C.seccomp_arch_add(f.ctx, C.uint32_t(token))); err != nil && err != unix.EEXIST {
		return err
	}
	return nil
}

// optimize asks for a binary tree of syscalls (level 2) instead of a list.
func (f *filter) optimize(level uint32) error {
	return rcErr(C.seccomp_attr_set(f.ctx, C.SCMP_FLTATR_CTL_OPTIMIZE, C.uint32_t(level)))
}

// resolveSyscall returns the native number of a syscall name (negative for
// libseccomp's pseudo-syscalls), false when libseccomp does not know it.
func resolveSyscall(name string) (int32, bool) {
	return resolveSyscallArch(C.SCMP_ARCH_NATIVE, name)
}

// resolveSyscallArch is resolveSyscall on one architecture.
func resolveSyscallArch(token uint32, name string) (int32, bool) {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	nr := C.seccomp_syscall_resolve_name_arch(C.uint32_t(token), cs)
	return int32(nr), nr != C.__NR_SCMP_ERROR
}

// SyscallName returns the name of syscall nr on the architecture given by
// its AUDIT_ARCH_* value (seccomp_data.arch), or the number in decimal when
// libseccomp does not know it. It is for seccomp agents and logs.
func SyscallName(auditArch uint32, nr int32) string {
	token := auditArch
	if auditArch == unix.AUDIT_ARCH_X86_64 && nr&x32Bit != 0 {
		token = x32Token
	}
	cs := C.seccomp_syscall_resolve_num_arch(C.uint32_t(token), C.int(nr))
	if cs == nil {
		return fmt.Sprint(nr)
	}
	defer C.free(unsafe.Pointer(cs))
	return C.GoString(cs)
}

// addRule adds one rule; all of conds must match (none: always).
func (f *filter) addRule(action uint32, nr int32, conds []cond) error {
	var arr *C.struct_scmp_arg_cmp
	if len(conds) > 0 {
		cs := make([]C.struct_scmp_arg_cmp, len(conds))
		for i, c := range conds {
			cs[i].arg = C.uint(c.arg)
			cs[i].op = C.enum_scmp_compare(c.op)
			cs[i].datum_a = C.scmp_datum_t(c.a)
			cs[i].datum_b = C.scmp_datum_t(c.b)
		}
		arr = &cs[0]
	}
	return rcErr(C.seccomp_rule_add_array(f.ctx, C.uint32_t(action), C.int(nr), C.uint(len(conds)), arr))
}

// program returns the filter as classic BPF. libseccomp 2.5 only exports
// to a file descriptor, so it goes through a memfd.
func (f *filter) program() ([]unix.SockFilter, error) {
	fd, err := unix.MemfdCreate("seccomp-bpf", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	file := os.NewFile(uintptr(fd), "seccomp-bpf")
	defer file.Close()
	if err := rcErr(C.seccomp_export_bpf(f.ctx, C.int(fd))); err != nil {
		return nil, fmt.Errorf("export BPF: %w", err)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	return decodeProgram(data)
}
