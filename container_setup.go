package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/libcontainer"
	"github.com/berth-runtime/berth/specconv"
)

// createContainer is create (and the first half of run): load and validate
// the bundle's config, then create the container. verb names the command
// in errors, as runc does ("berth run failed: ...").
func createContainer(ctx *cli.Context, verb string, tty *ttyProxy) (*libcontainer.Container, error) {
	c, err := doCreate(ctx, tty)
	if err != nil {
		return nil, fmt.Errorf("berth %s failed: %w", verb, err)
	}
	return c, nil
}

func doCreate(ctx *cli.Context, tty *ttyProxy) (*libcontainer.Container, error) {
	opts, err := createOptions(ctx, tty)
	if err != nil {
		return nil, err
	}
	// run starts the container right away, under the same lock.
	opts.KeepLock = ctx.Command.Name == "run"
	return libcontainer.Create(opts)
}

// createOptions reads the flags and the bundle's config for create, run and
// restore, and changes into the bundle as runc does.
func createOptions(ctx *cli.Context, tty *ttyProxy) (*libcontainer.CreateOptions, error) {
	id, err := containerID(ctx)
	if err != nil {
		return nil, err
	}
	root, err := stateRoot(ctx)
	if err != nil {
		return nil, err
	}
	bundle := ctx.String("bundle")
	if bundle == "" {
		if bundle, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	if bundle, err = filepath.Abs(bundle); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(bundle); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		} else {
			err = errors.Unwrap(err)
		}
		// runc changes into the bundle and words it so.
		return nil, fmt.Errorf("chdir %s: %v", bundle, err)
	}
	// runc works from the bundle from here on: hooks run there, and a
	// relative --console-socket is found there. The pid file is the
	// caller's, as runc makes it absolute first.
	pidFile := ctx.String("pid-file")
	if pidFile != "" {
		if pidFile, err = filepath.Abs(pidFile); err != nil {
			return nil, err
		}
	}
	if err := os.Chdir(bundle); err != nil {
		return nil, err
	}
	preserve, err := preserveFDs(ctx)
	if err != nil {
		return nil, err
	}
	isRootless, err := rootless(ctx)
	if err != nil {
		return nil, err
	}
	spec, err := specconv.LoadSpec(bundle)
	if err != nil {
		return nil, err
	}
	// create always detaches; run only with -d.
	detach := ctx.Command.Name == "create" || ctx.Bool("detach")
	if err := checkConsoleSocket(ctx.String("console-socket"), detach, spec.Process != nil && spec.Process.Terminal); err != nil {
		return nil, err
	}
	vopts := specconv.ValidateOptions{Systemd: ctx.Bool("systemd-cgroup"), Rootless: isRootless, NoPivotRoot: ctx.Bool("no-pivot")}
	if err := specconv.Validate(spec, bundle, vopts); err != nil {
		return nil, err
	}
	opts := &libcontainer.CreateOptions{
		Root:          root,
		ID:            id,
		Bundle:        bundle,
		Spec:          spec,
		ConsoleSocket: ctx.String("console-socket"),
		PidfdSocket:   ctx.String("pidfd-socket"),
		PidFile:       pidFile,
		NoPivot:       ctx.Bool("no-pivot"),
		NoNewKeyring:  ctx.Bool("no-new-keyring"),
		PreserveFDs:   preserve,
		Systemd:       ctx.Bool("systemd-cgroup"),
		Rootless:      isRootless,
	}
	if tty != nil && spec.Process.Terminal {
		opts.Console = tty.child
	}
	return opts, nil
}

// checkConsoleSocket is runc's rule: a console socket only makes sense for
// a detached process with a terminal.
func checkConsoleSocket(socket string, detach, terminal bool) error {
	if socket != "" && (!detach || !terminal) {
		return errors.New("cannot use console socket if berth will not detach or allocate tty")
	}
	return nil
}
