/*
 * basic.c - memory_profiler's classic example, in C.
 *
 * The Python original keeps a list of 10**6 items (7.6 MiB) and makes and
 * deletes one of 2 * 10**7 (152.6 MiB).  Here: 8 MB kept, 160 MB touched
 * and freed.
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

/*
 * Memory that is allocated but never read can be deleted by the compiler,
 * so fill() touches every byte and lets the block escape through a volatile
 * pointer.
 */
static void *volatile escape;

static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

int *my_func(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(int *a = fill(malloc(8000000), 8000000));
    MP_LINE(int *b = fill(malloc(160000000), 160000000));

    MP_LINE(free(b));
    MP_RETURN(a);
}

int main(void)
{
    int *a = my_func();
    free(a);
    return 0;
}
