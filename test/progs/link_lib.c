/*
 * link_lib.c - a shared library with a profiled function, linked with
 * -lmemprof (the shared libmemprof): its table must land in the same
 * report as the program's and its plugins'.  Built as liblinklib.so.
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static void *volatile escape;

void linklib_work(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = malloc(6u << 20));
    MP_LINE(memset(p, 2, 6u << 20));
    MP_LINE(escape = p);
    MP_LINE(free(p));
}
