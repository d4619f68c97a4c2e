package main

import "github.com/urfave/cli/v2"

// urfave/cli v2 derives a flag's names with a regexp on every Names()
// call, and calls it for every flag each time it looks one up: a few
// hundred regexp runs per command, ~0.2 ms of every berth process
// (docs/performance.md). onceNamed makes a flag's list once, when first asked.

// cliFlag is what every urfave/cli flag type implements, and what the
// library asks a flag for (help, categories, required flags, actions).
type cliFlag interface {
	cli.DocGenerationFlag
	cli.CategorizableFlag
	cli.RequiredFlag
	cli.ActionableFlag
}

type onceNamed struct {
	cliFlag
	names []string // nil until asked: a command needs few of all the flags
}

func (f *onceNamed) Names() []string {
	if f.names == nil {
		f.names = f.cliFlag.Names()
	}
	return f.names
}

// nameFlagsOnce wraps the flags of app and of its commands in onceNamed.
func nameFlagsOnce(app *cli.App) {
	app.Flags = onceNamedFlags(app.Flags)
	for _, c := range app.Commands {
		c.Flags = onceNamedFlags(c.Flags)
	}
}

func onceNamedFlags(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		out[i] = f
		switch f.(type) {
		case *onceNamed:
			continue
		case *cli.StringSliceFlag, *cli.IntSliceFlag, *cli.Int64SliceFlag, *cli.UintSliceFlag,
			*cli.Uint64SliceFlag, *cli.Float64SliceFlag:
			// Left as they are: the library hands slice flags the app's
			// separator setting through a method a wrapper cannot have.
			continue
		}
		if cf, ok := f.(cliFlag); ok {
			out[i] = &onceNamed{cliFlag: cf}
		}
	}
	return out
}
