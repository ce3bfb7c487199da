/*
 * loop.c - nested loops: Occurrences counts every pass (1, n, n * m), and
 * Increment is the real growth over all passes.
 *
 * Every pass adds what it really added, and the column sums to the last
 * reading.  memory_profiler compares each reading with the largest
 * reading of the line before, which is right when the passes are alike,
 * as churn()'s are (Python shows the same +190.7 and -190.7 MiB); shrink.c
 * shows where it is wrong.
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
            MP_LINE(keep[OUTER + i * INNER + j] =
                        fill(malloc(1000000), 1000000));
        }
    }
    MP_RETURN(keep);
}

/*
 * churn() - make and free a block on each pass.  Blocks over 32 MiB always
 * get their own mapping from glibc's malloc, so free gives them back.
 */
void churn(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < 5; i++) {
        MP_LINE(char *tmp = fill(malloc(40000000), 40000000));
        MP_LINE(free(tmp));
    }
}

int main(void)
{
    char **keep = grow();
    churn();
    for (int i = 0; i < OUTER * (INNER + 1); i++)
        free(keep[i]);
    free(keep);
    return 0;
}
