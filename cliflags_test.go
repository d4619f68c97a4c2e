package main

import (
	"bytes"
	"testing"

	"github.com/urfave/cli/v2"
)

// testApp is a small app with the kinds of flags the wrapper must forward:
// an alias, a hidden flag, a required flag, a flag with an action.
func testApp(out *bytes.Buffer, got map[string]string) *cli.App {
	return &cli.App{
		Name:   "t",
		Writer: out,
		Flags:  []cli.Flag{&cli.BoolFlag{Name: "debug", Usage: "global"}},
		Commands: []*cli.Command{{
			Name: "run",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Usage: "bundle dir"},
				&cli.BoolFlag{Name: "secret", Hidden: true},
				&cli.StringFlag{Name: "id", Required: true},
				&cli.IntFlag{Name: "n", Action: func(_ *cli.Context, v int) error {
					got["action"] = "ran"
					return nil
				}},
			},
			Action: func(ctx *cli.Context) error {
				got["bundle"] = ctx.String("bundle")
				return nil
			},
		}},
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

func TestOnceNamedFlagsBehaveAsTheirs(t *testing.T) {
	var plainHelp, onceHelp bytes.Buffer
	plain := testApp(&plainHelp, map[string]string{})
	_ = plain.Run([]string{"t", "run", "--help"})

	got := map[string]string{}
	app := testApp(&onceHelp, got)
	nameFlagsOnce(app)
	nameFlagsOnce(app) // twice: no double wrapping
	if _, ok := app.Commands[0].Flags[0].(*onceNamed); !ok {
		t.Fatalf("flag not wrapped: %T", app.Commands[0].Flags[0])
	}
	if f := app.Commands[0].Flags[0].(*onceNamed); f.cliFlag == nil {
		t.Fatal("empty wrapper")
	} else if _, twice := f.cliFlag.(*onceNamed); twice {
		t.Fatal("flag wrapped twice")
	}
	_ = app.Run([]string{"t", "run", "--help"})
	if plainHelp.String() != onceHelp.String() {
		t.Fatalf("help differs:\n%s\n---\n%s", plainHelp.String(), onceHelp.String())
	}
	if bytes.Contains(onceHelp.Bytes(), []byte("secret")) {
		t.Fatal("hidden flag shown")
	}

	if err := app.Run([]string{"t", "run", "-b", "/x", "--n", "1", "--id", "c"}); err != nil {
		t.Fatal(err)
	}
	if got["bundle"] != "/x" || got["action"] != "ran" {
		t.Fatalf("alias or flag action lost: %v", got)
	}
	if err := app.Run([]string{"t", "run", "-b", "/x"}); err == nil {
		t.Fatal("missing required flag accepted")
	}
}
