package nsenter

import (
	"fmt"
	"syscall"
	"testing"
)

// The C stage and init word errnos and signals as Go does, whichever libc
// berth links; a Go release that rewords one needs `go generate ./nsenter`.
func TestCTextsAreGos(t *testing.T) {
	for e := 1; e < 4096; e++ {
		want := syscall.Errno(e).Error()
		if want == fmt.Sprintf("errno %d", e) {
			want = "" // the C side says "errno N" itself
		}
		if got := cErrnoText(e); got != want {
			t.Errorf("errno %d: C says %q, Go %q", e, got, want)
		}
	}
	for s := 1; s <= 64; s++ {
		want := syscall.Signal(s).String()
		if want == fmt.Sprintf("signal %d", s) {
			want = ""
		}
		if got := cSignalText(s); got != want {
			t.Errorf("signal %d: C says %q, Go %q", s, got, want)
		}
	}
}
