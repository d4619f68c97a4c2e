package nsenter

/*
#include "goheap.h"
*/
import "C"

// HeapInHugePages lets the whole Go heap be made of transparent huge pages
// from now on (goheap.c): for a command whose heap grows with its input,
// such as `list` of many containers, where every small page of heap is a
// page fault. The CLI otherwise keeps its heap to one huge page.
func HeapInHugePages() {
	C.go_heap_all_in_huge_pages()
}
