package libcontainer

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setupConsole gives a process.terminal container a new pty from its own
// devpts: the master goes to the caller over the console socket (one
// SCM_RIGHTS fd, the pty name as payload), the slave becomes the controlling
// terminal, stdio and /dev/console.
func (it *initer) setupConsole() error {
	proc := it.cfg.Spec.Process
	if !proc.Terminal {
		return nil
	}
	if it.console == nil {
		return fmt.Errorf("process.terminal is set but there is no console socket")
	}
	defer func() {
		it.console.Close()
		it.console = nil
	}()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /dev/ptmx: %w", err)
	}
	defer master.Close()
	mfd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(mfd, unix.TIOCGPTN)
	if err != nil {
		return fmt.Errorf("get pty number: %w", err)
	}
	name := "/dev/pts/" + strconv.FormatUint(uint64(n), 10)
	if sz := proc.ConsoleSize; sz != nil {
		ws := &unix.Winsize{Row: uint16(sz.Height), Col: uint16(sz.Width)}
		if err := unix.IoctlSetWinsize(mfd, unix.TIOCSWINSZ, ws); err != nil {
			return fmt.Errorf("set console size: %w", err)
		}
	}
	// Open the peer through the master, not by name: no path to race.
	r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(mfd), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY)
	if errno != 0 {
		return fmt.Errorf("open pty slave: %w", errno)
	}
	slave := os.NewFile(r, name)
	defer slave.Close()
	if err := sendFd(it.console, name, mfd); err != nil {
		return fmt.Errorf("send pty master over the console socket: %w", err)
	}
	if err := it.mountConsole(slave); err != nil {
		return err
	}
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	if err := unix.IoctlSetInt(int(slave.Fd()), unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set controlling terminal: %w", err)
	}
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(int(slave.Fd()), fd, 0); err != nil {
			return fmt.Errorf("dup pty slave to fd %d: %w", fd, err)
		}
	}
	return nil
}

// mountConsole bind-mounts the pty slave onto /dev/console.
func (it *initer) mountConsole(slave *os.File) error {
	fd, err := unix.Open("/dev/console", unix.O_CREAT|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create /dev/console: %w", err)
	}
	target := handle(fd)
	defer target.close()
	return it.sys.Mount(handle(slave.Fd()).path(), target.path(), "", unix.MS_BIND, "")
}

// sendFd sends fd over a unix socket with name as the message payload.
func sendFd(sock *os.File, name string, fd int) error {
	rights := unix.UnixRights(fd)
	return unix.Sendmsg(int(sock.Fd()), []byte(name), rights, nil, 0)
}
