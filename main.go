// Command berth is a runc-compatible OCI container runtime.
//
// The go:debug settings below: no GOMAXPROCS from the cgroup at start and no
// goroutine updating it; berth lives for milliseconds.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	_ "github.com/berth-runtime/berth/nsenter" // the C stage of `berth init`
)

// Set by the Makefile.
var (
	version   = "0.1.0-dev"
	gitCommit = "unknown"
)

const usage = `Open Container Initiative runtime

berth is a command line client for running applications packaged according to
the Open Container Initiative (OCI) format. It is a drop-in replacement for runc:
same commands, flags, output and exit codes.

Containers are configured using bundles: a directory with a "config.json" and a
root filesystem. To start a new instance of a container:

    # berth run [ -b bundle ] <container-id>`

func main() {
	// berth lives for milliseconds: garbage collection is work for nothing.
	// The long-lived modes (run in the foreground, events) turn it back on.
	debug.SetGCPercent(-1)
	// One P: berth mostly waits on syscalls, and more Ps only mean threads
	// waking each other up (measured: a quarter of the CPU of a run). The
	// runtime has usually started with one (nsenter/goruntime.c).
	runtime.GOMAXPROCS(1)
	if len(os.Args) > 1 && os.Args[1] == "init" {
		// The C stage runs `berth init` and the container's init, both in
		// C (nsenter/): reaching Go means it was run by hand.
		fmt.Fprintln(os.Stderr, "berth init: internal command, run by berth itself")
		os.Exit(1)
	}
	app := newApp()
	if err := app.Run(reorderArgs(app, os.Args)); err != nil {
		// cli's own exit codes are runc's too (3: an unknown command).
		var coded cli.ExitCoder
		if errors.As(err, &coded) && coded.ExitCode() != 0 {
			fatalWithCode(err, coded.ExitCode())
		}
		fatal(err)
	}
}

func newApp() *cli.App {
	cli.VersionPrinter = func(c *cli.Context) {
		fmt.Printf("berth version %s\ncommit: %s\nspec: %s\n", version, gitCommit, specs.Version)
	}
	app := &cli.App{
		Name:                   "berth",
		Usage:                  usage,
		Version:                version,
		UseShortOptionHandling: true,
		// A repeated flag is a list, a comma is part of its value (runc's
		// urfave/cli v1 never split): exec -e NO_PROXY=a,b is one variable.
		DisableSliceFlagSeparator: true,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "debug", Usage: "enable debug logging"},
			&cli.StringFlag{Name: "log", Usage: "set the log file to write berth logs to (default is '/dev/stderr')"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "set the log format ('text' (default), or 'json')"},
			&cli.StringFlag{Name: "root", Value: "/run/berth", Usage: "root directory for storage of container state (this should be located in tmpfs)"},
			&cli.StringFlag{Name: "criu", Value: "criu", Usage: "path to the criu binary used for checkpoint and restore"},
			&cli.BoolFlag{Name: "systemd-cgroup", Usage: "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:berth:434234\""},
			&cli.StringFlag{Name: "rootless", Value: "auto", Usage: "ignore cgroup permission errors ('true', 'false', or 'auto')"},
		},
		Commands: []*cli.Command{
			checkpointCommand,
			createCommand,
			execCommand,
			psCommand,
			deleteCommand,
			eventsCommand,
			featuresCommand,
			killCommand,
			listCommand,
			pauseCommand,
			restoreCommand,
			resumeCommand,
			runCommand,
			specCommand,
			startCommand,
			stateCommand,
			updateCommand,
		},
		Before:         setupLogging,
		ExitErrHandler: func(*cli.Context, error) {},
	}
	nameFlagsOnce(app)
	return app
}

// logToStderr is true when log lines already go to stderr, so fatal must
// not print the error a second time.
var logToStderr = true

// setupLogging configures logrus as runc does: text or JSON lines (level,
// msg, time) to --log or stderr. Callers such as containerd's shim read the
// last "error" line of the log file.
func setupLogging(ctx *cli.Context) error {
	if ctx.Bool("debug") {
		logrus.SetLevel(logrus.DebugLevel)
	}
	switch f := ctx.String("log-format"); f {
	case "", "text":
		logrus.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	case "json":
		logrus.SetFormatter(&logrus.JSONFormatter{})
	default:
		return fmt.Errorf("invalid log-format: %s", f)
	}
	if path := ctx.String("log"); path != "" && path != "/dev/stderr" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return err
		}
		logrus.SetOutput(f)
		logToStderr = false
	} else {
		logrus.SetOutput(os.Stderr)
	}
	return nil
}

// fatal reports err as one line and exits 1.
func fatal(err error) {
	fatalWithCode(err, 1)
}

func fatalWithCode(err error, code int) {
	// One line, always: callers show the last line of the log.
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	logrus.Error(msg)
	if !logToStderr {
		fmt.Fprintln(os.Stderr, msg)
	}
	os.Exit(code)
}
