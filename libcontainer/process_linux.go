package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// userProcess is the user's process, ready to exec.
type userProcess struct {
	path        string
	args        []string
	env         []string
	closedStdio []int
}

// exec replaces init with the user's process.
func (p *userProcess) exec() error {
	traceStep("exec")
	// The caller's closed stdio stays closed (the Go runtime opened
	// /dev/null on them when init started).
	for _, fd := range p.closedStdio {
		unix.Close(fd)
	}
	if err := syscall.Exec(p.path, p.args, p.env); err != nil {
		return fmt.Errorf("exec %q: %w", p.path, err)
	}
	return nil
}

// prepareProcess sets the process attributes in runc's order: rlimits and
// keyring as root; then the bounding set, the user (keeping capabilities
// across the uid change), cwd, the capability sets, no_new_privs; and finds
// the binary, so that a missing one fails create, not start.
func (it *initer) prepareProcess() (*userProcess, error) {
	proc := it.cfg.Spec.Process
	if err := setRlimits(proc.Rlimits); err != nil {
		return nil, err
	}
	if !it.cfg.NoNewKeyring {
		if err := joinSessionKeyring("_ses." + it.cfg.ID); err != nil {
			return nil, err
		}
	}
	if proc.User.Umask != nil {
		unix.Umask(int(*proc.User.Umask))
	}
	execUser, err := lookupUser(proc.User)
	if err != nil {
		return nil, err
	}
	extraEnv := it.cfg.Env
	if envValue(extraEnv, "LISTEN_FDS") != "" {
		// Socket activation names the process that owns the fds: us, after exec.
		extraEnv = append(extraEnv[:len(extraEnv):len(extraEnv)], "LISTEN_PID="+strconv.Itoa(os.Getpid()))
	}
	env := buildEnv(proc.Env, extraEnv, execUser.Home)

	// First try the cwd as root: the container user may not be able to reach
	// it yet can still have it as cwd. EACCES is retried as the user below.
	cwdDone := false
	if err := unix.Chdir(proc.Cwd); err == nil {
		cwdDone = true
	} else if !errors.Is(err, unix.EACCES) {
		return nil, cwdError(proc.Cwd, err)
	}
	fixStdioOwnership(execUser.Uid)
	if proc.Terminal && execUser.Uid != 0 {
		// The pty we made is the process's own terminal (runc does this).
		if err := unix.Fchown(0, execUser.Uid, -1); err != nil {
			return nil, fmt.Errorf("chown the pty to uid %d: %w", execUser.Uid, err)
		}
	}

	if err := it.setProcessAttrs(proc); err != nil {
		return nil, err
	}
	caps, err := newCapSet(proc.Capabilities)
	if err != nil {
		return nil, err
	}
	// seccomp as late as possible: without no_new_privs installing a filter
	// needs CAP_SYS_ADMIN, so it must come before the capabilities go.
	scmp := it.seccompConfig()
	if scmp != nil && !proc.NoNewPrivileges {
		if err := it.loadSeccomp(scmp); err != nil {
			return nil, err
		}
	}
	if err := caps.applyBounding(); err != nil {
		return nil, err
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("prctl keepcaps: %w", err)
	}
	if err := setUser(execUser, it.setgroupsAllowed()); err != nil {
		return nil, err
	}
	if !cwdDone {
		if err := unix.Chdir(proc.Cwd); err != nil {
			return nil, cwdError(proc.Cwd, err)
		}
	}
	// A cwd reached through a leaked fd or a magic link would be outside the
	// container's root; the kernel then reports no path (CVE-2024-21626).
	if wd, err := unix.Getwd(); err != nil || !strings.HasPrefix(wd, "/") {
		return nil, fmt.Errorf("chdir to cwd (%q): the working directory is outside the container's root -- possible container breakout", proc.Cwd)
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("prctl keepcaps: %w", err)
	}
	if err := caps.apply(); err != nil {
		return nil, err
	}
	if proc.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return nil, fmt.Errorf("prctl no_new_privs: %w", err)
		}
	}
	path, err := lookPath(proc.Args[0], envValue(env, "PATH"))
	if err != nil {
		return nil, err
	}
	if scmp != nil && proc.NoNewPrivileges {
		if err := it.loadSeccomp(scmp); err != nil {
			return nil, err
		}
	}
	if a := proc.ExecCPUAffinity; a != nil {
		if err := setCPUAffinity("final", a.Final); err != nil {
			return nil, err
		}
	}
	// Nothing but stdio and the fds the caller asked for may reach the
	// process: mark everything else close-on-exec (CVE-2024-21626).
	if err := unix.CloseRange(uint(3+it.cfg.ExtraFDs), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return nil, fmt.Errorf("close_range: %w", err)
	}
	return &userProcess{path: path, args: proc.Args, env: env, closedStdio: it.cfg.ClosedStdio}, nil
}

// setProcessAttrs applies what needs init's privileges and survives exec:
// personality, scheduler, I/O priority, initial CPU affinity and the LSM
// labels of the next exec.
func (it *initer) setProcessAttrs(proc *specs.Process) error {
	if l := it.cfg.Spec.Linux; l != nil {
		if err := setPersonality(l.Personality); err != nil {
			return err
		}
	}
	if a := proc.ExecCPUAffinity; a != nil {
		if err := setCPUAffinity("initial", a.Initial); err != nil {
			return err
		}
	}
	if err := setScheduler(proc.Scheduler); err != nil {
		return err
	}
	if err := setIOPriority(proc.IOPriority); err != nil {
		return err
	}
	if err := setAppArmorProfile(proc.ApparmorProfile); err != nil {
		return err
	}
	return setSELinuxLabel(proc.SelinuxLabel)
}

func cwdError(cwd string, err error) error {
	return fmt.Errorf("chdir to cwd (%q) set in config.json failed: %w", cwd, err)
}

// setgroupsAllowed is false in a user namespace where setgroups is denied.
func (it *initer) setgroupsAllowed() bool {
	data, err := os.ReadFile("/proc/self/setgroups")
	return err != nil || strings.TrimSpace(string(data)) != "deny"
}

// lookupUser resolves the spec user against the container's /etc/passwd and
// /etc/group (after pivot_root), as runc does: HOME and supplementary groups.
func lookupUser(u specs.User) (*user.ExecUser, error) {
	eu, err := user.GetExecUserPath(userSpec(u), userDefaults(), "/etc/passwd", "/etc/group")
	return withAdditionalGids(eu, u, err)
}

// userSpec is "uid:gid", which the user library resolves.
func userSpec(u specs.User) string {
	return strconv.FormatUint(uint64(u.UID), 10) + ":" + strconv.FormatUint(uint64(u.GID), 10)
}

func userDefaults() *user.ExecUser { return &user.ExecUser{Uid: 0, Gid: 0, Home: "/"} }

// withAdditionalGids completes a lookup with process.user.additionalGids.
func withAdditionalGids(eu *user.ExecUser, u specs.User, err error) (*user.ExecUser, error) {
	if err != nil {
		return nil, fmt.Errorf("process.user: %w", err)
	}
	for _, g := range u.AdditionalGids {
		eu.Sgids = append(eu.Sgids, int(g))
	}
	return eu, nil
}

// setUser switches this thread (the one that will exec) to the user. The
// raw per-thread syscalls skip libc's broadcast of the change to every
// thread of the process, which only this thread needs: the others die at
// execve. (Goroutines never migrate here: init is locked to its thread.)
func setUser(u *user.ExecUser, setgroups bool) error {
	if setgroups {
		var p unsafe.Pointer
		gids := make([]uint32, len(u.Sgids))
		for i, g := range u.Sgids {
			gids[i] = uint32(g)
		}
		if len(gids) > 0 {
			p = unsafe.Pointer(&gids[0])
		}
		if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(gids)), uintptr(p), 0); e != 0 {
			return fmt.Errorf("setgroups %v: %w", u.Sgids, e)
		}
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(u.Gid), uintptr(u.Gid), uintptr(u.Gid)); e != 0 {
		return fmt.Errorf("setresgid %d: %w", u.Gid, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(u.Uid), uintptr(u.Uid), uintptr(u.Uid)); e != 0 {
		return fmt.Errorf("setresuid %d: %w", u.Uid, e)
	}
	return nil
}

// buildEnv is the spec's env, plus berth's additions (LISTEN_FDS...), plus
// HOME from /etc/passwd when the spec has none.
// A later KEY=value replaces an earlier one in place (exec -e overrides
// the spec's value), as runc does: programs read the first match.
func buildEnv(specEnv, extra []string, home string) []string {
	env := make([]string, 0, len(specEnv)+len(extra)+1)
	index := make(map[string]int, cap(env))
	add := func(kv string) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			env[i] = kv
			return
		}
		index[k] = len(env)
		env = append(env, kv)
	}
	for _, kv := range specEnv {
		add(kv)
	}
	for _, kv := range extra {
		add(kv)
	}
	if envValue(env, "HOME") == "" && home != "" {
		add("HOME=" + home)
	}
	return env
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// fixStdioOwnership gives the container user its stdio pipes and sockets,
// so that it can reopen them through /proc/self/fd (e.g. /dev/stdout).
// Regular files and devices (the caller's terminal) are left alone.
func fixStdioOwnership(uid int) {
	if uid == 0 {
		return
	}
	for fd := 0; fd <= 2; fd++ {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil || int(st.Uid) == uid {
			continue
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFIFO, unix.S_IFSOCK:
			_ = unix.Fchown(fd, uid, int(st.Gid))
		}
	}
}

// setRlimits applies process.rlimits. It goes through the syscall package so
// the Go runtime does not restore its own RLIMIT_NOFILE at exec.
func setRlimits(rlimits []specs.POSIXRlimit) error {
	for i, r := range rlimits {
		res, ok := rlimitResource(r.Type)
		if !ok {
			return fmt.Errorf("process.rlimits[%d].type: unknown rlimit %q", i, r.Type)
		}
		lim := syscall.Rlimit{Cur: r.Soft, Max: r.Hard}
		if err := syscall.Setrlimit(res, &lim); err != nil {
			return fmt.Errorf("set %s to soft %d, hard %d: %w", r.Type, r.Soft, r.Hard, err)
		}
	}
	return nil
}

// rlimitResource maps an RLIMIT_* name to its number.
func rlimitResource(name string) (int, bool) {
	switch name {
	case "RLIMIT_AS":
		return unix.RLIMIT_AS, true
	case "RLIMIT_CORE":
		return unix.RLIMIT_CORE, true
	case "RLIMIT_CPU":
		return unix.RLIMIT_CPU, true
	case "RLIMIT_DATA":
		return unix.RLIMIT_DATA, true
	case "RLIMIT_FSIZE":
		return unix.RLIMIT_FSIZE, true
	case "RLIMIT_LOCKS":
		return unix.RLIMIT_LOCKS, true
	case "RLIMIT_MEMLOCK":
		return unix.RLIMIT_MEMLOCK, true
	case "RLIMIT_MSGQUEUE":
		return unix.RLIMIT_MSGQUEUE, true
	case "RLIMIT_NICE":
		return unix.RLIMIT_NICE, true
	case "RLIMIT_NOFILE":
		return unix.RLIMIT_NOFILE, true
	case "RLIMIT_NPROC":
		return unix.RLIMIT_NPROC, true
	case "RLIMIT_RSS":
		return unix.RLIMIT_RSS, true
	case "RLIMIT_RTPRIO":
		return unix.RLIMIT_RTPRIO, true
	case "RLIMIT_RTTIME":
		return unix.RLIMIT_RTTIME, true
	case "RLIMIT_SIGPENDING":
		return unix.RLIMIT_SIGPENDING, true
	case "RLIMIT_STACK":
		return unix.RLIMIT_STACK, true
	}
	return 0, false
}

// joinSessionKeyring gives the container its own session keyring (so it
// cannot read the caller's keys) and lets its user search it.
func joinSessionKeyring(name string) error {
	id, err := unix.KeyctlJoinSessionKeyring(name)
	if err != nil {
		if errors.Is(err, unix.ENOSYS) {
			return nil
		}
		return fmt.Errorf("join session keyring: %w", err)
	}
	desc, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, id)
	if err != nil {
		return fmt.Errorf("describe session keyring: %w", err)
	}
	fields := strings.Split(desc, ";")
	if len(fields) < 4 {
		return fmt.Errorf("describe session keyring: unexpected %q", desc)
	}
	perm, err := strconv.ParseUint(fields[3], 16, 32)
	if err != nil {
		return fmt.Errorf("describe session keyring: %w", err)
	}
	const userSearch = 0x080000
	if err := unix.KeyctlSetperm(id, uint32(perm)|userSearch); err != nil {
		return fmt.Errorf("set session keyring permissions: %w", err)
	}
	return nil
}
