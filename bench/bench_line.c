/*
 * bench_line.c - what one MP_LINE costs, next to the floor it cannot beat
 * and next to Python's memory_profiler, and what the profiler adds to the
 * memory of a program.
 *
 *     bench_line [--python SCRIPT] [--rss ON OFF]
 *
 * prints one line per figure on stdout:
 *
 *   1. an MP_LINE hit (rss backend) against one bare pread(2) of
 *      /proc/self/statm, the system call it is built on;
 *   2. an MP_LINE disabled at run time (MEMPROF_DISABLE=1), from this
 *      program run again with that variable and the option --disabled;
 *   3. MP_LINE and pread on two threads at once against one thread;
 *   4. with --python, memory_profiler per executed line of the loop in
 *      SCRIPT (bench/mp_loop.py) against MP_LINE, timed in the same
 *      rounds;
 *   5. with --rss, the memory of ON, the program of bench/gen_lines.sh,
 *      against OFF, the same program built with -DMEMPROF_DISABLE.
 *
 * With --line, figures 1 and 2 only: what bench_line_so, this program
 * linked with libmemprof.so instead of the archive, prints (BENCH_SO).
 *
 * The machine may be shared and noisy.  Variants that are compared are
 * measured in the same process, interleaved round by round with their order
 * alternating, and each is summarised by its fastest round: noise only ever
 * adds time, so the minimum over many short rounds is the closest estimate
 * of the cost itself.  Targets are printed, never enforced: the exit status
 * is 0 unless something is broken.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <memprof.h>

#define BENCH_NAME "bench_line"
#include "bench.h"

#define LINE_N 2000 /* MP_LINE hits or preads per round */
#define LINE_ROUNDS 250
#define OFF_N 2000000 /* disabled MP_LINE hits per round */
#define OFF_ROUNDS 30
#define THREAD_N 500 /* hits per thread per round */
#define THREAD_ROUNDS 400
#define PY_N 25000 /* iterations of mp_loop.py's loop */
#define PY_ROUNDS 3
#define RSS_ROUNDS 9
#ifndef PYTHON
#define PYTHON "/usr/bin/python3" /* the interpreter of figure 4 */
#endif

/* The figures' names say which library the program was linked with. */
#ifdef BENCH_SO
#define LIB_TAG ", .so"
#define LIB_PAD ""
#define LIB_PAD_OFF ""
#else
#define LIB_TAG ""
#define LIB_PAD "     "
#define LIB_PAD_OFF "    "
#endif

/* Keep x in a register the compiler must assume is read and changed. */
#define BARRIER(x) __asm__ __volatile__("" : "+r"(x))

/* median_of() - the median of the n values of v, which it sorts. */
static long median_of(long *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            long t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

/*
 * open_statm() - /proc/self/statm opened as the library opens it for each
 * thread, so that the floor is the same system call on the same kind of fd.
 */
static int open_statm(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open /proc/self/statm");
    return fd;
}

/* When a timed loop started and ended, for figure 3. */
typedef struct span {
    int64_t t0;
    int64_t t1;
} span;

/*
 * pread_loop() - ns per bare pread(fd, buf, 128, 0) over n calls: the floor
 * of an MP_LINE with the rss backend, which makes exactly this call on its
 * thread's fd and then parses the text.  The times go to *s too.
 */
static double pread_loop(int fd, long n, span *s)
{
    char buf[128];
    s->t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (pread(fd, buf, sizeof buf, 0) <= 0)
            die("pread /proc/self/statm");
    s->t1 = now_ns();
    return (double)(s->t1 - s->t0) / (double)n;
}

/*
 * line_loop() - ns per MP_LINE(x++) over n hits, inside a profiled
 * function, as annotated code runs; the times go to *s too.  The entry row
 * is recorded before the clock starts.  With recording on this is figure 1;
 * with MEMPROF_DISABLE=1 it is figure 2, where the barrier keeps the
 * compiler from folding the loop away, since the statement alone would
 * cost nothing.
 */
static double line_loop(long n, span *s)
{
    MP_PROFILE_FUNC();
    unsigned x = 0;
    s->t0 = now_ns();
    for (long i = 0; i < n; i++) {
        MP_LINE(x++);
        BARRIER(x);
    }
    s->t1 = now_ns();
    BARRIER(x);
    return (double)(s->t1 - s->t0) / (double)n;
}

/*
 * bare_loop() - ns per x++ in the loop of line_loop() without the macro:
 * what figure 2 would cost if MP_LINE cost nothing at all.
 */
static double bare_loop(long n)
{
    unsigned x = 0;
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        x++;
        BARRIER(x);
    }
    int64_t t = now_ns() - t0;
    BARRIER(x);
    return (double)t / (double)n;
}

/*
 * bench_line_cost() - figure 1: an MP_LINE hit against the bare pread it
 * is built on, in alternating rounds.
 */
static void bench_line_cost(void)
{
    double line[LINE_ROUNDS];
    double floor[LINE_ROUNDS];
    span s;
    int fd = open_statm();

    line_loop(LINE_N, &s);
    pread_loop(fd, LINE_N, &s);
    for (int r = 0; r < LINE_ROUNDS; r++) {
        if (r % 2 == 0) {
            line[r] = line_loop(LINE_N, &s);
            floor[r] = pread_loop(fd, LINE_N, &s);
        } else {
            floor[r] = pread_loop(fd, LINE_N, &s);
            line[r] = line_loop(LINE_N, &s);
        }
    }
    close(fd);

    double l = min_of(line, LINE_ROUNDS);
    double f = min_of(floor, LINE_ROUNDS);
    printf("MP_LINE (rss" LIB_TAG ")    " LIB_PAD
           "%9.1f ns   pread floor      %9.1f ns   "
           "ratio %6.3f   target <= 1.05\n",
           l, f, l / f);
}

/*
 * bench_disabled() - figure 2, in the process run with MEMPROF_DISABLE=1:
 * the same MP_LINE loop as figure 1, against the loop without the macro.
 * The target is for the first number, the whole loop body with its x++.
 */
static void bench_disabled(void)
{
    double off[OFF_ROUNDS];
    double bare[OFF_ROUNDS];
    span s;

    line_loop(OFF_N, &s);
    bare_loop(OFF_N);
    for (int r = 0; r < OFF_ROUNDS; r++) {
        if (r % 2 == 0) {
            off[r] = line_loop(OFF_N, &s);
            bare[r] = bare_loop(OFF_N);
        } else {
            bare[r] = bare_loop(OFF_N);
            off[r] = line_loop(OFF_N, &s);
        }
    }

    double o = min_of(off, OFF_ROUNDS);
    double b = min_of(bare, OFF_ROUNDS);
    printf("MP_LINE (disabled" LIB_TAG ")" LIB_PAD
           "%9.2f ns   bare x++         %9.2f ns   "
           "              target <= 2 ns\n",
           o, b);
}

/*
 * capture() - run argv as bench_run() does and read its stdout into buf
 * (size bytes, NUL-terminated).  Returns 0, or -1 if it failed.
 */
static int capture(const char *const argv[], char *buf, size_t size)
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
        int null = open("/dev/null", O_WRONLY);
        dup2(p[1], STDOUT_FILENO);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(p[0], buf + n, size - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("read");
        n += (size_t)r;
        if (n == size - 1)
            break;
    }
    buf[n] = '\0';
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * What the workers of figure 3 do in a round.  The MP_LINE work runs
 * line_loop() on both workers, as threads annotating the same function
 * do (each has its own frame and rows; the site is only read); the pread
 * work reads each worker's own fd, or one fd both share.
 */
enum work { WORK_LINE, WORK_PREAD_OWN, WORK_PREAD_SHARED };

typedef struct worker {
    pthread_t tid;
    int id;
    int fd; /* this worker's own /proc/self/statm */
    span s; /* when its work in the last round ran */
} worker;

static pthread_barrier_t round_start;
static pthread_barrier_t round_end;
static enum work job_work;
static int job_threads; /* workers 0 .. job_threads - 1 take part */
static int job_quit;
static int job_ready; /* workers that have reached the start */
static int shared_fd;

/*
 * worker_main() - wait for a round and, if taking part, do the work.  The
 * barriers order the job variables and the results between threads; after
 * the barrier each worker also waits, yielding, until every worker of the
 * round is running, so that their work overlaps from the first operation
 * instead of from whenever the scheduler wakes the last one.
 */
static void *worker_main(void *arg)
{
    worker *w = arg;
    w->fd = open_statm();
    for (;;) {
        pthread_barrier_wait(&round_start);
        if (job_quit)
            break;
        if (w->id < job_threads) {
            __atomic_add_fetch(&job_ready, 1, __ATOMIC_ACQ_REL);
            while (__atomic_load_n(&job_ready, __ATOMIC_ACQUIRE) < job_threads)
                sched_yield();
            if (job_work == WORK_LINE)
                line_loop(THREAD_N, &w->s);
            else
                pread_loop(job_work == WORK_PREAD_OWN ? w->fd : shared_fd,
                           THREAD_N, &w->s);
        }
        pthread_barrier_wait(&round_end);
    }
    close(w->fd);
    return NULL;
}

/*
 * thread_round() - one round of work on nthreads workers at once.  Returns
 * the time per operation of one thread when nthreads run at once: from the
 * first start to the last end, over the operations each thread made.  Two
 * threads that did not really run side by side would show up as twice the
 * cost, as they should.
 */
static double thread_round(worker *w, enum work what, int nthreads)
{
    job_work = what;
    job_threads = nthreads;
    job_ready = 0;
    pthread_barrier_wait(&round_start);
    pthread_barrier_wait(&round_end);
    int64_t t0 = w[0].s.t0;
    int64_t t1 = w[0].s.t1;
    for (int i = 1; i < nthreads; i++) {
        if (w[i].s.t0 < t0)
            t0 = w[i].s.t0;
        if (w[i].s.t1 > t1)
            t1 = w[i].s.t1;
    }
    return (double)(t1 - t0) / THREAD_N;
}

/*
 * bench_threads() - figure 3: the cost per MP_LINE when two threads
 * annotate at once, against one thread; each thread reads its own fd, so
 * the ratio should stay near 1 on two idle cores.  The same ratio for bare
 * preads on per-thread fds and on one shared fd, whose reads the kernel
 * serialises, shows what the per-thread fds are for.
 */
static void bench_threads(void)
{
    static const struct {
        enum work what;
        const char *name;
        const char *target;
    } kinds[] = {
        {WORK_LINE, "MP_LINE, 2 threads  ", "target <= 1.2"},
        {WORK_PREAD_OWN, "pread, 2 threads    ", "own fds, context"},
        {WORK_PREAD_SHARED, "pread, 2 thr, 1 fd  ", "shared fd, context"},
    };
    enum { NKINDS = sizeof kinds / sizeof kinds[0] };
    static double one[NKINDS][THREAD_ROUNDS];
    static double two[NKINDS][THREAD_ROUNDS];
    worker w[2];

    shared_fd = open_statm();
    if (pthread_barrier_init(&round_start, NULL, 3) != 0 ||
        pthread_barrier_init(&round_end, NULL, 3) != 0)
        die("pthread_barrier_init");
    for (int i = 0; i < 2; i++) {
        w[i].id = i;
        errno = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);
        if (errno != 0)
            die("pthread_create");
    }

    for (int k = 0; k < NKINDS; k++) {
        thread_round(w, kinds[k].what, 2);
        thread_round(w, kinds[k].what, 1);
    }
    for (int r = 0; r < THREAD_ROUNDS; r++)
        for (int j = 0; j < NKINDS; j++) {
            int k = r % 2 == 0 ? j : NKINDS - 1 - j;
            if (r % 2 == 0) {
                one[k][r] = thread_round(w, kinds[k].what, 1);
                two[k][r] = thread_round(w, kinds[k].what, 2);
            } else {
                two[k][r] = thread_round(w, kinds[k].what, 2);
                one[k][r] = thread_round(w, kinds[k].what, 1);
            }
        }

    job_quit = 1;
    pthread_barrier_wait(&round_start);
    for (int i = 0; i < 2; i++)
        pthread_join(w[i].tid, NULL);
    pthread_barrier_destroy(&round_start);
    pthread_barrier_destroy(&round_end);
    close(shared_fd);

    double own = 0;
    for (int k = 0; k < NKINDS; k++) {
        double a = min_of(two[k], THREAD_ROUNDS);
        double b = min_of(one[k], THREAD_ROUNDS);
        printf("%s  %9.1f ns   1 thread         %9.1f ns   ratio %6.3f   "
               "%s\n",
               kinds[k].name, a, b, a / b, kinds[k].target);
        if (kinds[k].what == WORK_PREAD_OWN)
            own = a / b;
    }
    if (own > 1.1)
        printf("  note: bare preads on their own fds slowed down %.2fx too: "
               "other processes were\n  using the cores; read the MP_LINE "
               "ratio against that one\n",
               own);
}

/*
 * cpu_run() - run argv as bench_run() does; the CPU time it used (user +
 * system, from wait4(2)) in ns, or -1 if it did not exit with status 0.
 * CPU, not wall time: on a shared machine a run of seconds waits for a
 * core now and then, which the short MP_LINE rounds, taken at their
 * fastest, do not.
 */
static int64_t cpu_run(const char *const argv[])
{
    struct rusage ru;
    if (bench_run_ru(argv, 0, &ru) < 0)
        return -1;
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
           ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/*
 * bench_python() - figure 4: memory_profiler's cost per executed line
 * against MP_LINE's, both measured in the same rounds: each round times
 * MP_LINE (the fastest of LINE_ROUNDS / 10 short loops), then mp_loop.py
 * unprofiled and under "python3 -m memory_profiler".  A round's
 * memory_profiler figure is its profiled CPU time minus its unprofiled
 * one (cpu_run(); the interpreter's start cancels out; what is left is the
 * profiler's import and its tracing), over the lines memory_profiler reads
 * memory for, as the script counts them.  Printed: the median round's figure,
 * MP_LINE's fastest in those rounds, and their ratio.
 */
static void bench_python(const char *script)
{
    char n_arg[32];
    char out[64];
    snprintf(n_arg, sizeof n_arg, "%d", PY_N);
    const char *check[] = {PYTHON, "-c", "import memory_profiler", NULL};
    const char *count[] = {PYTHON, script, n_arg, "--count", NULL};
    const char *plain[] = {PYTHON, script, n_arg, NULL};
    const char *prof[] = {PYTHON, "-m", "memory_profiler", script, n_arg, NULL};

    if (bench_run(check, 0) < 0) {
        printf("memory_profiler: not installed, skipped\n");
        return;
    }
    if (capture(count, out, sizeof out) != 0 || atol(out) <= 0) {
        errno = EINVAL;
        die(script);
    }
    long lines = atol(out);

    double per_line[PY_ROUNDS];
    double line[LINE_ROUNDS / 10];
    double line_ns = -1;
    span s;
    for (int r = 0; r < PY_ROUNDS; r++) {
        for (int i = 0; i < LINE_ROUNDS / 10; i++)
            line[i] = line_loop(LINE_N, &s);
        double l = min_of(line, LINE_ROUNDS / 10);
        if (line_ns < 0 || l < line_ns)
            line_ns = l;
        int64_t a = cpu_run(plain);
        int64_t b = cpu_run(prof);
        if (a < 0 || b < 0) {
            errno = ECHILD;
            die("python3 mp_loop.py");
        }
        per_line[r] = (double)(b - a) / (double)lines;
    }
    for (int i = 1; i < PY_ROUNDS; i++)
        for (int j = i; j > 0 && per_line[j - 1] > per_line[j]; j--) {
            double t = per_line[j];
            per_line[j] = per_line[j - 1];
            per_line[j - 1] = t;
        }
    double p = per_line[PY_ROUNDS / 2];
    printf("memory_profiler       %9.1f ns   MP_LINE (rss)    %9.1f ns   "
           "ratio %6.1f   per executed line, %ld lines, same rounds\n",
           p, line_ns, p / line_ns, lines);
}

/* What gen_lines.sh's program prints, in kB. */
enum { ST_RSS, ST_HWM, ST_ANON, ST_HWM_EXIT, NST };

/*
 * status_of() - run prog (a build of gen_lines.sh's program) and read the
 * VmRSS, VmHWM and RssAnon it printed at the end of main, and the VmHWM
 * after the report at exit, into st.  Dies if it fails: the program is
 * ours.
 */
static void status_of(const char *prog, long st[NST])
{
    char out[256];
    const char *argv[] = {prog, NULL};
    long ignored[2];
    if (capture(argv, out, sizeof out) != 0) {
        errno = ECHILD;
        die(prog);
    }
    const char *m = strstr(out, "main ");
    const char *e = strstr(out, "exit ");
    if (m == NULL || e == NULL ||
        sscanf(m, "main %ld %ld %ld", &st[ST_RSS], &st[ST_HWM], &st[ST_ANON]) !=
            3 ||
        sscanf(e, "exit %ld %ld %ld", &ignored[0], &st[ST_HWM_EXIT],
               &ignored[1]) != 3) {
        errno = EINVAL;
        die(prog);
    }
}

/*
 * bench_rss() - figure 5: the memory the profiler adds to a program with
 * 1,000 annotated lines.  The figure with the target is VmRSS at the end of
 * main; beside it, the part of it that is the process's own (RssAnon: heap,
 * written data; the rest is code and libc pages mapped from files), and the
 * peak once the report at exit has run.  Each is the median over a few runs
 * of each build, as file pages mapped by fault-around make VmRSS move from
 * run to run.
 */
static void bench_rss(const char *on, const char *off)
{
    long v[2][NST][RSS_ROUNDS];
    for (int r = 0; r < RSS_ROUNDS; r++) {
        long st[NST];
        status_of(on, st);
        for (int i = 0; i < NST; i++)
            v[0][i][r] = st[i];
        status_of(off, st);
        for (int i = 0; i < NST; i++)
            v[1][i][r] = st[i];
    }
    long d[NST];
    long base_rss = median_of(v[1][ST_RSS], RSS_ROUNDS);
    for (int i = 0; i < NST; i++)
        d[i] = median_of(v[0][i], RSS_ROUNDS) - median_of(v[1][i], RSS_ROUNDS);
    printf("RSS, 1,000 MP_LINE    %+9ld KiB   disabled build   %9ld KiB   "
           "anon %+ld, peak after report %+ld   target < 1024 KiB\n",
           d[ST_RSS], base_rss, d[ST_ANON], d[ST_HWM_EXIT]);
}

/*
 * main() - the figures in order.  The report the library prints at exit
 * goes to /dev/null unless MEMPROF_OUTPUT says otherwise, and the records
 * are dropped before exit, so that stdout holds the figures alone.
 */
int main(int argc, char **argv)
{
    const char *script = NULL;
    const char *rss_on = NULL;
    const char *rss_off = NULL;
    int line_only = 0;

    setenv("MEMPROF_OUTPUT", "/dev/null", 0);
    if (argc == 2 && strcmp(argv[1], "--disabled") == 0) {
        bench_disabled();
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--python") == 0 && i + 1 < argc) {
            script = argv[++i];
        } else if (strcmp(argv[i], "--line") == 0) {
            line_only = 1;
        } else if (strcmp(argv[i], "--rss") == 0 && i + 2 < argc) {
            rss_on = argv[++i];
            rss_off = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_line [--python SCRIPT] "
                            "[--rss ON OFF] [--line]\n");
            return 2;
        }
    }

    bench_line_cost();
    const char *self[] = {"/proc/self/exe", "--disabled", NULL};
    if (bench_run(self, BENCH_STDOUT | BENCH_DISABLED) < 0) {
        errno = ECHILD;
        die("bench_line --disabled");
    }
    if (line_only) {
        mp_reset();
        return 0;
    }
    bench_threads();
    if (script != NULL)
        bench_python(script);
    if (rss_on != NULL)
        bench_rss(rss_on, rss_off);
    mp_reset();
    return 0;
}
