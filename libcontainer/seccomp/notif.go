package seccomp

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The agent's side of a notify fd, for seccomp agents and tests: the
// kernel's struct seccomp_notif and seccomp_notif_resp and their ioctls.

// Notif is a syscall waiting for the agent's answer (struct seccomp_notif).
type Notif struct {
	ID    uint64 // names the request in NotifResp
	Pid   uint32 // the calling thread, in the agent's pid namespace
	Flags uint32
	Data  NotifData
}

// NotifData is the syscall (struct seccomp_data).
type NotifData struct {
	Nr   int32  // syscall number on Arch
	Arch uint32 // AUDIT_ARCH_*
	IP   uint64 // instruction pointer
	Args [6]uint64
}

// NotifResp answers a Notif (struct seccomp_notif_resp): the syscall
// returns Val, or fails with errno -Error when Error is non-zero; with
// Flags NotifFlagContinue (and Val, Error zero) the kernel runs it instead.
type NotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// NotifFlagContinue is SECCOMP_USER_NOTIF_FLAG_CONTINUE.
const NotifFlagContinue = unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE

// NotifReceive waits for the next request on a notify fd. It fails with
// ENOENT when the caller died before it could be read; poll the fd first to
// see POLLHUP when no process uses the filter any more.
func NotifReceive(fd int) (*Notif, error) {
	for {
		var n Notif // the kernel wants it zeroed
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&n)))
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return nil, errno
		}
		return &n, nil
	}
}

// NotifRespond sends the answer to a request. ENOENT means the caller is
// gone (killed, or its syscall interrupted).
func NotifRespond(fd int, r *NotifResp) error {
	for {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(r)))
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}

// Compile-time checks that the structs have the sizes the ioctls encode.
const (
	recvSize = unix.SECCOMP_IOCTL_NOTIF_RECV >> 16 & 0x3fff
	sendSize = unix.SECCOMP_IOCTL_NOTIF_SEND >> 16 & 0x3fff

	_ = recvSize - unsafe.Sizeof(Notif{})
	_ = unsafe.Sizeof(Notif{}) - recvSize
	_ = sendSize - unsafe.Sizeof(NotifResp{})
	_ = unsafe.Sizeof(NotifResp{}) - sendSize
)
