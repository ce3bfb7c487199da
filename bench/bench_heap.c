/*
 * bench_heap.c - what the heap backend costs: an MP_LINE that reads the
 * heap count, and the slowdown of a malloc-heavy program when its malloc
 * is counted, next to heaptrack and valgrind's massif on the same work.
 *
 *     bench_heap PLAIN PRELOAD_SO      (this program, with the heap archive)
 *     bench_heap --reading             (figure 1b alone)
 *     bench_heap --churn N MAX         (the work alone; prints its time)
 *
 * PLAIN is this program built without the heap archive, PRELOAD_SO the
 * preload object.  Prints one line per figure on stdout:
 *
 *   1. an MP_LINE hit with MEMPROF_BACKEND=heap, next to one bare call of
 *      mp__heap_live(), the reading it is built on;
 *   1b. mp__heap_live() with one thread ever, and again after 1,024
 *      threads, all alive at once, came and went (bench_heap --reading
 *      prints these two alone);
 *   2. the work, "churn": N malloc(16..4096)/free pairs at random over a
 *      live set of 256 blocks, counted by the heap archive (this program)
 *      and by the preload object (PLAIN under LD_PRELOAD), against PLAIN
 *      with the C library's malloc alone; then the same with sizes of 16
 *      to 512 bytes, which glibc serves from its per-thread cache, so
 *      fast that what the interposition adds (a call, a header, the
 *      count: about 3 ns a pair) weighs most;
 *   2b. the work as one profiled line with MEMPROF_ALLOC=1 (each block's
 *      line), MEMPROF_LEAKS=1 (each block's call stack) and both, against
 *      PLAIN; with both, also on two threads at once against one;
 *   3. the same work, shorter, under heaptrack and under valgrind
 *      --tool=massif, against PLAIN on the same N.
 *
 * The work times its own loop, so that the figures leave out process
 * start-up and what the tools do before and after (heaptrack's and
 * massif's start and their final write).  Variants compared are run in
 * alternating order, and each is summarised by its fastest round (noise
 * only adds time; see bench_line.c).  Targets are printed, never enforced.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <memprof.h>

#define BENCH_NAME "bench_heap"
#include "bench.h"

#define LINE_N 10000 /* MP_LINE hits or reads per round */
#define LINE_ROUNDS 500
#define CHURN_N 10000000L /* malloc/free pairs, figure 2 */
#define CHURN_ROUNDS 5
#define HEAPTRACK_N 500000L /* the same under heaptrack */
#define HEAPTRACK_ROUNDS 2
#define MASSIF_N 500000L /* and under massif */
#define MASSIF_ROUNDS 2
#define RING 256 /* live blocks of the work */
#ifndef HEAPTRACK
#define HEAPTRACK "/usr/bin/heaptrack"
#endif
#ifndef VALGRIND
#define VALGRIND "/usr/bin/valgrind"
#endif

/* Keep x in a register the compiler must assume is read and changed. */
#define BARRIER(x) __asm__ __volatile__("" : "+r"(x))

/* The heap archive's reader: NULL in PLAIN. */
long long mp__heap_live(void) __attribute__((weak));

/* The work's live blocks (two sets, for two threads): escaped, so that
 * -O2 keeps every call. */
static void *volatile rings[2][RING];

/*
 * churn() - the work: n times, free a block of the ring picked at random
 * and put a new one of 16 to max bytes in its place, touching it.  The
 * same sequence in every run (xorshift64, fixed seed).  Returns the ns
 * per malloc/free pair.
 */
static double churn_in(void *volatile *ring, long n, size_t max)
{
    uint64_t x = 88172645463325252u;
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t size = 16 + (size_t)(x % (max - 15));
        unsigned k = (unsigned)(x >> 40) % RING;
        free(ring[k]);
        char *p = malloc(size);
        if (p == NULL)
            die("malloc");
        p[0] = 1;
        ring[k] = p;
    }
    int64_t t = now_ns() - t0;
    for (int k = 0; k < RING; k++) {
        free(ring[k]);
        ring[k] = NULL;
    }
    return (double)t / (double)n;
}

/* churn() - churn_in() the first set of blocks. */
static double churn(long n, size_t max)
{
    return churn_in(rings[0], n, max);
}

/*
 * churn_line() - churn() as one line of a profiled function: with
 * MEMPROF_ALLOC=1, every block is the line's, pending until its reading.
 */
static double churn_line_in(void *volatile *ring, long n, size_t max)
{
    MP_PROFILE_FUNC();
    double ns;
    MP_LINE(ns = churn_in(ring, n, max));
    return ns;
}

static double churn_line(long n, size_t max)
{
    return churn_line_in(rings[0], n, max);
}

/* The work of one of two threads, for churn_two(). */
typedef struct two {
    void *volatile *ring;
    long n;
    size_t max;
    double ns;
} two;

static void *two_run(void *arg)
{
    two *w = arg;
    w->ns = churn_line_in(w->ring, w->n, w->max);
    return NULL;
}

/*
 * churn_two() - churn_line() on two threads at once; the mean of their ns
 * per pair.
 */
static double churn_two(long n, size_t max)
{
    two w[2] = {{rings[0], n, max, 0}, {rings[1], n, max, 0}};
    pthread_t t;
    if (pthread_create(&t, NULL, two_run, &w[0]) != 0)
        die("pthread_create");
    two_run(&w[1]);
    pthread_join(t, NULL);
    return (w[0].ns + w[1].ns) / 2;
}

/*
 * line_loop() - ns per MP_LINE(x++) over n hits in a profiled function,
 * as bench_line.c measures it; here with the heap backend.
 */
static double line_loop(long n)
{
    MP_PROFILE_FUNC();
    unsigned x = 0;
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        MP_LINE(x++);
        BARRIER(x);
    }
    int64_t t = now_ns() - t0;
    BARRIER(x);
    return (double)t / (double)n;
}

/* live_loop() - ns per bare mp__heap_live() over n calls. */
static double live_loop(long n)
{
    long long sum = 0;
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        sum += mp__heap_live();
        BARRIER(sum);
    }
    int64_t t = now_ns() - t0;
    BARRIER(sum);
    return (double)t / (double)n;
}

/* bench_line_cost() - figure 1. */
static void bench_line_cost(void)
{
    double line[LINE_ROUNDS];
    double floor[LINE_ROUNDS];

    line_loop(LINE_N);
    live_loop(LINE_N);
    for (int r = 0; r < LINE_ROUNDS; r++) {
        if (r % 2 == 0) {
            line[r] = line_loop(LINE_N);
            floor[r] = live_loop(LINE_N);
        } else {
            floor[r] = live_loop(LINE_N);
            line[r] = line_loop(LINE_N);
        }
    }
    printf("MP_LINE (heap)        %9.1f ns   mp__heap_live    %9.1f ns   "
           "              target <= 20 ns\n",
           min_of(line, LINE_ROUNDS), min_of(floor, LINE_ROUNDS));
}

#define THREADS_EVER 1024 /* threads that come and go, figure 1b */

static pthread_barrier_t all_alive;

/* alive() - a thread of figure 1b: counts a block, waits for the others. */
static void *alive(void *arg)
{
    void *volatile p = malloc(64);
    free(p);
    pthread_barrier_wait(&all_alive);
    return arg;
}

/*
 * come_and_go() - THREADS_EVER threads, all alive at once (each with a
 * slot of the count), then all ended.
 */
static void come_and_go(void)
{
    static pthread_t tid[THREADS_EVER];
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0 ||
        pthread_attr_setstacksize(&attr, 64 * 1024) != 0 ||
        pthread_barrier_init(&all_alive, NULL, THREADS_EVER + 1) != 0)
        die("pthread_attr");
    for (int i = 0; i < THREADS_EVER; i++)
        if ((errno = pthread_create(&tid[i], &attr, alive, NULL)) != 0)
            die("pthread_create");
    pthread_barrier_wait(&all_alive);
    for (int i = 0; i < THREADS_EVER; i++)
        pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&all_alive);
    pthread_attr_destroy(&attr);
}

/* reading() - the fastest of LINE_ROUNDS rounds of live_loop(). */
static double reading(void)
{
    double v[LINE_ROUNDS];
    live_loop(LINE_N);
    for (int r = 0; r < LINE_ROUNDS; r++)
        v[r] = live_loop(LINE_N);
    return min_of(v, LINE_ROUNDS);
}

/*
 * bench_reading() - figure 1b: a reading with one thread ever, then
 * after THREADS_EVER threads came and went.  Run before any other
 * thread has started.
 */
static void bench_reading(void)
{
    printf("mp__heap_live, 1 thread ever         %9.1f ns   "
           "target <= 20 ns\n",
           reading());
    come_and_go();
    printf("mp__heap_live, %d threads came+went %9.1f ns   "
           "target <= 20 ns\n",
           THREADS_EVER, reading());
}

/*
 * run_churn() - run argv (which ends with "--churn N") with env added
 * ("NAME=value NAME=value..." or NULL), its stderr and stdin on /dev/null, and
 * read the line "churn_ns <ns>" it prints on stdout among whatever a tool
 * prints there.  Returns the ns per pair, or -1 if it failed.
 */
static double run_churn(const char *const argv[], const char *env)
{
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(p[0]);
        int null = open("/dev/null", O_RDWR);
        if (null < 0)
            _exit(127);
        dup2(null, STDIN_FILENO);
        dup2(p[1], STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        /* env: settings separated by spaces. */
        char *settings = env != NULL ? strdup(env) : NULL;
        for (char *e = settings != NULL ? strtok(settings, " ") : NULL;
             e != NULL; e = strtok(NULL, " "))
            putenv(e);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    char buf[8192];
    size_t n = 0;
    ssize_t r;
    while ((r = read(p[0], buf + n, sizeof buf - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("read");
        n += (size_t)r;
        if (n == sizeof buf - 1)
            n = 0;
    }
    buf[n] = '\0';
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    const char *line = strstr(buf, "churn_ns ");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || line == NULL)
        return -1;
    return atof(line + 9);
}

/*
 * versus() - the fastest of rounds runs of a and of b, alternating, in
 * *ta and *tb.  Returns 0, or -1 if a run failed.
 */
static int versus(const char *const a[], const char *env_a,
                  const char *const b[], const char *env_b, int rounds,
                  double *ta, double *tb)
{
    double va[8];
    double vb[8];
    for (int r = 0; r < rounds; r++) {
        if (r % 2 == 0) {
            va[r] = run_churn(a, env_a);
            vb[r] = run_churn(b, env_b);
        } else {
            vb[r] = run_churn(b, env_b);
            va[r] = run_churn(a, env_a);
        }
        if (va[r] < 0 || vb[r] < 0)
            return -1;
    }
    *ta = min_of(va, rounds);
    *tb = min_of(vb, rounds);
    return 0;
}

/*
 * bench_churn() - figure 2: the heap archive and the preload object, on
 * blocks of 16 to max bytes.
 */
static void bench_churn(const char *plain, const char *so, const char *max,
                        const char *target)
{
    char n_arg[32];
    char preload[4200];
    snprintf(n_arg, sizeof n_arg, "%ld", CHURN_N);
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", so);
    const char *base[] = {plain, "--churn", n_arg, max, NULL};
    const char *self[] = {"/proc/self/exe", "--churn", n_arg, max, NULL};
    double v[3][CHURN_ROUNDS];
    for (int r = 0; r < CHURN_ROUNDS; r++)
        for (int j = 0; j < 3; j++) {
            int k = r % 2 == 0 ? j : 2 - j;
            const char *const *argv = k == 1 ? self : base;
            v[k][r] = run_churn(argv, k == 2 ? preload : NULL);
            if (v[k][r] < 0) {
                errno = ECHILD;
                die(k == 1 ? "bench_heap --churn" : plain);
            }
        }
    double t0 = min_of(v[0], CHURN_ROUNDS);
    double t1 = min_of(v[1], CHURN_ROUNDS);
    double t2 = min_of(v[2], CHURN_ROUNDS);
    printf("churn %-4s heap .a   %9.1f ns   glibc malloc     %9.1f ns   "
           "ratio %6.3f   %s\n",
           max, t1, t0, t1 / t0, target);
    printf("churn %-4s preload   %9.1f ns   glibc malloc     %9.1f ns   "
           "ratio %6.3f   %s\n",
           max, t2, t0, t2 / t0, target);
}

/*
 * bench_alloc() - figure 2b: the same work as one profiled line, with
 * settings (MEMPROF_ALLOC=1: the heap archive's hooks, each block's line;
 * MEMPROF_LEAKS=1: each block's call stack), against glibc alone; with
 * two, also on two threads at once against one.
 */
static void bench_alloc(const char *plain, const char *settings,
                        const char *label, int two_threads)
{
    char n_arg[32];
    snprintf(n_arg, sizeof n_arg, "%ld", CHURN_N);
    const char *base[] = {plain, "--churn", n_arg, "4096", NULL};
    const char *self[] = {"/proc/self/exe", "--churn-line", n_arg, "4096",
                          NULL};
    double v[2][CHURN_ROUNDS];
    for (int r = 0; r < CHURN_ROUNDS; r++)
        for (int j = 0; j < 2; j++) {
            int k = r % 2 == 0 ? j : 1 - j;
            v[k][r] = run_churn(k == 1 ? self : base, k == 1 ? settings : NULL);
            if (v[k][r] < 0) {
                errno = ECHILD;
                die(k == 1 ? "bench_heap --churn-line" : plain);
            }
        }
    double t0 = min_of(v[0], CHURN_ROUNDS);
    double t1 = min_of(v[1], CHURN_ROUNDS);
    printf("churn 4096 %-9s %9.1f ns   glibc malloc     %9.1f ns   "
           "ratio %6.3f   target <= 1.5\n",
           label, t1, t0, t1 / t0);
    if (!two_threads)
        return;

    /* The same on two threads at once: no lock is shared on the way. */
    const char *two_alloc[] = {"/proc/self/exe", "--churn-line2", n_arg, "4096",
                               NULL};
    double w[2][CHURN_ROUNDS];
    for (int r = 0; r < CHURN_ROUNDS; r++)
        for (int j = 0; j < 2; j++) {
            int k = r % 2 == 0 ? j : 1 - j;
            w[k][r] = run_churn(k == 1 ? two_alloc : self, settings);
            if (w[k][r] < 0) {
                errno = ECHILD;
                die("bench_heap --churn-line2");
            }
        }
    double one = min_of(w[0], CHURN_ROUNDS);
    double both = min_of(w[1], CHURN_ROUNDS);
    printf("churn %-9s 2 thr %9.1f ns   1 thread         %9.1f ns   "
           "ratio %6.3f   target <= 1.3, per pair and thread\n",
           label, both, one, both / one);
}

/* bench_tools() - figure 3: heaptrack and massif on the same work. */
static void bench_tools(const char *plain)
{
    char dir[] = "/tmp/bench_heap_XXXXXX";
    if (mkdtemp(dir) == NULL)
        die("mkdtemp");
    char out[64];
    char n_arg[32];
    double tool;
    double base;

    snprintf(n_arg, sizeof n_arg, "%ld", HEAPTRACK_N);
    snprintf(out, sizeof out, "%s/heaptrack", dir);
    const char *ht[] = {HEAPTRACK, "-o",  out,    plain,
                        "--churn", n_arg, "4096", NULL};
    const char *ht_base[] = {plain, "--churn", n_arg, "4096", NULL};
    if (access(HEAPTRACK, X_OK) != 0)
        printf("heaptrack: not installed, skipped\n");
    else if (versus(ht, NULL, ht_base, NULL, HEAPTRACK_ROUNDS, &tool, &base) !=
             0)
        printf("heaptrack: failed to run, skipped\n");
    else
        printf("churn 4096 heaptrack %9.1f ns   glibc malloc     %9.1f ns   "
               "ratio %6.1f   N = %ld\n",
               tool, base, tool / base, HEAPTRACK_N);

    snprintf(n_arg, sizeof n_arg, "%ld", MASSIF_N);
    char massif_out[96];
    snprintf(massif_out, sizeof massif_out, "--massif-out-file=%s/massif", dir);
    const char *ms[] = {VALGRIND,  "--tool=massif", massif_out, plain,
                        "--churn", n_arg,           "4096",     NULL};
    const char *ms_base[] = {plain, "--churn", n_arg, "4096", NULL};
    if (access(VALGRIND, X_OK) != 0)
        printf("massif: valgrind not installed, skipped\n");
    else if (versus(ms, NULL, ms_base, NULL, MASSIF_ROUNDS, &tool, &base) != 0)
        printf("massif: failed to run, skipped\n");
    else
        printf("churn 4096 massif    %9.1f ns   glibc malloc     %9.1f ns   "
               "ratio %6.1f   N = %ld\n",
               tool, base, tool / base, MASSIF_N);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_heap: could not remove %s\n", dir);
}

/*
 * main() - the work alone with --churn, else the figures.  The report
 * the library prints at exit goes to /dev/null, and the records are
 * dropped before exit.
 */
int main(int argc, char **argv)
{
    if (argc == 4 && strncmp(argv[1], "--churn", 7) == 0) {
        long max = atol(argv[3]);
        long n = atol(argv[2]);
        double ns;
        if (max < 16)
            return 2;
        if (strcmp(argv[1], "--churn") == 0)
            ns = churn(n, (size_t)max);
        else if (strcmp(argv[1], "--churn-line") == 0)
            ns = churn_line(n, (size_t)max);
        else if (strcmp(argv[1], "--churn-line2") == 0)
            ns = churn_two(n, (size_t)max);
        else
            return 2;
        printf("churn_ns %.3f\n", ns);
        return 0;
    }
    if (argc != 3 && !(argc == 2 && strcmp(argv[1], "--reading") == 0)) {
        fprintf(stderr, "usage: bench_heap PLAIN PRELOAD_SO | "
                        "bench_heap --reading | "
                        "bench_heap --churn|--churn-line|--churn-line2 N "
                        "MAX\n");
        return 2;
    }
    if (mp__heap_live == NULL) {
        fprintf(stderr, "bench_heap: not linked with the heap archive\n");
        return 2;
    }
    setenv("MEMPROF_OUTPUT", "/dev/null", 0);
    setenv("MEMPROF_BACKEND", "heap", 1);
    bench_reading();
    if (strcmp(argv[1], "--reading") == 0)
        return 0;
    bench_line_cost();
    bench_churn(argv[1], argv[2], "4096",
                "target <= 1.10, per malloc/free pair");
    bench_churn(argv[1], argv[2], "512", "context: glibc's fastest path");
    bench_alloc(argv[1], "MEMPROF_ALLOC=1", "ALLOC=1", 0);
    bench_alloc(argv[1], "MEMPROF_LEAKS=1", "LEAKS=1", 0);
    bench_alloc(argv[1], "MEMPROF_ALLOC=1 MEMPROF_LEAKS=1", "both", 1);
    bench_tools(argv[1]);
    mp_reset();
    return 0;
}
