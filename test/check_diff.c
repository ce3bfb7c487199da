/*
 * check_diff.c - the JSON report as CI reads it (its "memprof" and "run"
 * members checked by Python's json module against what the test knows of
 * the run, "entry", bytes that are not UTF-8) and memprof diff: exact
 * tables of two reports and of two recordings, the --fail-above gate's
 * exit statuses, two real runs of one program in two versions, and bad
 * input of every kind (one line, never a crash).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

/* escaped() - mp__json_string() of s, in a static buffer. */
static const char *escaped(const char *s)
{
    static char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    ck_assert_ptr_nonnull(f);
    mp__json_string(f, s);
    fclose(f);
    return buf;
}

/*
 * Well-formed UTF-8 is copied; a byte outside it is its Latin-1
 * character, escaped: overlong forms, surrogates, code points above
 * U+10FFFF, sequences cut short, stray continuation bytes.
 */
START_TEST(test_json_string)
{
    ck_assert_str_eq(escaped("a\"b\\c\td\n\x7f"),
                     "\"a\\\"b\\\\c\\td\\u000a\\u007f\"");
    ck_assert_str_eq(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
                     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    ck_assert_str_eq(escaped("/* caf\xe9 */"), "\"/* caf\\u00e9 */\"");
    ck_assert_str_eq(escaped("\xc3"), "\"\\u00c3\"");
    ck_assert_str_eq(escaped("\xc3x"), "\"\\u00c3x\"");
    ck_assert_str_eq(escaped("\xc0\xaf"), "\"\\u00c0\\u00af\"");
    ck_assert_str_eq(escaped("\xe0\x80\xaf"), "\"\\u00e0\\u0080\\u00af\"");
    ck_assert_str_eq(escaped("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
    ck_assert_str_eq(escaped("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");
    ck_assert_str_eq(escaped("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");
    ck_assert_str_eq(escaped("\xf4\x90\x80\x80"),
                     "\"\\u00f4\\u0090\\u0080\\u0080\"");
    ck_assert_str_eq(escaped("\xf0\x9f\x98"), "\"\\u00f0\\u009f\\u0098\"");
    ck_assert_str_eq(escaped("\x80\xbf\xff\xfe"),
                     "\"\\u0080\\u00bf\\u00ff\\u00fe\"");
    ck_assert_str_eq(escaped(NULL), "null");
}
END_TEST

/* python() - whether python3 is here (said once when it is not). */
static int python(void)
{
    static int have = -1;
    if (have < 0) {
        have = sh("command -v python3 >/dev/null") == 0;
        if (!have)
            fprintf(stderr, "SKIP the JSON parser's checks: no python3\n");
    }
    return have;
}

/* now_real() - CLOCK_REALTIME in seconds. */
static double now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * check_report() - run test/python/json_report.py on the report at path:
 * the run's metadata as the test knows it (pid, backend, precision,
 * start within t0..t1, max_mem_mib within lo..hi, the command line of
 * argv) and "entry" on the MP_PROFILE_FUNC rows only.
 */
static void check_report(const char *path, long pid, const char *backend,
                         int precision, double t0, double t1, double lo,
                         double hi, const char *const argv[])
{
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd,
                     "python3 test/python/json_report.py %s %s %ld %s %d "
                     "%.6f %.6f %.3f %.3f --",
                     path, MEMPROF_VERSION, pid, backend, precision, t0, t1,
                     figures_hold() ? lo : -1e9, figures_hold() ? hi : 1e9);
    for (int i = 0; argv[i] != NULL; i++)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s'", argv[i]);
    const char *args[] = {"/bin/sh", "-c", cmd, NULL};
    run_result r;
    ck_assert_int_eq(run_capture(args, NULL, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 &&
                      strcmp(r.out, "ok\n") == 0,
                  "%s\n%s%s", path, r.out, r.err);
    run_result_free(&r);
}

/*
 * run_regress() - run test/progs/regress with args and env (its report
 * to dir/name), failing the test unless it exits 0; its pid.
 */
static long run_regress(const char *const args[], const char *const env[],
                        double *t0, double *t1)
{
    run_result r;
    *t0 = now_real();
    ck_assert_int_eq(run_capture(args, env, &r), 0);
    *t1 = now_real();
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
                  r.err);
    long pid = atol(r.out);
    ck_assert_int_gt(pid, 0);
    run_result_free(&r);
    return pid;
}

/*
 * The run's metadata, exact: the pid is the child's, the command line as
 * run (a blank and a non-ASCII argument too), the backend and precision
 * in use, the start within the test's run, max_mem_mib the largest
 * mem_mib and near the 8 + 24 MiB the program holds at once.
 */
START_TEST(test_json_run)
{
    const char *dir = make_tmpdir("diff");
    char out[256];
    char setting[300];
    double t0;
    double t1;
    snprintf(out, sizeof out, "%s/r.json", dir);
    snprintf(setting, sizeof setting, "MEMPROF_OUTPUT=%s", out);
    const char *args[] = {build_path("test/progs/regress"),
                          "8",
                          "24",
                          "0",
                          "two words",
                          "caf\xc3\xa9",
                          NULL};
    const char *env[] = {"MEMPROF_FORMAT=json", setting, NULL};
    long pid = run_regress(args, env, &t0, &t1);
    if (python())
        check_report(out, pid, "rss", 1, t0 - 0.001, t1, 32.0, 32.0 + 24.0,
                     args);
    char *text = read_file(out, NULL);
    ck_assert_ptr_nonnull(text);
    /* The members in their order; the rows' "entry" after "line". */
    ck_assert_int_eq(strncmp(text,
                             "{\"memprof\": {\"version\": \"" MEMPROF_VERSION
                             "\", \"format\": 1},\n\"run\": {\"cmdline\": [",
                             40),
                     0);
    ck_assert_ptr_nonnull(strstr(text, "},\n\"tables\": [\n  {\"file\": "
                                       "\"test/progs/regress.c\", "
                                       "\"function\": \"work\", \"rows\": [\n"
                                       "    {\"line\": 37, \"entry\": true, "));
    ck_assert_ptr_nonnull(strstr(text, "    {\"line\": 38, \"entry\": false, "
                                       "\"mem_mib\": "));
    free(text);

    /* MEMPROF_PRECISION and the heap backend, preloaded (not under
     * valgrind, which runs no preload of ours). */
    if (test_valgrind()) {
        sh("rm -rf %s", dir);
        return;
    }
    const char *heap[] = {"MEMPROF_FORMAT=json",
                          setting,
                          "MEMPROF_PRECISION=3",
                          "MEMPROF_BACKEND=heap",
                          preload_env(),
                          asan_env(),
                          NULL};
    pid = run_regress(args, heap, &t0, &t1);
    /* The heap holds 8 + 24 MiB at once, and a few KiB of stdio's. */
    if (python())
        check_report(out, pid, "heap", 3, t0 - 0.001, t1, 32.0, 32.1, args);
    sh("rm -rf %s", dir);
}
END_TEST

/*
 * A source in Latin-1 (test/progs/latin1.c, line 16): the report parses
 * and the line reads as Latin-1 says, each byte 0xE9 an "\u00e9".
 */
START_TEST(test_json_latin1)
{
    const char *dir = make_tmpdir("diff");
    char out[256];
    char setting[300];
    double t0;
    double t1;
    snprintf(out, sizeof out, "%s/r.json", dir);
    snprintf(setting, sizeof setting, "MEMPROF_OUTPUT=%s", out);
    const char *args[] = {build_path("test/progs/latin1"), NULL};
    const char *env[] = {"MEMPROF_FORMAT=json", setting, NULL};
    run_result r;
    t0 = now_real();
    ck_assert_int_eq(run_capture(args, env, &r), 0);
    t1 = now_real();
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    char *text = read_file(out, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "\"contents\": \"    MP_LINE(free((void "
                               "*)keep)); /* lib\\u00e9r\\u00e9 */\"}") != NULL,
                  "%s", text);
    free(text);
    if (python())
        ck_assert_int_eq(
            sh("python3 -c 'import json, sys; d = json.load(open(sys.argv[1], "
               "encoding=\"utf-8\")); r = d[\"tables\"][0][\"rows\"][2]; "
               "sys.exit(r[\"line\"] != 16 or r[\"contents\"] != \"    "
               "MP_LINE(free((void *)keep)); /* lib\\u00e9r\\u00e9 */\")' %s",
               out),
            0);
    (void)t0;
    (void)t1;
    sh("rm -rf %s", dir);
}
END_TEST

/* Two reports of one function in two versions of its file. */
static const char old_json[] =
    "{\"memprof\": {\"version\": \"0.1.0\", \"format\": 1},\n"
    "\"run\": {\"cmdline\": [\"./app\"], \"pid\": 1, \"backend\": \"heap\", "
    "\"precision\": 1, \"unit\": \"MiB\", \"start\": "
    "\"2026-12-01T00:00:00.000000Z\", \"start_unix\": 1796083200.0, "
    "\"max_mem_mib\": 50.0},\n"
    "\"tables\": [\n"
    "  {\"file\": \"src/app.c\", \"function\": \"load\", \"rows\": [\n"
    "    {\"line\": 10, \"entry\": true, \"mem_mib\": 1.0, \"increment_mib\": "
    "1.0, \"occurrences\": 1, \"contents\": \"    MP_PROFILE_FUNC();\"},\n"
    "    {\"line\": 11, \"entry\": false, \"mem_mib\": 9.0, "
    "\"increment_mib\": 8.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_LINE(a = grab(8));\"},\n"
    "    {\"line\": 12, \"entry\": false, \"mem_mib\": 49.0, "
    "\"increment_mib\": 40.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_LINE(b = grab(n));\"},\n"
    "    {\"line\": 13, \"entry\": false, \"mem_mib\": 9.0, "
    "\"increment_mib\": -40.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_LINE(free(b));\"},\n"
    "    {\"line\": 14, \"entry\": false, \"mem_mib\": 9.0, "
    "\"increment_mib\": 0.0, \"occurrences\": 2, \"contents\": \"    "
    "MP_LINE(tick());\"},\n"
    "    {\"line\": 15, \"entry\": false, \"mem_mib\": 9.0, "
    "\"increment_mib\": 0.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_LINE(tick());\"},\n"
    "    {\"line\": 16, \"entry\": false, \"mem_mib\": 9.0, "
    "\"increment_mib\": 0.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_RETURN_VOID();\"}\n"
    "  ]},\n"
    "  {\"file\": \"src/app.c\", \"function\": null, \"rows\": [\n"
    "    {\"line\": 30, \"entry\": false, \"mem_mib\": 10.0, "
    "\"increment_mib\": 1.0, \"occurrences\": 1, \"contents\": "
    "\"MP_LINE(setup());\"}\n"
    "  ]}\n"
    "]}\n";

/*
 * The new version: two lines more above the function (every line number
 * moves), a line re-indented with a tab and two blanks, a new line, a
 * larger block, one of two equal lines gone, built in another folder.
 */
static const char new_json[] =
    "{\"memprof\": {\"version\": \"0.1.0\", \"format\": 1},\n"
    "\"run\": {\"cmdline\": [\"./app\"], \"pid\": 2, \"backend\": \"heap\", "
    "\"precision\": 1, \"unit\": \"MiB\", \"start\": "
    "\"2026-12-02T00:00:00.000000Z\", \"start_unix\": 1796169600.0, "
    "\"max_mem_mib\": 90.0},\n"
    "\"tables\": [\n"
    "  {\"file\": \"/build/src/app.c\", \"function\": \"load\", \"rows\": [\n"
    "    {\"line\": 12, \"entry\": true, \"mem_mib\": 1.5, \"increment_mib\": "
    "1.5, \"occurrences\": 1, \"contents\": \"    MP_PROFILE_FUNC();\"},\n"
    "    {\"line\": 13, \"entry\": false, \"mem_mib\": 9.5, "
    "\"increment_mib\": 8.0, \"occurrences\": 1, \"contents\": "
    "\"\\tMP_LINE(a =  grab(8));\"},\n"
    "    {\"line\": 14, \"entry\": false, \"mem_mib\": 25.5, "
    "\"increment_mib\": 16.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_LINE(c = grab(16));\"},\n"
    "    {\"line\": 15, \"entry\": false, \"mem_mib\": 89.5, "
    "\"increment_mib\": 64.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_LINE(b = grab(n));\"},\n"
    "    {\"line\": 16, \"entry\": false, \"mem_mib\": 25.5, "
    "\"increment_mib\": -64.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_LINE(free(b));\"},\n"
    "    {\"line\": 17, \"entry\": false, \"mem_mib\": 25.5, "
    "\"increment_mib\": 0.0, \"occurrences\": 2, \"contents\": \"    "
    "MP_LINE(tick());\"},\n"
    "    {\"line\": 18, \"entry\": false, \"mem_mib\": 25.5, "
    "\"increment_mib\": 0.0, \"occurrences\": 1, \"contents\": \"    "
    "MP_RETURN_VOID();\"}\n"
    "  ]},\n"
    "  {\"file\": \"/build/src/app.c\", \"function\": null, \"rows\": [\n"
    "    {\"line\": 32, \"entry\": false, \"mem_mib\": 10.0, "
    "\"increment_mib\": 1.0, \"occurrences\": 1, \"contents\": "
    "\"MP_LINE(setup());\"}\n"
    "  ]}\n"
    "]}\n";

#define HEAD                                                                   \
    "   Increment    Increment    Increment         Peak         Peak      "   \
    "   Peak\n"                                                                \
    "         Old          New       Change          Old          New      "   \
    " Change  Where\n"                                                         \
    "=================================================================="       \
    "==================\n"

/*
 * Two reports: rows matched by function and text across moved lines,
 * re-indentation and another folder; largest growth first; unchanged rows
 * hidden unless --all; the gate counts every row but the entry row, with
 * a change strictly above the limit.
 */
START_TEST(test_diff_reports)
{
    sandbox sb;
    run_result r;
    sandbox_enter(&sb, "diff");
    put_file("old.json", old_json);
    put_file("new.json", new_json);
    static const char want[] =
        "Old: old.json (JSON report)\n"
        "New: new.json (JSON report)\n\n" HEAD
        "     8.0 MiB     24.0 MiB    +16.0 MiB     49.0 MiB     89.5 MiB    "
        "+40.5 MiB  load() in /build/src/app.c\n"
        "                                           50.0 MiB     90.0 MiB    "
        "+40.0 MiB  the whole run (its largest reading)\n"
        "    40.0 MiB     64.0 MiB    +24.0 MiB                              "
        "           /build/src/app.c:15 load: MP_LINE(b = grab(n));\n"
        "                 16.0 MiB    +16.0 MiB                              "
        "           [new] /build/src/app.c:14 load: MP_LINE(c = grab(16));\n"
        "     1.0 MiB      1.5 MiB     +0.5 MiB                              "
        "           [entry] /build/src/app.c:12 load: MP_PROFILE_FUNC();\n"
        "     0.0 MiB                   0.0 MiB                              "
        "           [gone] src/app.c:15 load: MP_LINE(tick());\n"
        "   -40.0 MiB    -64.0 MiB    -24.0 MiB                              "
        "           /build/src/app.c:16 load: MP_LINE(free(b));\n"
        "\n11 rows: 4 grew, 1 shrank, 1 new, 1 gone; 4 unchanged not shown "
        "(--all shows them).\n";
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "old.json", "new.json", NULL),
                     0);
    ck_assert_str_eq(r.out, want);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);

    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "--fail-above", "20",
                                 "old.json", "new.json", NULL),
                     3);
    ck_assert_str_eq(r.out, want);
    ck_assert_str_eq(r.err, "memprof: diff: 3 rows grew by more than 20 MiB, "
                            "the most +40.5 MiB: load() in "
                            "/build/src/app.c\n");
    run_result_free(&r);
    /* Exactly at the limit is not above it. */
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "old.json", "new.json",
                                 "--fail-above=40.5", NULL),
                     0);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "old.json", "new.json",
                                 "--fail-above=40.4", NULL),
                     3);
    run_result_free(&r);
    /* The entry row's +0.5 is the baseline: not counted. */
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "--fail-above", "0.4",
                                 "old.json", "new.json", NULL),
                     3);
    ck_assert_str_eq(r.err, "memprof: diff: 4 rows grew by more than 0.4 MiB, "
                            "the most +40.5 MiB: load() in "
                            "/build/src/app.c\n");
    run_result_free(&r);
    /* The other way round: what grew shrank. */
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "--fail-above", "0",
                                 "new.json", "old.json", NULL),
                     3);
    ck_assert_str_eq(r.err, "memprof: diff: 1 row grew by more than 0 MiB, "
                            "the most +24.0 MiB: src/app.c:13 load: "
                            "MP_LINE(free(b));\n");
    run_result_free(&r);
    /* The same report twice: nothing changed. */
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "--fail-above", "0",
                                 "new.json", "new.json", NULL),
                     0);
    ck_assert_str_eq(r.out, "Old: new.json (JSON report)\n"
                            "New: new.json (JSON report)\n\n" HEAD
                            "\n10 rows: 0 grew, 0 shrank, 0 new, 0 gone; 10 "
                            "unchanged not shown (--all shows them).\n");
    run_result_free(&r);

    /* --all and -p 2: every row, two decimals. */
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "-a", "-p", "2", "old.json",
                                 "new.json", NULL),
                     0);
    ck_assert_ptr_nonnull(strstr(
        r.out, "    8.00 MiB     8.00 MiB     0.00 MiB                      "
               "                   /build/src/app.c:13 load: MP_LINE(a =  "
               "grab(8));\n"
               "    0.00 MiB     0.00 MiB     0.00 MiB                      "
               "                   /build/src/app.c:17 load: "
               "MP_LINE(tick());\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n11 rows: 4 grew, 1 shrank, 1 new, "
                                        "1 gone.\n"));
    run_result_free(&r);

    /* --json: every row, valid JSON, exact figures. */
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "--json", "--fail-above",
                                 "20", "old.json", "new.json", NULL),
                     3);
    ck_assert_ptr_nonnull(strstr(
        r.out, "\n  {\"kind\": \"line\", \"status\": \"new\", \"file\": "
               "\"/build/src/app.c\", \"function\": \"load\", \"contents\": "
               "\"    MP_LINE(c = grab(16));\", \"old_line\": null, "
               "\"new_line\": 14, \"entry\": false, \"increment_mib\": "
               "{\"old\": null, \"new\": 16.000000, \"change\": 16.000000}, "
               "\"peak_mib\": {\"old\": null, \"new\": null, \"change\": "
               "null}, \"over\": false},\n"));
    if (python()) {
        put_file("d.json", r.out);
        ck_assert_int_eq(
            sh("python3 -c 'import json; d = json.load(open(\"d.json\"))"
               "[\"diff\"]; r = d[\"rows\"]; assert d[\"over\"] == 3; "
               "assert len(r) == 11; assert r[0][\"kind\"] == \"function\"; "
               "assert r[0][\"peak_mib\"][\"change\"] == 40.5; "
               "assert r[1][\"kind\"] == \"run\"; "
               "assert [x[\"over\"] for x in r].count(True) == 3'"),
            0);
    }
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Two recordings: the whole run's largest reading and each span label's
 * Increment (what its spans left) and Peak (the largest reading in them).
 */
START_TEST(test_diff_recordings)
{
    sandbox sb;
    run_result r;
    sandbox_enter(&sb, "diff");
    put_file("old.dat", "CMDLINE ./app\n"
                        "MEM 1.000000 100.0000\n"
                        "MEM 9.000000 100.1000\n"
                        "MEM 49.000000 100.2000\n"
                        "MEM 9.000000 100.3000\n"
                        "FUNC app.load 1.0000 100.0500 9.0000 100.3500 0\n"
                        "FUNC app.load 9.0000 100.4000 10.0000 100.5000 0\n"
                        "MEM 10.000000 100.6000\n"
                        "FUNC app.tick 10.0000 100.6500 10.0000 100.7000 1\n");
    put_file("mprofile_20261201000000.dat",
             "CMDLINE ./app\n"
             "MEM 1.000000 200.0000\n"
             "MEM 9.000000 200.1000\n"
             "MEM 89.000000 200.2000\n"
             "MEM 25.000000 200.3000\n"
             "FUNC app.load 1.0000 200.0500 25.0000 200.3500 0\n"
             "FUNC app.load 25.0000 200.4000 26.0000 200.5000 0\n"
             "MEM 26.000000 200.6000\n"
             "FUNC app.cache 26.0000 200.6500 42.0000 200.7000 1\n"
             "MEM 42.000000 200.7500\n");
    static const char want[] =
        "Old: old.dat (recording)\n"
        "New: mprofile_20261201000000.dat (recording)\n\n" HEAD
        "     9.0 MiB     25.0 MiB    +16.0 MiB     49.0 MiB     89.0 MiB    "
        "+40.0 MiB  app.load (2 spans)\n"
        "                                           49.0 MiB     89.0 MiB    "
        "+40.0 MiB  the whole run (its largest reading)\n"
        "                 16.0 MiB    +16.0 MiB                  42.0 MiB    "
        "           [new] app.cache (1 span)\n"
        "     0.0 MiB                   0.0 MiB     10.0 MiB                 "
        "           [gone] app.tick (1 span)\n"
        "\n4 rows: 2 grew, 0 shrank, 1 new, 1 gone.\n";
    /* NEW by its index of memprof list. */
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "old.dat", "-1", NULL), 0);
    ck_assert_str_eq(r.out, want);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "old.dat", "-1",
                                 "--fail-above", "16", NULL),
                     3);
    ck_assert_str_eq(r.out, want);
    ck_assert_str_eq(r.err, "memprof: diff: 2 rows grew by more than 16 MiB, "
                            "the most +40.0 MiB: app.load (2 spans)\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "old.dat", "0",
                                 "--fail-above", "40", NULL),
                     0);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * field() - the figure in the first table row whose Where column holds
 * where: cell col (0..5) of it, in MiB; the test fails when there is none.
 */
static double field(const char *out, const char *where, int col)
{
    const char *p = strstr(out, where);
    ck_assert_msg(p != NULL, "no row %s in:\n%s", where, out);
    while (p > out && p[-1] != '\n')
        p--;
    char cell[13];
    memcpy(cell, p + 13 * col, 12);
    cell[12] = '\0';
    double v;
    ck_assert_msg(sscanf(cell, "%lf MiB", &v) == 1, "cell %d of %s", col,
                  where);
    return v;
}

/*
 * near_40() - v is the 40 MiB more the second version holds, within 1
 * MiB; under AddressSanitizer up to 8 MiB more or 3 MiB less: the shadow
 * of the 64 MiB block, or of the first version's 24 MiB block (one byte
 * for eight), which a reading taken while a block is freed catches in one
 * run and not in the other (a fresh-clone check-asan saw 37.9).
 */
static void near_40(double v)
{
    ck_assert_double_ge(v, MP_TEST_ASAN ? 39.0 - 24.0 / 8 : 39.0);
    ck_assert_double_le(v, MP_TEST_ASAN ? 41.0 + 64.0 / 8 : 41.0);
}

/*
 * gate() - the gate's status is want where memory figures hold; under
 * ThreadSanitizer (RSS about 5 times the program's) or valgrind it is 0
 * or 3.
 */
static void gate(int status, int want)
{
    if (figures_hold())
        ck_assert_int_eq(status, want);
    else
        ck_assert(status == 0 || status == 3);
}

/*
 * One real program in two versions (8 + 24 MiB, then 8 + 64 MiB): its
 * JSON reports and its recordings by memprof run, compared; the gate
 * trips at 30 MiB and not at 50.
 */
START_TEST(test_diff_real)
{
    sandbox sb;
    run_result r;
    char prog[4096 + 64];
    sandbox_enter(&sb, "diff");
    snprintf(prog, sizeof prog, "%s/%s", sb.home,
             build_path("test/progs/regress"));
    for (int v = 0; v < 2; v++) {
        char name[32];
        char setting[64];
        double t0;
        double t1;
        snprintf(name, sizeof name, "v%d.json", v + 1);
        snprintf(setting, sizeof setting, "MEMPROF_OUTPUT=%s", name);
        const char *args[] = {prog, "8", v == 0 ? "24" : "64", NULL};
        const char *env[] = {"MEMPROF_FORMAT=json", setting, NULL};
        run_regress(args, env, &t0, &t1);
    }
    gate(run_memprof(&sb, &r, "diff", "--fail-above", "30", "v1.json",
                     "v2.json", NULL),
         3);
    /* Its text: the source's line, or the statement when the source is
     * not found from here. */
    const char *line = "test/progs/regress.c:39 work: ";
    FIGURE(ck_assert_double_eq_tol(field(r.out, line, 2), 40.0, 0.5));
    FIGURE(near_40(field(r.out, "whole run (its largest reading)\n", 5)));
    /* The line, its function's Peak and the whole run's. */
    FIGURE(ck_assert_msg(strncmp(r.err,
                                 "memprof: diff: 3 rows grew by more than "
                                 "30 MiB, the most +",
                                 58) == 0,
                         "%s", r.err));
    run_result_free(&r);
    gate(run_memprof(&sb, &r, "diff", "--fail-above", "50", "v1.json",
                     "v2.json", NULL),
         0);
    run_result_free(&r);

    /* The same versions recorded by memprof run (each holds 0.3 s). */
    for (int v = 0; v < 2; v++) {
        char name[32];
        snprintf(name, sizeof name, "v%d.dat", v + 1);
        ck_assert_int_eq(run_memprof(&sb, &r, "run", "-T", "0.02", "-o", name,
                                     "--", prog, "8", v == 0 ? "24" : "64",
                                     "0.3", NULL),
                         0);
        run_result_free(&r);
    }
    gate(run_memprof(&sb, &r, "diff", "--fail-above", "30", "v1.dat", "v2.dat",
                     NULL),
         3);
    FIGURE(near_40(field(r.out, "regress.work (1 span)\n", 5)));
    FIGURE(near_40(field(r.out, "whole run (its largest reading)\n", 5)));
    run_result_free(&r);
    gate(run_memprof(&sb, &r, "diff", "--fail-above", "50", "v1.dat", "v2.dat",
                     NULL),
         0);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/* one_line() - whether text is one line "memprof: ...\n". */
static int one_line(const char *text)
{
    const char *nl = strchr(text, '\n');
    return strncmp(text, "memprof: ", 9) == 0 && nl != NULL && nl[1] == '\0';
}

/*
 * expect() - memprof diff with args exits with status and prints exactly
 * err on stderr and nothing on stdout.
 */
#define expect(sb_, status_, want_, ...)                                       \
    do {                                                                       \
        run_result r_;                                                         \
        ck_assert_int_eq(run_memprof((sb_), &r_, "diff", __VA_ARGS__, NULL),   \
                         (status_));                                           \
        ck_assert_str_eq(r_.err, (want_));                                     \
        ck_assert_str_eq(r_.out, "");                                          \
        run_result_free(&r_);                                                  \
    } while (0)

/* Bad command lines and bad inputs: one line each, status 2 or 1. */
START_TEST(test_diff_errors)
{
    sandbox sb;
    sandbox_enter(&sb, "diff");
    put_file("new.json", new_json);
    put_file("a.dat", "MEM 1.000000 100.0000\n");
    expect(&sb, 2,
           "memprof: diff: needs OLD and NEW; see memprof diff --help\n",
           "new.json");
    expect(&sb, 2,
           "memprof: diff: takes two inputs, OLD and NEW; see memprof diff "
           "--help\n",
           "new.json", "new.json", "new.json");
    expect(&sb, 2,
           "memprof: diff: --fail-above 'x' is not a number of MiB, 0 or "
           "more; see memprof diff --help\n",
           "--fail-above", "x", "new.json", "new.json");
    expect(&sb, 2,
           "memprof: diff: --fail-above '-1' is not a number of MiB, 0 or "
           "more; see memprof diff --help\n",
           "--fail-above=-1", "new.json", "new.json");
    expect(&sb, 2,
           "memprof: diff: --fail-above 'nan' is not a number of MiB, 0 or "
           "more; see memprof diff --help\n",
           "--fail-above", "nan", "new.json", "new.json");
    expect(&sb, 2,
           "memprof: diff: -p '7' is not an integer 0..6; see memprof diff "
           "--help\n",
           "-p", "7", "new.json", "new.json");
    expect(&sb, 2,
           "memprof: diff: unknown option '--bogus'; see memprof diff "
           "--help\n",
           "--bogus", "new.json", "new.json");
    expect(&sb, 2,
           "memprof: diff: a.dat is a recording and new.json a JSON report; "
           "compare two of a kind\n",
           "a.dat", "new.json");
    expect(&sb, 1,
           "memprof: cannot read nope.json: No such file or directory\n",
           "nope.json", "new.json");
    expect(&sb, 1, "memprof: no recording 3: there is none here\n", "3",
           "new.json");

    static const struct {
        const char *text;
        const char *err;
    } bad[] = {
        {"{", "memprof: x.json:1:2: expected a member's name, not the end of "
              "the text; not a JSON report\n"},
        {"{\"tables\": [}", "memprof: x.json:1:13: expected a value, not "
                            "'}'; not a JSON report\n"},
        {"{\"tables\": []}\n{\"tables\": []}\n",
         "memprof: x.json:2:1: '{' after the end of the value; two reports "
         "in one file? (%p in MEMPROF_OUTPUT gives each process its own)\n"},
        {"{\"tables\": [1e999]}", "memprof: x.json:1:13: a number out of "
                                  "range; not a JSON report\n"},
        {"{\"tables\": [01]}", "memprof: x.json:1:14: expected ',' or ']' "
                               "in an array, not '1'; not a JSON report\n"},
        {"{\"a\": \"\\ud800\"}", "memprof: x.json:1:8: a lone surrogate "
                                 "(\\ud800) in a string; not a JSON report\n"},
        {"{\"a\": \"\xe9\"}", "memprof: x.json:1:8: byte 0xe9 in a string is "
                              "not UTF-8; not a JSON report\n"},
        {"{\"a\": \"\\u0000\"}", "memprof: x.json:1:8: \\u0000 in a string; "
                                 "not a JSON report\n"},
        {"{\"a\": tru}", "memprof: x.json:1:7: expected a value, not 't'; "
                         "not a JSON report\n"},
        {"{\"a\": 1}", "memprof: x.json: no \"tables\" array; not a memprof "
                       "JSON report\n"},
        {"{\"memprof\": {\"format\": 2}, \"tables\": []}",
         "memprof: x.json: \"memprof\" does not say format 1; this memprof "
         "reads format 1 (memprof(3), JSON)\n"},
        {"{\"tables\": [{\"file\": \"a.c\", \"function\": 3, \"rows\": []}]}",
         "memprof: x.json: tables[0] has no \"file\", \"function\" or "
         "\"rows\"; not a memprof JSON report\n"},
        {"{\"tables\": [{\"file\": \"a.c\", \"function\": null, \"rows\": "
         "[{\"line\": 0, \"mem_mib\": 1, \"contents\": \"\"}]}]}",
         "memprof: x.json: tables[0].rows[0] has no \"line\" of 1 or more; "
         "not a memprof JSON report\n"},
        {"{\"tables\": [{\"file\": \"a.c\", \"function\": null, \"rows\": "
         "[{\"line\": 2, \"mem_mib\": 1, \"contents\": \"\", \"entry\": 1}]}]}",
         "memprof: x.json: tables[0].rows[0] has an \"entry\" that is not "
         "true or false; not a memprof JSON report\n"},
        {"MEM 1 2\nFUNC\n", "memprof: x.json:2: not a line of a .dat file\n"},
        {"", "memprof: x.json has no samples\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_file("x.json", bad[i].text);
        expect(&sb, 1, bad[i].err, "x.json", "new.json");
    }
    /* Nested too deep: a message, not a stack overflow. */
    char deep[200001];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    deep[0] = '{';
    put_file("x.json", deep);
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "diff", "x.json", "new.json", NULL),
                     1);
    ck_assert_msg(one_line(r.err), "%s", r.err);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Fuzz-like: the report cut at every byte, and bytes replaced all along
 * it; each run ends normally with status 0 or 1 and at most one line on
 * stderr (exactly one with status 1).
 */
START_TEST(test_diff_mangled)
{
    sandbox sb;
    sandbox_enter(&sb, "diff");
    put_file("old.json", old_json);
    size_t len = strlen(new_json);
    size_t stride = test_valgrind() ? 97 : 5;
    char *text = malloc(len + 1);
    ck_assert_ptr_nonnull(text);
    static const char subst[] = {'"', '{', ']', ',', '\\', '\xff', '-', 'e'};
    for (size_t k = 0; k < len + len * sizeof subst; k += stride) {
        memcpy(text, new_json, len + 1);
        if (k < len) {
            text[k] = '\0';
        } else {
            size_t at = (k - len) / sizeof subst;
            text[at] = subst[(k - len) % sizeof subst];
            if (at % 23 != 0)
                continue; /* every 23rd byte replaced, to keep it quick */
        }
        put_file("new.json", text);
        run_result r;
        int status = run_memprof(&sb, &r, "diff", "old.json", "new.json", NULL);
        ck_assert_msg(status == 0 || status == 1, "status %d at %zu", status,
                      k);
        ck_assert_msg(status == 0 || one_line(r.err), "at %zu: %s", k, r.err);
        ck_assert_msg(strchr(r.err, '\n') == NULL || one_line(r.err),
                      "at %zu: %s", k, r.err);
        run_result_free(&r);
    }
    free(text);
    sandbox_leave(&sb);
}
END_TEST

Suite *diff_suite(void)
{
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, test_json_string);
    tcase_add_test(tc, test_json_run);
    tcase_add_test(tc, test_json_latin1);
    suite_add_tcase(s, tc);
    tc = tcase_create("diff");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_diff_reports);
    tcase_add_test(tc, test_diff_recordings);
    tcase_add_test(tc, test_diff_real);
    tcase_add_test(tc, test_diff_errors);
    tcase_add_test(tc, test_diff_mangled);
    suite_add_tcase(s, tc);
    return s;
}
