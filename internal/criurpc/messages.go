package criurpc

// ReqType is criu_req_type.
type ReqType int32

const (
	Dump         ReqType = 1
	Restore      ReqType = 2
	PreDump      ReqType = 4
	Notify       ReqType = 6
	FeatureCheck ReqType = 9
	Version      ReqType = 10
)

func (t ReqType) String() string {
	switch t {
	case Dump:
		return "DUMP"
	case Restore:
		return "RESTORE"
	case PreDump:
		return "PRE_DUMP"
	case Notify:
		return "NOTIFY"
	case FeatureCheck:
		return "FEATURE_CHECK"
	case Version:
		return "VERSION"
	}
	return "EMPTY"
}

// CgMode is criu_cg_mode.
type CgMode int32

const (
	CgIgnore  CgMode = 0
	CgSoft    CgMode = 3
	CgFull    CgMode = 4
	CgStrict  CgMode = 5
	CgDefault CgMode = 6
)

// KeyValue is an ext_mount_map entry.
type KeyValue struct{ Key, Val string }

// InheritFd (inherit_fd) tells restore that the resource known as Key in the
// images is criu's own fd Fd.
type InheritFd struct {
	Key string
	Fd  int32
}

// CgroupRoot (cgroup_root): restore the tasks' cgroups under Path; Ctrl ""
// is every controller not named otherwise.
type CgroupRoot struct{ Ctrl, Path string }

// JoinNs (join_namespace): restore into the namespace at File.
type JoinNs struct{ Ns, File string }

// Opts is criu_opts. Fds are numbers in the requesting process (criu opens
// them through /proc), except InheritFd's, which are criu's own.
type Opts struct {
	ImagesDirFd       int32
	Pid               int32
	LeaveRunning      bool
	ExtUnixSk         bool
	TCPEstablished    bool
	EvasiveDevices    bool
	ShellJob          bool
	FileLocks         bool
	LogLevel          int32
	LogFile           string
	PageServerAddress string
	PageServerPort    int32
	NotifyScripts     bool
	Root              string
	ParentImg         string
	TrackMem          bool
	AutoDedup         bool
	WorkDirFd         int32 // 0: none
	ExtMnt            []KeyValue
	ManageCgroups     bool
	CgRoot            []CgroupRoot
	RstSibling        bool
	InheritFd         []InheritFd
	ManageCgroupsMode CgMode
	External          []string
	EmptyNs           uint32
	JoinNs            []JoinNs
	FreezeCgroup      string
	LazyPages         bool
	StatusFd          int32 // -1: none
	OrphanPtsMaster   bool
	ConfigFile        string
	LsmProfile        string
	LsmMountContext   string
}

func (o *Opts) encode() []byte {
	var e encoder
	e.int32(1, o.ImagesDirFd)
	if o.Pid != 0 {
		e.int32(2, o.Pid)
	}
	e.bool(3, o.LeaveRunning)
	e.bool(4, o.ExtUnixSk)
	e.bool(5, o.TCPEstablished)
	e.bool(6, o.EvasiveDevices)
	e.bool(7, o.ShellJob)
	e.bool(8, o.FileLocks)
	e.int32(9, o.LogLevel)
	e.string(10, o.LogFile)
	if o.PageServerAddress != "" {
		var ps encoder
		ps.string(1, o.PageServerAddress)
		ps.int32(2, o.PageServerPort)
		e.bytes(11, ps.b)
	}
	e.bool(12, o.NotifyScripts)
	e.string(13, o.Root)
	e.string(14, o.ParentImg)
	e.bool(15, o.TrackMem)
	e.bool(16, o.AutoDedup)
	if o.WorkDirFd > 0 {
		e.int32(17, o.WorkDirFd)
	}
	for _, m := range o.ExtMnt {
		var kv encoder
		kv.bytes(1, []byte(m.Key))
		kv.bytes(2, []byte(m.Val))
		e.bytes(23, kv.b)
	}
	e.bool(24, o.ManageCgroups)
	for _, r := range o.CgRoot {
		var cr encoder
		cr.string(1, r.Ctrl)
		cr.bytes(2, []byte(r.Path))
		e.bytes(25, cr.b)
	}
	e.bool(26, o.RstSibling)
	for _, f := range o.InheritFd {
		var inh encoder
		inh.bytes(1, []byte(f.Key))
		inh.int32(2, f.Fd)
		e.bytes(27, inh.b)
	}
	e.int32(34, int32(o.ManageCgroupsMode))
	for _, s := range o.External {
		e.bytes(37, []byte(s))
	}
	if o.EmptyNs != 0 {
		e.uint32(38, o.EmptyNs)
	}
	for _, j := range o.JoinNs {
		var jn encoder
		jn.bytes(1, []byte(j.Ns))
		jn.bytes(2, []byte(j.File))
		e.bytes(39, jn.b)
	}
	e.string(44, o.FreezeCgroup)
	e.bool(48, o.LazyPages)
	if o.StatusFd >= 0 {
		e.int32(49, o.StatusFd)
	}
	e.bool(50, o.OrphanPtsMaster)
	e.string(51, o.ConfigFile)
	e.string(53, o.LsmProfile)
	e.string(63, o.LsmMountContext)
	return e.b
}

// Features is criu_features: what a FEATURE_CHECK asks about and answers.
type Features struct{ MemTrack, LazyPages bool }

// Req is criu_req.
type Req struct {
	Type          ReqType
	Opts          *Opts
	NotifySuccess bool
	Features      *Features
}

// Marshal encodes r for the swrk socket.
func (r *Req) Marshal() []byte {
	var e encoder
	e.int32(1, int32(r.Type))
	if r.Opts != nil {
		e.bytes(2, r.Opts.encode())
	}
	e.bool(3, r.NotifySuccess)
	if r.Features != nil {
		var f encoder
		f.bool(1, r.Features.MemTrack)
		f.bool(2, r.Features.LazyPages)
		e.bytes(5, f.b)
	}
	return e.b
}

// Resp is criu_resp, with the sub-messages berth reads flattened.
type Resp struct {
	Type    ReqType
	Success bool
	// Restored is criu_restore_resp.pid: the restored tree's root.
	RestorePid int32
	// NotifyScript and NotifyPid are criu_notify: the stage criu reached.
	NotifyScript string
	NotifyPid    int32
	CrErrno      int32
	CrErrmsg     string
	Features     Features
	// Version is major*10000 + minor*100 + sublevel, as runc compares it.
	Version int
}

// Unmarshal decodes a message from the swrk socket.
func Unmarshal(b []byte) (*Resp, error) {
	r := &Resp{}
	err := fields(b, func(f field) error {
		switch f.num {
		case 1:
			r.Type = ReqType(f.value)
		case 2:
			r.Success = f.value != 0
		case 4:
			return fields(f.data, func(g field) error {
				if g.num == 1 {
					r.RestorePid = int32(g.value)
				}
				return nil
			})
		case 5:
			return fields(f.data, func(g field) error {
				switch g.num {
				case 1:
					r.NotifyScript = string(g.data)
				case 2:
					r.NotifyPid = int32(g.value)
				}
				return nil
			})
		case 7:
			r.CrErrno = int32(f.value)
		case 8:
			return fields(f.data, func(g field) error {
				switch g.num {
				case 1:
					r.Features.MemTrack = g.value != 0
				case 2:
					r.Features.LazyPages = g.value != 0
				}
				return nil
			})
		case 9:
			r.CrErrmsg = string(f.data)
		case 10:
			var major, minor, sub int
			err := fields(f.data, func(g field) error {
				switch g.num {
				case 1:
					major = int(g.value)
				case 2:
					minor = int(g.value)
				case 4:
					sub = int(g.value)
				}
				return nil
			})
			r.Version = major*10000 + minor*100 + sub
			return err
		}
		return nil
	})
	return r, err
}
