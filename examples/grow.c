/*
 * grow.c - memory over time, for memprof run (mprof's counterpart):
 *
 *     memprof run -C -M build/examples/grow
 *
 * Grows in four steps of 40 MB, forks two children that hold 30 MB each
 * for half a second, frees everything and prints the peak it held itself
 * (VmHWM) and its children's pids on stdout, so that a recording can be
 * checked against the truth.  Its profiled functions and MP_TIMESTAMP
 * blocks become FUNC lines in the recording.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <memprof.h>

#define STEPS 4
#define STEP_BYTES 40000000
#define CHILDREN 2
#define CHILD_BYTES 30000000

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

/* nap() - sleep ms milliseconds, so that a sampler sees each step. */
static void nap(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* peak_mib() - this process's peak resident set, VmHWM, in MiB. */
static double peak_mib(void)
{
    char line[256];
    double kib = 0;
    FILE *f = fopen("/proc/self/status", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtod(line + 6, NULL);
    if (f != NULL)
        fclose(f);
    return kib / 1024;
}

char *step(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = fill(malloc(STEP_BYTES), STEP_BYTES));
    MP_LINE(nap(200));
    MP_RETURN(p);
}

void child_work(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = fill(malloc(CHILD_BYTES), CHILD_BYTES));
    MP_LINE(nap(500));
    MP_LINE(free(p));
}

int main(void)
{
    char *steps[STEPS] = {NULL};
    pid_t kids[CHILDREN] = {0};

    MP_TIMESTAMP("grow") {
        for (int i = 0; i < STEPS; i++)
            steps[i] = step();
    }
    MP_TIMESTAMP("children") {
        for (int i = 0; i < CHILDREN; i++) {
            kids[i] = fork();
            if (kids[i] == 0) {
                child_work();
                _exit(0);
            }
        }
        for (int i = 0; i < CHILDREN; i++)
            waitpid(kids[i], NULL, 0);
    }
    nap(100);
    for (int i = 0; i < STEPS; i++)
        free(steps[i]);
    nap(200);
    printf("peak %.1f MiB\n", peak_mib());
    for (int i = 0; i < CHILDREN; i++)
        printf("child %ld\n", (long)kids[i]);
    return 0;
}
