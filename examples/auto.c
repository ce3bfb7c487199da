/*
 * auto.c - basic.c's my_func and loop.c's grow and churn without a single
 * MP_LINE: built with memprof cc, every line of a function that starts
 * with MP_PROFILE_FUNC() records, as Python's @profile gives every line.
 *
 *     memprof cc cc -O2 examples/auto.c -o auto && ./auto
 *
 * Built as a plain program it runs the same and shows only the entry rows.
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

int *my_func(void)
{
    MP_PROFILE_FUNC();
    int *a = fill(malloc(8000000), 8000000);
    int *b = fill(malloc(160000000), 160000000);

    free(b);
    return a;
}

/* Laid out line for line as loop.c's grow(), to compare their tables. */
/* clang-format off */
char **grow(void)
{
    MP_PROFILE_FUNC();
    char **keep = calloc(OUTER * (INNER + 1), sizeof *keep);
    for (int i = 0; i < OUTER; i++) {
        keep[i] = fill(malloc(4000000), 4000000);
        for (int j = 0; j < INNER; j++) {
            keep[OUTER + i * INNER + j] =
                        fill(malloc(1000000), 1000000);
        }
    }
    return keep;
}
/* clang-format on */

/*
 * churn() - make and free a block on each pass.  Blocks over 32 MiB always
 * get their own mapping from glibc's malloc, so free gives them back.
 */
void churn(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < 5; i++) {
        char *tmp = fill(malloc(40000000), 40000000);
        free(tmp);
    }
}

int main(void)
{
    int *a = my_func();
    char **keep = grow();
    churn();
    for (int i = 0; i < OUTER * (INNER + 1); i++)
        free(keep[i]);
    free(keep);
    free(a);
    return 0;
}
