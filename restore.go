package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
)

var restoreCommand = &cli.Command{
	Name:  "restore",
	Usage: "restore a container from a previous checkpoint",
	ArgsUsage: `<container-id>

Where "<container-id>" is the name for the instance of the container to be
restored.`,
	Description: `Restores the saved state of the container instance that was previously saved
using the berth checkpoint command.`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "console-socket", Usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
		&cli.StringFlag{Name: "image-path", Usage: "path to criu image files for restoring"},
		workPathFlag,
		tcpEstablishedFlag,
		extUnixSkFlag,
		shellJobFlag,
		fileLocksFlag,
		manageCgroupsModeFlag,
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Usage: "path to the root of the bundle directory"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "detach from the container's process"},
		&cli.StringFlag{Name: "pid-file", Usage: "specify the file to write the process id to"},
		&cli.BoolFlag{Name: "no-subreaper", Usage: "disable the use of the subreaper used to reap reparented processes"},
		&cli.BoolFlag{Name: "no-pivot", Usage: "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk"},
		emptyNsFlag,
		autoDedupFlag,
		lazyPagesFlag,
		&cli.StringFlag{Name: "lsm-profile", Usage: "Specify an LSM profile to be used during restore in the form of TYPE:NAME."},
		&cli.StringFlag{Name: "lsm-mount-context", Usage: "Specify an LSM mount context to be used during restore."},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		warnRootlessCriu("restore")
		sigs, tty, err := prepareForeground(ctx)
		if err != nil {
			return err
		}
		opts, err := createOptions(ctx, tty)
		if err != nil {
			return err
		}
		// After createOptions: as runc, a relative --image-path (and the
		// default, ./checkpoint) is in the bundle.
		criu, err := criuOptions(ctx)
		if err != nil {
			return err
		}
		c, err := libcontainer.Restore(&libcontainer.RestoreOptions{
			CreateOptions: *opts,
			Criu:          *criu,
			Stdio:         [3]*os.File{os.Stdin, os.Stdout, os.Stderr},
		})
		if err != nil {
			return err
		}
		if tty != nil && c.Terminal() {
			if err := tty.receive(); err != nil {
				_ = c.Destroy()
				return err
			}
			defer tty.close()
		}
		if ctx.Bool("detach") {
			return nil
		}
		return waitAndExit(c, sigs, tty, true)
	},
}
