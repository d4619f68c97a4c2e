package sigcatch

import (
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// One test: Catch may be called once per process.
func TestCatch(t *testing.T) {
	if err := Catch(make(chan os.Signal, 1), unix.SIGSEGV); err == nil {
		t.Fatal("SIGSEGV taken from the Go runtime")
	}
	var sigs []syscall.Signal
	for s := syscall.Signal(1); s <= 64; s++ {
		if Catchable(s) {
			sigs = append(sigs, s)
		}
	}
	// All but KILL, STOP, the Go runtime's eight and libc's own.
	if want := 64 - 10 - int(libcRTMin()-32); len(sigs) != want {
		t.Fatalf("%d catchable signals, want %d", len(sigs), want)
	}
	if Catchable(32) || Catchable(33) || !Catchable(libcRTMin()) {
		t.Fatalf("libc's SIGRTMIN %d: 32, 33 or SIGRTMIN misjudged", libcRTMin())
	}
	ch := make(chan os.Signal, 128)
	if err := Catch(ch, sigs...); err != nil {
		t.Fatal(err)
	}
	if err := Catch(ch, unix.SIGUSR1); err == nil {
		t.Fatal("second Catch accepted")
	}
	// Each one, sent to the process, arrives once and in order (they are
	// sent one at a time), and the process survives SIGTERM and SIGINT.
	for _, s := range sigs {
		if s == unix.SIGTSTP || s == unix.SIGTTIN || s == unix.SIGTTOU {
			continue // would stop the test process if not caught: caught below
		}
		if err := unix.Kill(os.Getpid(), s); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-ch:
			if got != s {
				t.Fatalf("sent %v, got %v", s, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%v never arrived", s)
		}
	}
	if err := unix.Kill(os.Getpid(), unix.SIGTSTP); err != nil {
		t.Fatal(err)
	}
	if got := <-ch; got != unix.SIGTSTP {
		t.Fatalf("got %v for SIGTSTP", got)
	}
}
