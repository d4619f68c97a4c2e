package libcontainer

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Process attributes of runtime-spec 1.2+ that runc applies in its init:
// personality, scheduler, I/O priority and CPU affinity. All are set
// while init still has its capabilities (a realtime policy needs
// CAP_SYS_NICE), and all survive execve.

const (
	perLinux   = 0x0000
	perLinux32 = 0x0008
)

// setPersonality applies linux.personality (only the execution domain;
// runc ignores the flags too).
func setPersonality(p *specs.LinuxPersonality) error {
	if p == nil {
		return nil
	}
	var persona uintptr
	switch p.Domain {
	case specs.PerLinux:
		persona = perLinux
	case specs.PerLinux32:
		persona = perLinux32
	default:
		return fmt.Errorf("linux.personality.domain: unknown domain %q", p.Domain)
	}
	if _, _, errno := unix.Syscall(unix.SYS_PERSONALITY, persona, 0, 0); errno != 0 {
		return fmt.Errorf("personality %s: %w", p.Domain, errno)
	}
	return nil
}

// setScheduler applies process.scheduler with sched_setattr(2).
func setScheduler(s *specs.Scheduler) error {
	if s == nil {
		return nil
	}
	policies := map[specs.LinuxSchedulerPolicy]uint32{
		specs.SchedOther: 0, specs.SchedFIFO: 1, specs.SchedRR: 2, specs.SchedBatch: 3,
		specs.SchedISO: 4, specs.SchedIdle: 5, specs.SchedDeadline: 6,
	}
	policy, ok := policies[s.Policy]
	if !ok {
		return fmt.Errorf("process.scheduler.policy: unknown policy %q", s.Policy)
	}
	flagBits := map[specs.LinuxSchedulerFlag]uint64{
		specs.SchedFlagResetOnFork: 0x01, specs.SchedFlagReclaim: 0x02, specs.SchedFlagDLOverrun: 0x04,
		specs.SchedFlagKeepPolicy: 0x08, specs.SchedFlagKeepParams: 0x10, specs.SchedFlagUtilClampMin: 0x20,
		specs.SchedFlagUtilClampMax: 0x40,
	}
	attr := unix.SchedAttr{Policy: policy, Nice: s.Nice, Priority: uint32(s.Priority),
		Runtime: s.Runtime, Deadline: s.Deadline, Period: s.Period}
	attr.Size = unix.SizeofSchedAttr
	for i, f := range s.Flags {
		bit, ok := flagBits[f]
		if !ok {
			return fmt.Errorf("process.scheduler.flags[%d]: unknown flag %q", i, f)
		}
		attr.Flags |= bit
	}
	if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
		return fmt.Errorf("sched_setattr %s: %w", s.Policy, err)
	}
	return nil
}

// setIOPriority applies process.ioPriority with ioprio_set(2).
func setIOPriority(p *specs.LinuxIOPriority) error {
	if p == nil {
		return nil
	}
	classes := map[specs.IOPriorityClass]int{
		specs.IOPRIO_CLASS_RT: 1, specs.IOPRIO_CLASS_BE: 2, specs.IOPRIO_CLASS_IDLE: 3,
	}
	class, ok := classes[p.Class]
	if !ok {
		return fmt.Errorf("process.ioPriority.class: unknown class %q", p.Class)
	}
	const ioprioWhoProcess, classShift = 1, 13
	prio := class<<classShift | p.Priority
	if _, _, errno := unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess, 0, uintptr(prio)); errno != 0 {
		return fmt.Errorf("ioprio_set %s %d: %w", p.Class, p.Priority, errno)
	}
	return nil
}

// setCPUAffinity pins us to a cpu list ("0-3,7") of process.execCPUAffinity.
func setCPUAffinity(field, list string) error {
	if list == "" {
		return nil
	}
	var set unix.CPUSet
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b >= 1024 {
			return fmt.Errorf("process.execCPUAffinity.%s: invalid cpu list %q", field, list)
		}
		for c := a; c <= b; c++ {
			set.Set(c)
		}
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("process.execCPUAffinity.%s %q: %w", field, list, err)
	}
	return nil
}
