/*
 * stopped.c - a program stopped by a signal while it runs a profiled loop:
 *
 *     stopped loop   keeps 8 MB, loops until killed, and prints "ready"
 *                    once its loop line has recorded 10 times
 *     stopped own    the same with its own SIGINT handler (set before the
 *                    library's first use), which exits with status 3
 *     stopped spin   a loop of nothing but MP_LINE, so that the signal
 *                    comes inside the library's hot path
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

static void *volatile escape;
static volatile long turns;

static volatile sig_atomic_t stop;

/* on_int() - the program's own handler: the loop then exits with 3. */
static void on_int(int sig)
{
    (void)sig;
    stop = 1;
}

static void spin(void)
{
    MP_PROFILE_FUNC();
    for (;;) {
        MP_LINE(turns++);
        if (turns == 10) {
            printf("ready\n");
            fflush(stdout);
        }
    }
}

static void serve(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = malloc(8u << 20));
    MP_LINE(memset(p, 1, 8u << 20));
    MP_LINE(escape = p);
    for (;;) {
        MP_LINE(usleep(1000));
        if (++turns == 10) {
            printf("ready\n");
            fflush(stdout);
        }
        if (stop)
            exit(3);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (strcmp(argv[1], "own") == 0)
        signal(SIGINT, on_int);
    if (strcmp(argv[1], "spin") == 0)
        spin();
    serve();
    return 0;
}
