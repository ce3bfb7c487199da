/*
 * backend_heap.c - the heap backend: the bytes the program asked of the
 * malloc family and has not freed, counted by the heap archive or preload
 * object when one is linked in (being written: until then, this backend
 * reports that it cannot work, and init falls back to rss).
 */
#include "internal.h"

/* heap_open() - no handle; -ENOSYS while no counter is linked in. */
static int heap_open(void)
{
    return -ENOSYS;
}

/* heap_read() - the counter's value in bytes. */
static long long heap_read(int handle)
{
    (void)handle;
    return -ENOSYS;
}

const mp__backend mp__backend_heap = {"heap", heap_open, heap_read, 0};
