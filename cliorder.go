package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderArgs moves the flags a command gets after its positional
// arguments in front of them, as runc's urfave/cli v1 did (and its v3
// does): `berth delete ID --force`, `berth kill ID KILL --all`. urfave/cli
// v2 stops at the first positional argument. exec and ps keep all that
// follows the container ID: the process's and ps's own arguments. args is
// os.Args; a line it cannot read (an unknown global flag or command) is
// left as it is, for the parser to report.
func reorderArgs(app *cli.App, args []string) []string {
	i := 1
	for i < len(args) && isFlagLike(args[i]) {
		if args[i] == "--" {
			return args
		}
		f := lookupFlag(app.Flags, args[i])
		if f == nil {
			return args
		}
		if takesValue(f) && !strings.Contains(args[i], "=") {
			i++
		}
		i++
	}
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	if cmd == nil || cmd.Name == "exec" || cmd.Name == "ps" {
		return args
	}
	rest := args[i+1:]
	if asksHelp(rest) {
		// urfave/cli v2 would take the arguments for a help topic.
		return append(args[:i+1:i+1], "--help")
	}
	if !flagAfterPositional(rest) {
		return args
	}
	var flags, positional []string
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			// As v1 did: the parser drops a leading "--", and what follows
			// it stays positional.
			positional = append(append([]string{"--"}, positional...), rest[j+1:]...)
			break
		}
		f := lookupFlag(cmd.Flags, a)
		if f == nil {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if takesValue(f) && !strings.Contains(a, "=") && j+1 < len(rest) {
			j++
			flags = append(flags, rest[j])
		}
	}
	out := make([]string, 0, len(args))
	out = append(out, args[:i+1]...)
	out = append(out, flags...)
	return append(out, positional...)
}

// asksHelp says whether -h or --help comes before any "--".
func asksHelp(rest []string) bool {
	for _, a := range rest {
		switch a {
		case "--":
			return false
		case "-h", "--help":
			return true
		}
	}
	return false
}

// flagAfterPositional says whether a flag-like argument follows a
// positional one (before any "--"): the common order, flags first, needs
// no work.
func flagAfterPositional(rest []string) bool {
	seen := false
	for _, a := range rest {
		switch {
		case a == "--":
			return false
		case isFlagLike(a):
			if seen {
				return true
			}
		default:
			seen = true
		}
	}
	return false
}

func isFlagLike(a string) bool {
	return len(a) > 1 && a[0] == '-'
}

// lookupFlag is the flag that arg ("-x", "--name", "--name=value") names
// among flags, or nil.
func lookupFlag(flags []cli.Flag, arg string) cli.Flag {
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if eq := strings.IndexByte(name, '='); eq >= 0 {
		name = name[:eq]
	}
	if name == "" {
		return nil
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}
