// Unit test of goheap.c, linked with mmap wrapped as in berth. It maps
// memory the way the Go runtime maps its heap: a reservation, then a 4 MiB
// chunk over it, read-write and fixed. Once armed, the first such chunk is
// advised MADV_HUGEPAGE whole, and nothing else is: not a mapping of another
// kind, not a second chunk. After a touch in its upper block (the heap's
// random start), go_heap_keep_touched_huge_page leaves the block that got a
// huge page advised and advises the rest MADV_NOHUGEPAGE (where the kernel
// gave small pages, every block). Built and run by `make unit`.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../goheap.h"

#define MiB (1UL << 20)

static int failures;

static void expect(const char *what, long got, long want)
{
	if (got != want) {
		fprintf(stderr, "FAIL: %s is %ld, want %ld\n", what, got, want);
		failures++;
	}
}

struct area {
	uintptr_t start, end;
	int hg, nh;
	long anon_huge_kb;
};

// area_of reads the VmFlags and AnonHugePages of the mapping holding addr.
static struct area area_of(uintptr_t addr)
{
	struct area a = {0, 0, 0, 0, -1};
	char line[512];
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (f == NULL) {
		perror("/proc/self/smaps");
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		char c;
		// Only a mapping's first line starts with "<hex>-<hex> ".
		if (sscanf(line, "%lx-%lx %c", &lo, &hi, &c) == 3) {
			in = lo <= addr && addr < hi;
			if (in) {
				a.start = lo;
				a.end = hi;
			}
			continue;
		}
		if (!in)
			continue;
		if (strncmp(line, "AnonHugePages:", 14) == 0)
			a.anon_huge_kb = atol(line + 14);
		if (strncmp(line, "VmFlags:", 8) == 0) {
			a.hg = strstr(line, " hg") != NULL;
			a.nh = strstr(line, " nh") != NULL;
		}
	}
	fclose(f);
	return a;
}

// heap_like_chunk maps 4 MiB read-write over a 4 MiB-aligned part of a
// fresh reservation, as the runtime's sysReserve and sysMap do.
static char *heap_like_chunk(void)
{
	char *r = mmap(NULL, 12 * MiB, PROT_NONE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (r == MAP_FAILED) {
		perror("mmap reservation");
		exit(1);
	}
	uintptr_t c = ((uintptr_t)r + 4 * MiB - 1) & ~(4 * MiB - 1);
	char *p = mmap((void *)c, 4 * MiB, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_FIXED | MAP_PRIVATE, -1, 0);
	if (p != (char *)c) {
		perror("mmap chunk");
		exit(1);
	}
	return p;
}

static void test_is_chunk(void)
{
	int rw = PROT_READ | PROT_WRITE, fixed = MAP_ANONYMOUS | MAP_FIXED | MAP_PRIVATE;

	expect("a 4 MiB aligned heap chunk", go_heap_is_chunk(4 * MiB, 4 * MiB, rw, fixed), 1);
	expect("a 2 MiB aligned chunk", go_heap_is_chunk(2 * MiB, 2 * MiB, rw, fixed), 1);
	expect("an unaligned address", go_heap_is_chunk(4 * MiB + 4096, 4 * MiB, rw, fixed), 0);
	expect("a length of no whole block", go_heap_is_chunk(4 * MiB, 3 * MiB, rw, fixed), 0);
	expect("less than a block", go_heap_is_chunk(4 * MiB, 64 * 1024, rw, fixed), 0);
	expect("a reservation", go_heap_is_chunk(4 * MiB, 4 * MiB, PROT_NONE, MAP_ANONYMOUS | MAP_PRIVATE), 0);
	expect("a mapping not fixed", go_heap_is_chunk(4 * MiB, 4 * MiB, rw, MAP_ANONYMOUS | MAP_PRIVATE), 0);
	expect("a shared mapping", go_heap_is_chunk(4 * MiB, 4 * MiB, rw, MAP_ANONYMOUS | MAP_FIXED | MAP_SHARED), 0);
}

int main(void)
{
	test_is_chunk();

	// Not armed (a stage, an init): nothing is advised.
	char *before = heap_like_chunk();
	expect("a chunk mapped before arming, hg", area_of((uintptr_t)before).hg, 0);

	go_heap_in_huge_page();
	// Another kind of mapping first: not advised, and it does not disarm.
	char *other = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	expect("a mapping not fixed, hg", area_of((uintptr_t)other).hg, 0);

	char *heap = heap_like_chunk();
	expect("the heap's lower block, hg", area_of((uintptr_t)heap).hg, 1);
	expect("the heap's upper block, hg", area_of((uintptr_t)heap + 2 * MiB).hg, 1);
	char *second = heap_like_chunk();
	expect("a second chunk, hg", area_of((uintptr_t)second).hg, 0);

	// The heap starts at a page in the upper block.
	memset(heap + 2 * MiB + 100 * 4096, 1, 4096);
	long huge = area_of((uintptr_t)heap + 2 * MiB).anon_huge_kb;
	go_heap_keep_touched_huge_page();

	struct area lower = area_of((uintptr_t)heap), upper = area_of((uintptr_t)heap + 2 * MiB);
	expect("the untouched lower block, nh", lower.nh, 1);
	expect("the untouched lower block, hg", lower.hg, 0);
	if (huge == 2048) {
		expect("the upper block with its huge page, hg", upper.hg, 1);
		expect("the upper block with its huge page, nh", upper.nh, 0);
	} else {
		// THP off, or no huge page free: small pages, and no collapse later.
		fprintf(stderr, "goheap_test: the touched block got no huge page (%ld kB): checking the fallback\n", huge);
		expect("the upper block of small pages, nh", upper.nh, 1);
	}
	// Once is all: the next chunk stays as it is mapped.
	char *third = heap_like_chunk();
	struct area t = area_of((uintptr_t)third);
	expect("a chunk mapped later, hg", t.hg, 0);
	expect("a chunk mapped later, nh", t.nh, 0);

	// The heap spills into the lower block in small pages; then a command
	// asks for the whole heap in huge pages.
	for (int i = 0; i < 40; i++)
		heap[i * 3 * 4096] = 1;
	expect("the lower block before, in huge pages (kB)", area_of((uintptr_t)heap).anon_huge_kb, 0);
	go_heap_all_in_huge_pages();
	char *fourth = heap_like_chunk();
	lower = area_of((uintptr_t)heap);
	if (huge == 2048) {
		expect("the lower block after, hg", lower.hg, 1);
		expect("the lower block after, nh", lower.nh, 0);
		// One mapping again, the chunk, both blocks in huge pages.
		expect("the heap chunk's mapping, one again", lower.end - lower.start, 4 * MiB);
		expect("the heap chunk after, collapsed (kB)", lower.anon_huge_kb, 4096);
		for (int i = 0; i < 40; i++)
			expect("a byte written before the collapse", heap[i * 3 * 4096], 1);
		expect("the chunk mapped before the call, hg", area_of((uintptr_t)second).hg, 1);
		expect("the chunk mapped after the call, hg", area_of((uintptr_t)fourth).hg, 1);
	} else {
		// No huge page at the start: THP is off, nothing is asked.
		expect("the lower block after, with THP off, hg", lower.hg, 0);
		expect("the chunk mapped after the call, with THP off, hg", area_of((uintptr_t)fourth).hg, 0);
	}
	// A mapping of another kind stays as it is, even then.
	char *last = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	expect("a mapping not fixed, after the call, hg", area_of((uintptr_t)last).hg, 0);
	(void)before;

	if (failures > 0)
		return 1;
	printf("goheap_test: ok\n");
	return 0;
}
