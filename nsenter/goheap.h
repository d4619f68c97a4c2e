#ifndef BERTH_GOHEAP_H
#define BERTH_GOHEAP_H

#include <stddef.h>
#include <stdint.h>

// go_heap_in_huge_page arms the mmap wrapper (goheap.c): the Go runtime's
// first heap chunk is advised MADV_HUGEPAGE. Only the Go CLI calls it, from
// the constructor.
void go_heap_in_huge_page(void);

// go_heap_keep_touched_huge_page advises MADV_NOHUGEPAGE for every 2 MiB
// block of that chunk that has no huge page yet. goruntime.c calls it at the
// runtime's first pthread_create, after the runtime's start touched the heap.
void go_heap_keep_touched_huge_page(void);

// go_heap_all_in_huge_pages advises every heap chunk mapped so far
// MADV_HUGEPAGE, collapses the blocks already in small pages, and advises
// every chunk the runtime maps from now on; nothing where the start got no
// huge page (goheap.c). Go calls it (HeapInHugePages) when a command's heap
// grows with its input.
void go_heap_all_in_huge_pages(void);

// go_heap_is_chunk: a mapping the way the runtime maps its heap, of whole
// 2 MiB blocks.
int go_heap_is_chunk(uintptr_t addr, size_t len, int prot, int flags);

#endif
