package devices

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// testCgroup2 makes a cgroup under the caller's own cgroup in the cgroup2
// hierarchy (the unified one on a hybrid host) and removes it at the end.
func testCgroup2(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("attaching device programs needs root")
	}
	mounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("cgroup2"))
	if err != nil || len(mounts) == 0 {
		t.Skipf("no cgroup2 hierarchy mounted (%v)", err)
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	own := ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			own = p
		}
	}
	dir := filepath.Join(mounts[0].Mountpoint, own, fmt.Sprintf("berth-test-devices-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot create a test cgroup in the cgroup2 hierarchy: %v", err)
	}
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if err := unix.Rmdir(dir); err == nil || err == unix.ENOENT {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Errorf("could not remove %s", dir)
	})
	return dir
}

// inCgroup runs a shell command with CLONE_INTO_CGROUP into dir.
func inCgroup(t *testing.T, dir, cmd string) error {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	c := exec.Command("/bin/sh", "-c", cmd)
	c.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	out, err := c.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func attached(t *testing.T, dir string) []ebpf.ProgramID {
	fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	res, err := link.QueryPrograms(link.QueryOptions{Target: fd, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		t.Fatal(err)
	}
	var ids []ebpf.ProgramID
	for _, p := range res.Programs {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestSetV2OnHost attaches real device programs to a cgroup2 cgroup (on
// this hybrid host, in the unified hierarchy, where BPF device filters are
// enforced too) and checks what a process inside may open.
func TestSetV2OnHost(t *testing.T) {
	dir := testCgroup2(t)

	// Only /dev/null, read-write.
	rules := []Rule{denyAll(), rule("c 1:3 rw", true)}
	if err := SetV2(dir, rules); err != nil {
		t.Fatal(err)
	}
	first := attached(t, dir)
	if len(first) != 1 {
		t.Fatalf("%d programs attached, want 1", len(first))
	}
	if err := inCgroup(t, dir, "echo x > /dev/null"); err != nil {
		t.Errorf("writing /dev/null must be allowed: %v", err)
	}
	if err := inCgroup(t, dir, "head -c1 /dev/zero >/dev/null"); err == nil {
		t.Error("reading /dev/zero must be denied")
	}

	// Same rules again: nothing is reloaded.
	if err := SetV2(dir, rules); err != nil {
		t.Fatal(err)
	}
	if again := attached(t, dir); len(again) != 1 || again[0] != first[0] {
		t.Errorf("re-applying the same rules replaced the program: %v -> %v", first, again)
	}

	// New rules replace the program (attach new, detach old).
	if err := SetV2(dir, append([]Rule{denyAll()}, DefaultRules(nil)...)); err != nil {
		t.Fatal(err)
	}
	if now := attached(t, dir); len(now) != 1 || now[0] == first[0] {
		t.Errorf("programs after update: %v (before %v)", now, first)
	}
	if err := inCgroup(t, dir, "head -c1 /dev/zero >/dev/null"); err != nil {
		t.Errorf("/dev/zero is a default device: %v", err)
	}

	// Allow-all but writes to /dev/null: an O_RDWR open asks for both
	// bits and is refused, as on v1 (partial match of deny exceptions).
	if err := SetV2(dir, []Rule{allowAll(), rule("c 1:3 w", false)}); err != nil {
		t.Fatal(err)
	}
	if err := inCgroup(t, dir, "cat /dev/null"); err != nil {
		t.Errorf("reading /dev/null must be allowed: %v", err)
	}
	if err := inCgroup(t, dir, "exec 3<>/dev/null"); err == nil {
		t.Error("opening /dev/null read-write must be denied")
	}

	// Allow-all detaches everything.
	if err := SetV2(dir, []Rule{allowAll()}); err != nil {
		t.Fatal(err)
	}
	if now := attached(t, dir); len(now) != 0 {
		t.Errorf("allow-all left programs attached: %v", now)
	}
}
