/*
 * latin1.c - a source kept in Latin-1 (ISO 8859-1), as older code bases
 * keep theirs: line 16 has a comment whose é is the one byte 0xE9, not
 * UTF-8.  The JSON report must stay valid JSON (MEMPROF_FORMAT=json).
 */
#include <stdlib.h>

#include <memprof.h>

static void *volatile keep;

int main(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep = malloc(100));
    MP_LINE(free((void *)keep)); /* libéré */
    return 0;
}
