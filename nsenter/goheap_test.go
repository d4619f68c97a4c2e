package nsenter

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// smapsArea is one mapping of /proc/self/smaps.
type smapsArea struct {
	start, end uintptr
	flags      []string
	anonHugeKB int
}

func readSmaps(t *testing.T) []smapsArea {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	var areas []smapsArea
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(f[0], "-"); ok && !strings.HasSuffix(f[0], ":") {
			s, err1 := strconv.ParseUint(lo, 16, 64)
			e, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				areas = append(areas, smapsArea{start: uintptr(s), end: uintptr(e)})
				continue
			}
		}
		if len(areas) == 0 {
			continue
		}
		a := &areas[len(areas)-1]
		switch f[0] {
		case "VmFlags:":
			a.flags = f[1:]
		case "AnonHugePages:":
			a.anonHugeKB, _ = strconv.Atoi(f[1])
		}
	}
	return areas
}

func (a smapsArea) has(flag string) bool {
	for _, f := range a.flags {
		if f == flag {
			return true
		}
	}
	return false
}

// In a Go binary that links this package (this test's), the 2 MiB block of
// the Go heap's first chunk where the runtime's start allocated (os.Args'
// array, made before any Go code ran, lies in it) is advised MADV_HUGEPAGE,
// on its own (goheap.c). The rest of that chunk is advised
// MADV_NOHUGEPAGE, so that the heap holds one huge page at most.
func TestGoHeapStartsInOneHugePage(t *testing.T) {
	args := uintptr(unsafe.Pointer(unsafe.SliceData(os.Args)))
	areas := readSmaps(t)
	const block = 2 << 20
	var hg smapsArea
	for _, a := range areas {
		if a.start <= args && args < a.end {
			hg = a
		}
	}
	if !hg.has("hg") {
		t.Fatalf("os.Args' array at %x is in %x-%x, flags %v: not advised MADV_HUGEPAGE", args, hg.start, hg.end, hg.flags)
	}
	if hg.end-hg.start != block || hg.start%block != 0 {
		t.Fatalf("the advised mapping %x-%x is not one aligned 2 MiB block", hg.start, hg.end)
	}
	// The other block of the heap's first 4 MiB chunk (Go maps the heap in
	// 4 MiB-aligned chunks) is advised against huge pages.
	chunk := hg.start &^ (4<<20 - 1)
	other := chunk
	if other == hg.start {
		other += block
	}
	found := false
	for _, a := range areas {
		if a.start <= other && other < a.end {
			found = true
			if !a.has("nh") || a.anonHugeKB != 0 {
				t.Errorf("the heap chunk's other block %x (in %x-%x): flags %v, %d kB in huge pages; want nh and none",
					other, a.start, a.end, a.flags, a.anonHugeKB)
			}
		}
	}
	if !found {
		t.Errorf("the heap chunk's other block %x is not mapped", other)
	}
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err == nil && !strings.Contains(string(b), "[never]") {
		t.Logf("THP %s: the heap's block holds %d kB in huge pages", strings.TrimSpace(string(b)), hg.anonHugeKB)
	}
}

// After HeapInHugePages (`list` of many containers), where the start got
// its huge page, the heap is advised MADV_HUGEPAGE wherever it grows: each
// mapping that holds objects allocated after the call, in chunks the
// runtime maps after it. In a child process: the call changes the process
// for good.
func TestHeapInHugePages(t *testing.T) {
	if os.Getenv("BERTH_TEST_HEAP_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHeapInHugePages$", "-test.v")
		cmd.Env = append(os.Environ(), "BERTH_TEST_HEAP_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestHeapInHugePages") {
			t.Fatalf("the child test failed: %v\n%s", err, out)
		}
		return
	}
	var start smapsArea
	args := uintptr(unsafe.Pointer(unsafe.SliceData(os.Args)))
	for _, a := range readSmaps(t) {
		if a.start <= args && args < a.end {
			start = a
		}
	}
	thp := start.anonHugeKB > 0
	HeapInHugePages()
	// 16 MiB of small objects: the heap must map new chunks.
	keep := make([]*[48]byte, 0, 1<<18)
	for i := 0; i < 1<<18; i++ {
		keep = append(keep, new([48]byte))
	}
	areas := readSmaps(t)
	for i := 0; i < len(keep); i += 4096 {
		p := uintptr(unsafe.Pointer(keep[i]))
		for _, a := range areas {
			if a.start <= p && p < a.end && a.has("hg") != thp {
				t.Fatalf("object %d at %x: its mapping %x-%x has flags %v; THP at the start: %v",
					i, p, a.start, a.end, a.flags, thp)
			}
		}
	}
	t.Logf("THP at the start: %v", thp)
}
