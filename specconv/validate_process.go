package specconv

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/internal/sysfile"
)

func (v *validator) process() error {
	if v.s.Process == nil {
		return cfgErr("process", "must be specified")
	}
	return checkProcess("process.", v.s.Process)
}

// ValidateProcess checks a process given on its own, as in the file of
// `exec --process`, with the process checks of Validate. Error paths are
// relative to the process object ("args", "env[2]", ...).
func ValidateProcess(p *specs.Process) error {
	if p == nil {
		return cfgErr("", "no process")
	}
	return checkProcess("", p)
}

// checkProcess checks p; pre is prepended to every error path.
func checkProcess(pre string, p *specs.Process) error {
	if len(p.Args) == 0 {
		return cfgErr(pre+"args", "must not be empty")
	}
	if p.Args[0] == "" {
		return cfgErr(pre+"args[0]", "must not be empty")
	}
	for i, a := range p.Args {
		if hasNUL(a) {
			return cfgErr(idx(pre+"args", i), "contains a NUL byte")
		}
	}
	switch {
	case p.Cwd == "":
		return cfgErr(pre+"cwd", "must not be empty")
	case !filepath.IsAbs(p.Cwd):
		return cfgErr(pre+"cwd", fmt.Sprintf("%q must be an absolute path", p.Cwd))
	case hasNUL(p.Cwd):
		return cfgErr(pre+"cwd", "contains a NUL byte")
	}
	if err := checkEnv(pre+"env", p.Env); err != nil {
		return err
	}
	if err := checkCapabilities(pre+"capabilities", p.Capabilities); err != nil {
		return err
	}
	if err := checkRlimits(pre+"rlimits", p.Rlimits); err != nil {
		return err
	}
	if p.OOMScoreAdj != nil && (*p.OOMScoreAdj < -1000 || *p.OOMScoreAdj > 1000) {
		return cfgErr(pre+"oomScoreAdj", fmt.Sprintf("%d is out of range [-1000, 1000]", *p.OOMScoreAdj))
	}
	if err := checkScheduler(pre+"scheduler", p.Scheduler); err != nil {
		return err
	}
	if io := p.IOPriority; io != nil {
		switch io.Class {
		case specs.IOPRIO_CLASS_RT, specs.IOPRIO_CLASS_BE, specs.IOPRIO_CLASS_IDLE:
		default:
			return cfgErr(pre+"ioPriority.class", fmt.Sprintf("unknown class %q", io.Class))
		}
		if io.Priority < 0 || io.Priority > 7 {
			return cfgErr(pre+"ioPriority.priority", fmt.Sprintf("%d is out of range [0, 7]", io.Priority))
		}
	}
	if a := p.ExecCPUAffinity; a != nil {
		if err := checkList(pre+"execCPUAffinity.initial", a.Initial); err != nil {
			return err
		}
		if err := checkList(pre+"execCPUAffinity.final", a.Final); err != nil {
			return err
		}
	}
	return nil
}

// checkEnv applies runc's rules for environment entries: NAME=VALUE with
// a non-empty name and no NUL byte. Messages name the variable but never
// print its value.
func checkEnv(path string, env []string) error {
	for i, kv := range env {
		name, _, ok := strings.Cut(kv, "=")
		switch {
		case !ok:
			return cfgErr(idx(path, i), fmt.Sprintf("invalid environment variable %q: missing '='", kv))
		case name == "":
			return cfgErr(idx(path, i), "invalid environment variable: name cannot be empty")
		case hasNUL(kv):
			return cfgErr(idx(path, i), fmt.Sprintf("invalid environment variable %q: contains a NUL byte", name))
		}
	}
	return nil
}

func checkCapabilities(path string, c *specs.LinuxCapabilities) error {
	if c == nil {
		return nil
	}
	known := KnownCapabilities()
	sets := [...]struct {
		name string
		caps []string
	}{
		{"bounding", c.Bounding},
		{"effective", c.Effective},
		{"inheritable", c.Inheritable},
		{"permitted", c.Permitted},
		{"ambient", c.Ambient},
	}
	for _, set := range sets {
	next:
		for i, name := range set.caps {
			for _, k := range known {
				if name == k {
					continue next
				}
			}
			return cfgErr(idx(path+"."+set.name, i), fmt.Sprintf("unknown capability %q", name))
		}
	}
	return nil
}

func checkRlimits(path string, rlimits []specs.POSIXRlimit) error {
	for i, r := range rlimits {
		p := idx(path, i)
		if !knownRlimit(r.Type) {
			return cfgErr(p+".type", fmt.Sprintf("unknown rlimit %q", r.Type))
		}
		for _, prev := range rlimits[:i] {
			if prev.Type == r.Type {
				return cfgErr(p+".type", fmt.Sprintf("duplicate rlimit %q", r.Type))
			}
		}
		if r.Soft > r.Hard {
			return cfgErr(p, fmt.Sprintf("soft limit %d is greater than hard limit %d", r.Soft, r.Hard))
		}
		// The kernel caps open files at fs.nr_open whatever the privilege.
		if r.Type == "RLIMIT_NOFILE" {
			if max, ok := nrOpen(); ok && r.Hard > max {
				return cfgErr(p+".hard", fmt.Sprintf("%d is above the kernel's fs.nr_open (%d)", r.Hard, max))
			}
		}
	}
	return nil
}

// nrOpen reads fs.nr_open, read only when a config sets RLIMIT_NOFILE.
func nrOpen() (uint64, bool) {
	data, err := sysfile.Read("/proc/sys/fs/nr_open")
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return n, err == nil
}

// checkScheduler applies runc's rules for process.scheduler
// (see sched_setattr(2)).
func checkScheduler(p string, s *specs.Scheduler) error {
	if s == nil {
		return nil
	}
	if s.Policy == "" {
		return cfgErr(p+".policy", "must be specified")
	}
	if !knownSchedPolicy(s.Policy) {
		return cfgErr(p+".policy", fmt.Sprintf("unknown policy %q", s.Policy))
	}
	if (s.Policy == specs.SchedOther || s.Policy == specs.SchedBatch) && (s.Nice < -20 || s.Nice > 19) {
		return cfgErr(p+".nice", fmt.Sprintf("%d is out of range [-20, 19]", s.Nice))
	}
	if s.Priority != 0 && s.Policy != specs.SchedFIFO && s.Policy != specs.SchedRR {
		return cfgErr(p+".priority", "can only be set for SCHED_FIFO or SCHED_RR")
	}
	if s.Policy != specs.SchedDeadline && (s.Runtime != 0 || s.Deadline != 0 || s.Period != 0) {
		return cfgErr(p, "runtime, deadline and period can only be set for SCHED_DEADLINE")
	}
	for i, f := range s.Flags {
		if !knownSchedFlag(f) {
			return cfgErr(idx(p+".flags", i), fmt.Sprintf("unknown flag %q", f))
		}
	}
	return nil
}

// userMapped checks that the process's uid and gids exist in a new user
// namespace with explicit mappings; the kernel would refuse them later
// with a less helpful EINVAL.
func (v *validator) userMapped() error {
	l := v.linux()
	if v.s.Process == nil || !v.newUserNS() || len(l.UIDMappings) == 0 || len(l.GIDMappings) == 0 {
		return nil
	}
	u := v.s.Process.User
	if !mapped(l.UIDMappings, u.UID) {
		return cfgErr("process.user.uid", fmt.Sprintf("%d is not mapped in the user namespace", u.UID))
	}
	if !mapped(l.GIDMappings, u.GID) {
		return cfgErr("process.user.gid", fmt.Sprintf("%d is not mapped in the user namespace", u.GID))
	}
	for i, g := range u.AdditionalGids {
		if !mapped(l.GIDMappings, g) {
			return cfgErr(idx("process.user.additionalGids", i), fmt.Sprintf("%d is not mapped in the user namespace", g))
		}
	}
	return nil
}

// mapped reports whether container id is inside one of the mappings.
func mapped(maps []specs.LinuxIDMapping, id uint32) bool {
	for _, m := range maps {
		if uint64(id) >= uint64(m.ContainerID) && uint64(id) < uint64(m.ContainerID)+uint64(m.Size) {
			return true
		}
	}
	return false
}

// checkList checks the syntax of a CPU or memory-node list such as
// "0-3,8,10-11" (empty is allowed: it means "unset").
func checkList(path, list string) error {
	if list == "" {
		return nil
	}
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		rng, stride, hasStride := strings.Cut(part, ":") // kernel's "0-15:2/4" form
		lo, hi, isRange := strings.Cut(rng, "-")
		if hasStride {
			used, group, ok := strings.Cut(stride, "/")
			if !isRange || !ok || !isNumber(used) || !isNumber(group) {
				return cfgErr(path, fmt.Sprintf("invalid list %q (want e.g. \"0-3,8\")", list))
			}
		}
		if !isNumber(lo) || (isRange && !isNumber(hi)) {
			return cfgErr(path, fmt.Sprintf("invalid list %q (want e.g. \"0-3,8\")", list))
		}
		if isRange && atoi(hi) < atoi(lo) {
			return cfgErr(path, fmt.Sprintf("invalid list %q: range %q is reversed", list, part))
		}
	}
	return nil
}

func isNumber(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string that passed isNumber.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
