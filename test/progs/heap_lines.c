/*
 * heap_lines.c - for the heap backend's tests: one profiled function
 * whose lines allocate and free known sizes, for the table with
 * MEMPROF_BACKEND=heap.  Built twice: plain (the count comes from the
 * preload object, LD_PRELOAD) and linked with the heap archive.
 */
#include <stdlib.h>

#include <memprof.h>

/* The blocks escape through here, so that -O2 keeps every call. */
static void *volatile keep[4];

static void work(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep[0] = malloc(1000));
    MP_LINE(keep[1] = calloc(10, 100));
    MP_LINE(keep[0] = realloc(keep[0], 3000));
    MP_LINE(keep[2] = aligned_alloc(64, 640));
    MP_LINE(free(keep[1]));
    MP_LINE(free(keep[0]));
    MP_LINE(free(keep[2]));
    MP_RETURN_VOID();
}

int main(void)
{
    work();
    return 0;
}
