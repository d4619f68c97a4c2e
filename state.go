package main

import (
	"encoding/json"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

var stateCommand = &cli.Command{
	Name:  "state",
	Usage: "output the state of a container",
	ArgsUsage: `<container-id>

Where "<container-id>" is your name for the instance of the container.`,
	Description: `The state command outputs current state information for the
instance of a container.`,
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(newContainerState(c, ""), "", "  ")
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(data)
		return err
	},
}

// containerState is runc's JSON for `state` and `list --format json`, field
// for field and in the same order.
type containerState struct {
	Version        string            `json:"ociVersion"`
	ID             string            `json:"id"`
	InitProcessPid int               `json:"pid"`
	Status         string            `json:"status"`
	Bundle         string            `json:"bundle"`
	Rootfs         string            `json:"rootfs"`
	Created        time.Time         `json:"created"`
	Annotations    map[string]string `json:"annotations,omitempty"`
	Owner          string            `json:"owner"`
}

func newContainerState(c *libcontainer.Container, owner string) containerState {
	status := c.Status()
	pid := c.State.InitPid
	if status == libcontainer.Stopped {
		pid = 0
	}
	return containerState{
		Version:        specs.Version,
		ID:             c.ID,
		InitProcessPid: pid,
		Status:         string(status),
		Bundle:         c.State.Bundle,
		Rootfs:         c.State.Rootfs,
		Created:        c.State.Created,
		Annotations:    c.State.Annotations,
		Owner:          owner,
	}
}
