package cgroups

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func expectEvent(t *testing.T, ch <-chan struct{}, want bool, what string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !want {
			t.Fatalf("%s: unexpected event (open %v)", what, ok)
		}
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
	case <-time.After(300 * time.Millisecond):
		if want {
			t.Fatalf("%s: no event", what)
		}
	}
}

func expectClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatalf("%s: got an event, want the channel closed", what)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("%s: channel not closed", what)
	}
}

// inotify reports writes to a regular file, so a fake memory.events
// exercises the whole v2 path.
func TestNotifyOOMV2(t *testing.T) {
	m, _, _, _ := newFakeV2(t, "c1")
	events := func(kills string) {
		fakeFiles(t, m.dir, map[string]string{"memory.events": "low 0\nhigh 0\nmax 3\noom 2\noom_kill " + kills + "\n"})
	}
	events("1")
	fakeFiles(t, m.dir, map[string]string{"cgroup.events": "populated 1\nfrozen 0\n"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := NotifyOOM(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	events("1") // modified, but no new kill
	expectEvent(t, ch, false, "unchanged counter")
	events("3") // two kills
	expectEvent(t, ch, true, "first kill")
	expectEvent(t, ch, true, "second kill")
	// The cgroup going away closes the channel.
	os.Remove(filepath.Join(m.dir, "memory.events"))
	expectClosed(t, ch, "after removal")

	// Cancelling the context closes it too.
	events("0")
	ctx2, cancel2 := context.WithCancel(context.Background())
	ch2, err := NotifyOOM(ctx2, m)
	if err != nil {
		t.Fatal(err)
	}
	cancel2()
	expectClosed(t, ch2, "after cancel")

	// So does an empty cgroup (its last process gone).
	ch3, err := NotifyOOM(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	fakeFiles(t, m.dir, map[string]string{"cgroup.events": "populated 0\nfrozen 0\n"})
	expectClosed(t, ch3, "after the cgroup emptied")
}

func TestNotifyOOMNoMemoryCgroup(t *testing.T) {
	if _, err := NotifyOOM(context.Background(), &v1Manager{paths: map[string]string{}}); err == nil {
		t.Error("no memory cgroup must be an error")
	}
}
