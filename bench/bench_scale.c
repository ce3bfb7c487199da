/*
 * bench_scale.c - what the profiler costs as a program grows: the memory it
 * adds for 100,000 annotated sites on one thread and on 32 more, and the
 * time and memory of the report at exit for 100,000 sites in 1,000 and in
 * 10,000 functions.
 *
 *     bench_scale SITES1000.c SITES10000.c
 *
 * Each argument is a program of bench/gen_sites.sh (1,000 functions of 100
 * sites; 10,000 of 10).  Compiling 100,000 MP_LINEs takes gcc over 30 s,
 * so this program makes the same sites at run time instead: it reads the
 * source, gives each MP_PROFILE_FUNC and MP_LINE of it a site record with
 * its file, line and text, as the macros' static records would hold, and
 * runs them through the calls the macros expand to (mp__frame_begin(),
 * mp__line(), mp__frame_end()).  The report reads the same source, as it
 * would read the compiled program's.
 *
 * Every figure comes from a child run of this program (--child), which
 * prints its VmRSS, VmHWM and the time at the end of main and again after
 * the report at exit; the memory added is the run against the same run
 * with MEMPROF_DISABLE=1 (the site records are the program's in both),
 * the median of a few of each.  Targets are printed, never enforced.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <memprof.h>

#define BENCH_NAME "bench_scale"
#include "bench.h"

#define THREADS 32 /* the threads of the second figure */
#define ROUNDS 5   /* child runs per figure */

/* One function of the source: its entry site and its lines' sites. */
typedef struct func {
    mp__site entry;
    mp__site *lines;
    int nlines;
} func;

static func *funcs;
static int nfuncs;

/*
 * load() - the sites of path, a gen_sites.sh program: a function per
 * "MP_PROFILE_FUNC();" line, a line site per "MP_LINE(" after it, its text
 * what the parentheses hold.  Dies if the file cannot be read.
 */
static void load(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[512];
    char name[64] = "";
    int line = 0;
    int cap = 0;
    if (f == NULL)
        die(path);
    while (fgets(buf, sizeof buf, f) != NULL) {
        line++;
        const char *p;
        if (sscanf(buf, "static unsigned %63[a-z0-9](", name) == 1)
            continue;
        if (strstr(buf, "MP_PROFILE_FUNC();") != NULL) {
            if (nfuncs == cap) {
                cap = cap ? 2 * cap : 1024;
                funcs = realloc(funcs, (size_t)cap * sizeof *funcs);
                if (funcs == NULL)
                    die("realloc");
            }
            func *fn = &funcs[nfuncs++];
            mp__site s = {strdup(path),
                          strdup(name),
                          "MP_PROFILE_FUNC();",
                          line,
                          MP__SITE_FUNC,
                          -1,
                          0u,
                          0u};
            fn->entry = s;
            fn->lines = NULL;
            fn->nlines = 0;
        } else if ((p = strstr(buf, "MP_LINE(")) != NULL && nfuncs > 0) {
            func *fn = &funcs[nfuncs - 1];
            const char *end = strstr(p, ");");
            if (end == NULL)
                continue;
            fn->lines = realloc(fn->lines,
                                (size_t)(fn->nlines + 1) * sizeof *fn->lines);
            if (fn->lines == NULL)
                die("realloc");
            mp__site s = {fn->entry.file,
                          fn->entry.func,
                          strndup(p + 8, (size_t)(end - p - 8)),
                          line,
                          MP__SITE_LINE,
                          -1,
                          0u,
                          0u};
            fn->lines[fn->nlines++] = s;
        }
    }
    fclose(f);
    if (nfuncs == 0) {
        errno = EINVAL;
        die(path);
    }
}

/*
 * call() - function f called as gen_sites.sh's would be: its entry, then
 * every line (pick < 0) or only line pick, as MP_PROFILE_FUNC and MP_LINE
 * expand.
 */
static void call(int f, int pick)
{
    func *fn = &funcs[f];
    mp__frame frm = {&fn->entry, 0, 0, 0, 0, 0, 0};
    mp__frame *fp = mp__frame_begin(&frm);
    for (int l = 0; l < fn->nlines; l++)
        if (pick < 0 || pick == l)
            mp__line(&fn->lines[l], fp);
    mp__frame_end(&frm);
}

/*
 * print_status() - VmRSS, VmHWM (kB), the time and the process's CPU time
 * (user and system) in s, after tag.
 */
static void print_status(const char *tag)
{
    char line[256];
    long rss = -1;
    long hwm = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            rss = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            hwm = strtol(line + 6, NULL, 10);
    }
    fclose(f);
    struct timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    printf("%s %ld %ld %.6f %.6f\n", tag, rss, hwm, (double)now_ns() / 1e9,
           (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9);
    fflush(stdout);
}

/* at_exit() - registered before the library's handler: runs after it. */
static void at_exit(void)
{
    print_status("exit");
}

static pthread_barrier_t done;
static pthread_barrier_t go;

/*
 * worker() - thread k: the entry and one line of every other function,
 * so that its sites are spread over the whole table, then wait.
 */
static void *worker(void *arg)
{
    int k = (int)(long)arg;
    for (int f = k % 2; f < nfuncs; f += 2)
        call(f, funcs[f].nlines > 0 ? k % funcs[f].nlines : 0);
    pthread_barrier_wait(&done);
    pthread_barrier_wait(&go);
    return NULL;
}

/*
 * child() - --child SRC THREADS: every site once on the main thread, then
 * THREADS threads; the status while they are alive, and after the report.
 */
static int child(const char *src, int threads)
{
    pthread_t tid[THREADS];
    if (threads < 0 || threads > THREADS)
        return 2;
    load(src);
    atexit(at_exit);
    for (int f = 0; f < nfuncs; f++)
        call(f, -1);
    pthread_barrier_init(&done, NULL, (unsigned)threads + 1);
    pthread_barrier_init(&go, NULL, (unsigned)threads + 1);
    for (int k = 0; k < threads; k++)
        if (pthread_create(&tid[k], NULL, worker, (void *)(long)k) != 0)
            die("pthread_create");
    pthread_barrier_wait(&done);
    print_status("main");
    pthread_barrier_wait(&go);
    for (int k = 0; k < threads; k++)
        pthread_join(tid[k], NULL);
    return 0;
}

/* What a child run printed. */
typedef struct run {
    long rss;     /* VmRSS at the end of main, kB */
    long hwm;     /* VmHWM after the report, kB */
    double t_rep; /* from the end of main to after the report, s */
    double c_rep; /* ... the CPU time it took, s */
} run;

/*
 * run_child() - this program with --child src threads, MEMPROF_DISABLE
 * set to disabled, the report into /dev/null.  Dies if it fails.
 */
static run run_child(const char *self, const char *src, int threads,
                     int disabled)
{
    char arg[16];
    char out[512];
    int p[2];
    snprintf(arg, sizeof arg, "%d", threads);
    if (pipe(p) != 0)
        die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], STDOUT_FILENO);
        setenv("MEMPROF_OUTPUT", "/dev/null", 1);
        setenv("MEMPROF_DISABLE", disabled ? "1" : "0", 1);
        execl(self, self, "--child", src, arg, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 &&
           (r = read(p[0], out + n, sizeof out - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("read");
        n += (size_t)r;
    }
    out[n] = '\0';
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    run res;
    long h0;
    long r1;
    double t0;
    double t1;
    double c0;
    double c1;
    const char *m = strstr(out, "main ");
    const char *e = strstr(out, "exit ");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || m == NULL ||
        e == NULL ||
        sscanf(m, "main %ld %ld %lf %lf", &res.rss, &h0, &t0, &c0) != 4 ||
        sscanf(e, "exit %ld %ld %lf %lf", &r1, &res.hwm, &t1, &c1) != 4) {
        errno = ECHILD;
        die(src);
    }
    res.t_rep = t1 - t0;
    res.c_rep = c1 - c0;
    return res;
}

/* median() - the median of n values, sorted in place. */
static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

/*
 * added_kib() - the median over ROUNDS pairs of runs of the VmRSS that
 * recording adds to src's program with threads threads.
 */
static double added_kib(const char *self, const char *src, int threads)
{
    double d[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        run on = run_child(self, src, threads, 0);
        run off = run_child(self, src, threads, 1);
        d[r] = (double)(on.rss - off.rss);
    }
    return median(d, ROUNDS);
}

/*
 * bench_report() - the report at exit of src's program (every site
 * recorded once on one thread): its time (wall, the fastest of the runs:
 * noise only adds; and CPU), and the peak it adds (VmHWM after it against
 * VmRSS before, the median), next to the source's size.
 */
static void bench_report(const char *self, const char *src, const char *what)
{
    struct stat st;
    double t[ROUNDS];
    double c[ROUNDS];
    double peak[ROUNDS];
    if (stat(src, &st) != 0)
        die(src);
    for (int r = 0; r < ROUNDS; r++) {
        run on = run_child(self, src, 0, 0);
        t[r] = on.t_rep;
        c[r] = on.c_rep;
        peak[r] = (double)(on.hwm - on.rss) / 1024;
    }
    double mib = (double)st.st_size / (1 << 20);
    printf("report, %-17s %6.3f s (cpu %5.3f)  peak %+5.1f MiB  source "
           "%4.2f MiB  target <= 0.3 s, peak <= %.1f MiB\n",
           what, min_of(t, ROUNDS), min_of(c, ROUNDS), median(peak, ROUNDS),
           mib, 2 * mib);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--child") == 0)
        return child(argv[2], atoi(argv[3]));
    if (argc != 3) {
        fprintf(stderr, "usage: bench_scale SITES1000.c SITES10000.c\n");
        return 2;
    }
    const char *self = "/proc/self/exe";
    char path[4096];
    ssize_t n = readlink(self, path, sizeof path - 1);
    if (n <= 0)
        die("readlink /proc/self/exe");
    path[n] = '\0';

    double one = added_kib(path, argv[1], 0);
    double many = added_kib(path, argv[1], THREADS);
    printf("RSS, 100,000 sites     %+8.0f KiB  1 thread, every site once      "
           "             context\n",
           one);
    printf("RSS, + %d threads      %+8.0f KiB  each 1,000 sites, %.0f B a "
           "thread      target <= 8192 KiB\n",
           THREADS, many - one, (many - one) * 1024 / THREADS);
    bench_report(path, argv[1], "1,000 functions");
    bench_report(path, argv[2], "10,000 functions");
    return 0;
}
