package devices

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The bpf(2) commands the device filter needs, made directly. cilium/ebpf
// did this before, but linking it cost every berth process ~1 ms of CPU and
// ~200 page faults (its package init and 1.5 MB of code and tables the Go
// runtime walks at start-up), for a filter only cgroup v2 containers with
// device rules load (docs/performance.md). The tests still use cilium/ebpf
// to decode, query and run what this code makes.

// bpfPtr is a __aligned_u64 that holds a user pointer; it stays a Go pointer
// so the garbage collector keeps what it points to. (64-bit only: the
// array below has a negative length where pointers are shorter.)
type bpfPtr = unsafe.Pointer

var _ [unsafe.Sizeof(uintptr(0)) - 8]byte

func ptrTo(b []byte) bpfPtr {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// union bpf_attr, one struct per command (linux/bpf.h).
type progLoadAttr struct {
	progType, insnCnt uint32
	insns, license    bpfPtr
	logLevel, logSize uint32
	logBuf            bpfPtr
	kernVersion       uint32
	progFlags         uint32
}

type progAttachAttr struct {
	targetFD, attachBPFFD, attachType, attachFlags uint32
}

type progQueryAttr struct {
	targetFD, attachType, queryFlags, attachFlags uint32
	progIDs                                       bpfPtr
	progCnt, _                                    uint32
}

type getFDByIDAttr struct {
	id, nextID, openFlags uint32
}

type objInfoAttr struct {
	bpfFD, infoLen uint32
	info           bpfPtr
}

// progInfo is the head of struct bpf_prog_info, up to what we read.
type progInfo struct {
	typ, id      uint32
	tag          [8]byte
	jitedLen     uint32
	xlatedLen    uint32
	jitedInsns   bpfPtr
	xlatedInsns  bpfPtr
	loadTime     uint64
	createdByUID uint32
	nrMapIDs     uint32
	mapIDs       bpfPtr
	name         [16]byte
}

func bpf[T any](cmd int, attr *T) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(unsafe.Pointer(attr)), unsafe.Sizeof(*attr))
	runtime.KeepAlive(attr)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// progLoad loads a BPF_PROG_TYPE_CGROUP_DEVICE program and returns its fd.
// If the kernel refuses it, it loads it again with the verifier's log and
// puts the verifier's reason (its last line before the statistics) in the
// error. (attr's pointers keep the buffers alive through each call.)
func progLoad(code []byte) (int, error) {
	license := []byte(License + "\x00")
	attr := progLoadAttr{
		progType: unix.BPF_PROG_TYPE_CGROUP_DEVICE,
		insnCnt:  uint32(len(code) / insnSize),
		insns:    ptrTo(code),
		license:  ptrTo(license),
	}
	load := func() (int, error) { return bpf(unix.BPF_PROG_LOAD, &attr) }
	fd, err := retryEAGAIN(load)
	if err == nil || !(errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EACCES)) {
		return fd, err
	}
	log := make([]byte, 64<<10)
	attr.logLevel, attr.logSize, attr.logBuf = 1, uint32(len(log)), ptrTo(log)
	if fd, err2 := retryEAGAIN(load); err2 == nil {
		return fd, nil // it took it this time
	}
	if n := bytes.IndexByte(log, 0); n >= 0 {
		log = log[:n]
	}
	// The reason is the last line before the verifier's statistics.
	lines := bytes.Split(bytes.TrimSpace(log), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		l := bytes.TrimSpace(lines[i])
		if len(l) > 0 && !bytes.HasPrefix(l, []byte("processed ")) && !bytes.HasPrefix(l, []byte("verification time")) {
			return -1, fmt.Errorf("%w: verifier: %s", err, l)
		}
	}
	return -1, err
}

// retryEAGAIN calls load again while it fails with EAGAIN, up to 10 times:
// the verifier gives up with EAGAIN when a signal is pending, and the Go
// runtime signals its threads (preemption) at any time.
func retryEAGAIN(load func() (int, error)) (int, error) {
	for i := 0; ; i++ {
		fd, err := load()
		if !errors.Is(err, unix.EAGAIN) || i == 9 {
			return fd, err
		}
	}
}

func progAttach(target, prog int, flags uint32) error {
	attr := progAttachAttr{targetFD: uint32(target), attachBPFFD: uint32(prog), attachType: unix.BPF_CGROUP_DEVICE, attachFlags: flags}
	_, err := bpf(unix.BPF_PROG_ATTACH, &attr)
	return err
}

func progDetach(target, prog int) error {
	attr := progAttachAttr{targetFD: uint32(target), attachBPFFD: uint32(prog), attachType: unix.BPF_CGROUP_DEVICE}
	_, err := bpf(unix.BPF_PROG_DETACH, &attr)
	return err
}

// progQuery lists the ids of the device programs attached to target itself.
func progQuery(target int) ([]uint32, error) {
	ids := make([]uint32, 64)
	for {
		attr := progQueryAttr{targetFD: uint32(target), attachType: unix.BPF_CGROUP_DEVICE, progCnt: uint32(len(ids))}
		attr.progIDs = unsafe.Pointer(&ids[0])
		_, err := bpf(unix.BPF_PROG_QUERY, &attr)
		if errors.Is(err, unix.ENOSPC) && int(attr.progCnt) > len(ids) {
			ids = make([]uint32, attr.progCnt)
			continue
		}
		if err != nil {
			return nil, err
		}
		return ids[:attr.progCnt], nil
	}
}

func progFDByID(id uint32) (int, error) {
	attr := getFDByIDAttr{id: id}
	return bpf(unix.BPF_PROG_GET_FD_BY_ID, &attr)
}

// progCode returns a loaded program's type and its instructions as the
// verifier left them (xlated), or nil if the kernel does not show them.
func progCode(fd int, max int) (uint32, []byte, error) {
	code := make([]byte, max)
	info := progInfo{xlatedLen: uint32(len(code)), xlatedInsns: ptrTo(code)}
	attr := objInfoAttr{bpfFD: uint32(fd), infoLen: uint32(unsafe.Sizeof(info)), info: unsafe.Pointer(&info)}
	if _, err := bpf(unix.BPF_OBJ_GET_INFO_BY_FD, &attr); err != nil {
		return 0, nil, err
	}
	if info.xlatedInsns == nil || int(info.xlatedLen) > len(code) {
		return info.typ, nil, nil
	}
	return info.typ, code[:info.xlatedLen], nil
}
