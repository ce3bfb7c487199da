/*
 * bench_children.c - memprof run at scale: what recording 50 children costs,
 * and how many samples a busy program makes it miss.
 *
 *     bench_children MEMPROF
 *
 * prints two lines on stdout:
 *
 *   1. memprof run -C -M -T 0.01 of a parent with 50 sleeping children:
 *      memprof's CPU as a share of one core, over 2 s once every child is
 *      there (from /proc/PID/schedstat, the time it ran, in ns), next to
 *      memprof recording one process over the same 2 s; the cheapest of
 *      ROUNDS rounds counts.  With strace installed, the system calls a
 *      sample (a whole recording of 2 s, start-up and end included,
 *      over its samples).
 *   2. memprof run -T 0.01 of 4 threads that never sleep, for 6 s, on
 *      this machine's cores: the samples missed (the grid from the first
 *      to the last has one slot per interval; every slot without a
 *      reading is missed), and, from memprof's schedstat, how long it
 *      waited for a CPU and how long it ran: whose the misses are.
 *
 * The figures are this machine's at this moment, targets printed beside
 * them, never enforced.  This program is also the recorded programs:
 * "--kids N SECONDS" and "--busy N SECONDS".
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "bench_children"
#include "bench.h"

#define KIDS 50
#define ROUNDS 2
#define WINDOW 2.0 /* seconds of each CPU measurement */
#define BUSY_THREADS 4
#define BUSY_SECONDS "6"

/* Where the recordings go; removed at the end. */
static char dir[] = "/tmp/mp_bench_children_XXXXXX";
static char self[4096];

/* sleep_s() - nanosleep for s seconds. */
static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* kids() - the recorded parent: n children that touch 1 MiB and sleep. */
static int kids(int n, double seconds)
{
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            char *volatile p = malloc(1 << 20);
            if (p != NULL)
                memset(p, 1, 1 << 20);
            sleep_s(seconds);
            _exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    return 0;
}

static double busy_end;

/* spin() - one busy thread: never sleeps until busy_end. */
static void *spin(void *arg)
{
    (void)arg;
    volatile unsigned long x = 0;
    while ((double)now_ns() / 1e9 < busy_end)
        for (int i = 0; i < 10000; i++)
            x++;
    return NULL;
}

/* busy() - the recorded busy program: n threads spinning for seconds. */
static int busy(int n, double seconds)
{
    pthread_t t[64];
    busy_end = (double)now_ns() / 1e9 + seconds;
    for (int i = 0; i < n && i < 64; i++)
        if (pthread_create(&t[i], NULL, spin, NULL) != 0)
            return 1;
    for (int i = 0; i < n && i < 64; i++)
        pthread_join(t[i], NULL);
    return 0;
}

/*
 * start() - run argv in dir with stdout and stderr to /dev/null (or
 * stderr to errpath); its pid.
 */
static pid_t start(const char *const argv[], const char *errpath)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (chdir(dir) != 0 || freopen("/dev/null", "w", stdout) == NULL ||
            freopen(errpath ? errpath : "/dev/null", "w", stderr) == NULL)
            _exit(126);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* finish() - wait for pid; whether it exited with 0. */
static int finish(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * schedstat() - pid's time on a CPU and time waiting for one, in ns, from
 * /proc/PID/schedstat (its main thread: memprof has no other).
 */
static int schedstat(pid_t pid, double *ran, double *waited)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int n = fscanf(f, "%lf %lf", ran, waited);
    fclose(f);
    return n == 2 ? 0 : -1;
}

/*
 * children_cost() - figure 1's CPU shares: *tree for -C -M of 50
 * children, *one for one process, in the same WINDOW seconds, cheapest
 * of ROUNDS.
 */
static void children_cost(const char *memprof, double *tree, double *one)
{
    *tree = -1;
    *one = -1;
    char secs[32];
    snprintf(secs, sizeof secs, "%g", WINDOW + 2);
    for (int r = 0; r < ROUNDS; r++) {
        const char *a[] = {memprof, "run", "-C", "-M",     "-T", "0.01", "-o",
                           "k.dat", "--",  self, "--kids", "50", secs,   NULL};
        const char *b[] = {memprof, "run", "-T",    "0.01", "-o",
                           "o.dat", "--",  "sleep", secs,   NULL};
        pid_t pa = start(a, NULL);
        pid_t pb = start(b, NULL);
        sleep_s(1.0);
        double ra0 = 0;
        double rb0 = 0;
        double ra1 = 0;
        double rb1 = 0;
        double w = 0;
        if (schedstat(pa, &ra0, &w) != 0 || schedstat(pb, &rb0, &w) != 0)
            die("schedstat");
        int64_t t0 = now_ns();
        sleep_s(WINDOW);
        if (schedstat(pa, &ra1, &w) != 0 || schedstat(pb, &rb1, &w) != 0)
            die("schedstat");
        double wall = (double)(now_ns() - t0);
        if (!finish(pa) || !finish(pb)) {
            errno = ECHILD;
            die("memprof run");
        }
        double ta = (ra1 - ra0) / wall * 100;
        double tb = (rb1 - rb0) / wall * 100;
        if (*tree < 0 || ta < *tree)
            *tree = ta;
        if (*one < 0 || tb < *one)
            *one = tb;
    }
}

/*
 * mem_lines() - the MEM lines of dir/name: how many, and the first and
 * last timestamps.
 */
static int mem_lines(const char *name, double *first, double *last)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char line[256];
    int n = 0;
    double mib;
    double t;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "MEM %lf %lf", &mib, &t) == 2) {
            if (n++ == 0)
                *first = t;
            *last = t;
        }
    fclose(f);
    return n;
}

/*
 * syscalls_per_sample() - strace -c of one 2 s recording of 50 children:
 * every system call memprof made, over its samples; -1 without strace.
 */
static double syscalls_per_sample(const char *memprof)
{
    if (system("command -v strace > /dev/null 2>&1") != 0)
        return -1;
    char out[300];
    snprintf(out, sizeof out, "%s/strace.txt", dir);
    const char *a[] = {"strace", "-c", "-o",     out,    memprof, "run",
                       "-C",     "-M", "-T",     "0.01", "-o",    "s.dat",
                       "--",     self, "--kids", "50",   "2",     NULL};
    if (!finish(start(a, NULL)))
        return -1;
    FILE *f = fopen(out, "r");
    if (f == NULL)
        return -1;
    char line[256];
    double calls = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        double secs;
        double usecs;
        char name[64];
        if (strstr(line, "total") != NULL &&
            sscanf(line, "%*f %lf %lf %lf", &secs, &usecs, &calls) < 3)
            sscanf(line, "%*f %lf %lf %s", &secs, &calls, name);
    }
    fclose(f);
    double first = 0;
    double last = 0;
    int n = mem_lines("s.dat", &first, &last);
    return n > 0 && calls > 0 ? calls / n : -1;
}

/* missed() - figure 2. */
static void missed(const char *memprof)
{
    char threads[16];
    snprintf(threads, sizeof threads, "%d", BUSY_THREADS);
    const char *a[] = {memprof, "run", "-T",     "0.01",  "-o",         "b.dat",
                       "--",    self,  "--busy", threads, BUSY_SECONDS, NULL};
    pid_t p = start(a, NULL);
    sleep_s(atof(BUSY_SECONDS) - 0.2);
    double ran = 0;
    double waited = 0;
    (void)schedstat(p, &ran, &waited);
    if (!finish(p)) {
        errno = ECHILD;
        die("memprof run --busy");
    }
    double first = 0;
    double last = 0;
    int n = mem_lines("b.dat", &first, &last);
    long slots = n > 0 ? (long)((last - first) / 0.01 + 0.5) + 1 : 0;
    long miss = slots - n;
    printf("missed, %d busy threads %6ld of %5ld   %5.2f%%   memprof waited "
           "for a CPU %6.0f ms, ran %4.0f ms   target <= 2%%\n",
           BUSY_THREADS, miss, slots, slots > 0 ? 100.0 * miss / slots : 0.0,
           waited / 1e6, ran / 1e6);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--kids") == 0)
        return kids(atoi(argv[2]), atof(argv[3]));
    if (argc == 4 && strcmp(argv[1], "--busy") == 0)
        return busy(atoi(argv[2]), atof(argv[3]));
    if (argc != 2) {
        fprintf(stderr, "usage: bench_children MEMPROF\n");
        return 2;
    }
    if (mkdtemp(dir) == NULL)
        die("mkdtemp");
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        die("readlink /proc/self/exe");
    self[len] = '\0';
    double tree;
    double one;
    children_cost(argv[1], &tree, &one);
    double calls = syscalls_per_sample(argv[1]);
    char c[64];
    if (calls > 0)
        snprintf(c, sizeof c, "%5.0f syscalls / sample", calls);
    else
        snprintf(c, sizeof c, "syscalls: no strace");
    printf("run -C -M, %d children %6.2f%% core   1 process %6.2f%% core   "
           "%s   target <= 2%% of a core\n",
           KIDS, tree, one, c);
    missed(argv[1]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
