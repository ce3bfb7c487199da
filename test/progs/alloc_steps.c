/*
 * alloc_steps.c - for memprof run's tests: allocates and touches MIB MiB
 * in STEPS equal steps, sleeping STEP_MS after each, holds it all for
 * HOLD_MS, then prints its own peak resident set (VmHWM of
 * /proc/self/status) as "hwm_mib <MiB>" on stdout.
 *
 *     alloc_steps [MIB [STEPS [STEP_MS [HOLD_MS]]]]   (100 5 50 300)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The blocks escape through here, so that -O2 keeps them. */
static char *volatile keep[1024];

/* sleep_ms() - nanosleep for ms milliseconds. */
static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* hwm_mib() - VmHWM of this process, in MiB, or -1. */
static double hwm_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %lf kB", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 100;
    long steps = argc > 2 ? atol(argv[2]) : 5;
    long step_ms = argc > 3 ? atol(argv[3]) : 50;
    long hold_ms = argc > 4 ? atol(argv[4]) : 300;
    if (steps < 1 || steps > 1024 || mib < 0)
        return 2;
    size_t each = ((size_t)mib << 20) / (size_t)steps;
    for (long i = 0; i < steps; i++) {
        keep[i] = malloc(each);
        if (keep[i] == NULL)
            return 1;
        memset(keep[i], 1 + (int)i, each);
        sleep_ms(step_ms);
    }
    sleep_ms(hold_ms);
    printf("hwm_mib %.3f\n", hwm_mib());
    return 0;
}
