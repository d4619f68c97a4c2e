package libcontainer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/cgroups"
)

// Event is one line of `events`, runc's types.Event: Type is "stats" (Data
// is a *cgroups.Stats) or "oom" (no Data).
type Event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

// oomGrace is how long Events keeps listening for OOM notifications after
// the init died: an OOM kill of the init is signalled before it dies, but
// the notification may reach us just after its death.
const oomGrace = 200 * time.Millisecond

// Stats reads the container's cgroup statistics.
func (c *Container) Stats() (*cgroups.Stats, error) {
	if len(c.State.CgroupPaths) == 0 {
		return nil, fmt.Errorf("cannot get stats of container %s: %w", c.ID, cgroups.ErrNoCgroup)
	}
	m, err := c.cgroupManager()
	if err != nil {
		return nil, err
	}
	return m.GetStats()
}

// StatsEvent is a "stats" event with the container's current statistics.
func (c *Container) StatsEvent() (*Event, error) {
	s, err := c.Stats()
	if err != nil {
		return nil, err
	}
	return &Event{Type: "stats", ID: c.ID, Data: s}, nil
}

// Events calls emit with a "stats" event every interval (the first one
// after one interval, as runc does) and an "oom" event for each OOM
// notification of the container's memory cgroup. A failure to read stats
// is logged and the stream goes on. It returns nil when the container
// stops (its init exits) or its cgroup is removed, and ctx's error when
// ctx is done; it is an error if the container is not running (or
// created, or paused) at the start.
func (c *Container) Events(ctx context.Context, interval time.Duration, emit func(*Event)) error {
	if interval <= 0 {
		return errors.New("duration interval must be greater than 0")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	exited, err := c.initExited(ctx)
	if err != nil {
		return err
	}
	if len(c.State.CgroupPaths) == 0 {
		return fmt.Errorf("cannot watch container %s: %w", c.ID, cgroups.ErrNoCgroup)
	}
	m, err := c.cgroupManager()
	if err != nil {
		return err
	}
	oom, err := cgroups.NotifyOOM(ctx, m)
	if err != nil {
		return err
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case _, ok := <-oom:
			if !ok {
				return nil // the cgroup is gone
			}
			emit(&Event{Type: "oom", ID: c.ID})
		case <-tick.C:
			ev, err := c.StatsEvent()
			if err != nil {
				logrus.Error(err)
				continue
			}
			emit(ev)
		case <-exited:
			grace := time.NewTimer(oomGrace)
			defer grace.Stop()
			for {
				select {
				case _, ok := <-oom:
					if !ok {
						return nil
					}
					emit(&Event{Type: "oom", ID: c.ID})
				case <-grace.C:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
	}
}

// initExited returns a channel closed when the container's init exits (or
// ctx is done). It waits on a pidfd in the runtime's poller, so no thread
// is held and nothing is left running after ctx is done.
func (c *Container) initExited(ctx context.Context) (<-chan struct{}, error) {
	fd, err := c.openInit()
	if err != nil {
		if errors.Is(err, ErrNotRunning) {
			return nil, fmt.Errorf("container with id %s is not running", c.ID)
		}
		return nil, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("pidfd of container init: %w", err)
	}
	f := os.NewFile(uintptr(fd), "init-pidfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() { f.Close() })
	go func() {
		defer close(done)
		defer stop()
		defer f.Close()
		// A pidfd is readable once the process has exited; Read parks in
		// the poller while the callback reports "not yet".
		_ = rc.Read(func(fd uintptr) bool {
			p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, err := unix.Poll(p, 0)
			return err != nil || n > 0
		})
	}()
	return done, nil
}
