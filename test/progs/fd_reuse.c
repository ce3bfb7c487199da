/*
 * fd_reuse.c - a daemon-style program: after its first profiled call it
 * closes every descriptor from 3 up (close_range), opens its data file
 * (argv[1]) eight times, so that it holds the numbers the library held,
 * writes one line that reads like statm into it, and profiles on.  On
 * stdout: its VmRSS at the end, in kB.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memprof.h>

static char *volatile keep; /* volatile: the store stays, LSan sees it */
static char *volatile tmp;

static char *fill(char *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    return p;
}

void before(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep = fill(malloc(8u << 20), 8u << 20));
}

void after(void)
{
    MP_PROFILE_FUNC();
    MP_TIMESTAMP("block") {
        MP_LINE(tmp = fill(malloc(16u << 20), 16u << 20));
        MP_LINE(free(tmp));
    }
}

/* close_from() - close every descriptor from lo up. */
static void close_from(int lo)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lo, ~0U, 0) == 0)
        return;
#endif
    for (int fd = lo; fd < 65536; fd++)
        close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    before();
    close_from(3);
    int fd = -1;
    for (int i = 0; i < 8; i++) {
        int f = open(argv[1], O_RDWR | O_CREAT | O_APPEND, 0600);
        if (f < 0)
            return 1;
        if (fd < 0)
            fd = f;
    }
    static const char line[] = "900000 888888 1 1 0 1 0\n";
    if (write(fd, line, sizeof line - 1) != (ssize_t)(sizeof line - 1))
        return 1;
    for (int i = 0; i < 3; i++)
        after();
    FILE *st = fopen("/proc/self/status", "r");
    char buf[256];
    while (st != NULL && fgets(buf, sizeof buf, st) != NULL)
        if (strncmp(buf, "VmRSS:", 6) == 0)
            fputs(buf + 6, stdout);
    return 0;
}
