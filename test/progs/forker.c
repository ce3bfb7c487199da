/*
 * forker.c - for memprof run's -C and -M tests: a process tree.  The
 * parent forks two children that each touch 20 MiB; the first child forks
 * a grandchild that touches 10 MiB.  Each process, once its memory is
 * touched, prints "pid <pid> <role> <resident MiB>" on stdout (one write),
 * then everyone sleeps HOLD_MS (600) and the parents reap their children.
 * Every process ends with _exit(2), so no other process ever shows.
 *
 *     forker [HOLD_MS]
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

/* rss_mib() - VmRSS of this process, in MiB, or -1. */
static double rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

/* touch() - keep mib MiB touched, then say who we are. */
static void touch(size_t mib, const char *role)
{
    if (mib > 0) {
        keep = malloc(mib << 20);
        if (keep == NULL)
            exit(1);
        memset(keep, 1, mib << 20);
    }
    dprintf(1, "pid %ld %s %.3f\n", (long)getpid(), role, rss_mib());
}

int main(int argc, char **argv)
{
    long hold = argc > 1 ? atol(argv[1]) : 600;
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            return 1;
        if (kids[i] > 0)
            continue;
        pid_t grand = -1;
        if (i == 0) {
            grand = fork();
            if (grand == 0) {
                touch(10, "grandchild");
                sleep_ms(hold);
                _exit(0);
            }
        }
        touch(20, "child");
        sleep_ms(hold);
        if (grand > 0)
            waitpid(grand, NULL, 0);
        _exit(0);
    }
    touch(0, "parent");
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        int st = 0;
        waitpid(kids[i], &st, 0);
        ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    /* _exit: under ASan, the leak check at exit would run in a process of
     * its own, one more descendant for -M to see. */
    _exit(ok ? 0 : 1);
}
