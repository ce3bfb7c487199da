/*
 * memit.c - memory measured from inside a program, as IPython's %memit
 * and memory_profiler's memory_usage() do it.
 *
 * MP_MEMIT runs a statement that allocates and touches 160 MB, then frees
 * them, and prints on stderr the peak it reached (the kernel's high-water
 * mark catches it although nothing is left at the end) and the increment,
 * peak minus the memory before, as %memit does.  Then
 * mp_memory_usage_call() samples grow(), which takes 20 MB at a time, and
 * the readings and the peak are printed on stdout.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <memprof.h>

static void *volatile escape;

/*
 * memset through a volatile pointer: the compiler cannot tell what is
 * called, so it keeps the writes to a block that is freed right after.
 */
static void *(*volatile set)(void *, int, size_t) = memset;

/* fill() - touch every byte of p, so that it is resident; let it escape. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        set(p, 1, n);
    escape = p;
    return p;
}

/* grow() - take five blocks of 20 MB, 0.1 s apart, then free them. */
static void *grow(void *arg)
{
    struct timespec pause = {0, 100000000L};
    void *blocks[5];
    size_t n = *(size_t *)arg;
    for (int i = 0; i < 5; i++) {
        blocks[i] = fill(malloc(n), n);
        nanosleep(&pause, NULL);
    }
    for (int i = 0; i < 5; i++)
        free(blocks[i]);
    return blocks[4];
}

int main(void)
{
    MP_MEMIT(char *p = fill(malloc(160000000), 160000000); free(p));

    size_t n = 20000000;
    void *ret;
    mp_samples s;
    int rc = mp_memory_usage_call(grow, &n, 0.05, &ret, &s);
    if (rc != 0) {
        fprintf(stderr, "memit: %s\n", mp_strerror(rc));
        return 1;
    }
    for (size_t i = 0; i < s.n; i++)
        printf("%6.3f s %8.1f MiB\n", s.t[i], s.mib[i]);
    printf("peak: %.1f MiB, %zu readings\n", s.peak_mib, s.n);
    mp_samples_free(&s);
    return 0;
}
