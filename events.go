package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

var eventsCommand = &cli.Command{
	Name:  "events",
	Usage: "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
	ArgsUsage: `<container-id>

Where "<container-id>" is the name for the instance of the container.`,
	Description: `The events command displays information about the container. By default the
information is displayed once every 5 seconds.`,
	Flags: []cli.Flag{
		&cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "set the stats collection interval"},
		&cli.BoolFlag{Name: "stats", Usage: "display the container's stats then exit"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		interval := ctx.Duration("interval")
		if interval <= 0 {
			return errors.New("duration interval must be greater than 0")
		}
		if c.Status() == libcontainer.Stopped {
			return fmt.Errorf("container with id %s is not running", c.ID)
		}
		// One JSON object per line, written as it comes.
		enc := json.NewEncoder(os.Stdout)
		emit := func(ev *libcontainer.Event) {
			if err := enc.Encode(ev); err != nil {
				logrus.Error(err)
			}
		}
		if ctx.Bool("stats") {
			ev, err := c.StatsEvent()
			if err != nil {
				return err
			}
			emit(ev)
			return nil
		}
		debug.SetGCPercent(100) // streaming: we may live long
		return c.Events(context.Background(), interval, emit)
	},
}
