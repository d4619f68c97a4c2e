package libcontainer

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/internal/cpulist"
)

// Process attributes of runtime-spec 1.2+ that runc applies in its init:
// personality, scheduler, I/O priority and CPU affinity. All are set
// while init still has its capabilities (a realtime policy needs
// CAP_SYS_NICE), and all survive execve.

const (
	perLinux   = 0x0000
	perLinux32 = 0x0008
)

// personaOf is linux.personality's persona for personality(2): only the
// execution domain, as runc ignores the flags too.
func personaOf(p *specs.LinuxPersonality) (uint32, error) {
	switch p.Domain {
	case specs.PerLinux:
		return perLinux, nil
	case specs.PerLinux32:
		return perLinux32, nil
	}
	return 0, fmt.Errorf("linux.personality.domain: unknown domain %q", p.Domain)
}

// schedAttr is process.scheduler as sched_setattr(2) takes it, nil for none.
func schedAttr(s *specs.Scheduler) (*unix.SchedAttr, error) {
	if s == nil {
		return nil, nil
	}
	policies := map[specs.LinuxSchedulerPolicy]uint32{
		specs.SchedOther: 0, specs.SchedFIFO: 1, specs.SchedRR: 2, specs.SchedBatch: 3,
		specs.SchedISO: 4, specs.SchedIdle: 5, specs.SchedDeadline: 6,
	}
	policy, ok := policies[s.Policy]
	if !ok {
		return nil, fmt.Errorf("process.scheduler.policy: unknown policy %q", s.Policy)
	}
	flagBits := map[specs.LinuxSchedulerFlag]uint64{
		specs.SchedFlagResetOnFork: 0x01, specs.SchedFlagReclaim: 0x02, specs.SchedFlagDLOverrun: 0x04,
		specs.SchedFlagKeepPolicy: 0x08, specs.SchedFlagKeepParams: 0x10, specs.SchedFlagUtilClampMin: 0x20,
		specs.SchedFlagUtilClampMax: 0x40,
	}
	attr := &unix.SchedAttr{Policy: policy, Nice: s.Nice, Priority: uint32(s.Priority),
		Runtime: s.Runtime, Deadline: s.Deadline, Period: s.Period}
	attr.Size = unix.SizeofSchedAttr
	for i, f := range s.Flags {
		bit, ok := flagBits[f]
		if !ok {
			return nil, fmt.Errorf("process.scheduler.flags[%d]: unknown flag %q", i, f)
		}
		attr.Flags |= bit
	}
	return attr, nil
}

// ioprioValue is process.ioPriority as ioprio_set(2) takes it.
func ioprioValue(p *specs.LinuxIOPriority) (int, error) {
	if p == nil {
		return 0, nil
	}
	classes := map[specs.IOPriorityClass]int{
		specs.IOPRIO_CLASS_RT: 1, specs.IOPRIO_CLASS_BE: 2, specs.IOPRIO_CLASS_IDLE: 3,
	}
	class, ok := classes[p.Class]
	if !ok {
		return 0, fmt.Errorf("process.ioPriority.class: unknown class %q", p.Class)
	}
	const classShift = 13
	return class<<classShift | p.Priority, nil
}

// parseCPUList reads a cpu list of process.execCPUAffinity.<field>; nil
// for an empty one.
func parseCPUList(field, list string) (*unix.CPUSet, error) {
	cpus, err := cpulist.Parse(list, 1023)
	if err != nil {
		return nil, fmt.Errorf("process.execCPUAffinity.%s: invalid cpu list %q", field, list)
	}
	if cpus == nil {
		return nil, nil
	}
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	return &set, nil
}
