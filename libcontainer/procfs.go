package libcontainer

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

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
	data, err := readSmallFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(data)
}

func parseProcStat(data []byte) (procStat, error) {
	i := bytes.LastIndexByte(data, ')')
	j := bytes.IndexByte(data, '(')
	if i < 0 || j < 0 || j > i || i+2 >= len(data) {
		return procStat{}, fmt.Errorf("malformed stat line")
	}
	comm := string(data[j+1 : i])
	// After ") ": field 3 (state) is index 0, field 22 (starttime) is index 19.
	fields := bytes.Fields(data[i+2:])
	if len(fields) < 20 || len(fields[0]) != 1 {
		return procStat{}, fmt.Errorf("malformed stat line")
	}
	start, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("malformed start time: %w", err)
	}
	flags, err := strconv.ParseUint(string(fields[6]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("malformed flags: %w", err)
	}
	return procStat{Comm: comm, State: fields[0][0], Flags: flags, StartTime: start}, nil
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

// readSmallFile is sysfile.ReadWhole with the path in its error, like
// os.ReadFile's (errors.Is(err, os.ErrNotExist) holds). Its files come in
// one piece: state.json and /proc/<pid>/stat.
func readSmallFile(path string) ([]byte, error) {
	data, err := sysfile.ReadWhole(path)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	return data, nil
}
