package libcontainer

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/seccomp"
)

// The seccomp filter is compiled by the parent (libseccomp is slow on large
// profiles) while the C stage runs, and only installed by init, on its
// thread, as late as runc installs it (see prepareProcess).

// seccompCompile starts compiling the spec's filter in the background; the
// returned function waits for the result (nil when there is no filter).
func seccompCompile(cfg *specs.LinuxSeccomp) func() (seccomp.Program, error) {
	if cfg == nil {
		return func() (seccomp.Program, error) { return nil, nil }
	}
	type result struct {
		prog seccomp.Program
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		p, err := seccomp.Compile(cfg)
		ch <- result{p, err}
	}()
	return func() (seccomp.Program, error) {
		r := <-ch
		return r.prog, r.err
	}
}

// serveSeccomp answers init's msgSeccomp: copy the listener fd out of
// process pid and give it, with the container's state, to the agent.
func serveSeccomp(pid, fd int, cfg *specs.LinuxSeccomp, state *specs.State) error {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("seccomp: pidfd_open %d: %w", pid, err)
	}
	defer unix.Close(pidfd)
	nfd, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return fmt.Errorf("seccomp: get notify fd from pid %d: %w", pid, err)
	}
	defer unix.Close(nfd)
	ps := &specs.ContainerProcessState{Pid: pid, Metadata: cfg.ListenerMetadata, State: *state}
	if err := seccomp.SendToAgent(cfg.ListenerPath, ps, nfd); err != nil {
		return fmt.Errorf("seccomp agent: %w", err)
	}
	return nil
}

var errNoSeccompConfig = errors.New("init sent a seccomp fd but the spec has no seccomp filter")

// containerSeccomp is the spec's seccomp config, or errNoSeccompConfig.
func containerSeccomp(spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	if spec.Linux == nil || spec.Linux.Seccomp == nil {
		return nil, errNoSeccompConfig
	}
	return spec.Linux.Seccomp, nil
}
