package libcontainer

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/berth-runtime/berth/internal/sysfile"
)

// procStat is the part of /proc/<pid>/stat berth needs.
type procStat struct {
	Comm      string // the command name (PR_SET_NAME, or the exec'd binary)
	State     byte   // R, S, D, Z, X, ...
	Flags     uint64 // PF_* (field 9)
	StartTime uint64 // clock ticks after boot
}

// pfExiting is the kernel's PF_EXITING: the task is on its way out (a pid
// namespace's init stays so until its last process is reaped).
const pfExiting = 0x4

// readProcStat parses /proc/<pid>/stat. The comm field may hold spaces and
// parentheses, so fields are counted from the last ')'.
func readProcStat(pid int) (procStat, error) {
	var st procStat
	err := withSmallFile("/proc/"+strconv.Itoa(pid)+"/stat", func(data []byte) (err error) {
		st, err = parseProcStat(data)
		return err
	})
	return st, err
}

// parseProcStat picks fields 3 (state), 9 (flags) and 22 (starttime) out of
// a stat line by scanning it once: `list` parses one per container.
func parseProcStat(data []byte) (procStat, error) {
	i := bytes.LastIndexByte(data, ')')
	j := bytes.IndexByte(data, '(')
	if i < 0 || j < 0 || j > i || i+2 >= len(data) {
		return procStat{}, fmt.Errorf("malformed stat line")
	}
	var state, flags, start []byte
	rest := data[i+2:]
	for field := 3; field <= 22; field++ {
		rest = bytes.TrimLeft(rest, " ")
		end := bytes.IndexAny(rest, " \n")
		if end < 0 {
			end = len(rest)
		}
		if end == 0 {
			return procStat{}, fmt.Errorf("malformed stat line")
		}
		switch field {
		case 3:
			state = rest[:end]
		case 9:
			flags = rest[:end]
		case 22:
			start = rest[:end]
		}
		rest = rest[end:]
	}
	if len(state) != 1 {
		return procStat{}, fmt.Errorf("malformed stat line")
	}
	startTime, err := strconv.ParseUint(string(start), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("malformed start time: %w", err)
	}
	fl, err := strconv.ParseUint(string(flags), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("malformed flags: %w", err)
	}
	return procStat{Comm: string(data[j+1 : i]), State: state[0], Flags: fl, StartTime: startTime}, nil
}

// initComm is the name the C stage gives the container's init until it
// execs the user's process.
const initComm = "berth:[init]"

// processAlive reports whether pid is still the process that started at
// startTime and has not exited (a zombie or an exiting task counts as gone).
func processAlive(pid int, startTime uint64) bool {
	_, alive := aliveStat(pid, startTime)
	return alive
}

// aliveStat is processAlive that also returns what it read.
func aliveStat(pid int, startTime uint64) (procStat, bool) {
	if pid <= 0 {
		return procStat{}, false
	}
	st, err := readProcStat(pid)
	if err != nil {
		return procStat{}, false
	}
	return st, st.StartTime == startTime && st.State != 'Z' && st.State != 'X' && st.Flags&pfExiting == 0
}

// withSmallFile reads a file that comes in one piece (state.json,
// /proc/<pid>/stat) into a pooled buffer and hands it to use. The buffer is
// reused once use returns, so use must copy what it keeps (decoded strings
// are copies). Errors carry the path, like os.ReadFile's (errors.Is(err,
// os.ErrNotExist) holds). `list` reads two such files per container, and a
// fresh buffer for each cost a page fault per container.
func withSmallFile(path string, use func([]byte) error) error {
	bufp := smallBufs.Get().(*[]byte)
	defer smallBufs.Put(bufp)
	data, err := sysfile.ReadWholeInto(path, *bufp)
	if err != nil {
		return &os.PathError{Op: "read", Path: path, Err: err}
	}
	*bufp = data[:0]
	return use(data)
}

var smallBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
