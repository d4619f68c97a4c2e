package main

import (
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
)

var pauseCommand = &cli.Command{
	Name:  "pause",
	Usage: "pause suspends all processes inside the container",
	ArgsUsage: `<container-id>

Where "<container-id>" is the name for the instance of the container to be
paused. `,
	Description: `The pause command suspends all processes in the instance of the container.

Use berth list to identify instances of containers and their current status.`,
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		warnRootlessFreezer(ctx, "pause")
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		return c.Pause()
	},
}

var resumeCommand = &cli.Command{
	Name:  "resume",
	Usage: "resumes all processes that have been previously paused",
	ArgsUsage: `<container-id>

Where "<container-id>" is the name for the instance of the container to be
resumed.`,
	Description: `The resume command resumes all processes in the instance of the container.

Use berth list to identify instances of containers and their current status.`,
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		warnRootlessFreezer(ctx, "resume")
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		return c.Resume()
	},
}

// warnRootlessFreezer says, as runc does, that a rootless runtime may lack
// the rights to the freezer.
func warnRootlessFreezer(ctx *cli.Context, verb string) {
	if rl, err := rootless(ctx); err == nil && rl {
		logrus.Warnf("berth %s may fail if you don't have the full access to cgroups", verb)
	}
}
