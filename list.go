package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/moby/sys/user"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/nsenter"
)

var listCommand = &cli.Command{
	Name:      "list",
	Usage:     "lists containers started by berth with the given root",
	ArgsUsage: " ",
	Description: `The list command lists containers started by berth with the given root:

   # berth list`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: `select one of: table or json (default: "table")`},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "display only container IDs"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0, exactArgs); err != nil {
			return err
		}
		states, err := listContainers(ctx)
		if err != nil {
			return err
		}
		// One buffer for the whole output, not a write per line.
		out := bufio.NewWriterSize(os.Stdout, 64<<10)
		if ctx.Bool("quiet") {
			for _, s := range states {
				fmt.Fprintln(out, s.ID)
			}
			return out.Flush()
		}
		switch f := ctx.String("format"); f {
		case "table":
			return writeListTable(out, states)
		case "json":
			data, err := json.Marshal(states)
			if err != nil {
				return err
			}
			_, err = os.Stdout.Write(append(data, '\n')) // runc's json.Encoder ends it so
			return err
		default:
			return fmt.Errorf("invalid format option")
		}
	},
}

// listContainers loads every container under --root; those that cannot be
// loaded (a create in progress, one that died early, a corrupt state file)
// are skipped with a line on stderr, as runc prints it.
func listContainers(ctx *cli.Context) ([]containerState, error) {
	root, err := stateRoot(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := libcontainer.List(root)
	if err != nil {
		return nil, err
	}
	// The heap grows by a few KB per container: from a few hundred on it
	// outgrows the one huge page the CLI starts with, and each small page
	// past it is a page fault.
	if len(ids) >= 100 {
		nsenter.HeapInHugePages()
	}
	// Each container costs a few file reads (state.json, /proc/<pid>/stat,
	// the freezer): with many containers, read them on every CPU.
	workers := min(usableCPUs(), 4, len(ids)/64+1)
	if workers > 1 {
		runtime.GOMAXPROCS(workers)
	}
	loaded := make([]*containerState, len(ids))
	var owners sync.Map // uid -> name
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ids); i += workers {
				c, err := libcontainer.LoadForStatus(root, ids[i])
				if err != nil {
					fmt.Fprintf(os.Stderr, "load container %s: %v\n", ids[i], err)
					continue
				}
				s := newContainerState(c, ownerOf(filepath.Join(root, ids[i]), &owners))
				loaded[i] = &s
			}
		}()
	}
	wg.Wait()
	states := make([]containerState, 0, len(ids))
	for _, s := range loaded {
		if s != nil {
			states = append(states, *s)
		}
	}
	if len(states) == 0 {
		return nil, nil // -f json prints null then, as runc
	}
	return states, nil
}

func ownerOf(dir string, cache *sync.Map) string {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return ""
	}
	if name, ok := cache.Load(st.Uid); ok {
		return name.(string)
	}
	name := "#" + strconv.FormatUint(uint64(st.Uid), 10)
	if u, err := user.LookupUid(int(st.Uid)); err == nil {
		name = u.Name
	}
	cache.Store(st.Uid, name)
	return name
}

// usableCPUs is the number of CPUs berth may run on. Not runtime.NumCPU:
// the Go runtime counted them while pinned to one (nsenter/goruntime.c).
func usableCPUs() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 1
	}
	return max(set.Count(), 1)
}
