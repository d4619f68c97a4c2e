package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/berth-runtime/berth/internal/sysfile"
	"github.com/berth-runtime/berth/libcontainer"
)

const (
	exactArgs = iota
	minArgs
	maxArgs
)

// checkArgs enforces a command's argument count with runc's wording.
func checkArgs(ctx *cli.Context, expected, kind int) error {
	var err error
	name := ctx.Command.Name
	switch kind {
	case exactArgs:
		if ctx.NArg() != expected {
			err = fmt.Errorf("%s: %q requires exactly %d argument(s)", os.Args[0], name, expected)
		}
	case minArgs:
		if ctx.NArg() < expected {
			err = fmt.Errorf("%s: %q requires a minimum of %d argument(s)", os.Args[0], name, expected)
		}
	case maxArgs:
		if ctx.NArg() > expected {
			err = fmt.Errorf("%s: %q requires a maximum of %d argument(s)", os.Args[0], name, expected)
		}
	}
	if err != nil {
		fmt.Printf("Incorrect Usage.\n\n")
		// The help is looked up among the parent's commands: from the
		// command's own context, cli would look among its subcommands.
		if lineage := ctx.Lineage(); len(lineage) > 1 {
			_ = cli.ShowCommandHelp(lineage[1], name)
		}
		return err
	}
	return nil
}

// stateRoot is --root made absolute.
func stateRoot(ctx *cli.Context) (string, error) {
	root := ctx.String("root")
	if root == "" {
		return "", errors.New("root must not be empty")
	}
	return filepath.Abs(root)
}

// containerID is the first argument, checked like runc checks it.
func containerID(ctx *cli.Context) (string, error) {
	id := ctx.Args().First()
	if id == "" {
		return "", errors.New("container id cannot be empty")
	}
	if err := libcontainer.ValidateID(id); err != nil {
		return "", err
	}
	return id, nil
}

// getContainer loads the container named by the first argument.
func getContainer(ctx *cli.Context) (*libcontainer.Container, error) {
	id, err := containerID(ctx)
	if err != nil {
		return nil, err
	}
	root, err := stateRoot(ctx)
	if err != nil {
		return nil, err
	}
	return libcontainer.Load(root, id)
}

// rootless resolves --rootless (true, false, auto) as runc does: auto means
// "not root, or in a user namespace".
func rootless(ctx *cli.Context) (bool, error) {
	switch v := ctx.String("rootless"); v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "", "auto":
		return os.Geteuid() != 0 || inUserNamespace(), nil
	default:
		return false, fmt.Errorf("invalid --rootless value %q: must be true, false or auto", v)
	}
}

// inUserNamespace reports whether berth itself runs in a non-initial user
// namespace (its uid_map is not the identity map of the whole range).
func inUserNamespace() bool {
	data, err := sysfile.Read("/proc/self/uid_map")
	if err != nil {
		return false
	}
	return !isIdentityUIDMap(string(data))
}

// isIdentityUIDMap: the initial user namespace's map, "0 0 4294967295" (in
// columns). Split by hand: fmt's scanner costs more than the read (perf).
func isIdentityUIDMap(m string) bool {
	f := strings.Fields(m)
	return len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295"
}

// preserveFDs is --preserve-fds, refused when negative (runc takes that as
// none; a negative count is a caller's mistake).
func preserveFDs(ctx *cli.Context) (int, error) {
	n := ctx.Int("preserve-fds")
	if n < 0 {
		return 0, fmt.Errorf("--preserve-fds must not be negative, got %d", n)
	}
	return n, nil
}
