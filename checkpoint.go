package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/criurpc"
	"github.com/berth-runtime/berth/libcontainer"
)

var checkpointCommand = &cli.Command{
	Name:  "checkpoint",
	Usage: "checkpoint a running container",
	ArgsUsage: `<container-id>

Where "<container-id>" is the name for the instance of the container to be
checkpointed.`,
	Description: `The checkpoint command saves the state of the container instance.`,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "image-path", Usage: "path for saving criu image files"},
		workPathFlag,
		&cli.StringFlag{Name: "parent-path", Usage: "path for previous criu image files in pre-dump"},
		&cli.BoolFlag{Name: "leave-running", Usage: "leave the process running after checkpointing"},
		tcpEstablishedFlag,
		extUnixSkFlag,
		shellJobFlag,
		lazyPagesFlag,
		&cli.IntFlag{Name: "status-fd", Value: -1, Usage: "criu writes \\0 to this FD once lazy-pages is ready"},
		&cli.StringFlag{Name: "page-server", Usage: "ADDRESS:PORT of the page server"},
		fileLocksFlag,
		&cli.BoolFlag{Name: "pre-dump", Usage: "dump container's memory information only, leave the container running after this"},
		manageCgroupsModeFlag,
		emptyNsFlag,
		autoDedupFlag,
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, exactArgs); err != nil {
			return err
		}
		warnRootlessCriu("checkpoint")
		c, err := getContainer(ctx)
		if err != nil {
			return err
		}
		o, err := criuOptions(ctx)
		if err != nil {
			return err
		}
		if err := c.Lock(); err != nil {
			return err
		}
		defer c.Unlock()
		if err := c.Checkpoint(o); err != nil {
			return err
		}
		if !o.LeaveRunning && !o.PreDump {
			// criu has ended the processes: the rest goes as on delete.
			if err := c.Destroy(); err != nil {
				logrus.Error(err)
			}
		}
		return nil
	},
}

// The flags checkpoint and restore share. Each command lists its flags in
// runc's order, as literals: the linker lays them out, nothing is built at
// start-up.
var (
	workPathFlag          = &cli.StringFlag{Name: "work-path", Usage: "path for saving work files and logs"}
	tcpEstablishedFlag    = &cli.BoolFlag{Name: "tcp-established", Usage: "allow open tcp connections"}
	extUnixSkFlag         = &cli.BoolFlag{Name: "ext-unix-sk", Usage: "allow external unix sockets"}
	shellJobFlag          = &cli.BoolFlag{Name: "shell-job", Usage: "allow shell jobs"}
	lazyPagesFlag         = &cli.BoolFlag{Name: "lazy-pages", Usage: "use userfaultfd to lazily restore memory pages"}
	fileLocksFlag         = &cli.BoolFlag{Name: "file-locks", Usage: "handle file locks, for safety"}
	manageCgroupsModeFlag = &cli.StringFlag{Name: "manage-cgroups-mode", Usage: "cgroups mode: soft|full|strict|ignore (default: soft)"}
	emptyNsFlag           = &cli.StringSliceFlag{Name: "empty-ns", Usage: "create a namespace, but don't restore its properties"}
	autoDedupFlag         = &cli.BoolFlag{Name: "auto-dedup", Usage: "enable auto deduplication of memory images"}
)

// criuOptions reads the criu flags of checkpoint or restore, with runc's
// checks and words; the images dir is made if missing.
func criuOptions(ctx *cli.Context) (*libcontainer.CriuOptions, error) {
	images := ctx.String("image-path")
	if images == "" {
		cwd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		images = filepath.Join(cwd, "checkpoint")
	}
	if err := os.MkdirAll(images, 0o700); err != nil {
		return nil, err
	}
	parent := ctx.String("parent-path")
	if parent != "" {
		if filepath.IsAbs(parent) {
			return nil, errors.New("--parent-path must be relative")
		}
		real := filepath.Join(images, parent)
		fi, err := os.Stat(real)
		if err == nil && !fi.IsDir() {
			err = &os.PathError{Op: "stat", Path: real, Err: unix.ENOTDIR}
		}
		if err != nil {
			return nil, fmt.Errorf("invalid --parent-path: %w", err)
		}
	}
	o := &libcontainer.CriuOptions{
		Binary:          ctx.String("criu"),
		ImagesDir:       images,
		WorkDir:         ctx.String("work-path"),
		ParentImage:     parent,
		LeaveRunning:    ctx.Bool("leave-running"),
		TCPEstablished:  ctx.Bool("tcp-established"),
		ExtUnixSk:       ctx.Bool("ext-unix-sk"),
		ShellJob:        ctx.Bool("shell-job"),
		FileLocks:       ctx.Bool("file-locks"),
		PreDump:         ctx.Bool("pre-dump"),
		AutoDedup:       ctx.Bool("auto-dedup"),
		LazyPages:       ctx.Bool("lazy-pages"),
		StatusFd:        -1,
		LsmProfile:      ctx.String("lsm-profile"),
		LsmMountContext: ctx.String("lsm-mount-context"),
	}
	if ctx.IsSet("status-fd") {
		o.StatusFd = ctx.Int("status-fd")
	}
	if ps := ctx.String("page-server"); ps != "" {
		addr, port, err := net.SplitHostPort(ps)
		if err != nil || addr == "" || port == "" {
			return nil, errors.New("Use --page-server ADDRESS:PORT to specify page server") //nolint:staticcheck // runc's words
		}
		n, err := strconv.ParseInt(port, 10, 32)
		if err != nil {
			return nil, errors.New("Invalid port number") //nolint:staticcheck // runc's words
		}
		o.PageServerAddress, o.PageServerPort = addr, int32(n)
	}
	switch mode := ctx.String("manage-cgroups-mode"); mode {
	case "":
		o.ManageCgroupsMode = criurpc.CgDefault
	case "soft":
		o.ManageCgroupsMode = criurpc.CgSoft
	case "full":
		o.ManageCgroupsMode = criurpc.CgFull
	case "strict":
		o.ManageCgroupsMode = criurpc.CgStrict
	case "ignore":
		o.ManageCgroupsMode = criurpc.CgIgnore
	default:
		return nil, fmt.Errorf("Invalid manage-cgroups-mode value %q: must be soft, full, strict or ignore", mode) //nolint:staticcheck // runc's words, and the value
	}
	// As runc: berth does not set up network devices, so criu neither
	// dumps nor restores them; a network namespace comes back empty
	// unless the container joined one by path.
	o.EmptyNs = unix.CLONE_NEWNET
	for _, ns := range ctx.StringSlice("empty-ns") {
		if ns != "network" {
			return nil, fmt.Errorf("namespace %q is not supported", ns)
		}
	}
	return o, nil
}

// warnRootlessCriu is runc's warning: criu wants real root.
func warnRootlessCriu(verb string) {
	if os.Geteuid() != 0 || inUserNamespace() {
		logrus.Warnf("berth %s is untested with rootless containers", verb)
	}
}
