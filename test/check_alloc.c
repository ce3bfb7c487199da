/*
 * check_alloc.c - MEMPROF_ALLOC: the Allocated and Leaked columns of the
 * heap backend, exact to the byte (JSON carries bytes), through the heap
 * archive and the preload object, across threads and fork, and the
 * table's layout with them.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

/* asan() - the AddressSanitizer build: its strdup does not call malloc. */
static int asan(void)
{
    return strstr(MP_TEST_SAN, "address") != NULL;
}

/* run() - prog with args and env; it must exit 0. */
static void run(run_result *r, const char *const argv[],
                const char *const env[])
{
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
        ck_abort_msg("%s failed (status %d):\n%s", argv[0], r->status, r->err);
}

/* The bytes of a row of a JSON report. */
typedef struct bytes {
    long long alloc;
    long long leaked;
    long long occ;
} bytes;

/*
 * row_bytes() - the row of line in the JSON table of function func; the
 * test fails when there is none.
 */
static bytes row_bytes(const char *json, const char *func, int line)
{
    char want[128];
    const char *t;
    const char *end;
    const char *row;
    bytes b;

    snprintf(want, sizeof want, "\"function\": \"%s\"", func);
    t = strstr(json, want);
    ck_assert_msg(t != NULL, "no table of %s", func);
    end = strstr(t, "]}");
    snprintf(want, sizeof want, "{\"line\": %d, ", line);
    row = memmem(t, (size_t)(end - t), want, strlen(want));
    ck_assert_msg(row != NULL, "%s: no row of line %d", func, line);
    const char *a = strstr(row, "\"allocated_bytes\": ");
    const char *o = strstr(row, "\"occurrences\": ");
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(sscanf(a,
                            "\"allocated_bytes\": %lld, \"leaked_bytes\": "
                            "%lld",
                            &b.alloc, &b.leaked),
                     2);
    ck_assert_int_eq(sscanf(o, "\"occurrences\": %lld", &b.occ), 1);
    return b;
}

/* What each line of alloc_lines.c's script() and made_here() shows. */
static const struct {
    const char *func;
    int line;
    long long alloc;
    long long leaked;
} expect[] = {
    {"script", 18, 0, 0},        /* the entry */
    {"script", 19, 1000, 0},     /* kept, freed on line 28 */
    {"script", 20, 10 << 20, 0}, /* ten 1 MiB blocks, each freed */
    {"script", 21, 1000, 0},     /* calloc, reallocated on 22 */
    {"script", 22, 5000, 0},     /* realloc grows, again on 23 */
    {"script", 23, 10, 10},      /* realloc shrinks: kept */
    {"script", 24, 300, 300},    /* posix_memalign */
    {"script", 25, 256, 256},    /* aligned_alloc */
    {"script", 26, 6, 6},        /* strdup("hello") */
    {"script", 27, 0, 0},        /* free(NULL) */
    {"script", 28, 77, 0},       /* freed by realloc(p, 0) on 29 */
    {"script", 29, 0, 0},        /* realloc(p, 0) frees, makes none */
    {"made_here", 36, 4096, 0},  /* freed by another thread */
};

static void check_script(const char *prog, const char *const env[])
{
    const char *argv[] = {prog, "x", NULL};
    run_result r;

    run(&r, argv, env);
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        bytes b = row_bytes(r.err, expect[i].func, expect[i].line);
        long long alloc = expect[i].alloc;
        long long leaked = expect[i].leaked;

        if (expect[i].line == 26 && asan())
            alloc = leaked = 0;
        ck_assert_msg(b.alloc == alloc && b.leaked == leaked,
                      "%s line %d: allocated %lld, leaked %lld; want %lld, "
                      "%lld",
                      expect[i].func, expect[i].line, b.alloc, b.leaked, alloc,
                      leaked);
        ck_assert_int_eq(b.occ, 1);
    }
    run_result_free(&r);
}

/* Every member of the family, to the byte, linked with the archive. */
START_TEST(test_bytes_linked)
{
    const char *env[] = {"MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=1",
                         "MEMPROF_FORMAT=json", NULL};

    check_script(build_path("test/progs/alloc_lines_linked"), env);
}
END_TEST

/* The same through the preload object. */
START_TEST(test_bytes_preload)
{
    const char *env[] = {
        "MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=1", "MEMPROF_FORMAT=json",
        preload_env(),          asan_env(),        NULL};

    check_script(build_path("test/progs/alloc_lines"), env);
}
END_TEST

/*
 * C++: new[] and delete[], new, a vector that dies with its function (so
 * its line leaks nothing), a string and its buffer.  The sizes are
 * libstdc++'s: a std::string object is 32 bytes, its buffer the length
 * and a NUL.
 */
START_TEST(test_cxx)
{
    const char *env[] = {"MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=1",
                         "MEMPROF_FORMAT=json", NULL};
    const char *argv[] = {build_path("test/progs/alloc_new"), NULL};
    static const long long want[][3] = {
        {13, 400, 0}, {14, 0, 0}, {15, 4, 4}, {16, 4000, 0}, {17, 133, 0}};
    const char *pre = getenv("LD_PRELOAD");
    /* Under a sanitizer or valgrind, operator new is theirs: uncounted. */
    int theirs = MP_TEST_SAN[0] != '\0' ||
                 (pre != NULL && strstr(pre, "vgpreload") != NULL);
    run_result r;

    run(&r, argv, env);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        bytes b = row_bytes(r.err, "lines", (int)want[i][0]);

        ck_assert_msg(b.alloc == (theirs ? 0 : want[i][1]) &&
                          b.leaked == (theirs ? 0 : want[i][2]),
                      "line %lld: allocated %lld, leaked %lld", want[i][0],
                      b.alloc, b.leaked);
    }
    run_result_free(&r);
}
END_TEST

/*
 * 16 threads x N blocks of 24 bytes, every other one freed: the totals
 * are exact.  A forked child's table is its own: the parent's block it
 * frees takes nothing off its lines.
 */
START_TEST(test_threads_fork)
{
    const char *env[] = {"MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=1",
                         "MEMPROF_FORMAT=json", NULL};
    long long n = getenv("MP_TEST_QUICK") != NULL ? 2000 : 100000;
    char arg[32];
    const char *argv[] = {build_path("test/progs/alloc_threads"), arg, NULL};
    run_result r;

    snprintf(arg, sizeof arg, "%lld", n);
    run(&r, argv, env);
    bytes made = row_bytes(r.err, "work", 25);
    bytes freed = row_bytes(r.err, "work", 28);
    ck_assert_int_eq(made.occ, 16 * n);
    ck_assert_int_eq(made.alloc, 16 * n * 24);
    ck_assert_int_eq(made.leaked, 16 * n / 2 * 24);
    ck_assert_int_eq(freed.alloc, 0);
    ck_assert_int_eq(freed.leaked, 0);
    bytes child_free = row_bytes(r.err, "in_child", 36);
    bytes child_made = row_bytes(r.err, "in_child", 37);
    ck_assert_int_eq(child_free.alloc, 0);
    ck_assert_int_eq(child_free.leaked, 0);
    ck_assert_int_eq(child_made.alloc, 100);
    ck_assert_int_eq(child_made.leaked, 100);
    run_result_free(&r);
}
END_TEST

/*
 * The table: Allocated and Leaked after Increment (and Peak), 12 wide;
 * without MEMPROF_ALLOC, no trace of them.
 */
START_TEST(test_layout)
{
    const char *argv[] = {build_path("test/progs/alloc_lines_linked"), NULL};
    const char *with[] = {"MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=1", NULL};
    const char *peak[] = {"MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=1",
                          "MEMPROF_PEAK=1", NULL};
    const char *without[] = {"MEMPROF_BACKEND=heap", NULL};
    const char *csv[] = {"MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=1",
                         "MEMPROF_FORMAT=csv", NULL};
    run_result r;

    run(&r, argv, with);
    ck_assert_ptr_nonnull(
        strstr(r.err, "\nLine #    Mem usage    Increment    Allocated       "
                      "Leaked  Occurrences   Line Contents\n"
                      "============================================="
                      "==========================================\n"));
    ck_assert_ptr_nonnull(
        strstr(r.err, " MiB     10.0 MiB      0.0 MiB           1       "
                      "MP_LINE(for"));
    run_result_free(&r);

    run(&r, argv, peak);
    ck_assert_ptr_nonnull(strstr(r.err, "\nLine #    Mem usage    Increment  "
                                        "       Peak    Allocated       Leaked"
                                        "  Occurrences   Line Contents\n"));
    run_result_free(&r);

    run(&r, argv, without);
    ck_assert_ptr_nonnull(strstr(r.err, "\nLine #    Mem usage    Increment  "
                                        "Occurrences   Line Contents\n"));
    ck_assert_ptr_null(strstr(r.err, "Allocated"));
    run_result_free(&r);

    run(&r, argv, csv);
    ck_assert(strncmp(r.err,
                      "file,function,line,mem_mib,increment_mib,"
                      "allocated_bytes,leaked_bytes,occurrences,contents\r\n",
                      87) == 0);
    ck_assert_ptr_nonnull(strstr(r.err, ",10485760,0,1,"));
    run_result_free(&r);
}
END_TEST

/* MEMPROF_ALLOC needs the heap backend; a bad value is 0: one line each. */
START_TEST(test_settings)
{
    const char *argv[] = {build_path("test/progs/alloc_lines_linked"), NULL};
    const char *rss[] = {"MEMPROF_ALLOC=1", NULL};
    const char *bad[] = {"MEMPROF_BACKEND=heap", "MEMPROF_ALLOC=yes", NULL};
    run_result r;

    run(&r, argv, rss);
    ck_assert(strncmp(r.err,
                      "memprof: MEMPROF_ALLOC=1 needs the heap backend "
                      "(MEMPROF_BACKEND=heap), not rss; no Allocated and "
                      "Leaked columns\nFilename: ",
                      118) == 0);
    ck_assert_ptr_null(strstr(r.err, "Allocated  "));
    run_result_free(&r);

    run(&r, argv, bad);
    ck_assert(strncmp(r.err,
                      "memprof: MEMPROF_ALLOC='yes' is not 0 or 1; using "
                      "0\nFilename: ",
                      61) == 0);
    ck_assert_ptr_null(strstr(r.err, "Allocated  "));
    run_result_free(&r);
}
END_TEST

Suite *alloc_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("alloc");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_bytes_linked);
    tcase_add_test(tc, test_bytes_preload);
    tcase_add_test(tc, test_threads_fork);
    tcase_add_test(tc, test_cxx);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_settings);
    suite_add_tcase(s, tc);
    return s;
}
