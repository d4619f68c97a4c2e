package nsenter

/*
#include "plan.h"
*/
import "C"

import (
	"encoding/binary"
)

// ProcessPlan is everything an exec's init needs to become the user's
// process without starting Go (plan.h, process.c). The parent resolves
// every name and checks every value; the texts named ErrPrefix are what a
// failure of that step reports, followed by the errno's text.
type ProcessPlan struct {
	Args      []string
	Env       []string
	ListenPID bool // add LISTEN_PID=<the process's pid> to Env
	Cwd       string
	UID, GID  uint32
	Groups    []uint32 // supplementary groups
	Umask     *uint32
	Rlimits   []PlanRlimit
	Keyring   string // session keyring to join, "" for none
	// ConsoleFD is the init's fd of the console socket (-1: no terminal);
	// Rows and Cols size the pty unless both are 0. MountConsole binds the
	// pty onto /dev/console (create).
	ConsoleFD    int
	Rows, Cols   uint32
	MountConsole bool
	// Personality is linux.personality's persona (create), nil for none.
	Personality          *uint32
	PersonalityErrPrefix string
	// MemPolicy is linux.memoryPolicy for set_mempolicy(2), nil for none.
	MemPolicy *PlanMemPolicy
	// Affinity is process.execCPUAffinity: [0] before the setup, [1] last.
	Affinity [2]*PlanAffinity
	// SchedAttr is a struct sched_attr for sched_setattr(2), nil for none.
	SchedAttr      []byte
	SchedErrPrefix string
	IOPrio         *uint32
	IOErrPrefix    string
	AppArmor       string // written to attr/apparmor/exec ("exec <profile>")
	SELinux        string // written to attr/exec
	// Caps are the bounding, effective, permitted, inheritable and ambient
	// sets; LastCap is the kernel's highest capability.
	Caps        [5]uint64
	LastCap     uint32
	NoNewPrivs  bool
	Seccomp     *PlanSeccomp
	ExtraFDs    uint32 // fds 3..3+ExtraFDs-1 stay open
	ClosedStdio uint32 // bit n: close fd n right before exec
}

// PlanMemPolicy is one set_mempolicy(2): the mode with its flags, and the
// node mask (little-endian 64-bit words, empty for none).
type PlanMemPolicy struct {
	Mode      uint32
	Nodes     []byte
	ErrPrefix string
}

// PlanRlimit is one setrlimit(2).
type PlanRlimit struct {
	Resource   uint32
	Soft, Hard uint64
	ErrPrefix  string
}

// PlanAffinity is one sched_setaffinity(2) mask.
type PlanAffinity struct {
	Mask      []byte
	ErrPrefix string
}

// PlanSeccomp is one seccomp(2) filter; OnEINVAL, when set, replaces the
// report of an EINVAL (a flag the kernel lacks).
type PlanSeccomp struct {
	Flags    uint32
	Program  []byte
	OnEINVAL string
}

// records builds the (u32 type, u32 length, bytes) list both messages use.
type records []byte

func (r *records) add(typ uint32, parts ...[]byte) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	*r = binary.LittleEndian.AppendUint32(*r, typ)
	*r = binary.LittleEndian.AppendUint32(*r, uint32(n))
	for _, p := range parts {
		*r = append(*r, p...)
	}
}

// frame is the whole message: magic, payload length, payload.
func (r records) frame(magic uint32) []byte {
	msg := binary.LittleEndian.AppendUint32(make([]byte, 0, 8+len(r)), magic)
	msg = binary.LittleEndian.AppendUint32(msg, uint32(len(r)))
	return append(msg, r...)
}

func u32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

func u64(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// Encode returns the wire form read by process.c's read_plan.
func (p *ProcessPlan) Encode() []byte {
	var r records
	for _, a := range p.Args {
		r.add(C.PL_ARG, []byte(a))
	}
	for _, e := range p.Env {
		r.add(C.PL_ENV, []byte(e))
	}
	if p.ListenPID {
		r.add(C.PL_LISTEN_PID)
	}
	r.add(C.PL_CWD, []byte(p.Cwd))
	r.add(C.PL_USER, u32(p.UID, p.GID), u32(p.Groups...))
	if p.Umask != nil {
		r.add(C.PL_UMASK, u32(*p.Umask))
	}
	for _, l := range p.Rlimits {
		r.add(C.PL_RLIMIT, u32(l.Resource), u64(l.Soft, l.Hard), []byte(l.ErrPrefix))
	}
	if p.Keyring != "" {
		r.add(C.PL_KEYRING, []byte(p.Keyring))
	}
	if p.ConsoleFD >= 0 {
		mount := uint32(0)
		if p.MountConsole {
			mount = 1
		}
		r.add(C.PL_CONSOLE, u32(uint32(p.ConsoleFD), p.Rows, p.Cols, mount))
	}
	if p.Personality != nil {
		r.add(C.PL_PERSONALITY, u32(*p.Personality), []byte(p.PersonalityErrPrefix))
	}
	if m := p.MemPolicy; m != nil {
		r.add(C.PL_MEMPOLICY, u32(m.Mode, uint32(len(m.Nodes))), m.Nodes, []byte(m.ErrPrefix))
	}
	for when, a := range p.Affinity {
		if a != nil {
			r.add(C.PL_AFFINITY, u32(uint32(when), uint32(len(a.Mask))), a.Mask, []byte(a.ErrPrefix))
		}
	}
	if p.SchedAttr != nil {
		r.add(C.PL_SCHED, u32(uint32(len(p.SchedAttr))), p.SchedAttr, []byte(p.SchedErrPrefix))
	}
	if p.IOPrio != nil {
		r.add(C.PL_IOPRIO, u32(*p.IOPrio), []byte(p.IOErrPrefix))
	}
	if p.AppArmor != "" {
		r.add(C.PL_LSM_LABEL, u32(C.LSM_APPARMOR), []byte(p.AppArmor))
	}
	if p.SELinux != "" {
		r.add(C.PL_LSM_LABEL, u32(C.LSM_SELINUX), []byte(p.SELinux))
	}
	r.add(C.PL_CAPS, u64(p.Caps[:]...), u32(p.LastCap))
	if p.NoNewPrivs {
		r.add(C.PL_NO_NEW_PRIVS)
	}
	if s := p.Seccomp; s != nil {
		r.add(C.PL_SECCOMP, u32(s.Flags, uint32(len(s.Program))), s.Program, []byte(s.OnEINVAL))
	}
	if p.ExtraFDs > 0 {
		r.add(C.PL_EXTRA_FDS, u32(p.ExtraFDs))
	}
	if p.ClosedStdio != 0 {
		r.add(C.PL_CLOSED_STDIO, u32(p.ClosedStdio))
	}
	return r.frame(C.PLAN_MAGIC)
}
