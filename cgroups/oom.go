package cgroups

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// NotifyOOM returns a channel that receives a value for each OOM event in
// the container's memory cgroup:
//   - v1 (and hybrid hosts): each wake-up of an eventfd registered on
//     memory.oom_control through cgroup.event_control (the kernel may fold
//     several events into one wake-up);
//   - v2: each increment of the oom_kill counter in memory.events, watched
//     with inotify.
//
// The channel is closed when ctx is done, when the cgroup is removed, and
// (v2) when the cgroup has no processes left. Nothing is left running after
// that. A reader must keep draining the channel or cancel ctx.
func NotifyOOM(ctx context.Context, m Manager) (<-chan struct{}, error) {
	if dir := m.Path("memory"); dir != "" {
		return notifyOOMV1(ctx, dir)
	}
	if dir := m.Path(""); dir != "" && exists(filepath.Join(dir, "memory.events")) {
		return notifyOOMV2(ctx, dir)
	}
	return nil, fmt.Errorf("OOM notification: %w (no memory cgroup)", ErrNoCgroup)
}

func notifyOOMV1(ctx context.Context, dir string) (<-chan struct{}, error) {
	oomPath := filepath.Join(dir, "memory.oom_control")
	ofd, err := unix.Open(oomPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &FileError{Op: "read", Path: oomPath, Err: err}
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(ofd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := writeFile(dir, "cgroup.event_control", fmt.Sprintf("%d %d", efd, ofd)); err != nil {
		unix.Close(efd)
		unix.Close(ofd)
		return nil, err
	}
	ev := os.NewFile(uintptr(efd), "eventfd") // non-blocking: reads park in the poller
	ch := make(chan struct{})
	stop := context.AfterFunc(ctx, func() { ev.Close() })
	go func() {
		defer close(ch)
		defer stop()
		defer ev.Close()
		defer unix.Close(ofd)
		buf := make([]byte, 8)
		for {
			if _, err := ev.Read(buf); err != nil {
				return
			}
			// The eventfd is also signalled when the cgroup goes away.
			if !exists(filepath.Join(dir, "cgroup.event_control")) {
				return
			}
			select {
			case ch <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

func notifyOOMV2(ctx context.Context, dir string) (<-chan struct{}, error) {
	ifd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify_init1: %w", err)
	}
	for _, f := range []string{"memory.events", "cgroup.events"} {
		if _, err := unix.InotifyAddWatch(ifd, filepath.Join(dir, f), unix.IN_MODIFY); err != nil {
			unix.Close(ifd)
			return nil, fmt.Errorf("inotify watch %s/%s: %w", dir, f, err)
		}
	}
	// Baseline after the watches: no kill between the two is missed.
	last, err := oomKills(dir)
	if err != nil {
		unix.Close(ifd)
		return nil, err
	}
	in := os.NewFile(uintptr(ifd), "inotify")
	ch := make(chan struct{})
	stop := context.AfterFunc(ctx, func() { in.Close() })
	go func() {
		defer close(ch)
		defer stop()
		defer in.Close()
		buf := make([]byte, 4096)
		for {
			n, err := in.Read(buf)
			if err != nil || n == 0 {
				return
			}
			if ignored(buf[:n]) {
				return // watched file (so the cgroup) removed
			}
			cur, err := oomKills(dir)
			if err != nil {
				return
			}
			for ; last < cur; last++ {
				select {
				case ch <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
			if ev, err := readFile(dir, "cgroup.events"); err != nil || strings.Contains(ev, "populated 0") {
				return
			}
		}
	}()
	return ch, nil
}

// OOMKills returns how many processes the kernel has killed in m's memory
// cgroup for lack of memory (the oom_kill counter of v1's memory.oom_control,
// Linux 4.13, or of v2's memory.events); ok is false when it cannot tell.
func OOMKills(m Manager) (n uint64, ok bool) {
	dir, file := m.Path("memory"), "memory.oom_control"
	if dir == "" {
		dir, file = m.Path(""), "memory.events"
	}
	if dir == "" {
		return 0, false
	}
	kv, err := readKeyValues(dir, file)
	if err != nil {
		return 0, false
	}
	n, ok = kv["oom_kill"]
	return n, ok
}

// oomKills reads the oom_kill counter of memory.events.
func oomKills(dir string) (uint64, error) {
	kv, err := readKeyValues(dir, "memory.events")
	if err != nil {
		return 0, err
	}
	return kv["oom_kill"], nil
}

// ignored reports whether a batch of inotify events holds IN_IGNORED.
func ignored(b []byte) bool {
	// struct inotify_event: s32 wd, u32 mask, u32 cookie, u32 len, name.
	for len(b) >= unix.SizeofInotifyEvent {
		mask := binary.NativeEndian.Uint32(b[4:8])
		if mask&unix.IN_IGNORED != 0 {
			return true
		}
		step := unix.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(b[12:16]))
		if step > len(b) {
			break
		}
		b = b[step:]
	}
	return false
}
