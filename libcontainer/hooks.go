package libcontainer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// runHooks runs hooks in order, each with the container's state JSON on
// stdin, and stops at the first failure. kind names the hook list in errors.
func runHooks(kind string, hooks []specs.Hook, state *specs.State) error {
	data, err := json.Marshal(state)
	if err != nil {
		return err
	}
	for i, h := range hooks {
		if err := runHook(h, data); err != nil {
			return fmt.Errorf("error running %s hook #%d: %w", kind, i, err)
		}
	}
	return nil
}

// runHooksAll runs every hook even when some fail (poststart, poststop) and
// returns the failures joined.
func runHooksAll(kind string, hooks []specs.Hook, state *specs.State) error {
	data, err := json.Marshal(state)
	if err != nil {
		return err
	}
	var errs []error
	for i, h := range hooks {
		if err := runHook(h, data); err != nil {
			errs = append(errs, fmt.Errorf("error running %s hook #%d: %w", kind, i, err))
		}
	}
	return errors.Join(errs...)
}

func runHook(h specs.Hook, state []byte) error {
	ctx := context.Background()
	if h.Timeout != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	args := h.Args
	if len(args) == 0 {
		args = []string{h.Path}
	}
	cmd := exec.CommandContext(ctx, h.Path)
	cmd.Args = args
	cmd.Env = h.Env
	cmd.Stdin = bytes.NewReader(state)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A hook that leaves a child holding its stdout must not hang us.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("hook ran past specified timeout of %d.0s", *h.Timeout) // runc's words
	}
	msg := err.Error()
	if out := oneLine(stdout.String()); out != "" {
		msg += ", stdout: " + out
	}
	if out := oneLine(stderr.String()); out != "" {
		msg += ", stderr: " + out
	}
	return errors.New(msg)
}

// oneLine folds a hook's output so an error stays one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1024 {
		s = s[:1024] + "..."
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " | ")), " ")
}
