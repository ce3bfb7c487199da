/*
 * bench.h - the helpers the benchmarks share: failing loudly, the clock,
 * and the minimum over rounds.  Each program defines BENCH_NAME (its name,
 * for messages) before including this.
 */
#ifndef MEMPROF_BENCH_H
#define MEMPROF_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

#endif /* MEMPROF_BENCH_H */
