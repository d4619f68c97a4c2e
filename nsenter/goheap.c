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
 * small pages (two in ~1 run in 8, where the start itself spills over).
 * With THP "never" nothing changes; with THP "madvise" (Debian's default)
 * the kernel may compact memory to find the page, as for any program that
 * asks.
 *
 * A command whose heap grows with its input (`list` of many containers)
 * asks for the whole heap in huge pages (go_heap_all_in_huge_pages, from
 * Go): every chunk mapped so far is advised MADV_HUGEPAGE (again), a block
 * the heap already spilled into in small pages is collapsed into a huge
 * page (MADV_COLLAPSE: ~0.3-0.6 ms, against a fault for each of its
 * pages to come), and every chunk the runtime maps from then on is advised
 * too. Only where the start got its huge page: THP is on.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "goheap.h"

#define HUGE_PAGE (2UL << 20)
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 // Linux 6.1; musl's headers lack it
#endif
#define MAX_CHUNKS 64

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

// The Go CLI's heap chunks as the runtime maps them (under its heap lock,
// one at a time); the first is the one advised at start.
static int heap_cli;
static struct {
	uintptr_t start, end;
} chunks[MAX_CHUNKS];
static int nchunks;
// Set from Go (go_heap_all_in_huge_pages) while the runtime may be mapping
// a chunk on another thread: that one chunk may then miss the advice.
static int all_huge;

void go_heap_in_huge_page(void)
{
	heap_cli = 1;
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

	if (!heap_cli || p == MAP_FAILED || !go_heap_is_chunk((uintptr_t)p, len, prot, flags))
		return p;
	int n = __atomic_load_n(&nchunks, __ATOMIC_ACQUIRE);
	if (n == 0 || __atomic_load_n(&all_huge, __ATOMIC_ACQUIRE))
		madvise(p, len, MADV_HUGEPAGE);
	if (n < MAX_CHUNKS) {
		chunks[n].start = (uintptr_t)p;
		chunks[n].end = (uintptr_t)p + len;
		__atomic_store_n(&nchunks, n + 1, __ATOMIC_RELEASE);
	}
	return p;
}

// block_pages_resident counts the resident pages of the 2 MiB block at b:
// all of them where it is one huge page, -1 if it cannot tell.
static int block_pages_resident(uintptr_t b)
{
	unsigned char vec[HUGE_PAGE / 4096];
	int n = 0;

	if (mincore((void *)b, HUGE_PAGE, vec) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(vec); i++)
		n += vec[i] & 1;
	return n;
}

#define ALL_RESIDENT ((int)(HUGE_PAGE / 4096))

// got_huge_page: the runtime's start got a huge page, so THP is on.
static int got_huge_page;

void go_heap_keep_touched_huge_page(void)
{
	if (!heap_cli || nchunks == 0)
		return;
	for (uintptr_t b = chunks[0].start; b < chunks[0].end; b += HUGE_PAGE) {
		// A block that got its huge page is resident whole. Any other
		// gets small pages from now on: the one the heap spills into,
		// or one the kernel filled with small pages (so that khugepaged
		// leaves a long-lived berth's RSS alone).
		if (block_pages_resident(b) == ALL_RESIDENT) {
			got_huge_page = 1;
			continue;
		}
		madvise((void *)b, HUGE_PAGE, MADV_NOHUGEPAGE);
	}
}

void go_heap_all_in_huge_pages(void)
{
	if (!heap_cli || !got_huge_page)
		return;
	__atomic_store_n(&all_huge, 1, __ATOMIC_RELEASE);
	int n = __atomic_load_n(&nchunks, __ATOMIC_ACQUIRE);
	for (int i = 0; i < n; i++) {
		for (uintptr_t b = chunks[i].start; b < chunks[i].end; b += HUGE_PAGE) {
			int resident = block_pages_resident(b);
			if (resident == ALL_RESIDENT)
				continue;
			madvise((void *)b, HUGE_PAGE, MADV_HUGEPAGE);
			// The heap spilled into this block in small pages
			// before we were asked: one huge page for them now
			// (Linux 6.1; if it cannot, the block stays as is).
			if (resident > 0)
				madvise((void *)b, HUGE_PAGE, MADV_COLLAPSE);
		}
	}
}
