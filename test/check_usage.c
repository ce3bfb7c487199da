/*
 * check_usage.c - mp_memory_usage(), mp_memory_usage_call() and MP_MEMIT:
 * sample counts and times, peaks (with the kernel's high-water mark when
 * this kernel lets us reset it), processes that end or never were, bad
 * arguments, errno, and MP_MEMIT's line.
 *
 * Each test runs in its own forked process (Check's default).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <memprof.h>

#include "testutil.h"

#define MIB (1024 * 1024)

/*
 * AddressSanitizer writes the shadow of a block (an eighth of its size)
 * when it is freed, so a transient peak is that much higher there.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SHADOW 1.125
#else
#define SHADOW 1.0
#endif

static _Thread_local void *volatile escape;

/* memset through a volatile pointer: writes to a block freed right after
 * are kept. */
static void *(*volatile set)(void *, int, size_t) = memset;

/* fill() - touch every byte of p and let it escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        set(p, 1, n);
    escape = p;
    return p;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/*
 * hwm_works() - whether this kernel lets a process reset its VmHWM
 * (CONFIG_PROC_PAGE_MONITOR, and no policy against it); the peak
 * assertions that need it are skipped, with a message, when it does not.
 */
static int hwm_works(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int ok = write(fd, "5", 1) == 1;
    close(fd);
    if (!ok)
        fprintf(stderr, "check_usage: /proc/self/clear_refs cannot be "
                        "written; high-water mark assertions skipped\n");
    return ok;
}

/* self_mib() - one reading of this process, in MiB. */
static double self_mib(void)
{
    mp_samples s;
    ck_assert_int_eq(mp_memory_usage(0, 1, 0, &s), 0);
    ck_assert_uint_eq(s.n, 1);
    double mib = s.mib[0];
    mp_samples_free(&s);
    return mib;
}

/* assert_times() - t[0] is 0 and the times increase. */
static void assert_times(const mp_samples *s)
{
    ck_assert_uint_ge(s->n, 1);
    ck_assert_double_eq(s->t[0], 0.0);
    for (size_t i = 1; i < s->n; i++)
        ck_assert_double_gt(s->t[i], s->t[i - 1]);
    double max = s->mib[0];
    for (size_t i = 0; i < s->n; i++) {
        ck_assert_double_gt(s->mib[i], 0.0);
        if (s->mib[i] > max)
            max = s->mib[i];
    }
    ck_assert_double_ge(s->peak_mib, max);
}

/* ---- mp_memory_usage() */

/* This process, 0.5 s at 0.05 s: 11 readings, the last at 0.5 s. */
START_TEST(test_self)
{
    char *keep = fill(malloc(32 * MIB), 32 * MIB);
    mp_samples s;
    errno = 1234;
    double t0 = now_mono();
    ck_assert_int_eq(mp_memory_usage(0, 0.05, 0.5, &s), 0);
    double took = now_mono() - t0;
    ck_assert_int_eq(errno, 1234);
    assert_times(&s);
    ck_assert_uint_ge(s.n, 9);
    ck_assert_uint_le(s.n, 13);
    ck_assert_double_ge(s.t[s.n - 1], 0.45);
    ck_assert_double_le(s.t[s.n - 1], 0.7);
    ck_assert_double_ge(took, 0.45);
    ck_assert_double_le(took, 1.0);
    FIGURE(ck_assert_double_ge(s.mib[0], 32.0));
    FIGURE(ck_assert_double_le(s.peak_mib - s.mib[0], 1.0));
    if (hwm_works())
        ck_assert_int_eq(s.peak_hwm, 1);
    mp_samples_free(&s);
    ck_assert_ptr_null(s.mib);
    ck_assert_uint_eq(s.n, 0);
    mp_samples_free(&s);
    mp_samples_free(NULL);

    /* getpid() is this process too; timeout 0 is one reading. */
    ck_assert_int_eq(mp_memory_usage(getpid(), 0.1, 0, &s), 0);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_double_ge(s.peak_mib, s.mib[0]);
    mp_samples_free(&s);
    free(keep);
}
END_TEST

/*
 * child_holding() - fork a child that touches mib MiB, tells us so through
 * a pipe, then sleeps for secs seconds and exits.
 */
static pid_t child_holding(size_t mib, double secs)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        fill(malloc(mib * MIB), mib * MIB);
        if (write(p[1], "x", 1) != 1)
            _exit(1);
        sleep_s(secs);
        _exit(0);
    }
    close(p[1]);
    char c;
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
}

/* A child holding 64 MiB, read from its statm: 11 readings, each 64 MiB
 * and what it shares with us. */
START_TEST(test_child)
{
    double mine = self_mib();
    pid_t pid = child_holding(64, 30);
    mp_samples s;
    ck_assert_int_eq(mp_memory_usage(pid, 0.05, 0.5, &s), 0);
    assert_times(&s);
    ck_assert_uint_ge(s.n, 9);
    ck_assert_uint_le(s.n, 13);
    ck_assert_int_eq(s.peak_hwm, 0);
    for (size_t i = 0; i < s.n; i++) {
        FIGURE(ck_assert_double_ge(s.mib[i], 64.0));
        FIGURE(ck_assert_double_le(s.mib[i], mine + 64.0 + 4.0));
    }
    FIGURE(ck_assert_double_le(s.peak_mib - s.mib[0], 1.0));
    mp_samples_free(&s);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
END_TEST

/* A child that ends after 0.3 s, read until it ends (a zombie ends it). */
START_TEST(test_child_until_exit)
{
    pid_t pid = child_holding(16, 0.3);
    mp_samples s;
    double t0 = now_mono();
    ck_assert_int_eq(mp_memory_usage(pid, 0.02, INFINITY, &s), 0);
    double took = now_mono() - t0;
    assert_times(&s);
    ck_assert_double_ge(took, 0.2);
    ck_assert_double_le(took, 2.0);
    ck_assert_uint_ge(s.n, 5);
    for (size_t i = 0; i < s.n; i++)
        FIGURE(ck_assert_double_ge(s.mib[i], 16.0));
    mp_samples_free(&s);

    /* Now a zombie: it has ended. */
    ck_assert_int_eq(mp_memory_usage(pid, 0.02, 1, &s), -ESRCH);
    waitpid(pid, NULL, 0);
}
END_TEST

/* A pid that does not exist: -ESRCH, out empty, errno kept. */
START_TEST(test_no_such_process)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
    mp_samples s;
    memset(&s, 0xff, sizeof s);
    errno = 4321;
    ck_assert_int_eq(mp_memory_usage(pid, 0.1, 1, &s), -ESRCH);
    ck_assert_int_eq(errno, 4321);
    ck_assert_ptr_null(s.mib);
    ck_assert_ptr_null(s.t);
    ck_assert_uint_eq(s.n, 0);
    mp_samples_free(&s);
    ck_assert_str_eq(mp_strerror(-ESRCH), "No such process");
}
END_TEST

static int called;

static void *count_call(void *arg)
{
    called++;
    return arg;
}

/* Bad arguments: -EINVAL, nothing run, out empty, errno kept. */
START_TEST(test_bad_args)
{
    const double bad_interval[] = {0, -1, NAN, INFINITY};
    mp_samples s;
    void *ret = &s;
    errno = 99;
    for (int i = 0; i < 4; i++) {
        memset(&s, 0xff, sizeof s);
        ck_assert_int_eq(mp_memory_usage(0, bad_interval[i], 1, &s), -EINVAL);
        ck_assert_ptr_null(s.mib);
        ck_assert_uint_eq(s.n, 0);
        memset(&s, 0xff, sizeof s);
        ck_assert_int_eq(
            mp_memory_usage_call(count_call, NULL, bad_interval[i], &ret, &s),
            -EINVAL);
        ck_assert_ptr_null(s.mib);
        ck_assert_uint_eq(s.n, 0);
    }
    ck_assert_int_eq(mp_memory_usage(0, 0.1, -1, &s), -EINVAL);
    ck_assert_int_eq(mp_memory_usage(0, 0.1, NAN, &s), -EINVAL);
    ck_assert_int_eq(mp_memory_usage(0, 0.1, INFINITY, &s), -EINVAL);
    ck_assert_int_eq(mp_memory_usage(-1, 0.1, 1, &s), -EINVAL);
    ck_assert_int_eq(mp_memory_usage(0, 0.1, 1, NULL), -EINVAL);
    ck_assert_int_eq(mp_memory_usage_call(NULL, NULL, 0.1, &ret, &s), -EINVAL);
    ck_assert_int_eq(mp_memory_usage_call(count_call, NULL, 0.1, &ret, NULL),
                     -EINVAL);
    ck_assert_int_eq(called, 0);
    ck_assert_ptr_eq(ret, &s);
    ck_assert_int_eq(errno, 99);
}
END_TEST

/* ---- mp_memory_usage_call() */

static double transient_took;

/* transient() - touch 100 MiB, free them, return arg. */
static void *transient(void *arg)
{
    double t0 = now_mono();
    size_t n = 100 * MIB;
    free(fill(malloc(n), n));
    transient_took = now_mono() - t0;
    return arg;
}

/*
 * A function that touches 100 MiB and frees them, sampled every second:
 * it returns long before the first tick, so there are two readings, the
 * call does not wait for the tick, and only the high-water mark sees the
 * 100 MiB.  "Long before": the function takes some 50 ms, 0.4 s under
 * TSan; when it took more than 0.6 s (measured: a loaded machine), the
 * call is tried again, up to three times.  Not waiting for the tick: the
 * call takes less over the function than half of what waiting would
 * add, and never 0.4 s more.
 */
START_TEST(test_call_transient)
{
    mp_samples s;
    void *ret = NULL;
    int marker;
    double took;
    for (int attempt = 1;; attempt++) {
        double t0 = now_mono();
        ck_assert_int_eq(
            mp_memory_usage_call(transient, &marker, 1.0, &ret, &s), 0);
        took = now_mono() - t0;
        if (transient_took < 0.6 || attempt == 3)
            break;
        mp_samples_free(&s);
    }
    ck_assert_double_lt(transient_took, 0.9);
    ck_assert_ptr_eq(ret, &marker);
    double wait = 1.0 - transient_took;
    ck_assert_double_lt(took - transient_took, wait / 2 < 0.4 ? wait / 2 : 0.4);
    assert_times(&s);
    ck_assert_uint_eq(s.n, 2);
    FIGURE(ck_assert_double_le(fabs(s.mib[1] - s.mib[0]), 2.0));
    if (hwm_works()) {
        ck_assert_int_eq(s.peak_hwm, 1);
        FIGURE(ck_assert_double_ge(s.peak_mib - s.mib[0], 95.0));
        FIGURE(ck_assert_double_le(s.peak_mib - s.mib[0], 100 * SHADOW + 5));
    }
    mp_samples_free(&s);

    /* ret may be NULL. */
    ck_assert_int_eq(mp_memory_usage_call(transient, NULL, 1.0, NULL, &s), 0);
    mp_samples_free(&s);
}
END_TEST

/* steps() - take 5 blocks of 20 MiB, 60 ms apart; keep them. */
static void *steps(void *arg)
{
    void **blocks = arg;
    for (int i = 0; i < 5; i++) {
        blocks[i] = fill(malloc(20 * MIB), 20 * MIB);
        sleep_s(0.06);
    }
    return blocks;
}

/*
 * A function that grows in steps, sampled every 20 ms: a tick every
 * 0.02 s, the reading before and the one after.  A reading that comes
 * after the next tick skips it: under valgrind and TSan (no figures) a
 * reading can take that long, and so can a wake-up on a loaded machine.
 * When ticks were missed (measured: fewer readings than ticks less one)
 * the call is tried again, up to three times; after three, half the
 * ticks must still have their reading.
 */
START_TEST(test_call_steps)
{
    void *blocks[5];
    mp_samples s;
    void *ret = NULL;
    double ticks;
    int attempt;
    for (attempt = 1;; attempt++) {
        ck_assert_int_eq(mp_memory_usage_call(steps, blocks, 0.02, &ret, &s),
                         0);
        ticks = s.t[s.n - 1] / 0.02;
        if (!figures_hold() || (double)s.n >= ticks - 1 || attempt == 3)
            break;
        fprintf(stderr,
                "test_call_steps: %zu readings for %.0f ticks (a loaded "
                "machine?): again\n",
                s.n, ticks);
        mp_samples_free(&s);
        for (int i = 0; i < 5; i++)
            free(blocks[i]);
    }
    ck_assert_ptr_eq(ret, blocks);
    assert_times(&s);
    int prompt = figures_hold() && attempt < 3;
    ck_assert_double_ge((double)s.n, prompt ? ticks - 1 : ticks / 2);
    ck_assert_double_le((double)s.n, ticks + 3);
    double last = s.mib[s.n - 1];
    FIGURE(ck_assert_double_ge(last - s.mib[0], 99.0));
    FIGURE(ck_assert_double_le(last - s.mib[0], 102.0));
    FIGURE(ck_assert_double_le(s.peak_mib - last, 1.0));
    /* The readings rise in steps: some are between the first and last. */
    int between = 0;
    for (size_t i = 1; i < s.n; i++)
        if (s.mib[i] > s.mib[0] + 10.0 && s.mib[i] < last - 10.0)
            between++;
    FIGURE(ck_assert_int_ge(between, 2));
    mp_samples_free(&s);
    for (int i = 0; i < 5; i++)
        free(blocks[i]);
}
END_TEST

static int seen_errno;

static void *sets_errno(void *arg)
{
    seen_errno = errno;
    errno = ERANGE;
    return arg;
}

/* fn sees the caller's errno; the caller sees fn's. */
START_TEST(test_call_errno)
{
    mp_samples s;
    errno = 77;
    ck_assert_int_eq(mp_memory_usage_call(sets_errno, NULL, 0.01, NULL, &s), 0);
    ck_assert_int_eq(errno, ERANGE);
    ck_assert_int_eq(seen_errno, 77);
    mp_samples_free(&s);
}
END_TEST

/* forks() - fork; both processes return after 50 ms. */
static void *forks(void *arg)
{
    pid_t *pid = arg;
    *pid = fork();
    sleep_s(0.05);
    return arg;
}

/*
 * A child forked inside fn that returns from it: it has no sampler to
 * wait for, and still gets its readings (its own).
 */
START_TEST(test_fork_inside)
{
    pid_t pid = -1;
    mp_samples s;
    int rc = mp_memory_usage_call(forks, &pid, 0.01, NULL, &s);
    if (pid == 0) {
        int ok = rc == 0 && s.n >= 2 && s.t[s.n - 1] >= 0.05;
        mp_samples_free(&s);
        _exit(ok ? 0 : 1);
    }
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(rc, 0);
    assert_times(&s);
    mp_samples_free(&s);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* ---- MP_MEMIT */

/* capture_begin() - send fd 2 to a fresh file; returns the old fd 2. */
static int capture_begin(void)
{
    char path[] = "/tmp/check_usage_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
    return saved;
}

/* capture_end() - put fd 2 back; what was written to it (malloc'd). */
static char *capture_end(int saved)
{
    off_t len = lseek(STDERR_FILENO, 0, SEEK_END);
    ck_assert_int_ge(len, 0);
    char *buf = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(pread(STDERR_FILENO, buf, (size_t)len, 0), len);
    buf[len] = '\0';
    dup2(saved, STDERR_FILENO);
    close(saved);
    return buf;
}

/*
 * parse_memit() - the numbers of one MP_MEMIT line, which must be exactly
 * %memit's: "peak memory: %.2f MiB, increment: %.2f MiB\n".  Returns what
 * follows it.
 */
static const char *parse_memit(const char *text, double *peak, double *inc)
{
    int end = -1;
    ck_assert_int_eq(sscanf(text, "peak memory: %lf MiB, increment: %lf MiB%n",
                            peak, inc, &end),
                     2);
    ck_assert_int_gt(end, 0);
    char want[128];
    snprintf(want, sizeof want, "peak memory: %.2f MiB, increment: %.2f MiB\n",
             *peak, *inc);
    ck_assert_int_eq(strncmp(text, want, strlen(want)), 0);
    return text + strlen(want);
}

/* 160 MB kept: the line, and the declaration seen after it. */
START_TEST(test_memit_kept)
{
    int saved = capture_begin();
    MP_MEMIT(char *p = fill(malloc(160000000), 160000000));
    char *out = capture_end(saved);
    double peak;
    double inc;
    ck_assert_str_eq(parse_memit(out, &peak, &inc), "");
    ck_assert_double_ge(peak, inc);
    /* 160000000 bytes are 152.59 MiB. */
    FIGURE(ck_assert_double_ge(inc, 150.0));
    FIGURE(ck_assert_double_le(inc, 157.0));
    free(out);
    free(p);
}
END_TEST

/* 160 MB touched and freed: the peak still sees them. */
START_TEST(test_memit_transient)
{
    int saved = capture_begin();
    MP_MEMIT(char *p = fill(malloc(160000000), 160000000); free(p));
    char *out = capture_end(saved);
    double peak;
    double inc;
    ck_assert_str_eq(parse_memit(out, &peak, &inc), "");
    if (hwm_works()) {
        FIGURE(ck_assert_double_ge(inc, 150.0));
        FIGURE(ck_assert_double_le(inc, 152.6 * SHADOW + 4.4));
    }
    free(out);
}
END_TEST

static int leave_early(int x)
{
    MP_MEMIT(if (x > 0) return x);
    return -x;
}

/* A statement that leaves the scope: the line is printed as it leaves. */
START_TEST(test_memit_leaves)
{
    int saved = capture_begin();
    ck_assert_int_eq(leave_early(3), 3);
    ck_assert_int_eq(leave_early(-4), 4);
    for (int i = 0; i < 10; i++) {
        MP_MEMIT(if (i == 1) break);
    }
    char *out = capture_end(saved);
    double peak;
    double inc;
    const char *rest = out;
    for (int i = 0; i < 4; i++)
        rest = parse_memit(rest, &peak, &inc);
    ck_assert_str_eq(rest, "");
    free(out);
}
END_TEST

/* errno: the statement sees the caller's, the caller sees the statement's. */
START_TEST(test_memit_errno)
{
    int saved = capture_begin();
    errno = 31;
    MP_MEMIT(int seen = errno; errno = ERANGE);
    ck_assert_int_eq(errno, ERANGE);
    ck_assert_int_eq(seen, 31);
    free(capture_end(saved));
}
END_TEST

/* MEMPROF_DISABLE=1: the statement runs, nothing is printed. */
START_TEST(test_memit_disabled)
{
    setenv("MEMPROF_DISABLE", "1", 1);
    int saved = capture_begin();
    int n = 0;
    MP_MEMIT(n++);
    char *out = capture_end(saved);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(out, "");
    free(out);
    /* The functions still measure. */
    mp_samples s;
    ck_assert_int_eq(mp_memory_usage(0, 0.1, 0, &s), 0);
    ck_assert_uint_eq(s.n, 1);
    mp_samples_free(&s);
}
END_TEST

static double inner_inc;

/* outer() - an 80 MiB transient, then a 40 MiB one under MP_MEMIT. */
static void *outer(void *arg)
{
    free(fill(malloc(80 * MIB), 80 * MIB));
    int saved = capture_begin();
    MP_MEMIT(free(fill(malloc(40 * MIB), 40 * MIB)));
    char *out = capture_end(saved);
    double peak;
    parse_memit(out, &peak, &inner_inc);
    free(out);
    return arg;
}

/*
 * Measurements that overlap share VmHWM: the inner one resets it, the
 * outer one keeps the peak it had reached.
 */
START_TEST(test_nested)
{
    mp_samples s;
    ck_assert_int_eq(mp_memory_usage_call(outer, NULL, 1.0, NULL, &s), 0);
    if (hwm_works()) {
        ck_assert_int_eq(s.peak_hwm, 1);
        FIGURE(ck_assert_double_ge(s.peak_mib - s.mib[0], 78.0));
        FIGURE(ck_assert_double_ge(inner_inc, 38.0));
        FIGURE(ck_assert_double_le(inner_inc, 40 * SHADOW + 5));
    }
    mp_samples_free(&s);
}
END_TEST

/* small_transient() - touch 16 MiB, free them, a few times. */
static void *small_transient(void *arg)
{
    for (int i = 0; i < 5; i++) {
        free(fill(malloc(16 * MIB), 16 * MIB));
        sleep_s(0.005);
    }
    return arg;
}

static void *call_thread(void *arg)
{
    mp_samples *s = arg;
    long rc = mp_memory_usage_call(small_transient, arg, 0.002, NULL, s);
    return (void *)rc;
}

/* Four threads measuring at once (TSan checks the sampler threads). */
START_TEST(test_threads)
{
    pthread_t th[4];
    mp_samples s[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, call_thread, &s[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(th[i], &rc);
        ck_assert_ptr_null(rc);
        assert_times(&s[i]);
        ck_assert_uint_ge(s[i].n, 3);
        if (s[i].peak_hwm)
            FIGURE(ck_assert_double_ge(s[i].peak_mib - s[i].mib[0], 15.0));
        mp_samples_free(&s[i]);
    }
}
END_TEST

/* A signal on the calling thread does not cut mp_memory_usage() short. */
static void on_alarm(int sig)
{
    (void)sig;
}

START_TEST(test_signals)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    timer_t timer;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGALRM;
    ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &timer), 0);
    struct itimerspec its = {{0, 7000000}, {0, 7000000}};
    ck_assert_int_eq(timer_settime(timer, 0, &its, NULL), 0);
    mp_samples s;
    ck_assert_int_eq(mp_memory_usage(0, 0.05, 0.3, &s), 0);
    ck_assert_uint_ge(s.n, 6);
    ck_assert_uint_le(s.n, 8);
    ck_assert_double_ge(s.t[s.n - 1], 0.28);
    mp_samples_free(&s);
    ck_assert_int_eq(
        mp_memory_usage_call(small_transient, NULL, 0.01, NULL, &s), 0);
    mp_samples_free(&s);
    timer_delete(timer);
}
END_TEST

Suite *usage_suite(void)
{
    Suite *s = suite_create("usage");
    TCase *tc = tcase_create("memory_usage");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_self);
    tcase_add_test(tc, test_child);
    tcase_add_test(tc, test_child_until_exit);
    tcase_add_test(tc, test_no_such_process);
    tcase_add_test(tc, test_bad_args);
    tcase_add_test(tc, test_call_transient);
    tcase_add_test(tc, test_call_steps);
    tcase_add_test(tc, test_call_errno);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_signals);
    tcase_add_test(tc, test_fork_inside);
    suite_add_tcase(s, tc);
    tc = tcase_create("memit");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_memit_kept);
    tcase_add_test(tc, test_memit_transient);
    tcase_add_test(tc, test_memit_leaves);
    tcase_add_test(tc, test_memit_errno);
    tcase_add_test(tc, test_memit_disabled);
    tcase_add_test(tc, test_nested);
    suite_add_tcase(s, tc);
    return s;
}
