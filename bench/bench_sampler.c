/*
 * bench_sampler.c - what memprof run costs the machine while it records,
 * next to python3-mprof run recording the same program in the same run.
 *
 *     bench_sampler MEMPROF [MPROF]
 *
 * For each recorder and each interval, the recorder runs "sleep SECONDS"
 * and its CPU time (user + system, from wait4(2), so the recorder's own,
 * the sleeping command costs none) is measured.  The cost of one sample is
 * the difference between a run at the interval and a run at a long one,
 * over the same wall time, divided by the difference in samples: start-up
 * (an interpreter's import above all) cancels out.  From it: CPU per 1,000
 * samples, and the share of one core at -T 0.01 and -T 0.001.
 *
 * The floor is measured the same way: this program run again as a loop
 * that only sleeps to the same absolute deadlines.  On a virtual machine
 * one timer wake-up alone can cost tens of microseconds of system time,
 * which no recorder can avoid; the costs above that floor are printed too.
 *
 * Targets (printed, never enforced): at -T 0.01 under 0.5% of a core, and
 * at least 20 times cheaper than mprof per sample.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SECONDS "2" /* wall time of each recording */
#define ROUNDS 2    /* recordings of each kind; the cheapest counts */
#define SLOW "1"    /* the long interval: 2 samples, start-up only */

/* Where the recordings go; removed at the end. */
static char dir[] = "/tmp/mp_bench_sampler_XXXXXX";

/*
 * cpu_of() - run argv with stdout and stderr to /dev/null, wait for it and
 * return its user + system CPU seconds, or -1 when it did not run or
 * failed.
 */
static double cpu_of(const char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (freopen("/dev/null", "w", stdout) == NULL ||
            freopen("/dev/null", "w", stderr) == NULL)
            _exit(126);
        if (chdir(dir) != 0)
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/*
 * per_sample() - CPU seconds of one sample of recorder at interval: the
 * cheapest of ROUNDS runs at interval, less the cheapest at SLOW, over the
 * number of samples between them.  With floor, recorder is this program
 * and runs its sleep loop instead.  -1 if a run failed.
 */
static double per_sample(const char *recorder, const char *interval, int floor)
{
    double fast = -1;
    double slow = -1;
    for (int r = 0; r < ROUNDS; r++) {
        const char *ivs[2] = {interval, SLOW};
        for (int k = 0; k < 2; k++) {
            const char *run[] = {recorder,  "run",        "-T",    ivs[k], "-o",
                                 "rec.dat", "/bin/sleep", SECONDS, NULL};
            const char *loop[] = {recorder, "--sleep-loop", ivs[k], SECONDS,
                                  NULL};
            const char *const *argv = floor ? loop : run;
            double c = cpu_of(argv);
            if (c < 0)
                return -1;
            double *best = k == 0 ? &fast : &slow;
            if (*best < 0 || c < *best)
                *best = c;
        }
    }
    double samples =
        atof(SECONDS) / atof(interval) - atof(SECONDS) / atof(SLOW);
    double cost = (fast - slow) / samples;
    return cost > 0 ? cost : 0;
}

/*
 * report() - one line for a recorder: CPU per 1,000 samples and the share
 * of a core at -T 0.01 (from s10, the cost of one sample there) and at
 * -T 0.001 (from s1).
 */
static void report(const char *label, double s10, double s1)
{
    printf("%-18s %8.2f ms / 1,000 samples   -T 0.01: %6.3f%% of a core   "
           "-T 0.001: %6.2f%% of a core\n",
           label, s10 * 1e6, s10 * 100 * 100, s1 * 1000 * 100);
}

/*
 * sleep_loop() - the floor: wake up every interval seconds on absolute
 * deadlines, as a recorder does, for seconds seconds, doing nothing else.
 */
static int sleep_loop(double interval, double seconds)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long long next = t.tv_sec * 1000000000LL + t.tv_nsec;
    long long end = next + (long long)(seconds * 1e9);
    long long step = (long long)(interval * 1e9);
    while ((next += step) < end) {
        struct timespec d = {next / 1000000000LL, next % 1000000000LL};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) != 0)
            ;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--sleep-loop") == 0)
        return sleep_loop(atof(argv[2]), atof(argv[3]));
    if (argc < 2) {
        fprintf(stderr, "usage: bench_sampler MEMPROF [MPROF]\n");
        return 2;
    }
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        perror("readlink /proc/self/exe");
        return 1;
    }
    self[len] = '\0';
    double f10 = per_sample(self, "0.01", 1);
    double f1 = per_sample(self, "0.001", 1);
    double m10 = per_sample(argv[1], "0.01", 0);
    double m1 = per_sample(argv[1], "0.001", 0);
    if (m10 < 0 || m1 < 0 || f10 < 0 || f1 < 0) {
        fprintf(stderr, "bench_sampler: %s run failed\n", argv[1]);
        return 1;
    }
    report("sleep-only floor", f10, f1);
    report("memprof run", m10, m1);
    printf("%-18s above the floor: %.2f ms / 1,000 samples at -T 0.01   "
           "target: the whole < 0.5%% of a core\n",
           "", (m10 - f10) * 1e6);
    if (argc > 2 && access(argv[2], X_OK) == 0) {
        double p10 = per_sample(argv[2], "0.01", 0);
        double p1 = per_sample(argv[2], "0.001", 0);
        if (p10 < 0 || p1 < 0) {
            printf("python3-mprof run: failed, skipped\n");
        } else {
            report("python3-mprof run", p10, p1);
            printf("%-18s mprof / memprof per sample at -T 0.01: %.1fx "
                   "(above the floor: %.1fx)   target >= 20x\n",
                   "", m10 > 0 ? p10 / m10 : 0.0,
                   m10 > f10 ? (p10 - f10) / (m10 - f10) : 0.0);
        }
    } else {
        printf("python3-mprof: not installed, skipped\n");
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
