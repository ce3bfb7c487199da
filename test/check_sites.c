/*
 * check_sites.c - the site table: slots, groups, and merging the threads'
 * rows (live and ended).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

/* site() - a site as the macros make it. */
static mp__site site(const char *file, int line, int kind)
{
    mp__site s = {file, "f", "x", line, kind, -1, 0u, 0u};
    return s;
}

START_TEST(test_file_groups)
{
    mp__site a = site("a.c", 10, MP__SITE_LINE);
    mp__site b = site("a.c", 20, MP__SITE_LINE);
    mp__site c = site("b.c", 10, MP__SITE_LINE);
    /* The same file name from another translation unit's string. */
    char other[] = "a.c";
    mp__site d = site(other, 30, MP__SITE_LINE);
    unsigned sa = mp__site_register(&a, NULL);
    unsigned sb = mp__site_register(&b, NULL);
    unsigned sc = mp__site_register(&c, NULL);
    unsigned sd = mp__site_register(&d, NULL);
    ck_assert_uint_ne(sa, 0);
    ck_assert_uint_eq(a.slot, sa);
    ck_assert_uint_lt(sa, sb);
    ck_assert_uint_lt(sb, sc);
    ck_assert_uint_eq(a.group, b.group);
    ck_assert_uint_eq(a.group, d.group);
    ck_assert_uint_ne(a.group, c.group);
    /* A group's slot comes before its sites' slots. */
    ck_assert_uint_lt(a.group, sa);
    ck_assert_uint_eq(mp__reg.ngroups, 2);
    ck_assert_str_eq(mp__reg.groups[0].file, "a.c");
    ck_assert_int_eq(mp__reg.groups[0].is_func, 0);
    ck_assert_ptr_null(mp__reg.sites[a.group].text);
    /* The registry keeps copies, never the site's own strings. */
    ck_assert_str_eq(mp__reg.sites[sa].text, a.text);
    ck_assert_ptr_ne(mp__reg.sites[sa].text, a.text);
    ck_assert_int_eq(mp__reg.sites[sa].line, a.line);
    ck_assert_uint_eq(mp__reg.sites[sa].group, a.group);
    ck_assert_ptr_ne(mp__reg.groups[0].file, a.file);
    /* Registering again changes nothing. */
    ck_assert_uint_eq(mp__site_register(&a, NULL), sa);
    ck_assert_uint_eq(mp__reg.nslots, sd + 1);
}
END_TEST

START_TEST(test_function_groups)
{
    mp__site f1 = site("x.h", 5, MP__SITE_FUNC);
    mp__site f2 = site("x.h", 5, MP__SITE_FUNC); /* another TU's copy */
    mp__site g = site("x.h", 40, MP__SITE_FUNC);
    mp__frame fr = {&f1, 0, 0, 0, 1, NULL, 0};
    mp__site l = site("x.h", 6, MP__SITE_LINE);
    mp__site_register(&f1, NULL);
    mp__site_register(&f2, NULL);
    mp__site_register(&g, NULL);
    mp__site_register(&l, &fr);
    ck_assert_uint_eq(f1.group, f2.group);
    ck_assert_uint_ne(f1.slot, f2.slot);
    ck_assert_uint_ne(f1.group, g.group);
    ck_assert_uint_eq(l.group, f1.group);
    ck_assert_uint_eq(mp__reg.ngroups, 2);
    ck_assert_int_eq(mp__reg.groups[0].is_func, 1);
    ck_assert_int_eq(mp__reg.groups[0].line, 5);
    ck_assert_str_eq(mp__reg.groups[0].func, f1.func);
}
END_TEST

/* A thread that records n rows at one slot and ends. */
typedef struct job {
    unsigned slot;
    int n;
    int64_t value;
} job;

static void fill_rows(mp__thread *t, const job *j)
{
    mp__row *row = mp__thread_row_add(t, j->slot);
    ck_assert_ptr_nonnull(row);
    row->count += (uint64_t)j->n;
    row->inc += j->value * j->n;
    if (j->value > row->max)
        row->max = j->value;
}

static void *ending_thread(void *arg)
{
    mp__thread *t = mp__thread_new();
    ck_assert_ptr_nonnull(t);
    fill_rows(t, arg);
    ck_assert_int_eq(mp__thread_retire(t), 0);
    mp__thread_free(t);
    return NULL;
}

START_TEST(test_merge_live_and_ended)
{
    mp__site a = site("m.c", 1, MP__SITE_LINE);
    unsigned slot = mp__site_register(&a, NULL);
    job ended = {slot, 3, 100};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, ending_thread, &ended), 0);
    pthread_join(th, NULL);
    ck_assert_ptr_null(mp__reg.threads);

    mp__thread *live = mp__thread_new();
    ck_assert_ptr_nonnull(live);
    job mine = {slot, 2, 500};
    fill_rows(live, &mine);

    mp__lock();
    mp__row *rows = mp__merged();
    mp__unlock();
    ck_assert_uint_eq(rows[slot].count, 5);
    ck_assert_int_eq(rows[slot].inc, 3 * 100 + 2 * 500);
    ck_assert_int_eq(rows[slot].max, 500);
    ck_assert_uint_eq(rows[a.group].count, 0);
    free(rows);

    mp__lock();
    mp__records_clear();
    rows = mp__merged();
    mp__unlock();
    ck_assert_uint_eq(rows[slot].count, 0);
    ck_assert_int_eq(rows[slot].inc, 0);
    free(rows);
    ck_assert_int_eq(mp__thread_retire(live), 0);
    mp__thread_free(live);
}
END_TEST

Suite *sites_suite(void)
{
    Suite *s = suite_create("sites");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_file_groups);
    tcase_add_test(tc, test_function_groups);
    tcase_add_test(tc, test_merge_live_and_ended);
    suite_add_tcase(s, tc);
    return s;
}
