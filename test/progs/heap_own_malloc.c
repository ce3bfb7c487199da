/*
 * heap_own_malloc.c - for the heap backend's tests: a program with a
 * malloc of its own (as one statically linked with another allocator),
 * which a preloaded malloc cannot displace.  Run with the preload object
 * and MEMPROF_BACKEND=heap, it must fall back to rss with the usual line
 * rather than show a count that sees nothing.
 */
#include <stddef.h>

#include <memprof.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

void *malloc(size_t n)
{
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

/* The block escapes through here, so that -O2 keeps the call. */
static void *volatile keep;

int main(void)
{
    MP_LINE(keep = malloc(1000));
    MP_LINE(free(keep));
    return 0;
}
