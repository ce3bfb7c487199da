/*
 * nested.c - test/python/nested.py in C: a profiled function whose line
 * calls another, which makes and touches 50 MB (check_outside.c, side by
 * side with memory_profiler).
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static void *volatile escape;

static char *inner(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *a = malloc(50000000); memset(a, 1, 50000000); escape = a);
    MP_RETURN(a);
}

static int outer(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(int x = 1);
    MP_LINE(char *b = inner());
    MP_LINE(free(b));
    MP_RETURN(x);
}

int main(void)
{
    return outer() == 1 ? 0 : 1;
}
