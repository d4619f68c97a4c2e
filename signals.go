package main

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// signalCatcher catches every signal berth can forward to a foreground
// container process.
//
// Enabling a signal in the Go runtime is a round trip with its signal-mask
// thread (four context switches or so), and there are ~64 signals. So the
// ones a caller sends to stop, reload or resize (and SIGCHLD, for reaping)
// are caught before anything is started; the rest are caught on the side
// while the container is set up, and wait() returns once all are. A signal
// of the rest that comes before has its default action, as before any
// Notify.
type signalCatcher struct {
	ch   chan os.Signal
	done chan struct{}
}

// firstSignals are caught at once.
var firstSignals = []os.Signal{
	unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT,
	unix.SIGUSR1, unix.SIGUSR2, unix.SIGCHLD, unix.SIGWINCH,
}

func catchSignals() *signalCatcher {
	s := &signalCatcher{ch: make(chan os.Signal, 128), done: make(chan struct{})}
	signal.Notify(s.ch, firstSignals...)
	go func() {
		signal.Notify(s.ch) // all the others
		close(s.done)
	}()
	return s
}

// wait returns the channel once every signal is caught.
func (s *signalCatcher) wait() chan os.Signal {
	<-s.done
	return s.ch
}
