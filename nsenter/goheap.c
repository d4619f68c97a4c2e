/*
 * The Go heap of the berth CLI in one transparent huge page.
 *
 * A berth command touches ~180 pages of Go heap (~730 KB spread over ~1 MB:
 * the allocator gives each size class its own span), each a page fault of
 * its own. Where a page fault is dear (in a VM whose hypervisor traps page
 * table updates, such as the one this project is measured on, where one
 * costs 20-35 us when the host is busy) those faults were a fifth of a
 * `berth run`'s CPU. The 2 MiB block the heap starts in, in one huge page,
 * is one fault; zeroing it costs about what ~180 small faults cost on a
 * host where faults are cheap.
 *
 * The runtime maps the heap (its first 4 MiB chunk, reserved then mapped
 * with MAP_FIXED) before any Go code runs, through cgo's mmap (the link
 * wraps mmap: bootstrap.go). The first such mapping gets MADV_HUGEPAGE,
 * before its first touch. The heap then starts at a random page of the
 * chunk (Go 1.26's heap base randomization), so the other 2 MiB block may
 * get a huge page too, for the few pages the heap spills into it: at the
 * runtime's first pthread_create (goruntime.c), once the runtime's own start
 * has touched its block, every block of the chunk without a huge page is
 * advised MADV_NOHUGEPAGE. Peak RSS: one huge page instead of ~0.7 MiB of
 * small pages. With THP "never" nothing changes; with THP "madvise" (Debian's
 * default) the kernel may compact memory to find the page, as for any
 * program that asks.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "goheap.h"

#define HUGE_PAGE (2UL << 20)

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

enum { HEAP_OFF, HEAP_ARMED, HEAP_ADVISED };

static int heap_state = HEAP_OFF;
static uintptr_t heap_chunk, heap_chunk_end;

void go_heap_in_huge_page(void)
{
	heap_state = HEAP_ARMED;
}

// go_heap_is_chunk tells a mapping of Go's heap (sysMapOS: read-write,
// anonymous, fixed, over its reservation) of whole 2 MiB blocks.
int go_heap_is_chunk(uintptr_t addr, size_t len, int prot, int flags)
{
	return prot == (PROT_READ | PROT_WRITE) &&
	       flags == (MAP_ANONYMOUS | MAP_FIXED | MAP_PRIVATE) &&
	       len >= HUGE_PAGE && addr % HUGE_PAGE == 0 && len % HUGE_PAGE == 0;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = __real_mmap(addr, len, prot, flags, fd, off);

	if (heap_state == HEAP_ARMED && p != MAP_FAILED &&
	    go_heap_is_chunk((uintptr_t)p, len, prot, flags) &&
	    madvise(p, len, MADV_HUGEPAGE) == 0) {
		heap_chunk = (uintptr_t)p;
		heap_chunk_end = heap_chunk + len;
		heap_state = HEAP_ADVISED;
	}
	return p;
}

void go_heap_keep_touched_huge_page(void)
{
	if (heap_state != HEAP_ADVISED)
		return;
	heap_state = HEAP_OFF;
	for (uintptr_t b = heap_chunk; b < heap_chunk_end; b += HUGE_PAGE) {
		unsigned char resident = 0;
		// A block that got its huge page has its first page resident.
		// Any other gets small pages from now on: the one the heap
		// spills into, or one the kernel filled with small pages (so
		// that khugepaged leaves a long-lived berth's RSS alone).
		if (mincore((void *)b, 1, &resident) == 0 && (resident & 1))
			continue;
		madvise((void *)b, HUGE_PAGE, MADV_NOHUGEPAGE);
	}
}
