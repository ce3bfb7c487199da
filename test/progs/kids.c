/*
 * kids.c - for memprof run's -C and -M tests at scale: a parent with many
 * children, or with one that lives only briefly.
 *
 *     kids N HOLD_MS [DELAY_MS]
 *
 * The parent waits DELAY_MS (0), then forks N children.  Child i (from 0)
 * touches i % 4 + 1 MiB, prints "pid <pid> <MiB touched>" on stdout (one
 * write), sleeps HOLD_MS and exits; the parent reaps them all, prints
 * "done" and exits.  Every process ends with _exit(2), so no other
 * process ever shows (see forker.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *volatile keep;

/* sleep_ms() - nanosleep for ms milliseconds. */
static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* child() - child i's life: touch its MiB, say who it is, hold, leave. */
static void child(int i, long hold)
{
    size_t mib = (size_t)(i % 4 + 1);
    keep = malloc(mib << 20);
    if (keep == NULL)
        _exit(1);
    memset(keep, 1, mib << 20);
    dprintf(1, "pid %ld %zu\n", (long)getpid(), mib);
    sleep_ms(hold);
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: kids N HOLD_MS [DELAY_MS]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    long hold = atol(argv[2]);
    long delay = argc > 3 ? atol(argv[3]) : 0;
    sleep_ms(delay);
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            _exit(1);
        if (pid == 0)
            child(i, hold);
    }
    int ok = 1;
    int st;
    pid_t w;
    while ((w = wait(&st)) > 0)
        ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    dprintf(1, "done\n");
    _exit(ok ? 0 : 1);
}
