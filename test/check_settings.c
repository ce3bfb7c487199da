/*
 * check_settings.c - parsing of the MEMPROF_* settings and their warnings.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

START_TEST(test_parse_int)
{
    long v = -1;
    ck_assert_int_eq(mp__parse_int("3", 0, 6, &v), 0);
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(mp__parse_int("0", 0, 6, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(mp__parse_int("6", 0, 6, &v), 0);
    ck_assert_int_eq(v, 6);
    v = 42;
    ck_assert_int_eq(mp__parse_int("7", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int("-1", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int("abc", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int("2x", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int(" 2", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int("2 ", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int("", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int(NULL, 0, 6, &v), -EINVAL);
    ck_assert_int_eq(mp__parse_int("99999999999999999999", 0, 6, &v), -EINVAL);
    ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_parse_int_keeps_errno)
{
    long v;
    errno = 1234;
    mp__parse_int("99999999999999999999", 0, 6, &v);
    ck_assert_int_eq(errno, 1234);
}
END_TEST

START_TEST(test_expand_pid)
{
    char buf[64];
    ck_assert_int_eq(mp__expand_pid("out.%p.txt", 4242, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "out.4242.txt");
    ck_assert_int_eq(mp__expand_pid("%p-%p", 7, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "7-7");
    ck_assert_int_eq(mp__expand_pid("100%%_%d%", 7, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "100%_%d%");
    ck_assert_int_eq(mp__expand_pid("plain", 7, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "plain");
    ck_assert_int_eq(mp__expand_pid("abcdef", 7, buf, 6), -ENAMETOOLONG);
    ck_assert_int_eq(mp__expand_pid("a%p", 123456, buf, 7), -ENAMETOOLONG);
    ck_assert_int_eq(mp__expand_pid("a%p", 123456, buf, 8), 0);
    ck_assert_str_eq(buf, "a123456");
}
END_TEST

/*
 * load() - mp__settings_load with stderr captured; returns what it printed
 * (malloc'd).
 */
static char *load(mp__settings *out)
{
    char path[] = "/tmp/mp_settings_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    int saved = dup(2);
    dup2(fd, 2);
    mp__settings_load(out);
    dup2(saved, 2);
    close(saved);
    char *buf = calloc(1, 4096);
    ck_assert_int_ge(pread(fd, buf, 4095, 0), 0);
    close(fd);
    return buf;
}

static void clear_env(void)
{
    unsetenv("MEMPROF_DISABLE");
    unsetenv("MEMPROF_PRECISION");
    unsetenv("MEMPROF_OUTPUT");
    unsetenv("MEMPROF_SOURCE_PATH");
}

START_TEST(test_defaults)
{
    clear_env();
    mp__settings s;
    char *err = load(&s);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(s.disabled, 0);
    ck_assert_int_eq(s.precision, 1);
    ck_assert_ptr_null(s.output);
    ck_assert_ptr_null(s.source_path);
    free(err);
}
END_TEST

START_TEST(test_good_values)
{
    clear_env();
    setenv("MEMPROF_PRECISION", "4", 1);
    setenv("MEMPROF_OUTPUT", "/tmp/x.%p", 1);
    setenv("MEMPROF_SOURCE_PATH", "/a:/b", 1);
    setenv("MEMPROF_DISABLE", "0", 1);
    mp__settings s;
    char *err = load(&s);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(s.precision, 4);
    ck_assert_str_eq(s.output, "/tmp/x.%p");
    ck_assert_str_eq(s.source_path, "/a:/b");
    ck_assert_int_eq(s.disabled, 0);
    free(err);
}
END_TEST

START_TEST(test_bad_values)
{
    clear_env();
    setenv("MEMPROF_PRECISION", "abc", 1);
    setenv("MEMPROF_DISABLE", "yes", 1);
    setenv("MEMPROF_OUTPUT", "", 1);
    mp__settings s;
    char *err = load(&s);
    ck_assert_str_eq(err,
                     "memprof: MEMPROF_DISABLE='yes' is not 0 or 1; using 0\n"
                     "memprof: MEMPROF_PRECISION='abc' is not an integer "
                     "0..6; using 1\n");
    ck_assert_int_eq(s.precision, 1);
    ck_assert_int_eq(s.disabled, 0);
    ck_assert_ptr_null(s.output);
    free(err);
    setenv("MEMPROF_PRECISION", "7", 1);
    unsetenv("MEMPROF_DISABLE");
    unsetenv("MEMPROF_OUTPUT");
    err = load(&s);
    ck_assert_str_eq(err, "memprof: MEMPROF_PRECISION='7' is not an integer "
                          "0..6; using 1\n");
    free(err);
    /* Empty means unset: no line, the default. */
    setenv("MEMPROF_PRECISION", "", 1);
    setenv("MEMPROF_DISABLE", "", 1);
    err = load(&s);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(s.precision, 1);
    ck_assert_int_eq(s.disabled, 0);
    free(err);
}
END_TEST

START_TEST(test_disabled_reads_nothing_else)
{
    clear_env();
    setenv("MEMPROF_DISABLE", "1", 1);
    setenv("MEMPROF_PRECISION", "abc", 1);
    mp__settings s;
    char *err = load(&s);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(s.disabled, 1);
    free(err);
}
END_TEST

START_TEST(test_set_precision)
{
    ck_assert_int_eq(mp_set_precision(-1), -EINVAL);
    ck_assert_int_eq(mp_set_precision(7), -EINVAL);
    ck_assert_int_eq(mp_set_precision(3), 0);
    ck_assert_int_eq(mp__config.precision, 3);
    ck_assert_int_eq(mp_set_precision(1), 0);
}
END_TEST

START_TEST(test_strerror)
{
    ck_assert_str_eq(mp_strerror(0), "Success");
    ck_assert_str_eq(mp_strerror(-EINVAL), "Invalid argument");
    ck_assert_str_eq(mp_strerror(-ENOMEM), "Cannot allocate memory");
    ck_assert_str_eq(mp_strerror(-ENOSPC), "No space left on device");
    ck_assert_str_eq(mp_strerror(12345), "Unknown error code");
}
END_TEST

Suite *settings_suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_int);
    tcase_add_test(tc, test_parse_int_keeps_errno);
    tcase_add_test(tc, test_expand_pid);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_good_values);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_disabled_reads_nothing_else);
    tcase_add_test(tc, test_set_precision);
    tcase_add_test(tc, test_strerror);
    suite_add_tcase(s, tc);
    return s;
}
