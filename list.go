package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/moby/sys/user"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
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
		if ctx.Bool("quiet") {
			for _, s := range states {
				fmt.Println(s.ID)
			}
			return nil
		}
		switch f := ctx.String("format"); f {
		case "table":
			w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
			fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
			for _, s := range states {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.InitProcessPid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
			}
			return w.Flush()
		case "json":
			data, err := json.Marshal(states)
			if err != nil {
				return err
			}
			_, err = os.Stdout.Write(data)
			return err
		default:
			return fmt.Errorf("invalid format option")
		}
	},
}

// listContainers loads every container under --root; those that cannot be
// loaded (a create in progress or one that died early) are skipped, as runc
// skips them.
func listContainers(ctx *cli.Context) ([]containerState, error) {
	root, err := stateRoot(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := libcontainer.List(root)
	if err != nil {
		return nil, err
	}
	var states []containerState
	owners := map[uint32]string{}
	for _, id := range ids {
		c, err := libcontainer.Load(root, id)
		if err != nil {
			var corrupt *libcontainer.CorruptStateError
			if errors.As(err, &corrupt) {
				// Say so: whoever cleans up from this list must see it.
				logrus.Warnf("load container %s: %v", id, err)
			}
			continue
		}
		states = append(states, newContainerState(c, ownerOf(filepath.Join(root, id), owners)))
	}
	return states, nil
}

// ownerOf names the owner of a state dir, "#<uid>" when /etc/passwd does not.
func ownerOf(dir string, cache map[uint32]string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	uid := fi.Sys().(*syscall.Stat_t).Uid
	if name, ok := cache[uid]; ok {
		return name
	}
	name := "#" + strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupUid(int(uid)); err == nil {
		name = u.Name
	}
	cache[uid] = name
	return name
}
