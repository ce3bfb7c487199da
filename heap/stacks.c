/*
 * stacks.c - MEMPROF_LEAKS: the call stack of each block made, and the
 * counts of each stack.  (Not yet: stacks are not kept, and the dump has
 * no sites.)
 */
#include "heap.h"

/* mp__heap_leaks_start() - see heap.h. */
MP__HEAP_API int mp__heap_leaks_start(void)
{
    return -1;
}

/* mp__heap_sites_visit() - see heap.h. */
MP__HEAP_FN void
mp__heap_sites_visit(void (*fn)(const mp__heap_site *s, void *arg), void *arg)
{
    (void)fn;
    (void)arg;
}
