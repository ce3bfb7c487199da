/*
 * shrink.c - a loop whose blocks get smaller: 200, 160, 120, 80 and 40 MB
 * made, touched and freed, as test/python/shrink.py does in Python with
 * bytearray(i * 40 * 10**6) for i = 5..1.
 *
 * memory_profiler counts each occurrence of a line from the largest
 * reading the line before it ever took, so its "del tmp" row counts every
 * pass from the 200 MB pass: 5 x -190.7 = -953.7 MiB, where 572.2 MiB
 * were freed.  Here each pass counts from the reading just before it:
 * the free row is -572.2 MiB, the sum of what the passes freed.  (Blocks
 * over 32 MiB always get their own mapping from glibc's malloc, so free
 * gives them back at once, as Python's does.)
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

void shrink(void)
{
    MP_PROFILE_FUNC();
    for (size_t i = 5; i >= 1; i--) {
        MP_LINE(char *tmp = fill(malloc(i * 40000000), i * 40000000));
        MP_LINE(free(tmp));
    }
}

int main(void)
{
    shrink();
    return 0;
}
