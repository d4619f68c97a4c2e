package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

var deleteCommand = &cli.Command{
	Name:  "delete",
	Usage: "delete any resources held by the container often used with detached container",
	ArgsUsage: `<container-id>

Where "<container-id>" is the name for the instance of the container.

EXAMPLE:
For example, if the container id is "ubuntu01" and berth list currently shows the
status of "ubuntu01" as "stopped" the following will delete resources held for
"ubuntu01" removing "ubuntu01" from the berth list of containers:

       # berth delete ubuntu01`,
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "Forcibly deletes the container if it is still running (uses SIGKILL)"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		force := ctx.Bool("force")
		c, err := getContainer(ctx)
		var corrupt *libcontainer.CorruptStateError
		if errors.As(err, &corrupt) && force {
			root, rerr := stateRoot(ctx)
			if rerr != nil {
				return rerr
			}
			logrus.Warn(err)
			return libcontainer.RemoveCorrupt(root, ctx.Args().First(), ctx.Bool("systemd-cgroup"))
		}
		if err != nil {
			if !errors.Is(err, libcontainer.ErrNotExist) {
				return err
			}
			// A create that died before writing state leaves a bare dir:
			// remove it, like runc does.
			if root, rerr := stateRoot(ctx); rerr == nil {
				path := filepath.Join(root, ctx.Args().First())
				if e := os.RemoveAll(path); e != nil {
					fmt.Fprintf(os.Stderr, "remove %s: %v\n", path, e)
				}
			}
			if force {
				return nil
			}
			return err
		}
		if err := c.Lock(); err != nil {
			if errors.Is(err, libcontainer.ErrNotExist) && force {
				return nil
			}
			return err
		}
		defer c.Unlock()
		switch s := c.Status(); s {
		case libcontainer.Stopped, libcontainer.Created:
			return c.Destroy()
		default:
			if force {
				return c.Destroy()
			}
			return fmt.Errorf("cannot delete container %s that is not stopped: %s", c.ID, s)
		}
	},
}
