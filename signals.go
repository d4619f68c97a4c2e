package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/sigcatch"
)

// signalCatcher catches every signal berth can forward to a foreground
// container process.
//
// Most are caught by a plain C handler (internal/sigcatch), all at once
// before anything is started. os/signal enables each signal in a round trip
// with the Go runtime's signal-mask thread (four context switches or so),
// which for ~60 signals cost ~1.4 ms of CPU per command. The synchronous
// ones the Go runtime keeps for its panics (which a caller may still send)
// go through os/signal on the side while the container is set up; wait()
// returns once those are caught too. One of them that comes before has its
// default action, as before any Notify. Enabling those takes no round trip
// (only signals the runtime may ignore do: SIGPIPE did, which sigcatch now
// takes), but the first Notify starts the runtime's signal-receiving loop.
type signalCatcher struct {
	ch   chan os.Signal
	done chan struct{}
}

// goSignals are the Go runtime's own; sigcatch takes all the others.
var goSignals = []os.Signal{
	unix.SIGSEGV, unix.SIGBUS, unix.SIGFPE, unix.SIGILL, unix.SIGTRAP,
}

func catchSignals() *signalCatcher {
	s := &signalCatcher{ch: make(chan os.Signal, 128), done: make(chan struct{})}
	var sigs []syscall.Signal
	for n := syscall.Signal(1); n <= 64; n++ {
		if sigcatch.Catchable(n) {
			sigs = append(sigs, n)
		}
	}
	if err := sigcatch.Catch(s.ch, sigs...); err != nil {
		// Not expected (the handler is installed once per process); the
		// runtime's way is slower but catches the same signals.
		signal.Notify(s.ch, sigsAsOS(sigs)...)
	}
	go func() {
		signal.Notify(s.ch, goSignals...)
		close(s.done)
	}()
	return s
}

func sigsAsOS(sigs []syscall.Signal) []os.Signal {
	out := make([]os.Signal, len(sigs))
	for i, s := range sigs {
		out[i] = s
	}
	return out
}

// wait returns the channel once every signal is caught.
func (s *signalCatcher) wait() chan os.Signal {
	<-s.done
	return s.ch
}
