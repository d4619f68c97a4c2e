package main

import (
	"encoding/json"
	"errors"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/specconv"
)

var specCommand = &cli.Command{
	Name:      "spec",
	Usage:     "create a new specification file",
	ArgsUsage: "",
	Description: `The spec command creates the new specification file named "config.json" for
the bundle, with runc's defaults. The spec generated is just a starter file.
Edit it to fit the container you want.`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Usage: "path to the root of the bundle directory"},
		&cli.BoolFlag{Name: "rootless", Usage: "generate a configuration for a rootless container"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0, exactArgs); err != nil {
			return err
		}
		spec := specconv.Example()
		if ctx.Bool("rootless") {
			specconv.ToRootless(spec)
		}
		// As runc: into the bundle first, so that a missing one reads
		// "chdir DIR: no such file or directory".
		if b := ctx.String("bundle"); b != "" {
			if err := os.Chdir(b); err != nil {
				return err
			}
		}
		const path = "config.json"
		if _, err := os.Stat(path); err == nil {
			return errors.New("File config.json exists. Remove it first")
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		data, err := json.MarshalIndent(spec, "", "\t")
		if err != nil {
			return err
		}
		return os.WriteFile(path, data, 0o666)
	},
}
