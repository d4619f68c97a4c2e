package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"
)

var killCommand = &cli.Command{
	Name:  "kill",
	Usage: "kill sends the specified signal (default: SIGTERM) to the container's init process",
	ArgsUsage: `<container-id> [signal]

Where "<container-id>" is the name for the instance of the container and
"[signal]" is the signal to be sent to the init process.

EXAMPLE:
For example, if the container id is "ubuntu01" the following will send a "KILL"
signal to the init process of the "ubuntu01" container:

       # berth kill ubuntu01 KILL`,
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "send the specified signal to all processes inside the container"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, minArgs); err != nil {
			return err
		}
		if err := checkArgs(ctx, 2, maxArgs); err != nil {
			return err
		}
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		raw := ctx.Args().Get(1)
		if raw == "" {
			raw = "SIGTERM"
		}
		sig, err := parseSignal(raw)
		if err != nil {
			return err
		}
		return c.Signal(sig, ctx.Bool("all"))
	},
}

// parseSignal accepts a number or a name with or without "SIG", any case.
// A number is passed on as runc passes it: 0 checks that the init is
// there, one the kernel does not know fails in the kill ("invalid
// argument"). Only numbers that the syscall's int would truncate (to
// another signal) are refused here.
func parseSignal(raw string) (unix.Signal, error) {
	if n, err := strconv.ParseInt(raw, 10, 32); err == nil {
		return unix.Signal(n), nil
	} else if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("unknown signal %q", raw)
	}
	name := strings.ToUpper(raw)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	sig := unix.SignalNum(name)
	if sig == 0 {
		return 0, fmt.Errorf("unknown signal %q", raw)
	}
	return sig, nil
}
