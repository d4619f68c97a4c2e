package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/specjson"
)

// Files in a container's state directory (<root>/<id>/).
const (
	stateFile  = "state.json"  // State: small, read by every command
	configFile = "config.json" // the spec as it was at create time
	fifoName   = "exec.fifo"   // init blocks opening it until `start`
	// criuRootDir is where restore mounts the rootfs for criu, meanwhile.
	criuRootDir = "criu-root"
	// The files a save replaced, for the next save to write into
	// (replaceFromSpare): a new file costs an inode allocation.
	stateSpare  = ".state.json.spare"
	configSpare = ".config.json.spare"
)

// removeStateDir removes a container's state directory. It unlinks the
// files berth puts there by name, then the directory: os.RemoveAll would
// first try the directory as a file and as an empty one. Anything else in
// there (not ours, or from a newer berth) falls back to os.RemoveAll.
func removeStateDir(dir string) error {
	for _, name := range [...]string{stateFile, stateSpare, configFile, configSpare, fifoName} {
		if err := unix.Unlink(dir + "/" + name); err != nil && err != unix.ENOENT {
			break
		}
	}
	err := unix.Rmdir(dir)
	if err == unix.ENOTEMPTY {
		// A restore that died may have left the rootfs mounted there:
		// RemoveAll would go into it.
		root := dir + "/" + criuRootDir
		_ = unix.Unmount(root, unix.MNT_DETACH)
		_ = unix.Rmdir(root)
		err = unix.Rmdir(dir)
	}
	switch err {
	case nil, unix.ENOENT:
		return nil
	default:
		return os.RemoveAll(dir)
	}
}

// lockDir opens a container's state dir and takes its exclusive flock,
// waiting for whoever holds it; closing the file releases it. The dir is
// opened with plain open(2): os.Open would add it to the poller first (four
// more syscalls), which a directory never needs.
func lockDir(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return os.NewFile(uintptr(fd), dir), nil
}

//go:generate go tool easyjson -output_filename state_easyjson.go state.go
//go:generate sed -i "s#\"github.com/mailru/easyjson\"#\"github.com/berth-runtime/berth/internal/jsoniface\"#" state_easyjson.go
//go:generate gofmt -w state_easyjson.go

// State is what berth keeps about a container beyond its spec. The spec itself
// is stored next to it (configFile) and loaded only by commands that need it,
// so `state` and `list` read one small file per container. Its (un)marshalers
// are generated (no reflection: `list` reads a thousand of them).
//
//easyjson:json
type State struct {
	ID     string `json:"id"`
	Bundle string `json:"bundle"`
	Rootfs string `json:"rootfs"`
	// InitPid and InitStartTime identify the init process: a pid whose start
	// time (clock ticks after boot, /proc/<pid>/stat field 22) differs is a
	// recycled pid, and the container is stopped.
	InitPid       int       `json:"init_pid"`
	InitStartTime uint64    `json:"init_start_time"`
	Created       time.Time `json:"created"`
	// Creating is true until create has finished; a container whose creator
	// died is reported as "creating" until its init is gone.
	Creating bool `json:"creating,omitempty"`
	// CreatorPid and CreatorStartTime identify the berth process creating
	// the container, for the status before the init exists.
	CreatorPid       int               `json:"creator_pid,omitempty"`
	CreatorStartTime uint64            `json:"creator_start_time,omitempty"`
	Annotations      map[string]string `json:"annotations,omitempty"`
	// CgroupPaths are the cgroup dirs of the container (cgroups.Manager.Paths).
	CgroupPaths map[string]string `json:"cgroup_paths,omitempty"`
	// CgroupsPath is linux.cgroupsPath (the systemd driver names its unit by it).
	CgroupsPath string `json:"cgroups_path,omitempty"`
	// NamespacePaths are the init's namespaces, by spec type, for exec.
	NamespacePaths map[string]string `json:"namespace_paths,omitempty"`
	// PrivatePidNS says the container has its own pid namespace, so killing
	// its init kills every process in it.
	PrivatePidNS bool `json:"private_pid_ns"`
	// Hooks are the spec's hooks, so that start and delete need not load
	// the whole saved spec to find them.
	Hooks    *specs.Hooks `json:"hooks,omitempty"`
	Systemd  bool         `json:"systemd,omitempty"`
	Rootless bool         `json:"rootless,omitempty"`
}

// plainState is State without its generated decoder, for encoding/json.
type plainState State

// saveState replaces the state file atomically (replaceFromSpare).
func saveState(dir string, st *State) error {
	data, err := st.MarshalJSON()
	if err != nil {
		return err
	}
	if err := replaceFromSpare(filepath.Join(dir, stateSpare), filepath.Join(dir, stateFile), data); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// replaceFromSpare replaces path with data atomically: readers see the old
// file or the new one. data goes into spare (the file the last replace of
// path left there, or a new one), which is then swapped with path by
// RENAME_EXCHANGE (or renamed there, when path does not exist yet), so the
// old file becomes the next spare. A new file costs an ext4 inode
// allocation, which was most of a state save here (/run is ext4 on this
// VM), more so with many containers coming and going; a rename over an
// existing file makes ext4 (auto_da_alloc) write the new one to disk at
// once. The spare is rewritten in place, not with O_TRUNC (a truncation to
// zero does the same), and cut to size with ftruncate. The container's
// lock keeps two saves of one file from sharing the spare (create holds
// it throughout).
func replaceFromSpare(spare, path string, data []byte) error {
	fd, err := unix.Open(spare, unix.O_WRONLY|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), spare)
	_, err = f.Write(data)
	if err == nil {
		err = f.Truncate(int64(len(data)))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(spare)
		return err
	}
	err = unix.Renameat2(unix.AT_FDCWD, spare, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE)
	if err == nil {
		return nil
	}
	// No file to swap with yet (ENOENT), or a filesystem without exchange.
	return os.Rename(spare, path)
}

// errNoState means the state dir exists but holds no (complete) state file:
// a create that died before its init was known.
var errNoState = errors.New("no state file")

// checkState refuses a state file that parses but cannot describe the
// container in dir (say "{}"): treating it as a stopped container would
// leave its init and cgroup behind. cgroups is the number of cgroup paths.
func checkState(dir string, st *State, cgroups int) error {
	switch {
	case st.ID != filepath.Base(dir):
		return fmt.Errorf("it is for container %q", st.ID)
	case st.InitPid < 0:
		return fmt.Errorf("init pid %d", st.InitPid)
	case !st.Creating && (st.InitPid == 0 || st.InitStartTime == 0):
		return errors.New("no init process recorded")
	case cgroups == 0 && !st.Rootless:
		return errors.New("no cgroup recorded")
	}
	return nil
}

func loadState(dir string) (*State, error) {
	path := filepath.Join(dir, stateFile)
	var st State
	var corrupt error
	err := withSmallFile(path, func(data []byte) error {
		if st.UnmarshalJSON(data) != nil {
			// Not a file we wrote: encoding/json decodes it as it can or
			// says, in one line, what is wrong with it.
			st = State{}
			corrupt = json.Unmarshal(data, (*plainState)(&st))
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errNoState
		}
		return nil, err
	}
	if corrupt == nil {
		corrupt = checkState(dir, &st, len(st.CgroupPaths))
	}
	if corrupt != nil {
		return nil, &CorruptStateError{Path: path, Err: corrupt}
	}
	return &st, nil
}

// CorruptStateError is a state file that cannot be read back (changed by
// someone else: berth writes it atomically). `delete --force` still cleans
// up after such a container (RemoveCorrupt).
type CorruptStateError struct {
	Path string
	Err  error
}

func (e *CorruptStateError) Error() string {
	return fmt.Sprintf("corrupt state file %s: %v", e.Path, e.Err)
}

func (e *CorruptStateError) Unwrap() error { return e.Err }

func saveSpec(dir string, spec *specs.Spec) error {
	data, err := specjson.Marshal(spec)
	if err != nil {
		return err
	}
	return replaceFromSpare(filepath.Join(dir, configSpare), filepath.Join(dir, configFile), data)
}

func loadSpec(dir string) (*specs.Spec, error) {
	data, err := os.ReadFile(filepath.Join(dir, configFile))
	if err != nil {
		return nil, err
	}
	var spec specs.Spec
	if err := specjson.Decode(data, &spec); err != nil {
		return nil, fmt.Errorf("corrupt saved config %s: %w", filepath.Join(dir, configFile), err)
	}
	return &spec, nil
}
