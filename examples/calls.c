/*
 * calls.c - one profiled function called several times, and a recursive
 * one: each function's table counts every call.
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define DEPTH 4

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

char *chunk(size_t mb)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = fill(malloc(mb * 1000000), mb * 1000000));
    MP_RETURN(p);
}

void nest(int depth, char **keep)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep[depth] = chunk(2));
    if (depth > 0) {
        MP_LINE(nest(depth - 1, keep));
    }
    MP_RETURN_VOID();
}

int main(void)
{
    char *direct[3];
    char *nested[DEPTH];
    for (int i = 0; i < 3; i++)
        direct[i] = chunk(8);
    nest(DEPTH - 1, nested);
    for (int i = 0; i < 3; i++)
        free(direct[i]);
    for (int i = 0; i < DEPTH; i++)
        free(nested[i]);
    return 0;
}
