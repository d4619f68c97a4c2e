package sigcatch

import (
	"errors"
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
	// All but KILL, STOP, the Go runtime's seven and libc's own.
	if want := 64 - 9 - int(libcRTMin()-32); len(sigs) != want {
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
	brokenStdoutWrite(t, ch)
}

// With SIGPIPE caught, a write to a broken stdout returns EPIPE and the
// process lives on (the runtime kills it unless it sees SIGPIPE ignored or
// notified), and the kernel's SIGPIPE arrives like any other.
func brokenStdoutWrite(t *testing.T, ch chan os.Signal) {
	saved, err := unix.Dup(1)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(saved)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	unix.Close(p[0])
	if err := unix.Dup2(p[1], 1); err != nil {
		t.Fatal(err)
	}
	unix.Close(p[1])
	_, werr := os.Stdout.Write([]byte("x"))
	if err := unix.Dup2(saved, 1); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(werr, unix.EPIPE) {
		t.Fatalf("write to a broken stdout: %v, want EPIPE", werr)
	}
	select {
	case got := <-ch:
		if got != unix.SIGPIPE {
			t.Fatalf("got %v, want SIGPIPE", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the kernel's SIGPIPE never arrived")
	}
}
