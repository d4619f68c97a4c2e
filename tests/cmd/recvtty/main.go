// Command recvtty is the receiving end of a runtime's --console-socket (and
// --pidfd-socket) for berth's tests, like runc's contrib/cmd/recvtty.
//
//	recvtty [-mode single|null] [-pty-name-file F] SOCKET
//	recvtty -pidfd [-signal N] [-pty-name-file F] SOCKET
//
// It listens on the unix socket SOCKET (the path exists once it listens, so
// a test can wait for it), accepts one connection and receives one message
// that must carry exactly one fd (SCM_RIGHTS) and a non-empty payload: the
// pty name ("/dev/pts/N") for a console, anything for a pidfd. It writes the
// payload to F if asked, then:
//
//   - single: relays the pty master to its own stdin and stdout until the
//     pty hangs up (EOF/EIO), then exits 0;
//   - null: holds the master open, discarding its output, until it hangs up;
//   - -pidfd: sends signal -signal through the pidfd at once if asked,
//     prints `readlink /proc/self/fd/N` (anon_inode:[pidfd]) and the
//     "Pid:" of /proc/self/fdinfo/N, one per line, and exits.
//
// It fails loudly (a message on stderr, exit 1) if the message carries no fd,
// more than one fd, more than one control message, an empty payload, or if a
// second message with fds arrives on the connection.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

func main() {
	mode := flag.String("mode", "single", "what to do with the pty: single (relay it to stdio) or null (hold it, discard output)")
	nameFile := flag.String("pty-name-file", "", "write the received payload (the pty name) to this file")
	pidfd := flag.Bool("pidfd", false, "receive a pidfd instead of a pty and print what it refers to")
	signal := flag.Int("signal", 0, "with -pidfd: send this signal through the pidfd as soon as it arrives")
	flag.Parse()
	if flag.NArg() != 1 || (*mode != "single" && *mode != "null") {
		fmt.Fprintln(os.Stderr, "usage: recvtty [-mode single|null] [-pty-name-file F] SOCKET | recvtty -pidfd [-signal N] SOCKET")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *mode, *nameFile, *pidfd, *signal); err != nil {
		fmt.Fprintln(os.Stderr, "recvtty: "+err.Error())
		os.Exit(1)
	}
}

func run(path, mode, nameFile string, pidfd bool, signal int) error {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	conn, err := ln.Accept()
	ln.Close()
	if err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	uc := conn.(*net.UnixConn)
	defer uc.Close()
	payload, fd, err := receiveOne(uc)
	if err != nil {
		return err
	}
	if nameFile != "" {
		if err := writeAtomic(nameFile, payload); err != nil {
			return err
		}
	}
	// Nothing else may arrive on the connection: another fd is an error.
	extra := make(chan error, 1)
	go func() { extra <- expectEOF(uc) }()

	if pidfd {
		if signal != 0 {
			if err := unix.PidfdSendSignal(fd, unix.Signal(signal), nil, 0); err != nil {
				return fmt.Errorf("pidfd_send_signal: %w", err)
			}
		}
		if err := printPidfd(fd); err != nil {
			return err
		}
		return <-extra
	}
	master := os.NewFile(uintptr(fd), payload)
	defer master.Close()
	done := make(chan error, 1)
	switch mode {
	case "single":
		go func() { _, _ = io.Copy(master, os.Stdin) }()
		go func() { done <- copyUntilHangup(os.Stdout, master) }()
	case "null":
		go func() { done <- copyUntilHangup(io.Discard, master) }()
	}
	select {
	case err := <-done:
		return err
	case err := <-extra:
		if err != nil {
			return err
		}
		return <-done
	}
}

// receiveOne reads the first message: exactly one fd and a non-empty payload.
func receiveOne(uc *net.UnixConn) (string, int, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(16*4))
	n, oobn, flags, _, err := uc.ReadMsgUnix(buf, oob)
	if errors.Is(err, io.EOF) {
		// An empty payload carries no fd on a stream socket either.
		return "", -1, errors.New("the sender closed the connection without a message: no fd and an empty payload")
	}
	if err != nil {
		return "", -1, fmt.Errorf("receive: %w", err)
	}
	fds, err := parseRights(oob[:oobn])
	if err != nil {
		return "", -1, err
	}
	if flags&unix.MSG_CTRUNC != 0 {
		closeAll(fds)
		return "", -1, errors.New("control message truncated: too many fds")
	}
	if len(fds) != 1 {
		closeAll(fds)
		return "", -1, fmt.Errorf("received %d fds, want exactly 1", len(fds))
	}
	if n == 0 {
		closeAll(fds)
		return "", -1, errors.New("received an empty payload, want the pty name")
	}
	return string(buf[:n]), fds[0], nil
}

func parseRights(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse control message: %w", err)
	}
	var fds []int
	for i := range msgs {
		f, err := unix.ParseUnixRights(&msgs[i])
		if err != nil {
			closeAll(fds)
			return nil, fmt.Errorf("parse SCM_RIGHTS: %w", err)
		}
		fds = append(fds, f...)
	}
	if len(msgs) > 1 {
		closeAll(fds)
		return nil, fmt.Errorf("received %d control messages, want 1", len(msgs))
	}
	return fds, nil
}

// expectEOF reads the rest of the connection: more fds are an error.
func expectEOF(uc *net.UnixConn) error {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(16*4))
	for {
		n, oobn, _, _, err := uc.ReadMsgUnix(buf, oob)
		if oobn > 0 {
			fds, _ := parseRights(oob[:oobn])
			closeAll(fds)
			return fmt.Errorf("a second message carried %d more fds", len(fds))
		}
		if err != nil || n == 0 {
			return nil
		}
	}
}

// copyUntilHangup copies the master's output to w; EIO (every slave closed)
// is the normal end.
func copyUntilHangup(w io.Writer, master *os.File) error {
	_, err := io.Copy(w, master)
	if err == nil || errors.Is(err, syscall.EIO) {
		return nil
	}
	return fmt.Errorf("read pty master: %w", err)
}

func printPidfd(fd int) error {
	link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return err
	}
	f, err := os.Open("/proc/self/fdinfo/" + strconv.Itoa(fd))
	if err != nil {
		return err
	}
	defer f.Close()
	pid := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Pid:"); ok {
			pid = strings.TrimSpace(v)
		}
	}
	if pid == "" {
		return fmt.Errorf("fd %d (%s): no Pid: line in fdinfo", fd, link)
	}
	fmt.Println(link)
	fmt.Println(pid)
	return nil
}

func writeAtomic(path, data string) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
