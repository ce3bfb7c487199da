/*
 * plugin.c - a profiled function in a shared object that dlclose.c loads,
 * calls and unloads before exit: its table must still print, from what the
 * library copied, not from the unmapped object.  Built as plugin.so.
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static void *volatile escape;

void plugin_work(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = malloc(8u << 20));
    MP_LINE(memset(p, 1, 8u << 20));
    MP_LINE(escape = p);
    MP_LINE(free(p));
}
