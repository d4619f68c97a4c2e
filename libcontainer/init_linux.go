package libcontainer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/nsenter"
)

// initer is the container's init (P1) between its birth in the C stage and
// the exec of the user's process. Its steps are run() in order.
type initer struct {
	cfg     *initConfig
	pipe    *os.File
	dec     *json.Decoder
	fifoFD  int
	console *os.File // connected console socket, nil without a terminal
	sys     hostOps
}

// Init is `berth init`: the container's init process. It never returns: it
// execs the user's process or exits non-zero after telling the parent why.
func Init() {
	// Capabilities, no_new_privs and seccomp are per-thread: everything from
	// here to execve must happen on this one thread.
	runtime.LockOSThread()
	it, err := newIniter()
	if err == nil {
		err = it.run()
	}
	// run only returns on failure.
	if it != nil && it.pipe != nil {
		it.send(syncMsg{Type: msgError, Error: err.Error()})
	} else {
		fmt.Fprintln(os.Stderr, "berth init:", err)
	}
	os.Exit(1)
}

func newIniter() (*initer, error) {
	pipeFD, err := envFD(nsenter.EnvInitPipe)
	if err != nil {
		return nil, err
	}
	it := &initer{pipe: os.NewFile(uintptr(pipeFD), "init-pipe"), sys: realHost{}}
	in := bufio.NewReader(it.pipe)
	it.dec = json.NewDecoder(in)
	it.fifoFD = -1
	if _, ok := os.LookupEnv(envFifoFD); ok { // exec has no fifo
		if it.fifoFD, err = envFD(envFifoFD); err != nil {
			return it, err
		}
	}
	if _, ok := os.LookupEnv(envConsoleFD); ok {
		fd, err := envFD(envConsoleFD)
		if err != nil {
			return it, err
		}
		it.console = os.NewFile(uintptr(fd), "console-socket")
	}
	cfg, err := readConfig(in)
	if err != nil {
		return it, fmt.Errorf("read init config: %w", err)
	}
	if cfg.Spec == nil || cfg.Spec.Process == nil {
		return it, errors.New("init config without a process")
	}
	it.cfg = cfg
	if err := nsenter.CgroupnsError(); err != nil {
		return it, err
	}
	traceStep("init config read")
	return it, nil
}

func envFD(name string) (int, error) {
	v := os.Getenv(name)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 0 {
		return -1, fmt.Errorf("bad %s=%q", name, v)
	}
	os.Unsetenv(name)
	return fd, nil
}

func (it *initer) send(m syncMsg) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = it.pipe.Write(append(data, '\n'))
	return err
}

func (it *initer) recv(want string) error {
	var m syncMsg
	if err := it.dec.Decode(&m); err != nil {
		return fmt.Errorf("read from parent: %w", err)
	}
	if m.Type != want {
		return fmt.Errorf("parent sent %q, expected %q", m.Type, want)
	}
	return nil
}

// run is the init sequence. Order matters; see DESIGN.md "The life of a
// container", step 4.
func (it *initer) run() error {
	spec := it.cfg.Spec
	if err := it.setupNetwork(); err != nil {
		return err
	}
	traceStep("network up")
	if err := it.prepareRootfs(); err != nil {
		return err
	}
	traceStep("rootfs prepared")
	if it.cfg.RuntimeHooks {
		if err := it.send(syncMsg{Type: msgHooks}); err != nil {
			return err
		}
		if err := it.recv(msgResume); err != nil {
			return err
		}
	}
	if spec.Hooks != nil && len(spec.Hooks.CreateContainer) > 0 {
		st := it.hookState(specs.StateCreating)
		if err := runHooks("createContainer", spec.Hooks.CreateContainer, st); err != nil {
			return err
		}
	}
	if err := it.enterRootfs(); err != nil {
		return err
	}
	it.faultPoint("init:after-pivot")
	traceStep("pivoted")
	// Sysctls go in before readonlyPaths make /proc/sys read-only.
	if err := it.setupKernelSettings(); err != nil {
		return err
	}
	if err := it.finishRootfs(); err != nil {
		return err
	}
	it.faultPoint("init:after-masks")
	traceStep("masked")
	if err := it.prepareProcess(); err != nil {
		return err
	}
	traceStep("process prepared")
	it.faultPoint("init:before-ready")
	if err := it.send(syncMsg{Type: msgReady}); err != nil {
		return err
	}
	it.pipe.Close()
	it.pipe = nil

	// Past "ready" nobody reads the pipe: failures go to the process's stderr.
	fifo, err := it.waitForStart()
	if err != nil {
		return err
	}
	traceStep("released by start")
	if spec.Hooks != nil && len(spec.Hooks.StartContainer) > 0 {
		st := it.hookState(specs.StateCreated)
		if err := runHooks("startContainer", spec.Hooks.StartContainer, st); err != nil {
			return err
		}
	}
	// The byte tells `start` we reached the exec; the exec itself closes
	// the fifo (close-on-exec), after which `start` runs poststart hooks.
	if _, err := unix.Write(fifo, []byte("0")); err != nil {
		return fmt.Errorf("write exec fifo: %w", err)
	}
	execUserProcess()
	return nil
}

// waitForStart blocks until `start` opens the exec fifo for reading and
// returns our (close-on-exec) write end.
func (it *initer) waitForStart() (int, error) {
	path := "/proc/self/fd/" + strconv.Itoa(it.fifoFD)
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open exec fifo: %w", err)
	}
	unix.Close(it.fifoFD)
	return fd, nil
}
