/*
 * check_stress.c - the recording under load: 16 threads hitting 100
 * profiled functions at once, and a recursion 10,000 deep, with every
 * occurrence in the table.  Under ThreadSanitizer (make check-tsan) this
 * is the race test of the hot path and of the sites' first hits.
 *
 * Tests run from the project's root, where make check runs them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

/*
 * hits_per_thread() - the MP_LINE hits each of stress.c's 16 threads
 * makes: 1,000,000, but 20,000 under valgrind (MP_TEST_QUICK), which runs
 * one thread at a time some 50 times slower.
 */
static long hits_per_thread(void)
{
    return getenv("MP_TEST_QUICK") != NULL ? 20000 : 1000000;
}

/* assert_occ() - row of t holding text was hit want times. */
static void assert_occ(const table *t, const char *name, const char *text,
                       long long want)
{
    const table_row *r = table_find_text(t, text);
    ck_assert_msg(r != NULL, "%s: no row with '%s'", name, text);
    ck_assert_msg(r->recorded && r->occ == want,
                  "%s, line %d ('%s'): %lld occurrences, not %lld", name,
                  r->line, text, r->occ, want);
}

/*
 * 16 threads x 1,000,000 MP_LINE hits over 100 functions, then a
 * recursion 10,000 deep: 101 tables, each function's rows hit exactly
 * 16 x (its share) times, the recursion's rows 10,001 times each.  The
 * heap backend's reading is the cheapest, so that the hits cost their
 * recording and little else: about 0.2 s here, 4 s under TSan, so that
 * only valgrind runs fewer hits.
 */
START_TEST(test_threads_and_recursion)
{
    const long hits = hits_per_thread();
    const int depth = 10000;
    const long threads = 16;
    const long calls = hits / 100 / 100; /* each function, each thread */
    char arg_hits[24];
    char arg_depth[24];
    snprintf(arg_hits, sizeof arg_hits, "%ld", hits);
    snprintf(arg_depth, sizeof arg_depth, "%d", depth);
    const char *argv[] = {build_path("test/progs/stress"), arg_hits, arg_depth,
                          NULL};
    const char *env[] = {"MEMPROF_BACKEND=heap", NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                  "status %d", r.status);
    ck_assert_msg(strncmp(r.err, "Filename: test/progs/stress.c\n", 30) == 0,
                  "%.300s", r.err);
    table *t = calloc(128, sizeof *t);
    ck_assert_ptr_nonnull(t);
    int n = parse_tables(r.err, t, 128);
    ck_assert_int_eq(n, 101);
    int seen[100] = {0};
    int recursions = 0;
    for (int i = 0; i < n; i++) {
        const table_row *head = &t[i].rows[0];
        char name[32];
        int k = -1;
        ck_assert_int_gt(t[i].nrows, 0);
        if (sscanf(head->contents, "void f%2d(void)", &k) == 1) {
            ck_assert(k >= 0 && k < 100);
            seen[k]++;
            snprintf(name, sizeof name, "f%02d", k);
            assert_occ(&t[i], name, "MP_PROFILE_FUNC()", threads * calls);
            assert_occ(&t[i], name, "MP_LINE(hit())", threads * hits / 100);
            assert_occ(&t[i], name, "MP_RETURN_VOID()", threads * calls);
            continue;
        }
        ck_assert_msg(
            strncmp(head->contents, "int recurse(int depth)", 22) == 0,
            "table %d starts '%.*s'", i, head->contents_len, head->contents);
        recursions++;
        assert_occ(&t[i], "recurse", "MP_PROFILE_FUNC()", depth + 1);
        assert_occ(&t[i], "recurse", "MP_LINE(int below", depth + 1);
        assert_occ(&t[i], "recurse", "MP_RETURN(below + 1)", depth + 1);
    }
    for (int k = 0; k < 100; k++)
        ck_assert_msg(seen[k] == 1, "f%02d: %d tables", k, seen[k]);
    ck_assert_int_eq(recursions, 1);
    free(t);
    run_result_free(&r);
}
END_TEST

Suite *stress_suite(void)
{
    Suite *s = suite_create("stress");
    TCase *tc = tcase_create("stress");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_threads_and_recursion);
    suite_add_tcase(s, tc);
    return s;
}
