/*
 * check_stacks.c - MEMPROF_LEAKS's call stacks and their counts, exact to
 * the byte and the block, read back from the heap object's sites dump by
 * stacks_script.c: every kind of allocation, realloc in each direction, a
 * wrapper three calls deep, 16 threads x 100,000 blocks, blocks freed on
 * another thread, a forked child's dump, the same program built with -O0
 * (frames of another shape), and C++'s new, new[] and a growing vector.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

/* run() - stacks_script (prog) with mode; it must exit 0.  Its output. */
static char *run(const char *prog, const char *mode)
{
    char path[4096];
    run_result r;

    snprintf(path, sizeof path, "%s", build_path(prog));
    const char *argv[] = {path, mode, NULL};
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
        ck_abort_msg("%s %s failed (status %d):\n%s", path, mode, r.status,
                     r.err);
    free(r.err);
    return r.out;
}

/* has() - whether out has line (a whole line). */
static int has(const char *out, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = out; (p = strstr(p, line)) != NULL; p++)
        if ((p == out || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

#define assert_has(out, line)                                                  \
    ck_assert_msg(has((out), (line)), "no line '%s' in:\n%s", (line), (out))

/* The script's sites: each kind of call, exact. */
static const char *const script[] = {
    "keep_malloc<main<_start 3000 3 3000 3",
    "keep_calloc<main<_start 1000 1 1000 1",
    "churn<main<_start 6400 100 0 0",
    /* realloc is the old block freed and a new one made, on its stack */
    "grow<main<_start 100100 2 100000 1",
    "shrink<main<_start 5050 2 50 1",
    /* posix_memalign kept, aligned_alloc freed */
    "aligned<main<_start 9192 2 1000 1",
    /* strdup's frame is the C library's, then the caller's */
    "dup_string<main<_start 12 1 12 1",
    /* free(NULL) is nothing; realloc(p, 0) frees */
    "zero<main<_start 10 1 0 0",
    "wrapper<deep3<deep2<deep1<main<_start 333 1 333 1",
    /* a frame of 16 B to 8 KiB (a VLA), then 16 B again */
    "vla<main<_start 50 5 50 5",
};

/* asan() - the AddressSanitizer build: its strdup does not call malloc. */
static int asan(void)
{
    return strstr(MP_TEST_SAN, "address") != NULL;
}

static void check_script(const char *prog)
{
    char *out = run(prog, "script");
    int n = 0;
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        if (asan() && strstr(script[i], "dup_string") != NULL)
            continue;
        assert_has(out, script[i]);
        n++;
    }
    /* Nothing else of this program's, nor of the heap object's own. */
    int lines = 0;
    for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    ck_assert_msg(lines == 1 + n, "%d lines:\n%s", lines, out);
    free(out);
}

START_TEST(test_script_exact)
{
    check_script("test/progs/stacks_script");
}
END_TEST

START_TEST(test_script_exact_O0)
{
    check_script("test/progs/stacks_script_O0");
}
END_TEST

/*
 * 16 threads x 100,000 blocks of 24 bytes, 1,000 of each kept; 10 blocks
 * made on the main thread and freed on another.
 */
START_TEST(test_threads_exact)
{
    char *out = run("test/progs/stacks_script", "threads");
    assert_has(out, "worker 38400000 1600000 384000 16000");
    assert_has(out, "made_here<main<_start 7770 10 0 0");
    free(out);
}
END_TEST

/* A forked child's dump is its own: what it made, not its parent's after. */
START_TEST(test_fork_own)
{
    char *out = run("test/progs/stacks_script", "fork");
    const char *parent = strstr(out, "pid ");
    ck_assert_ptr_nonnull(parent);
    const char *second = strstr(parent + 1, "pid ");
    ck_assert_ptr_nonnull(second);
    /* The child reports first (the parent waits for it). */
    char *child = strndup(parent, (size_t)(second - parent));
    assert_has(child, "shrink<main<_start 5050 2 50 1");
    assert_has(child, "grow<main<_start 100100 2 100000 1");
    ck_assert_ptr_null(strstr(child, "dup_string"));
    if (!asan())
        assert_has(second, "dup_string<main<_start 12 1 12 1");
    assert_has(second, "grow<main<_start 100100 2 100000 1");
    ck_assert_ptr_null(strstr(second, "shrink"));
    free(child);
    free(out);
}
END_TEST

/*
 * C++: new and delete, new[] and delete[] (a destructor's array cookie:
 * 8 bytes more), a vector grown to 5 elements (24 bytes of vector, then
 * 8, 16, 32 and 64 of elements; the vector and its last array kept).
 */
START_TEST(test_cxx_exact)
{
    char *out = run("test/progs/stacks_new", NULL);
    if (MP_TEST_SAN[0] != '\0' || test_valgrind()) {
        /* A sanitizer's or valgrind's operator new does not call malloc:
         * none seen. */
        ck_assert_ptr_null(strstr(out, "make_"));
        free(out);
        return;
    }
    assert_has(out, "make_one<main<_start 8 1 8 1");
    assert_has(out, "make_many<main<_start 10000 10 0 0");
    assert_has(out, "make_things<main<_start 80 1 80 1");
    assert_has(out, "make_vector<main<_start 144 5 88 2");
    free(out);
}
END_TEST

Suite *stacks_suite(void)
{
    Suite *s = suite_create("stacks");
    TCase *tc = tcase_create("stacks");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_script_exact);
    tcase_add_test(tc, test_script_exact_O0);
    tcase_add_test(tc, test_threads_exact);
    tcase_add_test(tc, test_fork_own);
    tcase_add_test(tc, test_cxx_exact);
    suite_add_tcase(s, tc);
    return s;
}
