package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer"
)

var runCommand = &cli.Command{
	Name:  "run",
	Usage: "create and run a container",
	ArgsUsage: `<container-id>

Where "<container-id>" is your name for the instance of the container that you
are starting. The name you provide for the container instance must be unique on
your host.`,
	Description: `The run command creates an instance of a container for a bundle, starts it
and waits for it, forwarding signals; then it deletes it (unless --keep).`,
	Flags: append(append(createFlags(), consoleFlags()...),
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "detach from the container's process"},
		&cli.BoolFlag{Name: "keep", Usage: "do not delete the container after it exits"},
		&cli.BoolFlag{Name: "no-subreaper", Usage: "disable the use of the subreaper used to reap reparented processes"},
	),
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		sigs, tty, err := prepareForeground(ctx)
		if err != nil {
			return err
		}
		c, err := createContainer(ctx, "run", tty)
		if err != nil {
			return err
		}
		if tty != nil && c.Terminal() {
			if err := tty.receive(); err != nil {
				c.Unlock()
				_ = c.Destroy()
				return err
			}
			defer tty.close()
		}
		if err := c.StartCreated(); err != nil {
			_ = c.Destroy()
			return fmt.Errorf("berth run failed: %w", err) // runc's words for any part of run
		}
		if ctx.Bool("detach") {
			return nil
		}
		return waitAndExit(c, sigs, tty, !ctx.Bool("keep"))
	},
}

// prepareForeground sets up, before the container exists, what run and
// restore need to wait for it (unless --detach): berth as the subreaper
// (unless --no-subreaper), the signals caught, so none is lost between the
// container's birth and the forwarding loop, and, with no --console-socket,
// the pty proxy.
func prepareForeground(ctx *cli.Context) (*signalCatcher, *ttyProxy, error) {
	if ctx.Bool("detach") {
		return nil, nil, nil
	}
	if !ctx.Bool("no-subreaper") {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return nil, nil, err
		}
	}
	sigs := catchSignals()
	if ctx.String("console-socket") != "" {
		return sigs, nil, nil
	}
	tty, err := newTTYProxy()
	return sigs, tty, err
}

// waitAndExit forwards signals to the container's init until it exits,
// deletes the container (if destroy) and exits with the init's status.
func waitAndExit(c *libcontainer.Container, sigs *signalCatcher, tty *ttyProxy, destroy bool) error {
	debug.SetGCPercent(100) // from here on we may live long
	status := forwardUntilExit(c.State.InitPid, sigs.wait(), tty)
	libcontainer.TraceStep("container exited")
	if tty != nil {
		tty.close()
	}
	if destroy {
		if err := c.Destroy(); err != nil {
			return err
		}
	}
	os.Exit(status)
	return nil
}

// forwardUntilExit relays every signal berth receives to the container's
// init, reaps whatever children berth has (it is a subreaper), and returns
// the init's exit status: its code, or 128+N when killed by signal N.
func forwardUntilExit(pid int, sigs chan os.Signal, tty *ttyProxy) int {
	for sig := range sigs {
		s := sig.(unix.Signal)
		switch s {
		case unix.SIGCHLD:
			// No signal.Stop: it costs a round trip per signal like
			// Notify, and berth is about to exit anyway.
			if status, done := reap(pid); done {
				return status
			}
		case unix.SIGWINCH:
			if tty != nil {
				tty.resize()
			}
		default:
			_ = unix.Kill(pid, s)
		}
	}
	return 255
}

// reap collects every exited child; done is true once pid was among them.
func reap(pid int) (status int, done bool) {
	for {
		var ws unix.WaitStatus
		wpid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if wpid <= 0 || err != nil {
			return status, done
		}
		if wpid == pid {
			done = true
			status = libcontainer.ExitCode(ws)
		}
	}
}
