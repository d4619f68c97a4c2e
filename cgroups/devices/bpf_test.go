package devices

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// The verifier gives up with EAGAIN when a signal is pending (Go preempts
// its threads with SIGURG): the load is tried again, a bounded number of
// times; any other error is final at once.
func TestRetryEAGAIN(t *testing.T) {
	calls := 0
	fd, err := retryEAGAIN(func() (int, error) {
		if calls++; calls < 3 {
			return -1, unix.EAGAIN
		}
		return 7, nil
	})
	if fd != 7 || err != nil || calls != 3 {
		t.Fatalf("fd %d, err %v after %d calls; want 7, nil, 3", fd, err, calls)
	}
	calls = 0
	if _, err := retryEAGAIN(func() (int, error) { calls++; return -1, unix.EAGAIN }); !errors.Is(err, unix.EAGAIN) || calls != 10 {
		t.Fatalf("always EAGAIN: err %v after %d calls; want EAGAIN after 10", err, calls)
	}
	calls = 0
	if _, err := retryEAGAIN(func() (int, error) { calls++; return -1, unix.EINVAL }); !errors.Is(err, unix.EINVAL) || calls != 1 {
		t.Fatalf("EINVAL: err %v after %d calls; want EINVAL after 1", err, calls)
	}
}
