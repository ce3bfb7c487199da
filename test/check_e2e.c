/*
 * check_e2e.c - the examples and test programs run as a user runs them:
 * their tables parsed (layout exact, counts exact, memory within stated
 * tolerances), the settings, the disabled build, fork, stdout and exit
 * status, the installed library, and memory_profiler side by side.
 *
 * Tests run from the project's root, where make check runs them.
 */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

/* run() - run a program with env changes; asserts it could be run. */
static void run(run_result *r, const char *prog, const char *const env[])
{
    const char *argv[] = {prog, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
}

/* source_line() - line n of file (1-based), without "\n"; malloc'd. */
static char *source_line(const char *file, int n)
{
    char *text = read_file(file, NULL);
    ck_assert_ptr_nonnull(text);
    char *p = text;
    for (int i = 1; i < n && p != NULL; i++) {
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    ck_assert_ptr_nonnull(p);
    char *out = strndup(p, strcspn(p, "\n"));
    free(text);
    return out;
}

/*
 * check_rows_are_source() - every row of t is the next line of the file,
 * with its text, from the function's first line to its closing brace.
 */
static void check_rows_are_source(const table *t, const char *first_text)
{
    ck_assert_int_gt(t->nrows, 0);
    for (int i = 0; i < t->nrows; i++) {
        const table_row *r = &t->rows[i];
        ck_assert_int_eq(r->line, t->rows[0].line + i);
        char *want = source_line(t->file, r->line);
        ck_assert_int_eq(r->contents_len, (int)strlen(want));
        ck_assert(strncmp(r->contents, want, strlen(want)) == 0);
        free(want);
    }
    ck_assert(strncmp(t->rows[0].contents, first_text, strlen(first_text)) ==
              0);
    const table_row *last = &t->rows[t->nrows - 1];
    ck_assert_int_eq(last->contents_len, 1);
    ck_assert_int_eq(last->contents[0], '}');
}

/*
 * The classic: 8 MB kept (+7.6 MiB), 160 MB made and freed (+152.6 and
 * -152.6 MiB, the 160 MB allowed 150..157 MiB for page rounding and the
 * allocator).
 */
START_TEST(test_basic)
{
    run_result r;
    run(&r, build_path("examples/basic"), NULL);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.out, "");
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_str_eq(t[0].file, "examples/basic.c");
    check_rows_are_source(&t[0], "int *my_func(void)");
    ck_assert_int_eq(t[0].nrows, 9);

    const table_row *entry = row_with(&t[0], "MP_PROFILE_FUNC();");
    const table_row *a = row_with(&t[0], "int *a =");
    const table_row *b = row_with(&t[0], "int *b =");
    const table_row *f = row_with(&t[0], "free(b)");
    const table_row *ret = row_with(&t[0], "MP_RETURN(a)");
    int recorded = 0;
    for (int i = 0; i < t[0].nrows; i++)
        recorded += t[0].rows[i].recorded;
    ck_assert_int_eq(recorded, 5);
    ck_assert_int_eq(entry->occ + a->occ + b->occ + f->occ + ret->occ, 5);

    /* The entry row shows the baseline against 0, as memory_profiler. */
    ck_assert_double_eq_tol(entry->inc, entry->mem, 0.05);
    ck_assert_double_gt(entry->mem, 0.2);
    FIGURE(ck_assert_double_ge(a->inc, 7.4));
    FIGURE(ck_assert_double_le(a->inc, 7.9));
    FIGURE(ck_assert_double_ge(b->inc, 150.0));
    FIGURE(ck_assert_double_le(b->inc, 157.0));
    FIGURE(ck_assert_double_le(f->inc, -150.0));
    FIGURE(ck_assert_double_ge(f->inc, -157.0));
    ck_assert_double_eq_tol(ret->inc, 0.0, 0.15);
    /* Three printed values, each rounded by up to 0.05. */
    ck_assert_double_eq_tol(b->mem, a->mem + b->inc, 0.16);

    /* The column telescopes to the last reading (rounding: 0.05 a row). */
    ck_assert_double_eq_tol(table_inc_sum(&t[0]), ret->mem, 0.25);
    run_result_free(&r);
}
END_TEST

/* Nested loops: Occurrences 1, n, n * m; Increment the real growth. */
START_TEST(test_loop)
{
    run_result r;
    run(&r, build_path("examples/loop"), NULL);
    table t[3];
    ck_assert_int_eq(parse_tables(r.err, t, 3), 2);
    check_rows_are_source(&t[0], "char **grow(void)");
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC")->occ, 1);
    ck_assert_int_eq(row_with(&t[0], "calloc")->occ, 1);
    const table_row *outer = row_with(&t[0], "keep[i] =");
    const table_row *inner = row_with(&t[0], "keep[OUTER + i");
    ck_assert_int_eq(outer->occ, 10);
    ck_assert_int_eq(inner->occ, 50);
    ck_assert_int_eq(row_with(&t[0], "MP_RETURN")->occ, 1);
    /* The statement spans two lines: one row, at its first line. */
    ck_assert_int_eq(table_find(&t[0], inner->line + 1)->recorded, 0);
    /* 10 x 4 MB = 38.1 MiB, 50 x 1 MB = 47.7 MiB (+ page rounding). */
    FIGURE(ck_assert_double_ge(outer->inc, 37.5));
    FIGURE(ck_assert_double_le(outer->inc, 39.5));
    FIGURE(ck_assert_double_ge(inner->inc, 46.5));
    FIGURE(ck_assert_double_le(inner->inc, 49.5));
    ck_assert_double_eq_tol(table_inc_sum(&t[0]),
                            row_with(&t[0], "MP_RETURN")->mem, 0.3);

    /* 5 x 40 MB made and freed: +190.7 and -190.7 MiB, as memory_profiler
     * shows for the same passes (test_shrink_side_by_side: where they
     * differ). */
    check_rows_are_source(&t[1], "void churn(void)");
    const table_row *make = row_with(&t[1], "char *tmp =");
    const table_row *drop = row_with(&t[1], "free(tmp)");
    ck_assert_int_eq(make->occ, 5);
    ck_assert_int_eq(drop->occ, 5);
    FIGURE(ck_assert_double_ge(make->inc, 188.0));
    FIGURE(ck_assert_double_le(make->inc, 193.0));
    FIGURE(ck_assert_double_le(drop->inc, -188.0));
    FIGURE(ck_assert_double_ge(drop->inc, -193.0));
    FIGURE(ck_assert_double_eq_tol(make->inc + drop->inc, 0.0, 0.5));
    run_result_free(&r);
}
END_TEST

/* A function called 7 times (3 directly, 4 from a recursion). */
START_TEST(test_calls)
{
    run_result r;
    run(&r, build_path("examples/calls"), NULL);
    table t[3];
    ck_assert_int_eq(parse_tables(r.err, t, 3), 2);
    check_rows_are_source(&t[0], "char *chunk(size_t mb)");
    check_rows_are_source(&t[1], "void nest(int depth, char **keep)");
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC")->occ, 7);
    const table_row *alloc = row_with(&t[0], "char *p =");
    ck_assert_int_eq(alloc->occ, 7);
    ck_assert_int_eq(row_with(&t[0], "MP_RETURN(p)")->occ, 7);
    /* 3 x 8 MB + 4 x 2 MB = 30.5 MiB. */
    FIGURE(ck_assert_double_ge(alloc->inc, 29.5));
    FIGURE(ck_assert_double_le(alloc->inc, 32.0));
    ck_assert_int_eq(row_with(&t[1], "MP_PROFILE_FUNC")->occ, 4);
    ck_assert_int_eq(row_with(&t[1], "chunk(2)")->occ, 4);
    ck_assert_int_eq(row_with(&t[1], "nest(depth - 1")->occ, 3);
    ck_assert_int_eq(row_with(&t[1], "MP_RETURN_VOID")->occ, 4);
    /* Each chunk(2) line adds 1.9 MiB: 4 calls, 7.6 MiB. */
    FIGURE(ck_assert_double_ge(row_with(&t[1], "chunk(2)")->inc, 7.3));
    FIGURE(ck_assert_double_le(row_with(&t[1], "chunk(2)")->inc, 8.3));
    run_result_free(&r);
}
END_TEST

/*
 * A recursion 10,000 deep whose every level keeps 1000 bytes: the heap
 * backend's column of rec() sums to exactly what the recursion holds at
 * its last reading (10,001 blocks, 9.537697 MiB), and the line of the
 * recursive call adds nothing: the growth of the inner calls shows once,
 * in their own rows.  With rss the column never sums to more memory than
 * the process had.
 */
START_TEST(test_recursion_counts_once)
{
    char prog[512];
    snprintf(prog, sizeof prog, "%s/test/progs/recurse", test_build_dir());
    const char *argv[] = {prog, "10000", NULL};
    const char *heap[] = {"MEMPROF_BACKEND=heap", "MEMPROF_PRECISION=6", NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, heap, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    const table_row *entry = row_with(&t[0], "MP_PROFILE_FUNC");
    const table_row *alloc = row_with(&t[0], "keep[n] = malloc(1000)");
    const table_row *call = row_with(&t[0], "MP_LINE(rec(n - 1))");
    const table_row *ret = row_with(&t[0], "MP_RETURN_VOID");
    ck_assert_int_eq(entry->occ, 10001);
    ck_assert_int_eq(alloc->occ, 10001);
    ck_assert_int_eq(call->occ, 10000);
    ck_assert_int_eq(ret->occ, 10001);
    ck_assert_str_eq(call->inc_cell, "0.000000 MiB");
    ck_assert_str_eq(ret->inc_cell, "0.000000 MiB");
    ck_assert_str_eq(alloc->inc_cell, "9.537697 MiB");
    /* The entry row holds what main had before: the keep array. */
    ck_assert_double_eq_tol(table_inc_sum(&t[0]), ret->mem, 3e-6);
    run_result_free(&r);

    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    double most = 0;
    for (int k = 0; k < t[0].nrows; k++)
        if (t[0].rows[k].recorded && t[0].rows[k].mem > most)
            most = t[0].rows[k].mem;
    FIGURE(ck_assert_double_le(table_inc_sum(&t[0]), most + 0.2));
    run_result_free(&r);
}
END_TEST

/* 4 threads x 3 calls: every occurrence counted. */
START_TEST(test_threads)
{
    run_result r;
    run(&r, build_path("examples/threads"), NULL);
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    check_rows_are_source(&t[0], "void work(void)");
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC")->occ, 12);
    ck_assert_int_eq(row_with(&t[0], "char *p =")->occ, 12);
    ck_assert_int_eq(row_with(&t[0], "free(p)")->occ, 12);
    run_result_free(&r);
}
END_TEST

/* Every precision 0..6: the parser checks Python's exact cell format. */
START_TEST(test_precisions)
{
    for (int p = 0; p <= 6; p++) {
        char env0[32];
        snprintf(env0, sizeof env0, "MEMPROF_PRECISION=%d", p);
        const char *env[] = {env0, NULL};
        run_result r;
        run(&r, build_path("examples/basic"), env);
        table t[2];
        ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
        const table_row *a = row_with(&t[0], "int *a =");
        const char *dot = strchr(a->mem_cell, '.');
        if (p == 0)
            ck_assert_ptr_null(dot);
        else
            ck_assert_int_eq((int)strcspn(dot + 1, " "), p);
        run_result_free(&r);
    }
}
END_TEST

/* A bad setting: one line naming it, then the default. */
START_TEST(test_bad_precision)
{
    const char *env[] = {"MEMPROF_PRECISION=abc", NULL};
    run_result r;
    run(&r, build_path("examples/basic"), env);
    const char *want =
        "memprof: MEMPROF_PRECISION='abc' is not an integer 0..6; using 1\n"
        "Filename: examples/basic.c\n";
    ck_assert(strncmp(r.err, want, strlen(want)) == 0);
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_str_eq(strchr(row_with(&t[0], "int *a")->mem_cell, '.') + 2,
                     " MiB");
    run_result_free(&r);
}
END_TEST

/*
 * MEMPROF_BACKEND: pss and uss show basic.c's allocations as rss does
 * (its pages are its own), under their names and mprof's; a bad name,
 * and heap without its counter linked in, fall back to rss with one line.
 */
START_TEST(test_backends)
{
    const char *names[] = {"MEMPROF_BACKEND=pss", "MEMPROF_BACKEND=uss",
                           "MEMPROF_BACKEND=psutil_pss",
                           "MEMPROF_BACKEND=psutil_uss",
                           "MEMPROF_BACKEND=psutil"};
    for (int i = 0; i < 5; i++) {
        const char *env[] = {names[i], NULL};
        run_result r;
        run(&r, build_path("examples/basic"), env);
        table t[2];
        ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
        ck_assert_str_eq(r.err + strlen(r.err) - 2, "\n\n");
        ck_assert_int_eq(strncmp(r.err, "Filename: ", 10), 0);
        FIGURE(ck_assert_double_ge(row_with(&t[0], "int *b =")->inc, 150.0));
        FIGURE(ck_assert_double_le(row_with(&t[0], "int *b =")->inc, 157.0));
        FIGURE(ck_assert_double_le(row_with(&t[0], "free(b)")->inc, -150.0));
        run_result_free(&r);
    }
    const char *bad[] = {"MEMPROF_BACKEND=vms", NULL};
    run_result r;
    run(&r, build_path("examples/basic"), bad);
    const char *want = "memprof: MEMPROF_BACKEND='vms' is not rss, pss, uss "
                       "or heap; using rss\n";
    ck_assert(strncmp(r.err, want, strlen(want)) == 0);
    run_result_free(&r);
    const char *heap[] = {"MEMPROF_BACKEND=heap", NULL};
    run(&r, build_path("examples/basic"), heap);
    want = "memprof: MEMPROF_BACKEND='heap' needs the heap archive "
           "(pkg-config --libs memprof-heap) or its preload object; using "
           "rss\n";
    ck_assert(strncmp(r.err, want, strlen(want)) == 0);
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    run_result_free(&r);
}
END_TEST

/* run_prog() - a build/test/progs program with arguments and env. */
static void run_prog(run_result *r, const char *name, const char *arg1,
                     const char *arg2, const char *const env[])
{
    char prog[256];
    snprintf(prog, sizeof prog, "%s/test/progs/%s", test_build_dir(), name);
    const char *argv[] = {prog, arg1, arg2, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
}

/* row_of() - the line of text that contains what, or NULL. */
static char *row_of(const char *text, const char *what)
{
    const char *p = strstr(text, what);
    if (p == NULL)
        return NULL;
    while (p > text && p[-1] != '\n')
        p--;
    return strndup(p, strcspn(p, "\n"));
}

/*
 * MEMPROF_PEAK=1: a Peak column after Increment (the header 74 wide);
 * a line that makes and frees 500 MB shows Increment about 0 and Peak
 * about 476.8 MiB; the entry row has no peak.
 */
START_TEST(test_peak_column)
{
    const char *env[] = {"MEMPROF_PEAK=1", NULL};
    run_result r;
    run_prog(&r, "budget", "peak", NULL, env);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    if (strstr(r.err, "cannot reset VmHWM") != NULL) {
        fprintf(stderr, "SKIP test_peak_column: %s", r.err);
        run_result_free(&r);
        return;
    }
    const char *head = "Line #    Mem usage    Increment         Peak  "
                       "Occurrences   Line Contents\n"
                       "=============================================="
                       "============================\n";
    ck_assert_ptr_nonnull(strstr(r.err, head));
    char *row = row_of(r.err, "MP_LINE(transient(500000000));");
    ck_assert_ptr_nonnull(row);
    int line = 0;
    double mem = 0;
    double inc = 0;
    double peak = 0;
    int occ = 0;
    ck_assert_int_eq(sscanf(row, "%d %lf MiB %lf MiB %lf MiB %d", &line, &mem,
                            &inc, &peak, &occ),
                     5);
    ck_assert_int_eq(occ, 1);
    FIGURE(ck_assert_double_eq_tol(inc, 0.0, 0.5));
    FIGURE(ck_assert_double_ge(peak, 470.0));
    /* ASan's free writes its shadow (1/8 more) before the mark is read. */
    FIGURE(ck_assert_double_le(peak, MP_TEST_ASAN ? 480.0 * 1.15 : 480.0));
    /* Layout: the Peak cell ends at column 45, as Increment's at 32. */
    ck_assert_int_eq(strstr(row, " MiB           1   ") - row + 4, 45);
    free(row);
    row = row_of(r.err, "MP_PROFILE_FUNC();");
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(strncmp(row + 32, "             ", 13), 0);
    free(row);
    run_result_free(&r);
}
END_TEST

/*
 * MEMPROF_PEAK=1 in a forked child: the child resets and reads its own
 * high-water mark, not its parent's, so its line that makes and frees
 * 200 MB shows a Peak of about 190.7 MiB.
 */
START_TEST(test_peak_after_fork)
{
    const char *env[] = {"MEMPROF_PEAK=1", NULL};
    run_result r;
    run_prog(&r, "budget", "fork", NULL, env);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    if (strstr(r.err, "cannot reset VmHWM") != NULL) {
        fprintf(stderr, "SKIP test_peak_after_fork: %s", r.err);
        run_result_free(&r);
        return;
    }
    char *row = row_of(r.err, "MP_LINE(transient(200000000));");
    ck_assert_ptr_nonnull(row);
    int line = 0;
    double mem = 0;
    double inc = 0;
    double peak = 0;
    int occ = 0;
    ck_assert_int_eq(sscanf(row, "%d %lf MiB %lf MiB %lf MiB %d", &line, &mem,
                            &inc, &peak, &occ),
                     5);
    ck_assert_int_eq(occ, 1);
    FIGURE(ck_assert_double_ge(peak, 185.0));
    FIGURE(ck_assert_double_le(peak, MP_TEST_ASAN ? 192.0 * 1.15 : 192.0));
    free(row);
    /* The parent's own line still shows its 500 MB. */
    row = row_of(r.err, "MP_LINE(transient(500000000));");
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(sscanf(row, "%d %lf MiB %lf MiB %lf MiB %d", &line, &mem,
                            &inc, &peak, &occ),
                     5);
    FIGURE(ck_assert_double_ge(peak, 470.0));
    free(row);
    run_result_free(&r);
}
END_TEST

/* json_ok() - whether python3 parses text as JSON (-1: no python3). */
static int json_ok(const char *text)
{
    if (sh("command -v python3 >/dev/null") != 0)
        return -1;
    char path[] = "/tmp/mp_json_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int ok = sh("python3 -m json.tool %s >/dev/null", path) == 0;
    unlink(path);
    return ok;
}

/*
 * MEMPROF_FORMAT=json: valid RFC 8259 (python's parser), the records of
 * the table; csv: a header and one record per row that recorded.
 */
START_TEST(test_formats)
{
    const char *json[] = {"MEMPROF_FORMAT=json", NULL};
    run_result r;
    run(&r, build_path("examples/loop"), json);
    const char *head = "{\"memprof\": {\"version\": \"" MEMPROF_VERSION
                       "\", \"format\": 1},\n\"run\": {";
    ck_assert_int_eq(strncmp(r.err, head, strlen(head)), 0);
    const char *start = "},\n\"tables\": [\n  {\"file\": "
                        "\"examples/loop.c\", \"function\": \"grow\", "
                        "\"rows\": [\n";
    ck_assert_ptr_nonnull(strstr(r.err, start));
    int ok = json_ok(r.err);
    if (ok < 0)
        fprintf(stderr, "SKIP test_formats (JSON parse): no python3\n");
    else
        ck_assert_msg(ok, "not JSON: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "\"occurrences\": 50, "));
    ck_assert_ptr_nonnull(strstr(r.err, "\"function\": \"churn\""));
    ck_assert_ptr_null(strstr(r.err, "peak_mib"));
    run_result_free(&r);

    const char *csv[] = {"MEMPROF_FORMAT=csv", NULL};
    run(&r, build_path("examples/basic"), csv);
    const char *want =
        "file,function,line,mem_mib,increment_mib,occurrences,contents\r\n"
        "\"examples/basic.c\",\"my_func\",30,";
    ck_assert_int_eq(strncmp(r.err, want, strlen(want)), 0);
    int records = 0;
    for (const char *p = r.err; (p = strstr(p, "\r\n")) != NULL; p += 2)
        records++;
    ck_assert_int_eq(records, 1 + 5);
    ck_assert_ptr_nonnull(strstr(r.err, ",1,\"    MP_LINE(free(b));\"\r\n"));
    run_result_free(&r);

    const char *both[] = {"MEMPROF_FORMAT=json", "MEMPROF_PEAK=1", NULL};
    run_prog(&r, "budget", "peak", NULL, both);
    if (strstr(r.err, "cannot reset VmHWM") == NULL) {
        ck_assert_ptr_nonnull(strstr(r.err, "\"peak_mib\": null"));
        ck_assert_int_ne(json_ok(r.err), 0);
    }
    run_result_free(&r);
}
END_TEST

/*
 * MEMPROF_BREAK_MIB: a line that adds more says where and raises SIGTRAP
 * (caught here by the program); under the limit, nothing.
 */
START_TEST(test_break)
{
    const char *env[] = {"MEMPROF_BREAK_MIB=100", NULL};
    run_result r;
    run_prog(&r, "budget", "break", NULL, env);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.out, "traps 1\n");
    char *row = row_of(r.err, "over MEMPROF_BREAK_MIB=100; SIGTRAP");
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(strncmp(row, "memprof: test/progs/budget.c:", 29), 0);
    free(row);
    run_result_free(&r);
    const char *high[] = {"MEMPROF_BREAK_MIB=200", NULL};
    run_prog(&r, "budget", "break", NULL, high);
    /* Under TSan, shadow memory makes 160 MB count as more than 200 MiB. */
    FIGURE(ck_assert_str_eq(r.out, "traps 0\n"));
    FIGURE(ck_assert_ptr_null(strstr(r.err, "SIGTRAP")));
    run_result_free(&r);
    const char *bad[] = {"MEMPROF_BREAK_MIB=-3", NULL};
    run_prog(&r, "budget", "break", NULL, bad);
    ck_assert_str_eq(r.out, "traps 0\n");
    ck_assert_int_eq(strncmp(r.err,
                             "memprof: MEMPROF_BREAK_MIB='-3' is not a "
                             "number of MiB above 0; no break\n",
                             70),
                     0);
    run_result_free(&r);
}
END_TEST

/*
 * MP_ASSERT_BELOW_MIB: 100 MB held against a limit of 50 MiB aborts with
 * the file, line, reading and limit; against 1000 MiB it passes.
 */
START_TEST(test_assert_below)
{
    run_result r;
    run_prog(&r, "budget", "assert", "50", NULL);
    ck_assert(WIFSIGNALED(r.status));
    ck_assert_int_eq(WTERMSIG(r.status), SIGABRT);
    ck_assert_str_eq(r.out, "");
    ck_assert_int_eq(strncmp(r.err, "memprof: test/progs/budget.c:", 29), 0);
    ck_assert_ptr_nonnull(strstr(r.err, " MiB is not below 50 MiB "
                                        "(MP_ASSERT_BELOW_MIB)\n"));
    run_result_free(&r);
    run_prog(&r, "budget", "assert", "1000", NULL);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.out, "below\n");
    run_result_free(&r);
}
END_TEST

/* Bad values of the new settings: one line each, the default. */
START_TEST(test_bad_settings_6)
{
    const char *env[] = {"MEMPROF_FORMAT=xml", "MEMPROF_PEAK=yes", NULL};
    run_result r;
    run(&r, build_path("examples/basic"), env);
    const char *want =
        "memprof: MEMPROF_FORMAT='xml' is not table, json or csv; using "
        "table\n"
        "memprof: MEMPROF_PEAK='yes' is not 0 or 1; using 0\n"
        "Filename: examples/basic.c\n";
    ck_assert_int_eq(strncmp(r.err, want, strlen(want)), 0);
    run_result_free(&r);
}
END_TEST

/* MEMPROF_DISABLE=1: nothing recorded, nothing printed. */
START_TEST(test_runtime_disable)
{
    const char *env[] = {"MEMPROF_DISABLE=1", "MEMPROF_PRECISION=abc", NULL};
    run_result r;
    run(&r, build_path("examples/basic"), env);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.err, "");
    ck_assert_str_eq(r.out, "");
    run_result_free(&r);
}
END_TEST

/*
 * -DMEMPROF_DISABLE: every macro is the bare statement, so the programs
 * build without the library at all and print nothing.
 */
START_TEST(test_compiled_out)
{
    const char *examples[] = {"basic", "loop", "calls", "threads"};
    for (int i = 0; i < 4; i++) {
        const char *out = build_path("test/disabled");
        ck_assert_int_eq(sh("%s -std=c99 -pedantic -O2 -Wall -Wextra "
                            "-Werror -Wshadow -DMEMPROF_DISABLE -Iinclude "
                            "-o %s examples/%s.c -pthread",
                            MP_TEST_CC, out, examples[i]),
                         0);
        ck_assert_int_eq(sh("nm -u %s | grep -q ' mp_'", out), 1);
        run_result r;
        run(&r, out, NULL);
        ck_assert_int_eq(WEXITSTATUS(r.status), 0);
        ck_assert_str_eq(r.err, "");
        run_result_free(&r);
        unlink(out);
    }
}
END_TEST

/* stdout, errno and the exit status are the program's own. */
START_TEST(test_program_untouched)
{
    run_result r;
    run(&r, build_path("test/progs/io"), NULL);
    ck_assert(WIFEXITED(r.status));
    ck_assert_int_eq(WEXITSTATUS(r.status), 3);
    ck_assert_str_eq(r.out, "hello from stdout\nerrno 9\n");
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_int_eq(row_with(&t[0], "printf")->occ, 1);
    run_result_free(&r);
}
END_TEST

/* A forked child reports only its own records; the parent's table once. */
START_TEST(test_fork)
{
    run_result r;
    run(&r, build_path("test/progs/fork"), NULL);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    table t[4];
    ck_assert_int_eq(parse_tables(r.err, t, 4), 2);
    /* The child exits first: its table, then the parent's. */
    ck_assert_int_eq(row_with(&t[0], "escape = NULL")->occ, 1);
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC")->occ, 1);
    check_rows_are_source(&t[0], "void in_child(void)");
    check_rows_are_source(&t[1], "void in_parent(void)");
    ck_assert_int_eq(row_with(&t[1], "MP_PROFILE_FUNC")->occ, 4);
    ck_assert_int_eq(row_with(&t[1], "free(escape)")->occ, 4);
    run_result_free(&r);
}
END_TEST

/*
 * A profiled signal handler that interrupts MP_LINE thousands of times:
 * no deadlock, no crash, the loop's count exact, and the handler's hits
 * recorded, but for the few that interrupt a first hit (which allocates).
 */
START_TEST(test_signal_handler)
{
    run_result r;
    run(&r, build_path("test/progs/signal"), NULL);
    ck_assert(WIFEXITED(r.status));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    long ticks = strtol(r.out, NULL, 10);
    table t[3];
    ck_assert_int_eq(parse_tables(r.err, t, 3), 2);
    const table_row *tick = row_with(&t[0], "ticks++");
    ck_assert_int_gt(ticks, 100);
    ck_assert_int_le(tick->occ, ticks);
    ck_assert_int_ge(tick->occ, ticks - 3);
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC")->occ, tick->occ);
    ck_assert_int_eq(row_with(&t[1], "work++")->occ, 200000);
    ck_assert_int_eq(row_with(&t[1], "MP_PROFILE_FUNC")->occ, 1);
    run_result_free(&r);
}
END_TEST

/*
 * Sites first hit inside a signal handler that interrupts malloc and free
 * (3 in 3 runs crashed or deadlocked in malloc before the cold path took
 * its memory from the arena): the program finishes, and every hit of the
 * 90 handler functions is recorded (10 functions a source line: 30
 * occurrences a table).
 */
START_TEST(test_signal_first_hits)
{
    for (int round = 0; round < 3; round++) {
        char prog[512];
        snprintf(prog, sizeof prog, "timeout 20 %s",
                 build_path("test/progs/signal_first"));
        const char *argv[] = {"/bin/sh", "-c", prog, NULL};
        run_result r;
        ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
        ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                      "status %d\n%s", r.status, r.err);
        ck_assert_str_eq(r.out, "calls 90\n");
        table t[12];
        ck_assert_int_eq(parse_tables(r.err, t, 12), 10);
        for (int i = 1; i < 10; i++) {
            ck_assert_int_eq(t[i].nrows, 1);
            ck_assert_int_eq(t[i].rows[0].occ, 30);
        }
        run_result_free(&r);
    }
}
END_TEST

/*
 * A profiled plugin unloaded with dlclose before exit: its table still
 * prints (from what the library copied when its sites registered), after
 * the program's own, and its line of 8 MB shows 8.0 MiB.
 */
START_TEST(test_dlclose_plugin)
{
    char plugin[512];
    snprintf(plugin, sizeof plugin, "%s", build_path("test/progs/plugin.so"));
    const char *argv[] = {build_path("test/progs/dlclose"), plugin, NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                  "status %d\n%s", r.status, r.err);
    table t[3];
    ck_assert_int_eq(parse_tables(r.err, t, 3), 2);
    ck_assert_str_eq(t[1].file, "test/progs/plugin.c");
    check_rows_are_source(&t[1], "void plugin_work(void)");
    const table_row *set = row_with(&t[1], "memset(p, 1, 8u << 20)");
    ck_assert_int_eq(set->occ, 1);
    FIGURE(ck_assert_double_eq_tol(set->inc, 8.0, 0.3));
    ck_assert_int_eq(row_with(&t[0], "dlclose(h)")->occ, 1);
    run_result_free(&r);
}
END_TEST

/* MEMPROF_OUTPUT with %p: a file per process, nothing on stderr. */
START_TEST(test_output_file)
{
    const char *dir = make_tmpdir("e2e");
    char env0[128];
    snprintf(env0, sizeof env0, "MEMPROF_OUTPUT=%s/report.%%p.txt", dir);
    const char *env[] = {env0, NULL};
    run_result r;
    const char *argv[] = {build_path("test/progs/fork"), NULL};
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert_int_eq(sh("test $(ls %s | grep -c '^report\\.[0-9]*\\.txt$') "
                        "-eq 2",
                        dir),
                     0);
    ck_assert_int_eq(sh("cat %s/report.*.txt | grep -c '^Filename: ' | "
                        "grep -qx 2",
                        dir),
                     0);
    sh("rm -rf %s", dir);

    /* Without %p the child appends and the parent's report follows. */
    dir = make_tmpdir("e2e");
    snprintf(env0, sizeof env0, "MEMPROF_OUTPUT=%s/one.txt", dir);
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    run_result_free(&r);
    char file[128];
    snprintf(file, sizeof file, "%s/one.txt", dir);
    char *text = read_file(file, NULL);
    ck_assert_ptr_nonnull(text);
    table t[4];
    ck_assert_int_eq(parse_tables(text, t, 4), 2);
    free(text);
    sh("rm -rf %s", dir);
}
END_TEST

/* An unwritable MEMPROF_OUTPUT: one line, and the table on stderr. */
START_TEST(test_output_unwritable)
{
    const char *env[] = {"MEMPROF_OUTPUT=/nonexistent/dir/report.txt", NULL};
    run_result r;
    run(&r, build_path("examples/basic"), env);
    const char *want = "memprof: cannot write "
                       "MEMPROF_OUTPUT='/nonexistent/dir/report.txt' (No "
                       "such file or directory); using stderr\n";
    ck_assert(strncmp(r.err, want, strlen(want)) == 0);
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    run_result_free(&r);
}
END_TEST

/*
 * Run from elsewhere, without debug information (so without the folder
 * the compiler ran in) and not beside its source, the source does not
 * open: one line says so and the rows show the statements;
 * MEMPROF_SOURCE_PATH finds it again, and so does the program built
 * with -g (check_outside.c tests those lookups).
 */
START_TEST(test_missing_source)
{
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char built[4200];
    snprintf(built, sizeof built, "%s/%s", cwd, build_path("examples/basic"));
    const char *dir = make_tmpdir("e2e");
    char prog[4200];
    snprintf(prog, sizeof prog, "%s/basic", dir);
    ck_assert_int_eq(sh("objcopy --strip-debug %s %s", built, prog), 0);
    ck_assert_int_eq(chdir(dir), 0);
    run_result r;
    run(&r, prog, NULL);
    const char *want = "memprof: cannot read examples/basic.c (No such file "
                       "or directory); showing the recorded statements\n";
    ck_assert(strncmp(r.err, want, strlen(want)) == 0);
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_int_eq(t[0].nrows, 5);
    ck_assert_int_eq(t[0].rows[0].contents_len, 18);
    ck_assert(strncmp(t[0].rows[0].contents, "MP_PROFILE_FUNC();", 18) == 0);
    ck_assert(strncmp(t[0].rows[1].contents,
                      "int *a = fill(malloc(8000000), 8000000)", 39) == 0);
    ck_assert(strncmp(t[0].rows[3].contents, "free(b)\n", 8) == 0);
    ck_assert(strncmp(t[0].rows[4].contents, "return a;\n", 10) == 0);
    run_result_free(&r);

    char env0[4200];
    snprintf(env0, sizeof env0, "MEMPROF_SOURCE_PATH=/nonexistent:%s", cwd);
    const char *env[] = {env0, NULL};
    run(&r, prog, env);
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_int_eq(strncmp(r.err, "Filename: examples/basic.c\n", 27), 0);
    ck_assert_int_eq(t[0].nrows, 9);
    run_result_free(&r);
    run(&r, built, NULL);
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_int_eq(strncmp(r.err, "Filename: examples/basic.c\n", 27), 0);
    ck_assert_int_eq(t[0].nrows, 9);
    run_result_free(&r);
    ck_assert_int_eq(chdir(cwd), 0);
    sh("rm -rf %s", dir);
}
END_TEST

/* The archive shows the linker only mp_ and mp__ names. */
START_TEST(test_exported_names)
{
    ck_assert_int_eq(sh("nm -g --defined-only %s/libmemprof.a | "
                        "awk 'NF == 3 && $3 !~ /^(mp_|__odr_asan)/ "
                        "{ print; bad = 1 } "
                        "END { exit bad }'",
                        test_build_dir()),
                     0);
    ck_assert_int_eq(sh("nm -g --defined-only %s/libmemprof.a | "
                        "grep -q ' T mp_report$'",
                        test_build_dir()),
                     0);
}
END_TEST

/* The library itself builds warning-free with clang as with gcc. */
START_TEST(test_clang_builds_library)
{
    if (sh("command -v clang >/dev/null") != 0) {
        fprintf(stderr, "SKIP test_clang_builds_library: no clang\n");
        return;
    }
    ck_assert_int_eq(sh("clang -std=gnu11 -pthread -Iinclude -Ilib -Wall "
                        "-Wextra -Werror -Wstrict-prototypes -Wwrite-strings "
                        "-Wshadow -O2 -fsyntax-only lib/*.c"),
                     0);
}
END_TEST

/* The header: C99 and C11 -pedantic with gcc and clang, C++11 too. */
START_TEST(test_header_dialects)
{
    const char *c[] = {"gcc -std=c99", "gcc -std=c11", "clang -std=c99",
                       "clang -std=c11"};
    for (int i = 0; i < 4; i++) {
        if (sh("command -v %.5s >/dev/null", c[i]) != 0)
            continue;
        ck_assert_int_eq(
            sh("%s -pedantic -Wall -Wextra -Werror -Wshadow "
               "-Wstrict-prototypes -fsyntax-only -Iinclude "
               "examples/basic.c examples/threads.c examples/memit.c",
               c[i]),
            0);
    }
    const char *cxx[] = {"g++", "clang++"};
    for (int i = 0; i < 2; i++) {
        if (sh("command -v %s >/dev/null", cxx[i]) != 0)
            continue;
        ck_assert_int_eq(sh("%s -std=c++11 -pedantic -Wall -Wextra -Werror "
                            "-Wshadow -fsyntax-only -Iinclude "
                            "test/progs/cxx.cc",
                            cxx[i]),
                         0);
    }
    const char *out = build_path("test/cxx");
    ck_assert_int_eq(sh("g++ -std=c++11 -O2 %s -Iinclude -o %s "
                        "test/progs/cxx.cc %s/libmemprof.a -pthread",
                        MP_TEST_SAN, out, test_build_dir()),
                     0);
    run_result r;
    run(&r, out, NULL);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    table t[3];
    ck_assert_int_eq(parse_tables(r.err, t, 3), 2);
    ck_assert_int_eq(row_with(&t[0], "std::memset")->occ, 1);
    ck_assert_double_ge(row_with(&t[0], "std::memset")->inc, 0.9);
    ck_assert_int_eq(row_with(&t[1], "MP_RETURN_VOID")->occ, 1);
    /* MP_PROFILE_FUNC_PRECISION(2): two decimals. */
    const char *dot = strchr(row_with(&t[1], "MP_RETURN_VOID")->mem_cell, '.');
    ck_assert_ptr_nonnull(dot);
    ck_assert_str_eq(dot + 3, " MiB");
    run_result_free(&r);
    unlink(out);
}
END_TEST

/*
 * -DMEMPROF_DISABLE needs no compiler extension: the header compiles where
 * neither __GNUC__ nor __clang__ is defined, and says why it cannot
 * without it.  clang compiles glibc's headers so; gcc does not (its
 * _Float32 and kin are built in, and glibc then declares them again), so
 * with gcc only the preprocessor, where the #error lives, is run.
 */
START_TEST(test_disabled_needs_no_gnu)
{
    const char *files = "examples/basic.c examples/memit.c";
    if (sh("command -v clang >/dev/null") == 0) {
        const char *clang = "clang -std=c99 -pedantic -Wall -Wextra -Werror "
                            "-Wshadow -U__GNUC__ -U__clang__ -fsyntax-only "
                            "-Iinclude";
        ck_assert_int_eq(sh("%s -DMEMPROF_DISABLE %s", clang, files), 0);
        ck_assert_int_ne(sh("%s %s 2>/dev/null", clang, files), 0);
    }
    if (sh("command -v gcc >/dev/null") == 0) {
        const char *gcc = "gcc -std=c99 -U__GNUC__ -E -Iinclude";
        ck_assert_int_eq(sh("%s -DMEMPROF_DISABLE %s >/dev/null", gcc, files),
                         0);
        ck_assert_int_eq(sh("%s %s 2>&1 >/dev/null | grep -q 'needs gcc or "
                            "clang'",
                            gcc, files),
                         0);
    }
}
END_TEST

/*
 * The version: its numbers make its string, which memprof --version
 * prints (make install's .pc files are checked in test_install).
 */
START_TEST(test_version)
{
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", MEMPROF_VERSION_MAJOR,
             MEMPROF_VERSION_MINOR, MEMPROF_VERSION_PATCH);
    ck_assert_str_eq(MEMPROF_VERSION, want);
    const char *argv[] = {build_path("memprof"), "--version", NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    snprintf(want, sizeof want, "memprof %s\n", MEMPROF_VERSION);
    ck_assert_str_eq(r.out, want);
    run_result_free(&r);
}
END_TEST

/*
 * make install into a prefix (and a DESTDIR), then build a program with
 * pkg-config as a user would.
 */
START_TEST(test_install)
{
    const char *dir = make_tmpdir("e2e");
    ck_assert_int_eq(
        sh("make -s install B=%s CC='%s' SAN='%s' PREFIX=%s/prefix "
           ">/dev/null",
           test_build_dir(), MP_TEST_CC, MP_TEST_SAN, dir),
        0);
    const char *files[] = {"include/memprof.h", "lib/libmemprof.a",
                           "lib/pkgconfig/memprof.pc",
                           "share/man/man3/memprof.3"};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(sh("test -f %s/prefix/%s", dir, files[i]), 0);
    ck_assert_int_eq(sh("export PKG_CONFIG_PATH=%s/prefix/lib/pkgconfig && "
                        "for m in memprof memprof-heap; do "
                        "test \"$(pkg-config --modversion $m)\" = %s || "
                        "exit 1; done",
                        dir, MEMPROF_VERSION),
                     0);
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(sh("cd %s && "
                        "export PKG_CONFIG_PATH=%s/prefix/lib/pkgconfig && "
                        "%s -O2 %s -o basic %s/examples/basic.c "
                        "$(pkg-config --cflags --libs memprof)",
                        dir, dir, MP_TEST_CC, MP_TEST_SAN, cwd),
                     0);
    ck_assert_int_eq(sh("cd %s && env -u MEMPROF_OUTPUT "
                        "LD_LIBRARY_PATH=%s/prefix/lib ./basic 2>&1 | "
                        "grep -q '^Filename: /'",
                        dir, dir),
                     0);
    ck_assert_int_eq(sh("make -s install B=%s CC='%s' SAN='%s' PREFIX=/usr/x "
                        "DESTDIR=%s/dest "
                        ">/dev/null && test -f %s/dest/usr/x/include/memprof.h "
                        "&& grep -qx 'prefix=/usr/x' "
                        "%s/dest/usr/x/lib/pkgconfig/memprof.pc",
                        test_build_dir(), MP_TEST_CC, MP_TEST_SAN, dir, dir,
                        dir),
                     0);
    sh("rm -rf %s", dir);
}
END_TEST

/*
 * memory_profiler itself, on a Python function of the same shape as
 * basic.c: its table passes the same layout checks as ours, and the three
 * allocations show the same increments.
 */
START_TEST(test_same_as_memory_profiler)
{
    if (!memory_profiler_present()) {
        fprintf(stderr, "SKIP test_same_as_memory_profiler: "
                        "python3-memory-profiler is not installed\n");
        return;
    }
    run_result py;
    memory_profiler_run("test/python/basic_shape.py", &py);
    run_result c;
    run(&c, build_path("examples/basic"), NULL);
    table tp[2];
    table tc[2];
    ck_assert_int_eq(parse_tables(py.out, tp, 2), 1);
    ck_assert_int_eq(parse_tables(c.err, tc, 2), 1);
    /* The header and rule are the same bytes. */
    const char *hp = strstr(py.out, "\n\nLine #");
    const char *hc = strstr(c.err, "\n\nLine #");
    ck_assert_ptr_nonnull(hp);
    ck_assert_ptr_nonnull(hc);
    ck_assert(strncmp(hp, hc, 2 + 61 + 1 + 61 + 1) == 0);
    /* Python's rows: @profile, def, a, b, empty, del, return. */
    const char *pyrows[] = {"a = [1]", "b = [2]", "del b", "return a"};
    const char *crows[] = {"int *a =", "int *b =", "free(b)", "MP_RETURN(a)"};
    for (int i = 0; i < 4; i++) {
        const table_row *p = row_with(&tp[0], pyrows[i]);
        const table_row *q = row_with(&tc[0], crows[i]);
        ck_assert_int_eq(p->occ, q->occ);
        FIGURE(ck_assert_double_eq_tol(p->inc, q->inc, 0.5));
    }
    /* The empty source line between b and del is an empty row in both. */
    ck_assert_int_eq(
        table_find(&tp[0], row_with(&tp[0], "del b")->line - 1)->recorded, 0);
    ck_assert_int_eq(
        table_find(&tc[0], row_with(&tc[0], "free(b)")->line - 1)->recorded, 0);
    run_result_free(&py);
    run_result_free(&c);
}
END_TEST

/*
 * grow_run_env() - memprof run [flags] examples/grow into dir/g.dat, with
 * env changed as run_capture() takes it (NULL: as it is).
 */
static void grow_run_env(const char *dir, const char *flags,
                         const char *const env[], run_result *r)
{
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char script[16384];
    snprintf(script, sizeof script,
             "cd %s && exec %s/%s/memprof run %s -o g.dat %s/%s/examples/grow",
             dir, cwd, test_build_dir(), flags, cwd, test_build_dir());
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    ck_assert_int_eq(WEXITSTATUS(r->status), 0);
}

/* grow_run() - grow_run_env() in this environment. */
static void grow_run(const char *dir, const char *flags, run_result *r)
{
    grow_run_env(dir, flags, NULL, r);
}

/* dat_peak() - the largest MEM reading of a recording. */
static double dat_peak(const mp__dat *d)
{
    double peak = 0;
    for (size_t i = 0; i < d->nmem; i++)
        if (d->mem[i].mib > peak)
            peak = d->mem[i].mib;
    return peak;
}

/*
 * examples/grow.c under memprof run: the recorded peak within 5% of the
 * true peak the program reports (its VmHWM), its FUNC lines in the same
 * file and nested as the code nests them, and python3-mprof reading the
 * recording with the same peak as memprof peak.
 */
START_TEST(test_grow_recorded)
{
    const char *dir = make_tmpdir("e2e");
    run_result r;
    grow_run(dir, "", &r);
    double truth = 0;
    ck_assert_int_eq(sscanf(r.out, "peak %lf MiB", &truth), 1);
    char path[128];
    snprintf(path, sizeof path, "%s/g.dat", dir);
    mp__dat d;
    char err[256];
    ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), 0);
    ck_assert_int_ge(d.nmem, 10);
    FIGURE(ck_assert_double_le(fabs(dat_peak(&d) - truth), 0.05 * truth));
    ck_assert_uint_eq(d.nfuncs, 4 + 1 + 2 + 1);
    ck_assert_uint_eq(d.nchildren, 0);
    const mp__dat_span *outer = NULL;
    for (size_t i = 0; i < d.nfuncs; i++)
        if (strcmp(d.funcs[i].name, "grow.grow") == 0)
            outer = &d.funcs[i];
    ck_assert_ptr_nonnull(outer);
    for (size_t i = 0; i < d.nfuncs; i++) {
        const mp__dat_span *f = &d.funcs[i];
        if (strcmp(f->name, "grow.step") != 0)
            continue;
        ck_assert_int_eq(f->level, 1);
        ck_assert(outer->t0 <= f->t0 && f->t1 <= outer->t1);
    }
    /* The spans lie within the recorded samples' time. */
    ck_assert_double_ge(outer->t0, d.mem[0].t - 0.2);
    ck_assert_double_le(outer->t1, d.mem[d.nmem - 1].t + 0.2);

    if (sh("test -x /usr/bin/python3-mprof") == 0) {
        char cmd[8192];
        char cwd[4096];
        ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
        snprintf(cmd, sizeof cmd,
                 "cd %s && test \"$(/usr/bin/python3-mprof peak g.dat)\" = "
                 "\"$(%s/%s/memprof peak g.dat)\"",
                 dir, cwd, test_build_dir());
        ck_assert_int_eq(sh("%s", cmd), 0);
    } else {
        fprintf(stderr, "SKIP test_grow_recorded (python3-mprof part): "
                        "python3-mprof is not installed\n");
    }
    mp__dat_free(&d);
    run_result_free(&r);
    sh("rm -rf %s", dir);
}
END_TEST

/* -C and -M on examples/grow: every child has its CHLD series. */
START_TEST(test_grow_children)
{
    const char *dir = make_tmpdir("e2e");
    run_result r;
    /* Under AddressSanitizer, LeakSanitizer's check at each exit runs in a
     * tracer task cloned without CLONE_THREAD: a descendant of its own,
     * which -M rightly records (a third series, now and then).  The
     * program's children are what is tested here. */
    const char *no_lsan[] = {"ASAN_OPTIONS=quarantine_size_mb=0:detect_leaks=0",
                             NULL};
    grow_run_env(dir, "-C -M", MP_TEST_ASAN ? no_lsan : NULL, &r);
    long kids[2] = {0, 0};
    const char *p = strstr(r.out, "child ");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(sscanf(p, "child %ld\nchild %ld", &kids[0], &kids[1]), 2);
    char path[128];
    snprintf(path, sizeof path, "%s/g.dat", dir);
    mp__dat d;
    char err[256];
    ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.nchildren, 2);
    for (int i = 0; i < 2; i++) {
        int found = 0;
        for (size_t c = 0; c < d.nchildren; c++)
            found |= d.children[c].pid == kids[i];
        ck_assert_msg(found, "no CHLD series for child %ld", kids[i]);
    }
    /* With -C, MEM holds the children too: above the parent alone. */
    double truth = 0;
    ck_assert_int_eq(sscanf(r.out, "peak %lf MiB", &truth), 1);
    FIGURE(ck_assert_double_gt(dat_peak(&d), truth + 20));
    mp__dat_free(&d);
    run_result_free(&r);
    sh("rm -rf %s", dir);
}
END_TEST

Suite *e2e_suite(void)
{
    Suite *s = suite_create("e2e");
    TCase *tc = tcase_create("examples");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_basic);
    tcase_add_test(tc, test_loop);
    tcase_add_test(tc, test_calls);
    tcase_add_test(tc, test_recursion_counts_once);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_precisions);
    suite_add_tcase(s, tc);
    tc = tcase_create("settings");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bad_precision);
    tcase_add_test(tc, test_runtime_disable);
    tcase_add_test(tc, test_backends);
    tcase_add_test(tc, test_peak_column);
    tcase_add_test(tc, test_peak_after_fork);
    tcase_add_test(tc, test_formats);
    tcase_add_test(tc, test_break);
    tcase_add_test(tc, test_assert_below);
    tcase_add_test(tc, test_bad_settings_6);
    tcase_add_test(tc, test_output_file);
    tcase_add_test(tc, test_output_unwritable);
    tcase_add_test(tc, test_missing_source);
    suite_add_tcase(s, tc);
    tc = tcase_create("host");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_compiled_out);
    tcase_add_test(tc, test_program_untouched);
    tcase_add_test(tc, test_fork);
    tcase_add_test(tc, test_signal_handler);
    tcase_add_test(tc, test_signal_first_hits);
    tcase_add_test(tc, test_dlclose_plugin);
    tcase_add_test(tc, test_exported_names);
    tcase_add_test(tc, test_clang_builds_library);
    tcase_add_test(tc, test_header_dialects);
    tcase_add_test(tc, test_disabled_needs_no_gnu);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_install);
    tcase_add_test(tc, test_same_as_memory_profiler);
    suite_add_tcase(s, tc);
    tc = tcase_create("recording");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_grow_recorded);
    tcase_add_test(tc, test_grow_children);
    suite_add_tcase(s, tc);
    return s;
}
