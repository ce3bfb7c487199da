/*
 * check_record.c - recording in the test process itself: the semantics of
 * the columns, exact counts under threads, errno, reset and precision.
 *
 * Each test runs in its own forked process (Check's default), so each
 * starts with no records.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

#include "internal.h"
#include "testutil.h"

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

/* report() - mp_report into a string (malloc'd). */
static char *report(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(mp_report(f), 0);
    fclose(f);
    return buf;
}

/* group_sums() - for the group of fsite: the sum of its rows' increments
 * and its last reading in this thread, in bytes, read from the records. */
static void group_sums(mp__site *fsite, int64_t *inc, int64_t *last)
{
    mp__lock();
    mp__row *rows = mp__merged();
    *inc = 0;
    for (unsigned s = 1; s < mp__reg.nslots; s++)
        if (mp__reg.sites[s].text != NULL &&
            mp__reg.sites[s].group == fsite->group)
            *inc += rows[s].inc;
    mp__unlock();
    free(rows);
    *last = mp__rows_find(&mp__thread_self()->rows, fsite->group)->last;
}

static mp__site *twice_site;

int *twice(size_t n)
{
    MP_PROFILE_FUNC();
    twice_site = &mp__fsite;
    MP_LINE(int *keep = fill(malloc(n), n));
    MP_LINE(char *tmp = fill(malloc(4 * n), 4 * n));
    MP_LINE(free(tmp));
    MP_RETURN(keep);
}

/* The table of a function called three times, and its arithmetic. */
START_TEST(test_three_calls)
{
    int *keep[3];
    for (int i = 0; i < 3; i++)
        keep[i] = twice(16u << 20);
    char *text = report();
    table t[4];
    ck_assert_int_eq(parse_tables(text, t, 4), 1);
    ck_assert_str_eq(t[0].file, "test/check_record.c");
    const table_row *entry = &t[0].rows[2];
    ck_assert_int_eq(entry->occ, 3);
    ck_assert(strstr(entry->contents, "MP_PROFILE_FUNC();") != NULL);
    ck_assert_int_eq(t[0].rows[0].recorded, 0);
    ck_assert(strncmp(t[0].rows[0].contents, "int *twice(size_t n)", 20) == 0);
    ck_assert_int_eq(t[0].rows[1].recorded, 0);
    const table_row *r = &t[0].rows[4];
    ck_assert_int_eq(r->occ, 3);
    /* 3 x 16 MiB kept: 48 MiB, less a few pages of rounding. */
    FIGURE(ck_assert_double_ge(r->inc, 47.5));
    FIGURE(ck_assert_double_le(r->inc, 48.5));
    r = &t[0].rows[5];
    FIGURE(ck_assert_double_ge(r->inc, 3 * 63.5));
    FIGURE(ck_assert_double_le(r->inc, 3 * 64.5));
    r = &t[0].rows[6];
    FIGURE(ck_assert_double_le(r->inc, -3 * 63.5));
    FIGURE(ck_assert_double_ge(r->inc, -3 * 64.5));
    ck_assert_int_eq(t[0].rows[7].occ, 3);
    ck_assert(strstr(t[0].rows[7].contents, "MP_RETURN(keep);") != NULL);
    ck_assert_int_eq(t[0].nrows, 9);
    ck_assert_int_eq(t[0].rows[8].contents_len, 1);
    ck_assert_int_eq(t[0].rows[8].contents[0], '}');

    /* The column telescopes, exactly, in bytes. */
    int64_t inc;
    int64_t last;
    group_sums(twice_site, &inc, &last);
    ck_assert_int_eq(inc, last);
    free(text);
    for (int i = 0; i < 3; i++)
        free(keep[i]);
}
END_TEST

static _Thread_local volatile long counter;

enum { SPIN_FIRST = __LINE__ + 1 };
void spin(long n)
{
    MP_PROFILE_FUNC();
    for (long i = 0; i < n; i++) {
        MP_LINE(counter++);
    }
}

static void *spin_thread(void *arg)
{
    spin(*(long *)arg);
    return NULL;
}

/* 8 threads x 1,000,000 hits: not one occurrence lost. */
START_TEST(test_threads_lose_nothing)
{
    long n = 1000000;
    const char *quick = getenv("MP_TEST_QUICK");
    if (quick != NULL && *quick == '1')
        n = 20000;
    pthread_t th[8];
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, spin_thread, &n), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    char *text = report();
    table t[2];
    ck_assert_int_eq(parse_tables(text, t, 2), 1);
    const table_row *entry = table_find(&t[0], SPIN_FIRST + 2);
    const table_row *line = table_find(&t[0], SPIN_FIRST + 4);
    ck_assert_ptr_nonnull(entry);
    ck_assert_ptr_nonnull(line);
    ck_assert_int_eq(entry->occ, 8);
    ck_assert_int_eq(line->occ, 8 * n);
    free(text);
}
END_TEST

int keeps_errno(void)
{
    errno = 77;
    MP_PROFILE_FUNC();
    ck_assert_int_eq(errno, 77);
    MP_LINE(close(-1));
    ck_assert_int_eq(errno, EBADF);
    MP_LINE(errno = 0);
    ck_assert_int_eq(errno, 0);
    MP_LINE(errno = ERANGE);
    MP_RETURN(errno);
}

START_TEST(test_errno)
{
    ck_assert_int_eq(keeps_errno(), ERANGE);
    ck_assert_int_eq(errno, ERANGE);
    errno = 5;
    ck_assert_int_eq(mp_report(fopen("/dev/null", "w")), 0);
    ck_assert_int_eq(errno, 5);
    mp_reset();
    ck_assert_int_eq(errno, 5);
}
END_TEST

enum { SMALL_FIRST = __LINE__ + 1 };
void small(void)
{
    MP_PROFILE_FUNC_PRECISION(3);
    MP_LINE(escape = NULL);
}

START_TEST(test_precision)
{
    small();
    free(twice(1 << 20));
    char *text = report();
    table t[3];
    ck_assert_int_eq(parse_tables(text, t, 3), 2);
    /* small() was called first: its table comes first, 3 decimals. */
    const table_row *r = table_find(&t[0], SMALL_FIRST + 3);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(strchr(r->mem_cell, '.') + 4, " MiB");
    r = &t[1].rows[2];
    ck_assert_str_eq(strchr(r->mem_cell, '.') + 2, " MiB");
    free(text);
    ck_assert_int_eq(mp_set_precision(5), 0);
    text = report();
    ck_assert_int_eq(parse_tables(text, t, 3), 2);
    ck_assert_str_eq(strchr(t[1].rows[2].mem_cell, '.') + 6, " MiB");
    ck_assert_str_eq(strchr(t[0].rows[2].mem_cell, '.') + 4, " MiB");
    free(text);
}
END_TEST

START_TEST(test_reset)
{
    small();
    char *text = report();
    ck_assert(strstr(text, "Filename: ") != NULL);
    free(text);
    mp_reset();
    text = report();
    ck_assert_str_eq(text, "");
    free(text);
    small();
    text = report();
    table t[2];
    ck_assert_int_eq(parse_tables(text, t, 2), 1);
    ck_assert_int_eq(t[0].rows[2].occ, 1);
    free(text);
}
END_TEST

/* Lines outside profiled functions: one table for the file, spanning the
 * recorded lines. */
static int outside(void)
{
    MP_LINE(int a = 1);
    MP_LINE(int b = a + 1);

    MP_LINE(escape = &b);
    return b;
}

START_TEST(test_outside_functions)
{
    ck_assert_int_eq(outside(), 2);
    ck_assert_int_eq(outside(), 2);
    char *text = report();
    table t[2];
    ck_assert_int_eq(parse_tables(text, t, 2), 1);
    ck_assert_str_eq(t[0].file, "test/check_record.c");
    ck_assert_int_eq(t[0].nrows, 4);
    ck_assert_int_eq(t[0].rows[0].occ, 2);
    ck_assert_int_eq(t[0].rows[1].occ, 2);
    ck_assert_int_eq(t[0].rows[2].recorded, 0);
    ck_assert_int_eq(t[0].rows[2].contents_len, 0);
    ck_assert_int_eq(t[0].rows[3].occ, 2);
    ck_assert(strncmp(t[0].rows[0].contents, "    MP_LINE(int a = 1);", 23) ==
              0);
    /* The thread's first reading counts from itself, the second call's
       first line from the first call's last reading: both 0 here. */
    ck_assert_double_lt(t[0].rows[0].inc, 0.5);
    ck_assert_double_gt(t[0].rows[0].inc, -0.5);
    free(text);
}
END_TEST

/* Nothing recorded: the report is empty. */
START_TEST(test_empty_report)
{
    char *text = report();
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

Suite *record_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("in-process");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_three_calls);
    tcase_add_test(tc, test_threads_lose_nothing);
    tcase_add_test(tc, test_errno);
    tcase_add_test(tc, test_precision);
    tcase_add_test(tc, test_reset);
    tcase_add_test(tc, test_outside_functions);
    tcase_add_test(tc, test_empty_report);
    suite_add_tcase(s, tc);
    return s;
}
