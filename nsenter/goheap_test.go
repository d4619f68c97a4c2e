package nsenter

import (
	"os"
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
