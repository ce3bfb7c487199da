/*
 * check_outside.c - lines outside profiled functions (test/progs/outside.c):
 * each counts its increment from the last reading taken on its thread, by
 * any line, and a thread's first reading from itself; with the rss
 * backend (figures within 1 MiB) and the heap backend through the preload
 * object (figures exact to the byte at 6 decimals).
 *
 * Tests run from the project's root, where make check runs them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

/* The block sizes of outside.c, in MiB. */
#define BIG_MIB (150000000 / 1048576.0)
#define SMALL_MIB (40000000 / 1048576.0)
#define MAIN_MIB (60000000 / 1048576.0)
#define T_MIB (20000000 / 1048576.0)

/* How far an RSS figure may be from the bytes a line made or freed. */
#define RSS_SLACK 1.0

enum { RSS, HEAP };

/*
 * run_outside() - run outside MODE with the backend into *r (the caller
 * frees it); asserts that it exited 0 and that its report parses, into
 * t[max], whose rows point into r->err; returns the number of tables.
 */
static int run_outside(const char *mode, int backend, run_result *r, table *t,
                       int max)
{
    const char *prog = build_path("test/progs/outside");
    const char *argv[] = {prog, mode, NULL};
    const char *rss[] = {NULL};
    const char *heap[] = {"MEMPROF_BACKEND=heap", "MEMPROF_PRECISION=6",
                          preload_env(), asan_env(), NULL};

    ck_assert_int_eq(run_capture(argv, backend == HEAP ? heap : rss, r), 0);
    ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
                  "outside %s: status %d\n%s", mode, r->status, r->err);
    ck_assert_msg(strncmp(r->err, "Filename: ", 10) == 0, "%s", r->err);
    return parse_tables(r->err, t, max);
}

/* near() - assert that a row's increment is want MiB, within slack. */
#define near(row, want)                                                        \
    FIGURE(ck_assert_msg((row)->inc > (want)-RSS_SLACK &&                      \
                             (row)->inc < (want) + RSS_SLACK,                  \
                         "%s: increment %s, want %.2f MiB", (row)->contents,   \
                         (row)->inc_cell, (double)(want)))

/*
 * The case: a profiled function makes and touches a 143 MiB
 * block, and the file's first line outside a function frees it.  It used
 * to count from 0 and show the whole process (+1.4 MiB); it counts from
 * the function's last reading on the thread.  A loop outside functions
 * then makes and frees 3 x 40 MB: each pass counts from the one before.
 */
START_TEST(test_free_rss)
{
    run_result r;
    table t[3];
    ck_assert_int_eq(run_outside("free", RSS, &r, t, 3), 2);
    ck_assert(strstr(t[0].rows[0].contents, "make(size_t n)") != NULL);
    const table_row *f = row_with(&t[1], "MP_LINE(free(p));");
    ck_assert_int_eq(f->occ, 1);
    near(f, -BIG_MIB);
    const table_row *m = row_with(&t[1], "malloc(SMALL)");
    const table_row *q = row_with(&t[1], "MP_LINE(free(q));");
    ck_assert_int_eq(m->occ, 3);
    ck_assert_int_eq(q->occ, 3);
    near(m, 3 * SMALL_MIB);
    near(q, -3 * SMALL_MIB);
    run_result_free(&r);
}
END_TEST

/* The same with the heap backend: exact bytes. */
START_TEST(test_free_heap)
{
    run_result r;
    table t[3];
    ck_assert_int_eq(run_outside("free", HEAP, &r, t, 3), 2);
    ck_assert_str_eq(row_with(&t[0], "malloc(n)")->inc_cell, "143.051147 MiB");
    ck_assert_str_eq(row_with(&t[1], "MP_LINE(free(p));")->inc_cell,
                     "-143.051147 MiB");
    ck_assert_str_eq(row_with(&t[1], "malloc(SMALL)")->inc_cell,
                     "114.440918 MiB");
    ck_assert_str_eq(row_with(&t[1], "MP_LINE(free(q));")->inc_cell,
                     "-114.440918 MiB");
    run_result_free(&r);
}
END_TEST

/*
 * The thread's first reading has no reading before it: it counts from
 * itself, an increment of exactly 0, and the next line from it.
 */
START_TEST(test_first_reading)
{
    run_result r;
    table t[2];
    ck_assert_int_eq(run_outside("first", RSS, &r, t, 2), 1);
    const table_row *m = row_with(&t[0], "malloc(SMALL)");
    ck_assert_str_eq(m->inc_cell, "0.0 MiB");
    FIGURE(ck_assert_double_gt(m->mem, SMALL_MIB));
    near(row_with(&t[0], "free(p)"), -SMALL_MIB);
    run_result_free(&r);

    ck_assert_int_eq(run_outside("first", HEAP, &r, t, 2), 1);
    ck_assert_str_eq(row_with(&t[0], "malloc(SMALL)")->inc_cell,
                     "0.000000 MiB");
    ck_assert_str_eq(row_with(&t[0], "free(p)")->inc_cell, "-38.146973 MiB");
    run_result_free(&r);
}
END_TEST

/*
 * Two threads taking turns: each line counts from its own thread's last
 * reading, so what the other thread did since shows in it (memory is the
 * process's), and each thread's first line shows 0.
 *   1. main makes 60 MB (main's first: 0)
 *   2. the worker makes 20 MB (its first: 0)
 *   3. main frees its 60 MB: -60 MB, +20 MB of the worker's since 1
 *   4. the worker frees its 20 MB: -20 MB, -60 MB of main's since 2
 */
START_TEST(test_threads)
{
    run_result r;
    table t[2];
    ck_assert_int_eq(run_outside("threads", HEAP, &r, t, 2), 1);
    ck_assert_str_eq(row_with(&t[0], "malloc(MAIN_N)")->inc_cell,
                     "0.000000 MiB");
    ck_assert_str_eq(row_with(&t[0], "malloc(T_N)")->inc_cell, "0.000000 MiB");
    ck_assert_str_eq(row_with(&t[0], "free(m)")->inc_cell, "-38.146973 MiB");
    ck_assert_str_eq(row_with(&t[0], "free(x)")->inc_cell, "-76.293945 MiB");
    run_result_free(&r);

    ck_assert_int_eq(run_outside("threads", RSS, &r, t, 2), 1);
    ck_assert_str_eq(row_with(&t[0], "malloc(MAIN_N)")->inc_cell, "0.0 MiB");
    ck_assert_str_eq(row_with(&t[0], "malloc(T_N)")->inc_cell, "0.0 MiB");
    near(row_with(&t[0], "free(m)"), T_MIB - MAIN_MIB);
    near(row_with(&t[0], "free(x)"), -T_MIB - MAIN_MIB);
    run_result_free(&r);
}
END_TEST

Suite *outside_suite(void)
{
    Suite *s = suite_create("outside");
    TCase *tc = tcase_create("previous reading");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_free_rss);
    tcase_add_test(tc, test_free_heap);
    tcase_add_test(tc, test_first_reading);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}
