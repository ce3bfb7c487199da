/*
 * check_cli_children.c - memprof run at scale, in sizes a 2-core machine
 * runs in seconds: many children (-M gives each its own CHLD series, -C
 * adds them all up), a child that lives only 0.15 s (found by the scan of
 * the tree, made at most every 0.1 s), run --heap's children, and a
 * sampler that was stopped: it skips the readings it missed instead of
 * taking them all at once.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* prog_path() - the absolute path of test program name (static). */
static const char *prog_path(const sandbox *sb, const char *name)
{
    static char buf[8192];
    char rel[256];
    snprintf(rel, sizeof rel, "test/progs/%s", name);
    snprintf(buf, sizeof buf, "%s/%s", sb->home, build_path(rel));
    return buf;
}

/* series_peak() - the largest CHLD reading of pid, and how many it has. */
static double series_peak(const rec *d, long pid, int *n)
{
    double peak = 0;
    *n = 0;
    for (int i = 0; i < d->nchld; i++) {
        if (d->chld_pid[i] != pid)
            continue;
        (*n)++;
        if (d->chld[i] > peak)
            peak = d->chld[i];
    }
    return peak;
}

/*
 * check_kids() - for each "pid PID MIB" line the children printed in out,
 * a CHLD series of at least 3 readings in d whose peak is between MIB *
 * below and MIB + above.  Returns how many children there were.
 */
static int check_kids(const rec *d, const char *out, double below, double above)
{
    int kids = 0;
    long pid;
    int mib;
    int used;
    while (sscanf(out, "pid %ld %d\n%n", &pid, &mib, &used) == 2) {
        int n;
        double peak = series_peak(d, pid, &n);
        ck_assert_msg(n >= 3, "pid %ld: %d CHLD lines", pid, n);
        FIGURE(ck_assert_double_ge(peak, mib * below));
        FIGURE(ck_assert_double_le(peak, mib + above));
        kids++;
        out += used;
    }
    return kids;
}

/*
 * -C -M with 20 children: each child's pid, as it printed it, has its own
 * CHLD series peaking at what it touched (plus the C library's pages,
 * under 3 MiB; under 8 with AddressSanitizer's runtime), and every MEM reading
 * is the parent's plus its sample's CHLD readings: what is left for the parent
 * is small and never negative.
 */
START_TEST(test_twenty_children)
{
    sandbox sb;
    sandbox_enter(&sb, "scale");
    const char *argv[] = {
        sb.memprof, "run", "-C",    "-M", "-T",
        "0.02",     "-o",  "k.dat", "--", prog_path(&sb, "kids"),
        "20",       "800", NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
                  r.err);
    rec *d = rec_load("k.dat");
    ck_assert_int_eq(check_kids(d, r.out, 0.98, MP_TEST_ASAN ? 8.0 : 3.0), 20);
    for (int i = 0; i < d->nmem; i++) {
        double sum = 0;
        for (int j = 0; j < d->nchld; j++)
            if (d->chld_t[j] == d->mem_t[i])
                sum += d->chld[j];
        double parent = d->mem[i] - sum;
        ck_assert_msg(parent > 0 && parent < 64, "MEM %f, children %f at %f",
                      d->mem[i], sum, d->mem_t[i]);
    }
    rec_free(d);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * A child that starts 0.3 s in and lives 0.15 s: the scan of the tree,
 * at most 0.1 s apart, finds it while it lives, so it has a CHLD series
 * and -C adds it to the MEM reading of the same sample.
 */
START_TEST(test_short_child)
{
    sandbox sb;
    sandbox_enter(&sb, "scale");
    const char *argv[] = {
        sb.memprof, "run", "-C",    "-M", "-T",
        "0.01",     "-o",  "s.dat", "--", prog_path(&sb, "kids"),
        "1",        "150", "300",   NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
                  r.err);
    long pid;
    int mib;
    ck_assert_int_eq(sscanf(r.out, "pid %ld %d", &pid, &mib), 2);
    rec *d = rec_load("s.dat");
    int n;
    (void)series_peak(d, pid, &n);
    ck_assert_msg(n >= 1, "the 0.15 s child %ld was never recorded", pid);
    for (int j = 0; j < d->nchld; j++)
        for (int i = 0; i < d->nmem; i++)
            if (d->mem_t[i] == d->chld_t[j])
                ck_assert_double_gt(d->mem[i], d->chld[j]);
    rec_free(d);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * run --heap -C -M with 6 children: each child's CHLD series is its heap,
 * peaking at the MiB it asked malloc for (within 0.25 MiB), read from the
 * file its preload object shares between the scans of the tree.
 */
START_TEST(test_heap_children)
{
    if (test_valgrind() || MP_TEST_TSAN) {
        /* valgrind's malloc is the program's, not the object's; under
         * ThreadSanitizer, kids with the preload object and a
         * MEMPROF_HEAP_DIR crashes (SEGV) once it has forked, memprof
         * or not. */
        fprintf(stderr, "cli_children: test_heap_children skipped under %s\n",
                MP_TEST_TSAN ? "ThreadSanitizer" : "valgrind");
        return;
    }
    sandbox sb;
    sandbox_enter(&sb, "scale");
    const char *argv[] = {sb.memprof,
                          "run",
                          "--heap",
                          "-C",
                          "-M",
                          "-T",
                          "0.02",
                          "-o",
                          "h.dat",
                          "--",
                          prog_path(&sb, "kids"),
                          "6",
                          "600",
                          NULL};
    const char *env[] = {asan_env(), NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
                  r.err);
    rec *d = rec_load("h.dat");
    ck_assert_int_eq(check_kids(d, r.out, 1.0, 0.25), 6);
    rec_free(d);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/* sleep_s() - nanosleep for s seconds. */
static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/*
 * memprof stopped (SIGSTOP) for 0.3 s at -T 0.01: the readings it could
 * not take are skipped, not made up at once when it runs again.  The
 * recording has one gap of about 0.3 s, and the readings after it keep
 * their spacing: in the 0.05 s after the gap, at most 8 readings (5 on
 * time; a sampler that caught up would take 30 there).
 */
START_TEST(test_stall_skips)
{
    if (test_valgrind()) {
        fprintf(stderr, "cli_children: test_stall_skips skipped under "
                        "valgrind: memprof cannot keep -T 0.01 there\n");
        return;
    }
    sandbox sb;
    sandbox_enter(&sb, "scale");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(126);
        execl(sb.memprof, sb.memprof, "run", "-T", "0.01", "-o", "p.dat",
              "sleep", "1.2", (char *)NULL);
        _exit(127);
    }
    sleep_s(0.4);
    ck_assert_int_eq(kill(pid, SIGSTOP), 0);
    sleep_s(0.3);
    ck_assert_int_eq(kill(pid, SIGCONT), 0);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    rec *d = rec_load("p.dat");
    int gap = -1;
    for (int i = 1; i < d->nmem; i++) {
        double dt = d->mem_t[i] - d->mem_t[i - 1];
        if (dt >= 0.2) {
            ck_assert_msg(gap < 0, "two gaps, at %d and %d", gap, i);
            gap = i;
        }
        ck_assert_msg(dt > 0, "readings %d and %d at the same time", i - 1, i);
    }
    ck_assert_msg(gap > 0, "no gap in %d readings", d->nmem);
    int burst = 0;
    for (int i = gap; i < d->nmem; i++)
        burst += d->mem_t[i] - d->mem_t[gap] < 0.05;
    ck_assert_msg(burst <= 8, "%d readings in the 0.05 s after the stop",
                  burst);
    if (!test_valgrind())
        ck_assert_int_le(d->nmem, 100);
    rec_free(d);
    sandbox_leave(&sb);
}
END_TEST

Suite *cli_children_suite(void)
{
    Suite *s = suite_create("cli_children");
    TCase *tc = tcase_create("children");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_twenty_children);
    tcase_add_test(tc, test_short_child);
    tcase_add_test(tc, test_heap_children);
    suite_add_tcase(s, tc);
    tc = tcase_create("sampler");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_stall_skips);
    suite_add_tcase(s, tc);
    return s;
}
