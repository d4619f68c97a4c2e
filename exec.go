package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/internal/specjson"
	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/specconv"
)

var execCommand = &cli.Command{
	Name:  "exec",
	Usage: "execute new process inside the container",
	ArgsUsage: `<container-id> <command> [command options]  || -p process.json <container-id>

Where "<container-id>" is the name for the instance of the container and
"<command>" is the command to be executed in the container.
"<command>" can't be empty unless a "-p" flag provided.

EXAMPLE:
For example, if the container is configured to run the linux ps command the
following will output a list of processes running in the container:

       # berth exec <container-id> ps`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "console-socket", Usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
		&cli.StringFlag{Name: "pidfd-socket", Usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the exec process"},
		&cli.StringFlag{Name: "cwd", Usage: "current working directory in the container"},
		&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "set environment variables"},
		&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pseudo-TTY"},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "UID (format: <uid>[:<gid>])"},
		&cli.Int64SliceFlag{Name: "additional-gids", Aliases: []string{"g"}, Usage: "additional gids"},
		&cli.StringFlag{Name: "process", Aliases: []string{"p"}, Usage: "path to the process.json"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "detach from the container's process"},
		&cli.StringFlag{Name: "pid-file", Usage: "specify the file to write the process id to"},
		&cli.StringFlag{Name: "process-label", Usage: "set the asm process label for the process commonly used with selinux"},
		&cli.StringFlag{Name: "apparmor", Usage: "set the apparmor profile for the process"},
		&cli.BoolFlag{Name: "no-new-privs", Usage: "set the no new privileges value for the process"},
		&cli.StringSliceFlag{Name: "cap", Aliases: []string{"c"}, Usage: "add a capability to the bounding set for the process"},
		&cli.IntFlag{Name: "preserve-fds", Usage: "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"},
		&cli.StringSliceFlag{Name: "cgroup", Usage: "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>."},
		&cli.BoolFlag{Name: "ignore-paused", Usage: "allow exec in a paused container"},
	},
	SkipFlagParsing: false,
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, minArgs); err != nil {
			return err
		}
		status, err := execProcess(ctx)
		if err != nil {
			fatalWithCode(fmt.Errorf("exec failed: %w", err), 255)
		}
		os.Exit(status)
		return nil
	},
}

// execProcess runs `berth exec` and returns the exit status to use.
func execProcess(ctx *cli.Context) (int, error) {
	c, err := getContainer(ctx)
	if err != nil {
		return -1, err
	}
	spec, err := c.Spec()
	if err != nil {
		return -1, err
	}
	proc, err := execProcessSpec(ctx, spec)
	if err != nil {
		return -1, err
	}
	cgroups, err := parseCgroupFlags(ctx.StringSlice("cgroup"))
	if err != nil {
		return -1, err
	}
	preserve, err := preserveFDs(ctx)
	if err != nil {
		return -1, err
	}
	detach := ctx.Bool("detach")
	if err := checkConsoleSocket(ctx.String("console-socket"), detach, proc.Terminal); err != nil {
		return -1, err
	}
	opts := &libcontainer.ExecOptions{
		Process:       proc,
		ConsoleSocket: ctx.String("console-socket"),
		PidFile:       ctx.String("pid-file"),
		PidfdSocket:   ctx.String("pidfd-socket"),
		PreserveFDs:   preserve,
		Cgroups:       cgroups,
		IgnorePaused:  ctx.Bool("ignore-paused"),
	}
	var tty *ttyProxy
	if proc.Terminal && !detach && opts.ConsoleSocket == "" {
		if tty, err = newTTYProxy(); err != nil {
			return -1, err
		}
		opts.Console = tty.child
	}
	var sigs *signalCatcher
	if !detach {
		sigs = catchSignals()
	}
	pid, err := c.Exec(opts)
	if err != nil {
		return -1, err
	}
	if tty != nil {
		if err := tty.receive(); err != nil {
			return -1, err
		}
		defer tty.close()
	}
	if detach {
		return 0, nil
	}
	debug.SetGCPercent(100) // from here on we may live long
	status := forwardUntilExit(pid, sigs.wait(), tty)
	return status, nil
}

// execProcessSpec is the process to run: -p FILE, or the container's own
// process with the command line and flags applied, as runc builds it.
func execProcessSpec(ctx *cli.Context, spec *specs.Spec) (*specs.Process, error) {
	if path := ctx.String("process"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var p specs.Process
		if err := specjson.DecodeProcess(data, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		if err := specconv.ValidateProcess(&p); err != nil {
			return nil, err
		}
		return &p, nil
	}
	if spec.Process == nil {
		return nil, errors.New("the container has no process to base the exec on")
	}
	p := *spec.Process
	p.Args = ctx.Args().Tail()
	if len(p.Args) == 0 {
		// runc's words (a process.json without args says "args must not
		// be empty", from its validation)
		return nil, errors.New("process args cannot be empty")
	}
	// Not the container's setting: exec has a terminal only with -t, as in
	// runc. (ctx.Bool, not IsSet: urfave/cli's IsSet runs a regexp per flag.)
	p.Terminal = ctx.Bool("tty")
	if cwd := ctx.String("cwd"); cwd != "" {
		p.Cwd = cwd
	}
	if ap := ctx.String("apparmor"); ap != "" {
		p.ApparmorProfile = ap
	}
	if l := ctx.String("process-label"); l != "" {
		p.SelinuxLabel = l
	}
	if caps := ctx.StringSlice("cap"); len(caps) > 0 {
		c := specs.LinuxCapabilities{}
		if p.Capabilities != nil {
			c = *p.Capabilities
		}
		for _, name := range caps {
			c.Bounding = append(c.Bounding, name)
			c.Effective = append(c.Effective, name)
			c.Permitted = append(c.Permitted, name)
			// Ambient needs inheritable too; only when the spec has some.
			if c.Inheritable != nil {
				c.Ambient = append(c.Ambient, name)
			}
		}
		p.Capabilities = &c
	}
	p.Env = append(append([]string(nil), p.Env...), ctx.StringSlice("env")...)
	if u := ctx.String("user"); u != "" {
		uid, gid, hasGID := strings.Cut(u, ":")
		if hasGID {
			n, err := parseUserID(gid, "gid")
			if err != nil {
				return nil, err
			}
			p.User.GID = n
		}
		n, err := parseUserID(uid, "uid")
		if err != nil {
			return nil, err
		}
		p.User.UID = n
	}
	for _, g := range ctx.Int64Slice("additional-gids") {
		if g < 0 || g > 1<<32-1 {
			return nil, fmt.Errorf("additional-gids must be a positive number %d", g)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
	}
	if ctx.Bool("no-new-privs") {
		p.NoNewPrivileges = true
	}
	if err := specconv.ValidateProcess(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// parseUserID reads a number of --user with runc's error text (which
// names strconv.Atoi), and refuses what a uid_t cannot hold.
func parseUserID(s, what string) (uint32, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("parsing %s as int for %s failed: %w", s, what, err)
	}
	if n < 0 || n > 1<<32-1 {
		return 0, fmt.Errorf("parsing %s as int for %s failed: out of range", s, what)
	}
	return uint32(n), nil
}

// parseCgroupFlags reads --cgroup [controller[,controller]:]path values.
// The path is under the container's cgroup; "/" is that cgroup itself.
func parseCgroupFlags(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, v := range values {
		ctrls, path, ok := strings.Cut(v, ":")
		if !ok {
			ctrls, path = "", v
		}
		clean := filepath.Clean("/" + path)
		if path == "" {
			return nil, fmt.Errorf("invalid --cgroup value %q", v)
		}
		if strings.Contains(path, "..") {
			// runc's words
			return nil, fmt.Errorf("invalid --cgroup value %q: bad sub cgroup path", v)
		}
		for _, c := range strings.Split(ctrls, ",") {
			if _, dup := out[c]; dup {
				return nil, fmt.Errorf("--cgroup: controller %q given twice", c)
			}
			out[c] = strings.TrimPrefix(clean, "/")
		}
	}
	return out, nil
}
