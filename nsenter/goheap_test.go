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

// areaOf is the mapping of areas that holds addr (zero if none does).
func areaOf(areas []smapsArea, addr uintptr) smapsArea {
	for _, a := range areas {
		if a.start <= addr && addr < a.end {
			return a
		}
	}
	return smapsArea{}
}

func (a smapsArea) has(flag string) bool {
	for _, f := range a.flags {
		if f == flag {
			return true
		}
	}
	return false
}

// In a Go binary that links this package (this test's), the Go heap's
// first chunk (the 4 MiB that hold os.Args' array, made before any Go code
// ran) keeps MADV_HUGEPAGE only on blocks that got a huge page (goheap.c):
// every mapping of the chunk is either advised and all huge pages, or
// advised MADV_NOHUGEPAGE. The block the heap starts in has its huge page
// where THP gave one; the other has one only if the runtime's start spilled
// into it (~1 run in 8).
func TestGoHeapStartsInOneHugePage(t *testing.T) {
	args := uintptr(unsafe.Pointer(unsafe.SliceData(os.Args)))
	const block, chunkSize = 2 << 20, 4 << 20
	chunk := args &^ (chunkSize - 1)
	huge := 0
	areas := readSmaps(t)
	for b := chunk; b < chunk+chunkSize; b += block {
		a := areaOf(areas, b)
		switch {
		case a.end == 0:
			t.Fatalf("block %x of the heap chunk is not mapped", b)
		case a.start < chunk || a.end > chunk+chunkSize:
			t.Errorf("block %x lies in %x-%x, beyond its chunk %x: flags %v", b, a.start, a.end, chunk, a.flags)
		case a.has("hg"):
			if a.anonHugeKB*1024 != int(a.end-a.start) {
				t.Errorf("block %x (in %x-%x) is advised MADV_HUGEPAGE with %d kB in huge pages: its small pages were not given up",
					b, a.start, a.end, a.anonHugeKB)
			}
			if b <= args && args < b+block {
				huge = a.anonHugeKB
			}
		case !a.has("nh"):
			t.Errorf("block %x (in %x-%x) is neither advised for huge pages nor against them: flags %v", b, a.start, a.end, a.flags)
		}
	}
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err == nil {
		t.Logf("THP %s: the block the heap starts in is advised with %d kB in huge pages", strings.TrimSpace(string(b)), huge)
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
	args := uintptr(unsafe.Pointer(unsafe.SliceData(os.Args)))
	thp := areaOf(readSmaps(t), args).anonHugeKB > 0
	HeapInHugePages()
	// 12 MiB of small objects: the heap must map new chunks.
	keep := make([]*[48]byte, 0, 1<<18)
	for i := 0; i < 1<<18; i++ {
		keep = append(keep, new([48]byte))
	}
	areas := readSmaps(t)
	for i := 0; i < len(keep); i += 4096 {
		p := uintptr(unsafe.Pointer(keep[i]))
		if a := areaOf(areas, p); a.has("hg") != thp {
			t.Fatalf("object %d at %x: its mapping %x-%x has flags %v; THP at the start: %v",
				i, p, a.start, a.end, a.flags, thp)
		}
	}
	t.Logf("THP at the start: %v", thp)
}
