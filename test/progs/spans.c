/*
 * spans.c - five profiled calls, each with an MP_TIMESTAMP block whose
 * label is argv[1] (or "block"): ten FUNC lines under MEMPROF_DAT.
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static char *keep[5];

void step(int i, const char *label)
{
    MP_PROFILE_FUNC();
    MP_TIMESTAMP(label) {
        MP_LINE(keep[i] = malloc(1u << 20));
        MP_LINE(memset(keep[i], 1, 1u << 20));
    }
}

int main(int argc, char **argv)
{
    const char *label = argc > 1 ? argv[1] : "block";
    for (int i = 0; i < 5; i++)
        step(i, label);
    return 0;
}
