// Package sigcatch catches signals with a plain C handler that writes each
// signal's number to a pipe, which a goroutine turns into os.Signal values.
//
// os/signal enables each signal in a round trip with the Go runtime's
// signal-mask thread, a locked OS thread: the P is handed to it and back,
// four context switches per signal. For the ~60 signals a foreground `run` or
// `exec` forwards to its container that was ~1.4 ms of CPU and ~130 context
// switches per command (docs/performance.md). One sigaction per signal, in
// one cgo call, costs microseconds.
//
// Only for signals the Go runtime has no use of its own for: not SIGURG
// (preemption), SIGPROF, the synchronous SIGSEGV, SIGBUS, SIGFPE, SIGILL and
// SIGTRAP (Go's panics), nor those below SIGRTMIN that libc keeps for
// itself and refuses a handler for (glibc's 32 and 33; musl's 32 to 34).
// Catch refuses those. SIGPIPE it takes after marking it ignored in the
// runtime (os/signal.Ignore, no round trip): a write of ours to a broken
// stdout or stderr then returns EPIPE instead of the runtime killing us
// (it checks that mark), as when os/signal catches SIGPIPE.
package sigcatch

/*
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int sigcatch_fd = -1;

static void sigcatch_handler(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	// Non-blocking: with the pipe full the signal is dropped, not the thread.
	(void)!write(sigcatch_fd, &b, 1);
	errno = saved;
}

// SA_ONSTACK: Go threads run handlers on their signal stacks. SA_RESTART:
// as Go's own handler, so no syscall of ours sees EINTR.
static int sigcatch_install(int fd, const int *sigs, int n)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sigcatch_handler;
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigcatch_fd = fd;
	for (int i = 0; i < n; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return errno;
	return 0;
}

static int sigcatch_rtmin(void) { return SIGRTMIN; }
*/
import "C"

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

var once sync.Once

// Catch installs the handler for sigs and sends each signal that arrives
// to ch (blocking, like os/signal with a full channel would drop: make ch
// roomy). It may be called once per process.
func Catch(ch chan<- os.Signal, sigs ...syscall.Signal) error {
	for _, s := range sigs {
		if !Catchable(s) {
			return fmt.Errorf("sigcatch: %v is the Go runtime's", s)
		}
	}
	err := fmt.Errorf("sigcatch: Catch called twice")
	once.Do(func() { err = install(ch, sigs) })
	return err
}

func install(ch chan<- os.Signal, sigs []syscall.Signal) error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return fmt.Errorf("sigcatch: pipe: %w", err)
	}
	r := os.NewFile(uintptr(p[0]), "sigcatch") // non-blocking: read through the poller
	nums := make([]C.int, len(sigs))
	for i, s := range sigs {
		if s == unix.SIGPIPE {
			signal.Ignore(s) // before our sigaction replaces the runtime's
		}
		nums[i] = C.int(s)
	}
	if len(nums) > 0 {
		if errno := C.sigcatch_install(C.int(p[1]), &nums[0], C.int(len(nums))); errno != 0 {
			return fmt.Errorf("sigcatch: sigaction: %w", syscall.Errno(errno))
		}
	}
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := r.Read(buf)
			if err != nil {
				return
			}
			for _, b := range buf[:n] {
				ch <- syscall.Signal(b)
			}
		}
	}()
	return nil
}

// libcRTMin is the libc's SIGRTMIN: 34 with glibc, 35 with musl. Asked
// when first needed, not in the package init every berth command runs.
var libcRTMin = sync.OnceValue(func() syscall.Signal { return syscall.Signal(C.sigcatch_rtmin()) })

// Catchable reports whether Catch may take s.
func Catchable(s syscall.Signal) bool {
	switch s {
	case unix.SIGKILL, unix.SIGSTOP, unix.SIGURG, unix.SIGPROF,
		unix.SIGSEGV, unix.SIGBUS, unix.SIGFPE, unix.SIGILL, unix.SIGTRAP:
		return false
	}
	return s >= 1 && s <= 64 && !libcReserved(s)
}

// libcReserved reports whether s is one of the real-time signals below
// SIGRTMIN that libc keeps for its threads. The Go runtime leaves 32 to 34
// alone (glibc's two and musl's third), and os/signal never delivers them:
// runc, a Go program, does not forward them either.
func libcReserved(s syscall.Signal) bool {
	return s >= 32 && s < libcRTMin()
}
