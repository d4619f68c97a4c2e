package nsenter

/*
#include "bootstrap.h"
#include "rootfs.h"
*/
import "C"

import (
	"os"

	"golang.org/x/sys/unix"
)

// RootfsPlan is what create's init (create.c) needs before its process
// plan: the container's filesystem as the parent computed it, for rootfs.c
// to build inside the container's mount namespace (every option parsed,
// every source resolved, the cgroup hierarchies listed, the device nodes
// typed), the hooks the init runs and its exec fifo.
type RootfsPlan struct {
	Fault         string // the fault step to die at (test builds), "" for none
	Propagation   uint32 // MS_* propagation of "/"
	PrivateParent string // the mount point to make private first, "" for none
	Rootfs        string
	Mounts        []PlanMount
	Devices       []PlanDevice
	// DevLinks creates /dev/fd, /dev/std*, /dev/core, /dev/ptmx.
	DevLinks bool
	Cwd      string // created when missing, "" for none

	Loopback bool // bring up lo (a new network namespace)
	NoPivot  bool // MS_MOVE and chroot instead of pivot_root
	// RootPropagation is linux.rootfsPropagation, applied to the
	// container's "/" after the pivot; nil for none.
	RootPropagation      *uint32
	Hostname, Domainname string // "" for none
	Sysctls              []PlanSysctl
	ReadonlyRoot         bool
	ReadonlyPaths        []string // linux.readonlyPaths
	MaskedPaths          []string // linux.maskedPaths
	// ReadonlyMounts are mounts that go up read-write and are remounted
	// read-only after the pivot.
	ReadonlyMounts []PlanReadonlyMount

	FifoFD     int   // the init's fd of the exec fifo
	CloexecFDs []int // the init's fds of berth's that no hook may inherit
	Trace      bool  // print BERTH_TRACE's step lines
	// MountFDs are detached mount trees (id-mapped binds) the parent made
	// and bind sources it opened; they follow the plan (SendMountFDs).
	MountFDs     []*os.File
	RuntimeHooks bool // ask the parent to run prestart/createRuntime hooks
	// CreateHooks run before pivot_root, StartHooks after start; each
	// gets the matching state JSON on stdin.
	CreateHooks, StartHooks []PlanHook
	CreateState, StartState []byte
}

// PlanHook is one hook the init runs; a nil Env inherits the init's.
type PlanHook struct {
	Path    string
	Args    []string
	Env     []string
	Timeout uint32 // seconds, 0 for none
}

// PlanSysctl is one sysctl, written to Path under procfs.
type PlanSysctl struct {
	Path, Key, Value string
}

// Kinds of PlanMount.
const (
	MountBind     = C.MK_BIND
	MountFS       = C.MK_FS
	MountCgroupV2 = C.MK_CGROUP_V2
	MountCgroupV1 = C.MK_CGROUP_V1
)

// PlanMount is one spec mount, mounts[Index].
type PlanMount struct {
	Index, Kind        uint32
	Destination        string
	Source, Type, Data string
	Flags, Clear       uint64 // MS_* to set, MS_* the options clear
	Propagation        []uint64
	RecSet, RecClr     uint64 // MOUNT_ATTR_* set and cleared recursively
	TmpCopyUp          bool
	CgroupDirs         []PlanCgroupDir
	// IdmapFD is the index in RootfsPlan.MountFDs of the id-mapped tree
	// to attach instead of binding Source; -1 for none.
	IdmapFD int
	// SourceFD is the index in RootfsPlan.MountFDs of a detached copy
	// of Source's tree, attached when the init cannot reach Source; -1
	// for none.
	SourceFD int
	// FileLabel is the SELinux label the init gives the mount's root
	// once mounted, "" for none.
	FileLabel string
}

// PlanReadonlyMount is mounts[Index], remounted at Destination with Flags
// (per-mount MS_* flags, MS_RDONLY among them).
type PlanReadonlyMount struct {
	Index       uint32
	Flags       uint64
	Destination string
}

// PlanCgroupDir is one cgroup hierarchy of a cgroup mount: a fresh mount
// (Fresh, with Data) or a bind of Source.
type PlanCgroupDir struct {
	Fresh        bool
	Destination  string
	Type         string
	Data, Source string
}

// PlanDevice is one device node; Bind bind-mounts the host's node instead
// of mknod (a user namespace).
type PlanDevice struct {
	Path     string
	Mode     uint32 // S_IF* | permissions
	Rdev     uint64
	UID, GID uint32
	Bind     bool
}

func str(s string) []byte { return append(u32(uint32(len(s))), s...) }

func flag(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Encode returns the wire form rootfs.c reads.
func (p *RootfsPlan) Encode() []byte {
	var r records
	if p.Fault != "" {
		r.add(C.RF_FAULT, []byte(p.Fault))
	}
	r.add(C.RF_PROPAGATION, u32(p.Propagation))
	if p.PrivateParent != "" {
		r.add(C.RF_PRIVATE, []byte(p.PrivateParent))
	}
	r.add(C.RF_ROOTFS, []byte(p.Rootfs))
	for _, m := range p.Mounts {
		r.add(C.RF_MOUNT, u32(m.Index, m.Kind, flag(m.TmpCopyUp), uint32(len(m.Propagation))),
			u64(m.Flags, m.Clear, m.RecSet, m.RecClr), u64(m.Propagation...),
			str(m.Destination), str(m.Source), str(m.Type), str(m.Data))
		if m.IdmapFD >= 0 {
			r.add(C.RF_IDMAP, u32(uint32(m.IdmapFD)))
		}
		if m.SourceFD >= 0 {
			r.add(C.RF_SOURCE_FD, u32(uint32(m.SourceFD)))
		}
		if m.FileLabel != "" {
			r.add(C.RF_FILE_LABEL, []byte(m.FileLabel))
		}
		for _, d := range m.CgroupDirs {
			arg := d.Source
			if d.Fresh {
				arg = d.Data
			}
			r.add(C.RF_CGROUP_DIR, u32(flag(d.Fresh)), str(d.Destination), str(d.Type), str(arg))
		}
	}
	for _, d := range p.Devices {
		r.add(C.RF_DEVICE, u32(d.Mode), u64(d.Rdev), u32(d.UID, d.GID, flag(d.Bind)), str(d.Path))
	}
	if p.DevLinks {
		r.add(C.RF_DEV_LINKS)
	}
	if p.Cwd != "" {
		r.add(C.RF_CWD, []byte(p.Cwd))
	}
	if p.Loopback {
		r.add(C.RF_LOOPBACK)
	}
	if p.NoPivot {
		r.add(C.RF_NO_PIVOT)
	}
	if p.RootPropagation != nil {
		r.add(C.RF_ROOT_PROPAGATION, u32(*p.RootPropagation))
	}
	if p.Hostname != "" {
		r.add(C.RF_HOSTNAME, []byte(p.Hostname))
	}
	if p.Domainname != "" {
		r.add(C.RF_DOMAINNAME, []byte(p.Domainname))
	}
	for _, s := range p.Sysctls {
		r.add(C.RF_SYSCTL, str(s.Path), str(s.Key), str(s.Value))
	}
	if p.ReadonlyRoot {
		r.add(C.RF_READONLY_ROOT)
	}
	for i, path := range p.ReadonlyPaths {
		r.add(C.RF_READONLY_PATH, u32(uint32(i)), []byte(path))
	}
	for i, path := range p.MaskedPaths {
		r.add(C.RF_MASKED_PATH, u32(uint32(i)), []byte(path))
	}
	for _, m := range p.ReadonlyMounts {
		r.add(C.RF_READONLY_MOUNT, u32(m.Index), u64(m.Flags), []byte(m.Destination))
	}
	r.add(C.RF_FIFO, u32(uint32(p.FifoFD)))
	if len(p.MountFDs) > 0 {
		r.add(C.RF_MOUNT_FDS, u32(uint32(len(p.MountFDs))))
	}
	for _, fd := range p.CloexecFDs {
		r.add(C.RF_CLOEXEC_FD, u32(uint32(fd)))
	}
	if p.Trace {
		r.add(C.RF_TRACE)
	}
	if p.RuntimeHooks {
		r.add(C.RF_RUNTIME_HOOKS)
	}
	for kind, hooks := range [][]PlanHook{C.HOOK_CREATE_CONTAINER: p.CreateHooks, C.HOOK_START_CONTAINER: p.StartHooks} {
		for _, h := range hooks {
			envc := uint32(C.ENV_INHERIT)
			if h.Env != nil {
				envc = uint32(len(h.Env))
			}
			rec := [][]byte{u32(uint32(kind), h.Timeout, uint32(len(h.Args)), envc), str(h.Path)}
			for _, a := range h.Args {
				rec = append(rec, str(a))
			}
			for _, e := range h.Env {
				rec = append(rec, str(e))
			}
			r.add(C.RF_HOOK, rec...)
		}
	}
	if len(p.CreateHooks) > 0 {
		r.add(C.RF_HOOK_STATE, u32(C.HOOK_CREATE_CONTAINER), p.CreateState)
	}
	if len(p.StartHooks) > 0 {
		r.add(C.RF_HOOK_STATE, u32(C.HOOK_START_CONTAINER), p.StartState)
	}
	return r.frame(C.ROOTFS_MAGIC)
}

// SendMountFDs sends the plan's MountFDs after the plan itself, a few to
// a message (the init takes MOUNT_FDS_PER_MSG at a time).
func (p *RootfsPlan) SendMountFDs(conn *os.File) error {
	fds := make([]int, len(p.MountFDs))
	for i, f := range p.MountFDs {
		fds[i] = int(f.Fd())
	}
	for len(fds) > 0 {
		n := min(len(fds), C.MOUNT_FDS_PER_MSG)
		if err := unix.Sendmsg(int(conn.Fd()), []byte{0}, unix.UnixRights(fds[:n]...), nil, 0); err != nil {
			return err
		}
		fds = fds[n:]
	}
	return nil
}

// CloseMountFDs closes our copies of MountFDs.
func (p *RootfsPlan) CloseMountFDs() {
	for _, f := range p.MountFDs {
		f.Close()
	}
}

// EnvUsernsHold makes `berth` (its C constructor) block until killed: a
// process that holds a user namespace for an id-mapped mount.
const EnvUsernsHold = C.ENV_USERNS_HOLD
