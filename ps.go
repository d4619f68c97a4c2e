package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

var psCommand = &cli.Command{
	Name:      "ps",
	Usage:     "ps displays the processes running inside a container",
	ArgsUsage: `<container-id> [ps options]`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: `select one of: table or json (default: "table")`},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, minArgs); err != nil {
			return err
		}
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		pids, err := c.Processes()
		if err != nil {
			return err
		}
		switch ctx.String("format") {
		case "table":
		case "json":
			// No process is null, as in runc (a nil slice).
			return json.NewEncoder(os.Stdout).Encode(pids)
		default:
			return errors.New("invalid format option")
		}
		args := ctx.Args().Tail()
		if len(args) > 0 && args[0] == "--" {
			args = args[1:]
		}
		if len(args) == 0 {
			args = []string{"-ef"}
		}
		out, err := exec.Command("ps", args...).Output()
		if err != nil {
			// ps says why on stderr, as runc shows it
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				out = append(out, ee.Stderr...)
			}
			return fmt.Errorf("%w: %s", err, out)
		}
		return printPsRows(out, pids)
	},
}

// printPsRows prints ps's header and the rows whose PID column is one of pids.
func printPsRows(out []byte, pids []int) error {
	lines := strings.Split(string(bytes.TrimRight(out, "\n")), "\n")
	if len(lines) == 0 {
		return errors.New("ps printed nothing")
	}
	pidIndex := -1
	for i, name := range strings.Fields(lines[0]) {
		if name == "PID" {
			pidIndex = i
		}
	}
	if pidIndex == -1 {
		return errors.New("couldn't find PID field in ps output")
	}
	want := make(map[int]bool, len(pids))
	for _, p := range pids {
		want[p] = true
	}
	fmt.Println(lines[0])
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if pidIndex >= len(fields) {
			continue
		}
		p, err := strconv.Atoi(fields[pidIndex])
		if err != nil {
			return fmt.Errorf("unexpected pid '%s': %w", fields[pidIndex], err)
		}
		if want[p] {
			fmt.Println(line)
		}
	}
	return nil
}
