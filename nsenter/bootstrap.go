// Package nsenter is the C stage of `berth init` (nsenter.c, run as an ELF
// constructor before the Go runtime starts) and the parent's side of its
// protocol. Importing the package links the constructor into the binary; it
// does nothing unless the process was started as an init with an init pipe.
package nsenter

/*
#cgo CFLAGS: -Wall -Wextra -Wno-unused-parameter -O2
#cgo LDFLAGS: -Wl,--wrap=pthread_create -Wl,--wrap=mmap
#include "bootstrap.h"
extern int berth_closed_stdio;
extern int berth_first_unopened_fd;
extern int berth_cgroupns_errno;
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// EnvInitPipe names the environment variable holding the init pipe's fd number.
const EnvInitPipe = C.ENV_INITPIPE

// StdioWasClosed reports whether fd (0, 1 or 2) was closed when this
// process started, before the Go runtime opened /dev/null on it.
func StdioWasClosed(fd int) bool {
	return fd >= 0 && fd <= 2 && C.berth_closed_stdio&(1<<fd) != 0
}

// CallerFDs is the number of fds above stdio that the caller passed: fds
// 3 to 3+CallerFDs()-1 were open when this process started, the next one
// was not.
func CallerFDs() int {
	return int(C.berth_first_unopened_fd) - 3
}

// NamespacePath asks the stage to join an existing namespace.
type NamespacePath struct {
	Type uint32 // CLONE_NEW* flag of the namespace kind
	Path string
}

// Bootstrap is what the C stage needs before Go runs in the container's init.
type Bootstrap struct {
	CloneFlags  uint32          // namespaces to create (CLONE_NEW*)
	Join        []NamespacePath // namespaces to join, in any order
	TimeOffsets string          // content for /proc/self/timens_offsets
	OOMScoreAdj string          // content for /proc/self/oom_score_adj, if set
	NoSetgroups bool            // setgroups(2) is denied in the new user namespace
	// JoinPidfd, when >= 0 with JoinFlags set, is the stage's fd number of a
	// pidfd whose namespaces (JoinFlags) it joins first, all at once.
	JoinPidfd int
	JoinFlags uint32
	// CgroupSync makes the stage wait for SendCgroupReady before it enters
	// a new cgroup namespace and forks the init, so that the parent can
	// set up the cgroup while the stage creates the other namespaces.
	CgroupSync bool
	// CloneInto: the parent may answer with SendCgroupFD. The stage then
	// stays in the cgroup namespace it started in (it must see the cgroup
	// it forks into) and the init creates or joins the container's.
	CloneInto bool
	// ExecPlan: the init reads a ProcessPlan after the stage's messages
	// and execs it (process.c); Go never starts in it.
	ExecPlan bool
	// CreatePlan: the init is create's, driven by a RootfsPlan and then a
	// ProcessPlan (create.c); Go never starts in it.
	CreatePlan bool
	// SelfInit: there is no stage. The parent cloned this process into the
	// new namespaces itself, so it is the init: it only waits for its
	// cgroups, makes the cgroup namespace and goes on as the init. Nothing
	// to join, no user or time namespace (see nsenter.c's self_init).
	SelfInit bool
	// Fault (test builds only) names a step where the stage dies.
	Fault string
}

// SendCgroupReady tells a stage started with CgroupSync that it is in the
// container's cgroup.
func SendCgroupReady(w io.Writer) error {
	_, err := w.Write([]byte{C.SYNC_CGROUP})
	return err
}

// SendCgroupFD tells a stage started with CgroupSync and CloneInto to fork
// the init straight into the cgroup2 dir open as dirFD (clone3 with
// CLONE_INTO_CGROUP), rather than being moved there: a move waits for an
// RCU grace period, a birth in the cgroup does not. conn is the parent's
// end of the init socket.
func SendCgroupFD(conn *os.File, dirFD int) error {
	return unix.Sendmsg(int(conn.Fd()), []byte{C.SYNC_CGROUP_FD}, unix.UnixRights(dirFD), nil, 0)
}

// MaxTasksFDs is how many files SendCgroupTasks may send at once.
const MaxTasksFDs = C.MAX_TASKS_FDS

// SendCgroupTasks has a stage started with CgroupSync move itself into the
// cgroup v1 hierarchies whose `tasks` files are open for writing as fds
// (at most MaxTasksFDs), at paths (for its errors): it writes "0" to each.
// A thread that moves itself takes no cgroup rwsem, where a write of its
// pid to cgroup.procs waits for an RCU grace period. SendCgroupReady or
// SendCgroupFD must follow.
func SendCgroupTasks(conn *os.File, fds []int, paths []string) error {
	names := strings.Join(paths, "\x00")
	msg := append([]byte{C.SYNC_CGROUP_TASKS}, u32(uint32(len(names)))...)
	msg = append(msg, names...)
	// The fds travel with the first byte; a stream socket may take the rest
	// in more than one write.
	n, err := unix.SendmsgN(int(conn.Fd()), msg, unix.UnixRights(fds...), nil, 0)
	if err == nil && n < len(msg) {
		_, err = conn.Write(msg[n:])
	}
	return err
}

// Encode returns the wire form read by nsenter.c's parse_bootstrap.
func (b *Bootstrap) Encode() []byte {
	var r records
	r.add(C.BT_CLONE_FLAGS, u32(b.CloneFlags))
	for _, j := range b.Join {
		r.add(C.BT_NS_PATH, u32(j.Type), []byte(j.Path))
	}
	if b.TimeOffsets != "" {
		r.add(C.BT_TIME_OFFSETS, []byte(b.TimeOffsets))
	}
	if b.OOMScoreAdj != "" {
		r.add(C.BT_OOM_SCORE_ADJ, []byte(b.OOMScoreAdj))
	}
	if b.NoSetgroups {
		r.add(C.BT_NO_SETGROUPS)
	}
	if b.CgroupSync {
		r.add(C.BT_CGROUP_SYNC)
	}
	if b.CloneInto {
		r.add(C.BT_CLONE_INTO)
	}
	if b.ExecPlan {
		r.add(C.BT_EXEC_PLAN)
	}
	if b.CreatePlan {
		r.add(C.BT_CREATE_PLAN)
	}
	if b.SelfInit {
		r.add(C.BT_SELF_INIT)
	}
	if b.Fault != "" {
		r.add(C.BT_FAULT, []byte(b.Fault))
	}
	if b.JoinFlags != 0 {
		r.add(C.BT_JOIN_PIDFD, u32(uint32(b.JoinPidfd), b.JoinFlags))
	}
	return r.frame(C.BOOTSTRAP_MAGIC)
}

// StageError is a failure the C stage reported; its text is complete.
type StageError struct{ Msg string }

func (e *StageError) Error() string { return e.Msg }

// Await runs the parent's side of the stage protocol on conn after the
// bootstrap was sent: it answers a request to write the uid/gid maps by
// calling writeMaps, and returns the host pid of the container's init. It
// reads exactly the stage's messages, nothing that the init writes later.
func Await(conn io.ReadWriter, writeMaps func() error) (int, error) {
	var b [1]byte
	for {
		if _, err := io.ReadFull(conn, b[:]); err != nil {
			return 0, stageEOF(err)
		}
		switch b[0] {
		case C.SYNC_USERMAP:
			if writeMaps == nil {
				return 0, errors.New("unexpected request for user namespace maps")
			}
			if err := writeMaps(); err != nil {
				return 0, err
			}
			if _, err := conn.Write([]byte{C.SYNC_USERMAP_ACK}); err != nil {
				return 0, fmt.Errorf("ack user maps: %w", err)
			}
		case C.SYNC_PID:
			v, err := readU32(conn)
			if err != nil {
				return 0, stageEOF(err)
			}
			return int(v), nil
		case C.SYNC_ERROR:
			n, err := readU32(conn)
			if err != nil || n > 4096 {
				return 0, stageEOF(err)
			}
			msg := make([]byte, n)
			if _, err := io.ReadFull(conn, msg); err != nil {
				return 0, stageEOF(err)
			}
			return 0, &StageError{Msg: string(msg)}
		default:
			return 0, fmt.Errorf("unexpected message %q", b[0])
		}
	}
}

func readU32(r io.Reader) (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

// ErrNoReport: the other end of the init pipe was closed before the stage
// (or an init without one) reported: every process that held it is gone.
var ErrNoReport = errors.New("init stage exited without reporting")

func stageEOF(err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrNoReport
	}
	return fmt.Errorf("read from init stage: %w", err)
}
