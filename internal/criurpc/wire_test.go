package criurpc

import (
	"testing"

	"github.com/checkpoint-restore/go-criu/v7/rpc"
	"google.golang.org/protobuf/proto"
)

// The generated code of criu's rpc.proto is the reference: what berth
// encodes must decode there to the same values, and the reverse.

func TestReqDecodesAsCriuReq(t *testing.T) {
	req := &Req{Type: Restore, NotifySuccess: true, Features: &Features{LazyPages: true}, Opts: &Opts{
		ImagesDirFd: 7, Pid: 42, LeaveRunning: true, ExtUnixSk: true, TCPEstablished: true,
		EvasiveDevices: true, ShellJob: true, FileLocks: true, LogLevel: 4, LogFile: "restore.log",
		PageServerAddress: "127.0.0.1", PageServerPort: 9000, NotifyScripts: true, Root: "/r",
		ParentImg: "../p", TrackMem: true, AutoDedup: true, WorkDirFd: 8,
		ExtMnt:        []KeyValue{{"/a", "/b"}, {"/dev/null", "/dev/null"}},
		ManageCgroups: true, CgRoot: []CgroupRoot{{"", "/c"}, {"memory", "/m"}},
		RstSibling: true, InheritFd: []InheritFd{{"pipe:[1]", 0}, {"extRootNetNS", 4}},
		ManageCgroupsMode: CgIgnore, External: []string{"net[5]:extRootNetNS"}, EmptyNs: 0x40000000,
		JoinNs: []JoinNs{{"uts", "/proc/1/ns/uts"}}, FreezeCgroup: "/sys/fs/cgroup/x", LazyPages: true,
		StatusFd: 0, OrphanPtsMaster: true, ConfigFile: "/etc/criu/runc.conf", LsmProfile: "apparmor:p",
		LsmMountContext: "ctx",
	}}
	var got rpc.CriuReq
	if err := proto.Unmarshal(req.Marshal(), &got); err != nil {
		t.Fatal(err)
	}
	o := got.GetOpts()
	checks := []struct {
		name      string
		got, want any
	}{
		{"type", got.GetType(), rpc.CriuReqType_RESTORE},
		{"notify_success", got.GetNotifySuccess(), true},
		{"features.lazy_pages", got.GetFeatures().GetLazyPages(), true},
		{"features.mem_track", got.GetFeatures().MemTrack == nil, true},
		{"images_dir_fd", o.GetImagesDirFd(), int32(7)},
		{"pid", o.GetPid(), int32(42)},
		{"leave_running", o.GetLeaveRunning(), true},
		{"ext_unix_sk", o.GetExtUnixSk(), true},
		{"tcp_established", o.GetTcpEstablished(), true},
		{"evasive_devices", o.GetEvasiveDevices(), true},
		{"shell_job", o.GetShellJob(), true},
		{"file_locks", o.GetFileLocks(), true},
		{"log_level", o.GetLogLevel(), int32(4)},
		{"log_file", o.GetLogFile(), "restore.log"},
		{"ps.address", o.GetPs().GetAddress(), "127.0.0.1"},
		{"ps.port", o.GetPs().GetPort(), int32(9000)},
		{"notify_scripts", o.GetNotifyScripts(), true},
		{"root", o.GetRoot(), "/r"},
		{"parent_img", o.GetParentImg(), "../p"},
		{"track_mem", o.GetTrackMem(), true},
		{"auto_dedup", o.GetAutoDedup(), true},
		{"work_dir_fd", o.GetWorkDirFd(), int32(8)},
		{"ext_mnt", len(o.GetExtMnt()), 2},
		{"ext_mnt[1]", o.GetExtMnt()[1].GetKey() + " " + o.GetExtMnt()[1].GetVal(), "/dev/null /dev/null"},
		{"manage_cgroups", o.GetManageCgroups(), true},
		{"cg_root[0].ctrl unset", o.GetCgRoot()[0].Ctrl == nil, true},
		{"cg_root[1]", o.GetCgRoot()[1].GetCtrl() + " " + o.GetCgRoot()[1].GetPath(), "memory /m"},
		{"rst_sibling", o.GetRstSibling(), true},
		{"inherit_fd[1]", o.GetInheritFd()[1].GetKey(), "extRootNetNS"},
		{"inherit_fd[1].fd", o.GetInheritFd()[1].GetFd(), int32(4)},
		{"manage_cgroups_mode set", o.ManageCgroupsMode != nil, true},
		{"manage_cgroups_mode", o.GetManageCgroupsMode(), rpc.CriuCgMode_IGNORE},
		{"external", o.GetExternal(), []string{"net[5]:extRootNetNS"}},
		{"empty_ns", o.GetEmptyNs(), uint32(0x40000000)},
		{"join_ns", o.GetJoinNs()[0].GetNs() + " " + o.GetJoinNs()[0].GetNsFile(), "uts /proc/1/ns/uts"},
		{"freeze_cgroup", o.GetFreezeCgroup(), "/sys/fs/cgroup/x"},
		{"lazy_pages", o.GetLazyPages(), true},
		{"status_fd set", o.StatusFd != nil, true},
		{"orphan_pts_master", o.GetOrphanPtsMaster(), true},
		{"config_file", o.GetConfigFile(), "/etc/criu/runc.conf"},
		{"lsm_profile", o.GetLsmProfile(), "apparmor:p"},
		{"lsm_mount_context", o.GetLsmMountContext(), "ctx"},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestUnsetOptsStayUnset(t *testing.T) {
	req := &Req{Type: Dump, Opts: &Opts{ImagesDirFd: -1, StatusFd: -1, ManageCgroupsMode: CgDefault}}
	var got rpc.CriuReq
	if err := proto.Unmarshal(req.Marshal(), &got); err != nil {
		t.Fatal(err)
	}
	o := got.GetOpts()
	if o.GetImagesDirFd() != -1 || o.StatusFd != nil || o.WorkDirFd != nil || o.Pid != nil || o.Root != nil || o.Ps != nil {
		t.Errorf("unset fields came through: %v", o)
	}
	if o.GetManageCgroupsMode() != rpc.CriuCgMode_DEFAULT {
		t.Errorf("manage_cgroups_mode %v", o.GetManageCgroupsMode())
	}
}

func TestRespFromCriu(t *testing.T) {
	msgs := []*rpc.CriuResp{
		{Type: rpc.CriuReqType_NOTIFY.Enum(), Success: proto.Bool(true),
			Notify: &rpc.CriuNotify{Script: proto.String("post-restore"), Pid: proto.Int32(1234)}},
		{Type: rpc.CriuReqType_RESTORE.Enum(), Success: proto.Bool(true),
			Restore: &rpc.CriuRestoreResp{Pid: proto.Int32(99)}},
		{Type: rpc.CriuReqType_DUMP.Enum(), Success: proto.Bool(false), CrErrno: proto.Int32(2),
			CrErrmsg: proto.String("no such file"), Dump: &rpc.CriuDumpResp{Restored: proto.Bool(false)}},
		{Type: rpc.CriuReqType_FEATURE_CHECK.Enum(), Success: proto.Bool(true),
			Features: &rpc.CriuFeatures{MemTrack: proto.Bool(true), LazyPages: proto.Bool(false)}},
		{Type: rpc.CriuReqType_VERSION.Enum(), Success: proto.Bool(true),
			Version: &rpc.CriuVersion{MajorNumber: proto.Int32(3), MinorNumber: proto.Int32(17), Sublevel: proto.Int32(1), Gitid: proto.String("x")}},
	}
	want := []Resp{
		{Type: Notify, Success: true, NotifyScript: "post-restore", NotifyPid: 1234},
		{Type: Restore, Success: true, RestorePid: 99},
		{Type: Dump, CrErrno: 2, CrErrmsg: "no such file"},
		{Type: FeatureCheck, Success: true, Features: Features{MemTrack: true}},
		{Type: Version, Success: true, Version: 31701},
	}
	for i, m := range msgs {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if *got != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, *got, want[i])
		}
	}
}

func TestTruncatedResp(t *testing.T) {
	b, _ := proto.Marshal(&rpc.CriuResp{Type: rpc.CriuReqType_NOTIFY.Enum(), Success: proto.Bool(true),
		Notify: &rpc.CriuNotify{Script: proto.String("post-dump")}})
	for n := 1; n < len(b); n++ {
		if _, err := Unmarshal(b[:n]); err == nil && n > 4 {
			t.Errorf("%d of %d bytes decoded without error", n, len(b))
		}
	}
}

func equal(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs := b.([]string)
		if len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
		return true
	}
	return a == b
}
