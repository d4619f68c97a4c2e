package libcontainer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/criurpc"
)

// criuCall is one request to `criu swrk`: criu runs as our child with the
// socket as its fd 3, Stdio as its 0-2 and Extra from fd 4 on.
type criuCall struct {
	Binary string // criu's path (--criu)
	Req    *criurpc.Req
	Stdio  [3]*os.File // nil: /dev/null
	Extra  []*os.File
	// Started runs once criu is running, before the request is sent (restore
	// puts criu into the container's cgroup there and completes Req).
	Started func(pid int) error
	// Notified runs for each notification; fds are what came with it.
	Notified func(script string, pid int32, fds []int) error
}

// runCriu runs call to its final answer and waits for criu to exit.
func runCriu(call *criuCall) (*criurpc.Resp, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	ours, theirs := fds[0], os.NewFile(uintptr(fds[1]), "criu-swrk")
	defer unix.Close(ours)
	cmd := exec.Command(call.Binary, "swrk", "3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = call.Stdio[0], call.Stdio[1], call.Stdio[2]
	cmd.ExtraFiles = append([]*os.File{theirs}, call.Extra...)
	err = cmd.Start()
	theirs.Close() // so that a dead criu reads as EOF
	if err != nil {
		return nil, err
	}
	waited := false
	defer func() {
		if !waited {
			unix.Shutdown(ours, unix.SHUT_RDWR)
			_ = cmd.Wait()
		}
	}()
	if call.Started != nil {
		if err := call.Started(cmd.Process.Pid); err != nil {
			return nil, err
		}
	}
	req := call.Req
	if err := unix.Send(ours, req.Marshal(), 0); err != nil {
		return nil, fmt.Errorf("send to criu: %w", err)
	}
	buf := make([]byte, 64*1024)
	oob := make([]byte, unix.CmsgSpace(4*4))
	var resp *criurpc.Resp
	for {
		n, oobn, _, _, err := unix.Recvmsg(ours, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read from criu: %w", err)
		}
		if n == 0 {
			return nil, errors.New("criu closed its socket without an answer")
		}
		if resp, err = criurpc.Unmarshal(buf[:n]); err != nil {
			return nil, err
		}
		if !resp.Success {
			return nil, fmt.Errorf("criu failed: type %s errno %d", resp.Type, resp.CrErrno)
		}
		if resp.Type != criurpc.Notify {
			break
		}
		passed := receivedFds(oob[:oobn])
		if call.Notified != nil {
			err = call.Notified(resp.NotifyScript, resp.NotifyPid, passed)
		}
		for _, fd := range passed {
			unix.Close(fd)
		}
		if err != nil {
			return nil, err
		}
		ack := &criurpc.Req{Type: criurpc.Notify, NotifySuccess: true}
		if err := unix.Send(ours, ack.Marshal(), 0); err != nil {
			return nil, fmt.Errorf("send to criu: %w", err)
		}
	}
	if resp.Type != req.Type {
		return nil, fmt.Errorf("criu answered %s to %s", resp.Type, req.Type)
	}
	// A pre-dump's criu waits for the next request: end it.
	unix.Shutdown(ours, unix.SHUT_WR)
	waited = true
	if err := cmd.Wait(); err != nil && req.Type != criurpc.PreDump {
		return nil, fmt.Errorf("criu failed: %w", err)
	}
	return resp, nil
}

// receivedFds parses the SCM_RIGHTS in oob.
func receivedFds(oob []byte) []int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var fds []int
	for i := range msgs {
		if f, err := unix.ParseUnixRights(&msgs[i]); err == nil {
			fds = append(fds, f...)
		}
	}
	return fds
}

// criuVersion asks criu for its version (major*10000+minor*100+sublevel).
func criuVersion(binary string) (int, error) {
	resp, err := runCriu(&criuCall{Binary: binary, Req: &criurpc.Req{Type: criurpc.Version}})
	if err != nil {
		return 0, fmt.Errorf("CRIU version check failed: %w", err)
	}
	return resp.Version, nil
}

// checkCriuVersion fails unless criu is at least min.
func checkCriuVersion(binary string, min int) (int, error) {
	v, err := criuVersion(binary)
	if err != nil {
		return 0, err
	}
	if v < min {
		return v, fmt.Errorf("CRIU version %d must be %d or higher", v, min)
	}
	return v, nil
}

// checkCriuFeatures asks criu whether it has the features in want.
func checkCriuFeatures(binary string, want criurpc.Features, images int32) error {
	resp, err := runCriu(&criuCall{Binary: binary, Req: &criurpc.Req{Type: criurpc.FeatureCheck, Features: &want,
		// criu 3.17 dereferences opts in a feature check.
		Opts: &criurpc.Opts{ImagesDirFd: images, StatusFd: -1, ManageCgroupsMode: criurpc.CgDefault}}})
	if err != nil {
		return fmt.Errorf("CRIU feature check failed: %w", err)
	}
	var missing []string
	if want.MemTrack && !resp.Features.MemTrack {
		missing = append(missing, "MemTrack")
	}
	if want.LazyPages && !resp.Features.LazyPages {
		missing = append(missing, "LazyPages")
	}
	if len(missing) > 0 {
		return fmt.Errorf("criu is missing features: %v", missing)
	}
	return nil
}

// quoteCriuLog logs, as warnings, the lines of criu's log that say Error
// and the five before each: what went wrong, without the whole log.
func quoteCriuLog(dir, name string) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if err != nil {
		logrus.Warn(err)
		return
	}
	defer f.Close()
	const context = 5
	var recent [][]byte
	printed, lineNo := 0, 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		lineNo++
		recent = append(recent, bytes.Clone(s.Bytes()))
		if len(recent) > context+1 {
			recent = recent[1:]
		}
		if !bytes.Contains(s.Bytes(), []byte("Error")) {
			continue
		}
		if printed == 0 {
			logrus.Warnf("--- Quoting %q", path)
		} else if lineNo-len(recent) > printed {
			logrus.Warn("...")
		}
		for i, l := range recent {
			if n := lineNo - len(recent) + 1 + i; n > printed {
				logrus.Warnf("%d:%s", n, l)
				printed = n
			}
		}
	}
	if printed > 0 {
		logrus.Warn("---")
	}
}
