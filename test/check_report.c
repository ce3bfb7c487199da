/*
 * check_report.c - the table's number and row formats, against what
 * Python's memory_profiler 0.61 prints (the expected strings are Python's
 * own output for the same values).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

/* fmt() - mp__format_mib into a static buffer. */
static const char *fmt(double mib, int precision)
{
    static char buf[64];
    return mp__format_mib(buf, sizeof buf, mib, precision);
}

/* Python: ('{0:%d.%df} MiB' % (p + 4, p)).format(v) for p in 0..6. */
START_TEST(test_mib_every_precision)
{
    static const char *const want[7][6] = {
        {"   0 MiB", "   2 MiB", "-153 MiB", "12346 MiB", "  -0 MiB",
         "100000 MiB"},
        {"  0.0 MiB", "  1.5 MiB", "-152.6 MiB", "12345.7 MiB", " -0.0 MiB",
         "100000.0 MiB"},
        {"  0.00 MiB", "  1.50 MiB", "-152.59 MiB", "12345.68 MiB",
         " -0.00 MiB", "99999.99 MiB"},
        {"  0.000 MiB", "  1.500 MiB", "-152.588 MiB", "12345.678 MiB",
         " -0.000 MiB", "99999.990 MiB"},
        {"  0.0000 MiB", "  1.5000 MiB", "-152.5879 MiB", "12345.6780 MiB",
         " -0.0001 MiB", "99999.9900 MiB"},
        {"  0.00000 MiB", "  1.50000 MiB", "-152.58789 MiB", "12345.67800 MiB",
         " -0.00010 MiB", "99999.99000 MiB"},
        {"  0.000000 MiB", "  1.500000 MiB", "-152.587891 MiB",
         "12345.678000 MiB", " -0.000100 MiB", "99999.990000 MiB"},
    };
    static const double v[6] = {0.0,       1.5,     -152.5878906,
                                12345.678, -0.0001, 99999.99};
    for (int p = 0; p <= 6; p++)
        for (int i = 0; i < 6; i++)
            ck_assert_str_eq(fmt(v[i], p), want[p][i]);
}
END_TEST

/* Rounding is Python's: the exact binary value, ties to even. */
START_TEST(test_mib_rounding)
{
    ck_assert_str_eq(fmt(2.5, 0), "   2 MiB");
    ck_assert_str_eq(fmt(3.5, 0), "   4 MiB");
    ck_assert_str_eq(fmt(0.05, 1), "  0.1 MiB");
    ck_assert_str_eq(fmt(0.25, 1), "  0.2 MiB");
    ck_assert_str_eq(fmt(7.62939453125, 1), "  7.6 MiB");
    ck_assert_str_eq(fmt(-152.587890625, 1), "-152.6 MiB");
}
END_TEST

/* row() - mp__format_row into a string. */
static char *row(int line, const char *mem, const char *inc, long long occ,
                 const char *text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    static const char *const none[3] = {NULL, NULL, NULL};

    mp__format_row(f, line, mem, inc, none, occ, text);
    fclose(f);
    return buf;
}

/* Python's rows for the same cells, byte for byte. */
START_TEST(test_rows)
{
    char *r = row(7, " 38.816 MiB", " 38.816 MiB", 1, "@profile");
    ck_assert_str_eq(r, "     7   38.816 MiB   38.816 MiB           1   "
                        "@profile\n");
    free(r);
    r = row(8, NULL, NULL, -1, "def my_func():");
    ck_assert_str_eq(r, "     8                                         "
                        "def my_func():\n");
    free(r);
    r = row(5, NULL, NULL, -1, "");
    ck_assert_str_eq(r, "     5                                         \n");
    free(r);
    r = row(12, "-152.6 MiB", "-152.6 MiB", 3, "    del b");
    ck_assert_str_eq(r, "    12   -152.6 MiB   -152.6 MiB           3       "
                        "del b\n");
    free(r);
    /* Wider than the cells: Python widens, as printf does. */
    r = row(1234567, "12345678.123456 MiB", "-0.000100 MiB", 12345678901LL,
            "x");
    ck_assert_str_eq(r, "1234567 12345678.123456 MiB -0.000100 MiB  "
                        "12345678901   x\n");
    free(r);
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_mib_every_precision);
    tcase_add_test(tc, test_mib_rounding);
    tcase_add_test(tc, test_rows);
    suite_add_tcase(s, tc);
    return s;
}
