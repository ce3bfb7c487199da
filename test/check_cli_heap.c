/*
 * check_cli_heap.c - memprof run --heap: programs memprof did not build
 * recorded by their heap count (exact to the byte: test/progs/heap_steps
 * holds known amounts), forked and exec'd children with counts of their
 * own, static programs recorded by RSS after one line, the leak report
 * files, and the command's output, exit status and errno untouched.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/*
 * The slack of a heap count: what the program holds besides its steps,
 * the few KiB of the C library (stdio's buffer), and under a sanitizer
 * the 75 KiB its runtime asks of malloc at start.  The differences
 * between steps are exact (test_steps_exact).
 */
#define SLACK (strstr(MP_TEST_SAN, "sanitize") != NULL ? 0.25 : 16.0 / 1024)

static sandbox sb;

/* enter() - the checked fixture: a sandbox, and TMPDIR in it. */
static void enter(void)
{
    sandbox_enter(&sb, "cli_heap");
    ck_assert_int_eq(mkdir("tmp", 0700), 0);
}

/* leave() - the sandbox removed. */
static void leave(void)
{
    sandbox_leave(&sb);
}

/* tmpdir_env() - "TMPDIR=<sandbox>/tmp", in a static buffer. */
static const char *tmpdir_env(void)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "TMPDIR=%s/tmp", sb.dir);
    return buf;
}

/* tmp_empty() - whether memprof left nothing in TMPDIR. */
static int tmp_empty(void)
{
    DIR *d = opendir("tmp");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n == 0;
}

/* steps() - the absolute path of test/progs/heap_steps. */
static const char *steps(void)
{
    static char buf[4096 + 64];
    snprintf(buf, sizeof buf, "%s/%s", sb.home,
             build_path("test/progs/heap_steps"));
    return buf;
}

/*
 * heap_run() - memprof run --heap with the arguments (NULL-terminated)
 * into r, TMPDIR in the sandbox.  Returns memprof's exit status.  Under
 * AddressSanitizer a program memprof did not build (foreign) runs without
 * LeakSanitizer, which would report its leaks.
 */
static int heap_run_env(run_result *r, const char *const *args, int foreign)
{
    const char *argv[32] = {sb.memprof, "run", "--heap"};
    int n = 3;
    for (; *args != NULL && n < 31; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    char asan[1200];
    const char *a = asan_env();
    if (a != NULL && foreign) {
        snprintf(asan, sizeof asan, "%s:detect_leaks=0", a);
        a = asan;
    }
    const char *env[] = {tmpdir_env(), a, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    ck_assert_msg(WIFEXITED(r->status), "memprof did not exit: %s", r->err);
    return WEXITSTATUS(r->status);
}

/* heap_run() - heap_run_env() of a program of ours. */
static int heap_run(run_result *r, const char *const *args)
{
    return heap_run_env(r, args, 0);
}

/* near() - whether v is want MiB and at most SLACK more. */
static int near(double v, double want)
{
    return v >= want - 1e-6 && v <= want + SLACK;
}

/* count_near() - how many of v[n] are near() want. */
static int count_near(const double *v, int n, double want)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += near(v[i], want);
    return k;
}

/* max_of() - the largest of v[n] (0 for none). */
static double max_of(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

/* has() - whether text contains s. */
static int has(const char *text, const char *s)
{
    return strstr(text, s) != NULL;
}

/*
 * skip_foreign() - true (and a note) for a test of a system program under
 * valgrind, whose malloc is the program's, or ThreadSanitizer: the
 * preload object of that build brings the sanitizer's runtime into a
 * program built without it, where it crashes once threads start (sort;
 * LD_PRELOAD alone, without --heap, does the same).  The object of an
 * AddressSanitizer build loads into such programs (with
 * verify_asan_link_order=0: asan_env()).
 */
static int skip_foreign(const char *what)
{
    if (!test_valgrind() && !MP_TEST_TSAN)
        return 0;
    fprintf(stderr,
            "cli_heap: %s skipped under %s: the preload object of this "
            "build does not run in programs built without it\n",
            what, test_valgrind() ? "valgrind" : "ThreadSanitizer");
    return 1;
}

/* skip_valgrind() - under valgrind, whose malloc replaces the object's. */
static int skip_valgrind(void)
{
    if (!test_valgrind())
        return 0;
    fprintf(stderr, "cli_heap: skipped under valgrind: its malloc is the "
                    "program's, not the preload object's\n");
    return 1;
}

/*
 * Exact steps: 8, 24, then 16 MiB held, each for 0.4 s; exit status 7
 * with -E, the output and errno as without memprof; 16 MiB leaked at
 * exit, the last sample; the report written, the temporary directory
 * gone; memprof plot draws the recording.
 */
START_TEST(test_steps_exact)
{
    if (skip_valgrind())
        return;
    run_result plain;
    const char *argv[] = {steps(), "steps", NULL};
    ck_assert_int_eq(run_capture(argv, NULL, &plain), 0);
    run_result r;
    const char *args[] = {"-E",    "-T",    "0.05",  "-o",
                          "s.dat", steps(), "steps", NULL};
    ck_assert_int_eq(heap_run(&r, args), 7);
    ck_assert_str_eq(r.out, plain.out);
    ck_assert_str_eq(r.out, "errno 0\ndone\n");
    ck_assert_msg(has(r.err, "memprof: leak report written to "
                             "s.leaks.txt\n"),
                  "%s", r.err);
    ck_assert(file_exists("s.leaks.txt"));
    ck_assert(!file_exists("s.leaks.json"));
    ck_assert(tmp_empty());
    rec *d = rec_load("s.dat");
    ck_assert_int_ge(count_near(d->mem, d->nmem, 8), 4);
    ck_assert_int_ge(count_near(d->mem, d->nmem, 24), 4);
    ck_assert_int_ge(count_near(d->mem, d->nmem, 16), 4);
    ck_assert_msg(near(d->mem[d->nmem - 1], 16), "last %f",
                  d->mem[d->nmem - 1]);
    /* Exact to the byte (the file's 6 decimals of MiB): 16 MiB apart. */
    double at8 = -1;
    double at24 = -1;
    for (int i = 0; i < d->nmem; i++) {
        if (near(d->mem[i], 8))
            at8 = d->mem[i];
        if (near(d->mem[i], 24))
            at24 = d->mem[i];
    }
    ck_assert_msg(fabs(at24 - at8 - 16) < 2e-6, "%f - %f", at24, at8);
    ck_assert_msg(fabs(d->mem[d->nmem - 1] - at8 - 8) < 2e-6, "%f - %f",
                  d->mem[d->nmem - 1], at8);
    for (int i = 0; i < d->nmem; i++)
        ck_assert_msg(d->mem[i] < SLACK || near(d->mem[i], 8) ||
                          near(d->mem[i], 24) || near(d->mem[i], 16),
                      "sample %d: %f MiB", i, d->mem[i]);
    run_result p;
    const char *plot[] = {sb.memprof, "plot", "s.dat", "-o", "s.svg", NULL};
    ck_assert_int_eq(run_capture(plot, NULL, &p), 0);
    ck_assert_msg(WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0, "%s",
                  p.err);
    ck_assert(file_exists("s.svg"));
    run_result_free(&p);
    char *report = read_file("s.leaks.txt", NULL);
    ck_assert_ptr_nonnull(report);
    ck_assert_msg(has(report, "(the command): "), "%s", report);
    ck_assert_msg(has(report, "heap_steps\n"), "%s", report);
    free(report);
    run_result_free(&r);
    run_result_free(&plain);
    rec_free(d);
}
END_TEST

/*
 * Threads that end keep their blocks in the count the command reads from
 * the shared file (their counts folded into its remainder): 8 MiB made
 * by one thread, 16 more by 64 in waves, then the 8 freed, exact to the
 * byte as in test_steps_exact.
 */
START_TEST(test_threads_end)
{
    if (skip_valgrind())
        return;
    run_result r;
    const char *args[] = {"-T",    "0.05",    "-o", "t.dat",
                          steps(), "threads", NULL};
    ck_assert_int_eq(heap_run(&r, args), 0);
    ck_assert_str_eq(r.out, "errno 0\ndone\n");
    rec *d = rec_load("t.dat");
    ck_assert_int_ge(count_near(d->mem, d->nmem, 8), 4);
    ck_assert_int_ge(count_near(d->mem, d->nmem, 24), 4);
    ck_assert_int_ge(count_near(d->mem, d->nmem, 16), 4);
    double at8 = -1;
    double at24 = -1;
    for (int i = 0; i < d->nmem; i++) {
        if (near(d->mem[i], 8))
            at8 = d->mem[i];
        if (near(d->mem[i], 24))
            at24 = d->mem[i];
    }
    ck_assert_msg(fabs(at24 - at8 - 16) < 2e-6, "%f - %f", at24, at8);
    ck_assert_msg(fabs(d->mem[d->nmem - 1] - at8 - 8) < 2e-6, "%f - %f",
                  d->mem[d->nmem - 1], at8);
    run_result_free(&r);
    rec_free(d);
}
END_TEST

/*
 * The leak report names the program's sites and none of the library's
 * own allocations (its probe of the heap object, the report's stdio,
 * libdw's): examples/leaks.c, profiled with the heap backend and
 * MEMPROF_ALLOC=1, under run --heap.  Its ten leaked 3 MiB buffers are
 * named three calls deep behind its malloc wrapper.
 */
START_TEST(test_report_sites)
{
    if (skip_valgrind())
        return;
    char prog[4096 + 64];
    snprintf(prog, sizeof prog, "%s/%s", sb.home, build_path("examples/leaks"));
    const char *argv[] = {sb.memprof, "run", "--heap", "-o",
                          "l.dat",    prog,  NULL};
    const char *env[] = {tmpdir_env(), "MEMPROF_BACKEND=heap",
                         "MEMPROF_ALLOC=1", asan_env(), NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
                  r.err);
    char *report = read_file("l.leaks.txt", NULL);
    ck_assert_ptr_nonnull(report);
    ck_assert_msg(has(report, "  30.0 MiB  10 blocks  xmalloc ("), "%s",
                  report);
    ck_assert_msg(has(report, "examples/leaks.c:41)\n"
                              "                       <- handle_request ("),
                  "%s", report);
    ck_assert_msg(has(report, "  120.0 MiB     40 blocks  xmalloc ("), "%s",
                  report);
    ck_assert_msg(has(report, "  250.0 KiB  4,000 blocks  xmalloc ("), "%s",
                  report);
    ck_assert_msg(!has(report, "backend_heap.c") && !has(report, "report.c") &&
                      !has(report, "destination.c") &&
                      !has(report, "source_cache.c") && !has(report, "mp__"),
                  "%s", report);
    free(report);
    run_result_free(&r);
}
END_TEST

/*
 * A forked child counts apart from its parent: with -M the parent's MEM
 * stays 10 MiB while the child's CHLD shows 30 (10 it inherited, 20 its
 * own); with -C, MEM is their sum, 40.  Each leaves a report.
 */
START_TEST(test_fork_apart)
{
    if (skip_valgrind())
        return;
    run_result r;
    const char *args[] = {"-M",    "-T",    "0.05", "-o",
                          "m.dat", steps(), "fork", NULL};
    ck_assert_int_eq(heap_run(&r, args), 0);
    ck_assert_str_eq(r.out, "errno 0\ndone\n");
    rec *d = rec_load("m.dat");
    for (int i = 1; i < d->nmem; i++)
        ck_assert_msg(near(d->mem[i], 10), "MEM %d: %f", i, d->mem[i]);
    ck_assert_int_ge(count_near(d->chld, d->nchld, 30), 8);
    ck_assert_int_eq(count_near(d->chld, d->nchld, 30), d->nchld);
    char *report = read_file("m.leaks.txt", NULL);
    ck_assert_ptr_nonnull(report);
    char child[64];
    snprintf(child, sizeof child, "== PID %ld: ", d->chld_pid[0]);
    ck_assert_msg(has(report, child), "%s", report);
    free(report);
    run_result_free(&r);

    const char *sum[] = {"-C",    "-T",    "0.05", "-o",
                         "c.dat", steps(), "fork", NULL};
    ck_assert_int_eq(heap_run(&r, sum), 0);
    rec_free(d);
    d = rec_load("c.dat");
    ck_assert_int_ge(count_near(d->mem, d->nmem, 40), 8);
    ck_assert_msg(near(max_of(d->mem, d->nmem), 40), "%f",
                  max_of(d->mem, d->nmem));
    ck_assert(tmp_empty());
    run_result_free(&r);
    rec_free(d);
}
END_TEST

/*
 * fork, then exec: the child holds 15 MiB (10 inherited, 5 its own),
 * then its new image 12 MiB from a new count; the old image's count is
 * never read after the exec.
 */
START_TEST(test_fork_exec)
{
    if (skip_valgrind())
        return;
    run_result r;
    const char *args[] = {"-M",    "-T",    "0.05", "-o",
                          "e.dat", steps(), "exec", NULL};
    ck_assert_int_eq(heap_run(&r, args), 0);
    ck_assert_str_eq(r.out, "errno 0\nerrno 0\ndone\ndone\n");
    rec *d = rec_load("e.dat");
    int first12 = -1;
    for (int i = 0; i < d->nchld; i++) {
        ck_assert_msg(near(d->chld[i], 15) || near(d->chld[i], 12),
                      "CHLD %d: %f", i, d->chld[i]);
        if (first12 < 0 && near(d->chld[i], 12))
            first12 = i;
        if (first12 >= 0)
            ck_assert_msg(near(d->chld[i], 12), "CHLD %d: %f after 12", i,
                          d->chld[i]);
    }
    ck_assert_int_ge(count_near(d->chld, d->nchld, 15), 5);
    ck_assert_int_ge(count_near(d->chld, d->nchld, 12), 8);
    run_result_free(&r);
    rec_free(d);
}
END_TEST

/*
 * A static program cannot load the object: one line says so, and MEM is
 * its RSS (the 8 MiB it touches at least).
 */
START_TEST(test_static)
{
    if (skip_valgrind())
        return;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cc -static -O2 -o st %s/test/progs/heap_steps.c 2>/dev/null",
             sb.home);
    if (system(cmd) != 0) {
        fprintf(stderr, "cli_heap: test_static skipped: cc -static fails "
                        "(no libc.a?)\n");
        return;
    }
    run_result r;
    const char *args[] = {"-T", "0.05", "-o", "st.dat", "./st", "steps", NULL};
    ck_assert_int_eq(heap_run(&r, args), 0);
    ck_assert_str_eq(r.out, "errno 0\ndone\n");
    ck_assert_msg(has(r.err, "memprof: ./st is statically linked: no heap "
                             "count, recording RSS\n"),
                  "%s", r.err);
    int n = 0;
    for (const char *p = r.err; (p = strstr(p, "statically")) != NULL; p++)
        n++;
    ck_assert_int_eq(n, 1);
    ck_assert(!has(r.err, "leak report written"));
    rec *d = rec_load("st.dat");
    ck_assert_int_ge(d->nmem, 10);
    FIGURE(ck_assert_msg(max_of(d->mem, d->nmem) >= 8.0, "%f",
                         max_of(d->mem, d->nmem)));
    ck_assert(tmp_empty());
    run_result_free(&r);
    rec_free(d);
}
END_TEST

/*
 * A program set-user-ID to someone else runs without LD_PRELOAD: one line
 * says so before it starts, and its RSS is recorded.  Needs root, to give
 * the copy to another user.
 */
START_TEST(test_setuid)
{
    if (skip_valgrind())
        return;
    if (strstr(MP_TEST_SAN, "sanitize") != NULL) {
        fprintf(stderr, "cli_heap: test_setuid skipped: a sanitizer's "
                        "runtime does not run set-user-ID\n");
        return;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "cli_heap: test_setuid skipped: not root, so no "
                        "program can be made setuid to another user\n");
        return;
    }
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp '%s' su && chown 65534 su && chmod 4755 su && "
             "chmod 755 . tmp",
             steps());
    ck_assert_int_eq(system(cmd), 0);
    run_result r;
    const char *args[] = {"-T",   "0.05", "-o", "su.dat",
                          "./su", "hold", "12", NULL};
    ck_assert_int_eq(heap_run(&r, args), 0);
    ck_assert_str_eq(r.out, "errno 0\ndone\n");
    ck_assert_msg(has(r.err, "memprof: ./su is setuid or setgid: LD_PRELOAD "
                             "is ignored: no heap count, recording RSS\n"),
                  "%s", r.err);
    rec *d = rec_load("su.dat");
    ck_assert_int_ge(d->nmem, 5);
    FIGURE(ck_assert_msg(max_of(d->mem, d->nmem) >= 12.0, "%f",
                         max_of(d->mem, d->nmem)));
    run_result_free(&r);
    rec_free(d);
}
END_TEST

/*
 * python3, which memprof did not build: a 50 MiB bytearray shows as at
 * least 50 MiB of heap, and not much more (the interpreter's own heap
 * is a few MiB); its output and status untouched; --json writes the
 * report in JSON too.
 */
START_TEST(test_python)
{
    if (skip_foreign("test_python") || access("/usr/bin/python3", X_OK) != 0)
        return;
    run_result r;
    const char *args[] = {"--json",
                          "-E",
                          "-T",
                          "0.05",
                          "-o",
                          "py.dat",
                          "/usr/bin/python3",
                          "-c",
                          "x = bytearray(50*2**20); import time; "
                          "time.sleep(0.3); print('ok'); raise SystemExit(3)",
                          NULL};
    ck_assert_int_eq(heap_run_env(&r, args, 1), 3);
    ck_assert_str_eq(r.out, "ok\n");
    ck_assert_msg(has(r.err, "memprof: leak report written to py.leaks.txt "
                             "and py.leaks.json\n"),
                  "%s", r.err);
    rec *d = rec_load("py.dat");
    double peak = max_of(d->mem, d->nmem);
    ck_assert_msg(peak >= 50.0 && peak < 50.0 + 16, "peak %f", peak);
    char *js = read_file("py.leaks.json", NULL);
    ck_assert_ptr_nonnull(js);
    static const char head[] = "{\"memprof_leaks\": {\"format\": 1}, "
                               "\"processes\": [{\"pid\": ";
    ck_assert_msg(strncmp(js, head, strlen(head)) == 0, "%s", js);
    free(js);
    ck_assert(tmp_empty());
    run_result_free(&r);
    rec_free(d);
}
END_TEST

/*
 * sort on a generated file (7 MB): the same output as without memprof, a
 * plausible curve: it holds the lines it sorts, in its buffer of 64 MiB
 * (-S; without it, GNU sort asks for a share of the machine's memory,
 * which it does not touch: the heap counts what is asked for).
 */
START_TEST(test_sort)
{
    if (skip_foreign("test_sort"))
        return;
    FILE *f = fopen("in.txt", "w");
    ck_assert_ptr_nonnull(f);
    unsigned x = 12345;
    for (int i = 0; i < 300000; i++) {
        x = x * 1103515245u + 12345u;
        fprintf(f, "%u line %d\n", x >> 8, i);
    }
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(system("sort -S 64M -n in.txt > want.txt"), 0);
    run_result r;
    const char *args[] = {"-E", "-T",  "0.02", "-o",     "so.dat", "sort",
                          "-S", "64M", "-n",   "in.txt", NULL};
    ck_assert_msg(heap_run_env(&r, args, 1) == 0, "%s", r.err);
    char *want = read_file("want.txt", NULL);
    ck_assert_ptr_nonnull(want);
    ck_assert(strcmp(r.out, want) == 0);
    free(want);
    rec *d = rec_load("so.dat");
    ck_assert_int_ge(d->nmem, 1);
    double peak = max_of(d->mem, d->nmem);
    ck_assert_msg(peak > 7 && peak < 64 + 16, "peak %f", peak);
    ck_assert(file_exists("so.leaks.txt"));
    ck_assert(tmp_empty());
    run_result_free(&r);
    rec_free(d);
}
END_TEST

/*
 * The user's LD_PRELOAD is kept, after the heap object; --json without
 * --heap and attach --heap are usage errors.
 */
START_TEST(test_preload_and_usage)
{
    if (skip_valgrind())
        return;
    ck_assert_int_eq(system("printf 'int mp_test_empty;\\n' | cc -shared "
                            "-fPIC -x c -o empty.so -"),
                     0);
    char user[4096 + 64];
    snprintf(user, sizeof user, "LD_PRELOAD=%s/empty.so", sb.dir);
    const char *argv[] = {sb.memprof, "run", "--heap", "-o",
                          "p.dat",    "sh",  "-c",     "echo \"$LD_PRELOAD\"",
                          NULL};
    const char *env[] = {user, tmpdir_env(), asan_env(), NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    char want[16384];
    snprintf(want, sizeof want, "%s/%s %s\n", sb.home,
             build_path("libmemprof-heap.so"), user + strlen("LD_PRELOAD="));
    ck_assert_str_eq(r.out, want);
    run_result_free(&r);

    const char *json[] = {sb.memprof, "run", "--json", "true", NULL};
    ck_assert_int_eq(run_capture(json, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 2);
    ck_assert_msg(has(r.err, "--json"), "%s", r.err);
    run_result_free(&r);
    const char *attach[] = {sb.memprof, "attach", "--heap", "1", NULL};
    ck_assert_int_eq(run_capture(attach, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 2);
    ck_assert_msg(has(r.err, "--heap works with memprof run only"), "%s",
                  r.err);
    run_result_free(&r);
}
END_TEST

Suite *cli_heap_suite(void)
{
    Suite *s = suite_create("cli_heap");
    TCase *tc = tcase_create("run --heap");
    tcase_add_checked_fixture(tc, enter, leave);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_steps_exact);
    tcase_add_test(tc, test_threads_end);
    tcase_add_test(tc, test_fork_apart);
    tcase_add_test(tc, test_report_sites);
    tcase_add_test(tc, test_fork_exec);
    tcase_add_test(tc, test_static);
    tcase_add_test(tc, test_setuid);
    tcase_add_test(tc, test_python);
    tcase_add_test(tc, test_sort);
    tcase_add_test(tc, test_preload_and_usage);
    suite_add_tcase(s, tc);
    return s;
}
