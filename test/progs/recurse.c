/*
 * recurse.c - a recursion DEPTH deep (argv[1]) whose every level keeps a
 * 1000-byte block: the table of rec() must show the growth once, not once
 * per level above it.  Linked with the heap archive, so that with
 * MEMPROF_BACKEND=heap the growth is exact.
 */
#include <stdlib.h>

#include <memprof.h>

static char **keep;

static void rec(int n)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep[n] = malloc(1000));
    if (n > 0) {
        MP_LINE(rec(n - 1));
    }
    MP_RETURN_VOID();
}

int main(int argc, char **argv)
{
    int depth = argc > 1 ? atoi(argv[1]) : 100;
    keep = calloc((size_t)depth + 1, sizeof *keep);
    if (keep == NULL)
        return 1;
    rec(depth);
    for (int i = 0; i <= depth; i++)
        free(keep[i]);
    free(keep);
    return 0;
}
