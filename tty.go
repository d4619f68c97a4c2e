package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"
)

// ttyProxy serves a foreground run or exec with a terminal and no
// --console-socket: berth receives the pty master itself and relays it to
// its own stdio, in raw mode when stdin is a terminal, forwarding window
// size changes. close restores the caller's terminal.
type ttyProxy struct {
	sock    *os.File // our end: receives the master
	child   *os.File // the container's end, given to init as console socket
	master  console.Console
	current console.Console // berth's terminal, nil when stdin is not one
	output  sync.WaitGroup
}

func newTTYProxy() (*ttyProxy, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("console socket pair: %w", err)
	}
	return &ttyProxy{sock: os.NewFile(uintptr(fds[0]), "console"), child: os.NewFile(uintptr(fds[1]), "console-child")}, nil
}

// receive takes the pty master init sent and starts relaying.
func (t *ttyProxy) receive() error {
	t.child.Close()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(int(t.sock.Fd()), buf, oob, 0)
	if err != nil {
		return fmt.Errorf("receive pty master: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return errors.New("receive pty master: no file descriptor")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return errors.New("receive pty master: no file descriptor")
	}
	master, err := console.ConsoleFromFile(os.NewFile(uintptr(fds[0]), "pty-master"))
	if err != nil {
		return err
	}
	t.master = master
	// Our terminal keeps output processing in raw mode (OPOST), so the
	// container's pty must not add its own CR before each LF.
	if err := console.ClearONLCR(master.Fd()); err != nil {
		return fmt.Errorf("clear ONLCR: %w", err)
	}
	if c, err := console.ConsoleFromFile(os.Stdin); err == nil {
		t.current = c
		if err := c.SetRaw(); err != nil {
			return fmt.Errorf("set terminal raw: %w", err)
		}
		t.resize()
	}
	go func() { _, _ = io.Copy(master, os.Stdin) }()
	t.output.Add(1)
	go func() {
		defer t.output.Done()
		_, _ = io.Copy(os.Stdout, master)
	}()
	return nil
}

// resize gives the pty the caller's terminal size (on start and SIGWINCH).
func (t *ttyProxy) resize() {
	if t.current == nil || t.master == nil {
		return
	}
	if ws, err := t.current.Size(); err == nil {
		_ = t.master.Resize(ws)
	}
}

// close waits briefly for the last output, then restores the terminal.
func (t *ttyProxy) close() {
	done := make(chan struct{})
	go func() { t.output.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	if t.current != nil {
		_ = t.current.Reset()
	}
	if t.master != nil {
		t.master.Close()
	}
	t.sock.Close()
}
