/*
 * loop.c - nested loops: Occurrences counts every pass (1, n, n * m), and
 * Increment is the real growth over all passes.
 *
 * memory_profiler compares each reading with the largest reading of the
 * line before, so inside a loop its Increment column is wrong; here every
 * pass adds what it really added, and the column sums to the last reading.
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define OUTER 10
#define INNER 5

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

char **grow(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char **keep = calloc(OUTER * (INNER + 1), sizeof *keep));
    for (int i = 0; i < OUTER; i++) {
        MP_LINE(keep[i] = fill(malloc(4000000), 4000000));
        for (int j = 0; j < INNER; j++) {
            MP_LINE(keep[OUTER + i * INNER + j] = fill(malloc(1000000),
                                                       1000000));
        }
    }
    MP_RETURN(keep);
}

int main(void)
{
    char **keep = grow();
    for (int i = 0; i < OUTER * (INNER + 1); i++)
        free(keep[i]);
    free(keep);
    return 0;
}
