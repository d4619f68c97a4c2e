package nsenter

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// In a Go binary that links this package (this test's), the one thread
// with 10 ms of timer slack must be the runtime's monitor, sysmon: the thread
// that sits in nanosleep(2) (syscall 35 on amd64) while the process is busy
// (sampling /proc is busy enough). Every other thread keeps the slack the
// process started with, which the main thread still has. A Go release that
// started another thread before sysmon would fail this.
func TestOnlySysmonGetsTimerSlack(t *testing.T) {
	slackOf := func(tid string) string {
		b, err := os.ReadFile("/proc/" + tid + "/timerslack_ns")
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	pid := strconv.Itoa(os.Getpid())
	caller := slackOf(pid)
	inNanosleep := map[string]int{}
	var tids []string
	for i := 0; i < 2000; i++ {
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			t.Fatal(err)
		}
		tids = tids[:0]
		for _, e := range ents {
			tids = append(tids, e.Name())
			b, err := os.ReadFile("/proc/self/task/" + e.Name() + "/syscall")
			if err == nil && strings.HasPrefix(string(b), "35 ") {
				inNanosleep[e.Name()]++
			}
		}
	}
	sysmon, n := "", 0
	for tid, c := range inNanosleep {
		if c > n {
			sysmon, n = tid, c
		}
	}
	if n < 100 {
		t.Fatalf("no thread was seen in nanosleep in 100 or more of 2000 samples: %v", inNanosleep)
	}
	for _, tid := range tids {
		want := caller
		if tid == sysmon {
			want = "10000000"
		}
		if got := slackOf(tid); got != want {
			t.Errorf("thread %s (sysmon %s, main %s): timer slack %s, want %s", tid, sysmon, pid, got, want)
		}
	}
}

// The runtime started with one P (goruntime.c) and no thread kept the pin
// that made it so: every thread may run on the CPUs that the process that
// started this test (go test) may run on.
func TestGoRuntimeStartedWithOneP(t *testing.T) {
	cpusOf := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
				return strings.TrimSpace(v)
			}
		}
		t.Fatalf("%s: no Cpus_allowed_list", path)
		return ""
	}
	want := cpusOf("/proc/" + strconv.Itoa(os.Getppid()) + "/status")
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if got := cpusOf("/proc/self/task/" + e.Name() + "/status"); got != want {
			t.Errorf("thread %s may run on CPUs %s, want the caller's %s", e.Name(), got, want)
		}
	}
	// The pin is taken when the process may run on every possible CPU.
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if n := set.Count(); n >= 2 && n == possibleCPUs(t) && runtime.NumCPU() != 1 {
		t.Errorf("the runtime started with %d Ps, want 1", runtime.NumCPU())
	}
}

// possibleCPUs counts the CPUs in /sys/devices/system/cpu/possible ("0-3,8").
func possibleCPUs(t *testing.T) int {
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, found := strings.Cut(r, "-")
		a, err1 := strconv.Atoi(lo)
		z, err2 := a, error(nil)
		if found {
			z, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("/sys/devices/system/cpu/possible: %q", b)
		}
		n += z - a + 1
	}
	return n
}
