/*
 * bench.h - the helpers the benchmarks share: failing loudly, the clock,
 * the minimum over rounds, and timing a whole command.  Each program defines
 * BENCH_NAME (its name, for messages) before including this.
 */
#ifndef MEMPROF_BENCH_H
#define MEMPROF_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * die() - report what broke, with errno's message, and exit 1.  Only for
 * failures of the harness itself (a system call, a child that cannot run).
 */
static inline void die(const char *what)
{
    fprintf(stderr, BENCH_NAME ": %s: %s\n", what, strerror(errno));
    exit(1);
}

/* now_ns() - CLOCK_MONOTONIC in nanoseconds. */
static inline int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * min_of() - the smallest of the n values of v: noise only ever adds
 * time, so the fastest round is the closest estimate of the cost.
 */
static inline double min_of(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

/* What bench_run() leaves to the command (the rest goes to /dev/null). */
enum {
    BENCH_STDOUT = 1,  /* its standard output is this one's */
    BENCH_STDERR = 2,  /* its standard error is this one's */
    BENCH_DISABLED = 4 /* it runs with MEMPROF_DISABLE=1 */
};

/*
 * bench_run_ru() - run argv (a path, or a name found in PATH) and wait for
 * it, its outputs into /dev/null but for what flags keep; what it used
 * (wait4(2)) in *ru if ru is not NULL.  Returns the wall time from fork
 * to the end of wait in ns, or -1 if it did not exit with status 0.
 */
static inline int64_t bench_run_ru(const char *const argv[], int flags,
                                   struct rusage *ru)
{
    fflush(stdout);
    int64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null < 0)
            _exit(127);
        if (flags & BENCH_DISABLED)
            setenv("MEMPROF_DISABLE", "1", 1);
        if (!(flags & BENCH_STDOUT))
            dup2(null, STDOUT_FILENO);
        if (!(flags & BENCH_STDERR))
            dup2(null, STDERR_FILENO);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    struct rusage used;
    while (wait4(pid, &status, 0, &used) < 0)
        if (errno != EINTR)
            die("wait4");
    int64_t t = now_ns() - t0;
    if (ru != NULL)
        *ru = used;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

/* bench_run() - bench_run_ru() without the resources. */
static inline int64_t bench_run(const char *const argv[], int flags)
{
    return bench_run_ru(argv, flags, NULL);
}

#endif /* MEMPROF_BENCH_H */
