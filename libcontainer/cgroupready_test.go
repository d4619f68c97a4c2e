package libcontainer

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/nsenter"
)

func TestStageMayCloneInto(t *testing.T) {
	for _, tc := range []struct {
		flags uint32
		join  []nsenter.NamespacePath
		want  bool
	}{
		{unix.CLONE_NEWPID | unix.CLONE_NEWNS, nil, true},
		{unix.CLONE_NEWPID | unix.CLONE_NEWUSER, nil, false},
		{unix.CLONE_NEWPID, []nsenter.NamespacePath{{Type: unix.CLONE_NEWNET, Path: "/n"}}, true},
		{unix.CLONE_NEWPID, []nsenter.NamespacePath{{Type: unix.CLONE_NEWUSER, Path: "/u"}}, false},
		{unix.CLONE_NEWPID | unix.CLONE_NEWCGROUP, nil, true},
		{unix.CLONE_NEWPID, []nsenter.NamespacePath{{Type: unix.CLONE_NEWCGROUP, Path: "/c"}}, false},
	} {
		if got := stageMayCloneInto(tc.flags, tc.join); got != tc.want {
			t.Errorf("stageMayCloneInto(%#x, %v) = %v, want %v", tc.flags, tc.join, got, tc.want)
		}
	}
}
