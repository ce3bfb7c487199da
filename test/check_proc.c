/*
 * check_proc.c - reading the resident set from /proc/self/statm.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

START_TEST(test_parse)
{
    const char *t = "2654 1123 987 5 0 300 0\n";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), 1123);
    t = "1 0 0 0 0 0 0";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), 0);
    t = "123456789 987654321 0";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), 987654321);
    t = "12 34";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), 34);
    ck_assert_int_eq(mp__statm_parse("", 0), -EINVAL);
    t = "12";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), -EINVAL);
    t = "12 ";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), -EINVAL);
    t = "x 12 3";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), -EINVAL);
    t = "12 3x 4";
    ck_assert_int_eq(mp__statm_parse(t, strlen(t)), -EINVAL);
    /* Only the first len bytes count. */
    t = "12 345 6";
    ck_assert_int_eq(mp__statm_parse(t, 5), 34);
}
END_TEST

START_TEST(test_page_size)
{
    ck_assert_int_eq(mp__page_size(), sysconf(_SC_PAGESIZE));
}
END_TEST

/* vm_rss() - VmRSS from /proc/self/status, in bytes. */
static long long vm_rss(void)
{
    char *s = read_file("/proc/self/status", NULL);
    ck_assert_ptr_nonnull(s);
    char *p = strstr(s, "VmRSS:");
    ck_assert_ptr_nonnull(p);
    long long kib = strtoll(p + 6, NULL, 10);
    free(s);
    return kib * 1024;
}

START_TEST(test_rss_matches_status_and_grows)
{
    int fd = mp__statm_open();
    ck_assert_int_ge(fd, 0);
    long long before = mp__statm_rss(fd);
    ck_assert_int_gt(before, 0);
    ck_assert_int_eq(before % mp__page_size(), 0);
    long long status = vm_rss();
    /* Two readings a few allocations apart: within 1 MiB. */
    ck_assert_int_lt(llabs(before - status), 1 << 20);

    size_t n = 64u << 20;
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    ck_assert_ptr_ne(p, MAP_FAILED);
    memset(p, 1, n);
    long long after = mp__statm_rss(fd);
    /* 64 MiB touched: between 63 and 66 MiB more. */
    ck_assert_int_ge(after - before, 63LL << 20);
    FIGURE(ck_assert_int_le(after - before, 66LL << 20));
    munmap(p, n);
    long long freed = mp__statm_rss(fd);
    FIGURE(ck_assert_int_le(freed - before, 2LL << 20));
    close(fd);
}
END_TEST

START_TEST(test_rss_bad_fd)
{
    ck_assert_int_eq(mp__statm_rss(-1), -EBADF);
    errno = 0;
}
END_TEST

START_TEST(test_smaps_rollup_parse)
{
    const char *t = "55d0c6f8a000-7ffd4a5e3000 ---p 00000000 00:00 0    "
                    "[rollup]\n"
                    "Rss:                4096 kB\n"
                    "Pss:                2050 kB\n"
                    "Pss_Anon:           1024 kB\n"
                    "Shared_Clean:       2000 kB\n"
                    "Private_Clean:       100 kB\n"
                    "Private_Dirty:      1996 kB\n"
                    "Swap:                  0 kB\n";
    ck_assert_int_eq(mp__smaps_rollup_parse(t, strlen(t), 0), 2050 * 1024);
    ck_assert_int_eq(mp__smaps_rollup_parse(t, strlen(t), 1),
                     (100 + 1996) * 1024);
    const char *bad = "Rss: 4 kB\nPss_Anon: 3 kB\n";
    ck_assert_int_eq(mp__smaps_rollup_parse(bad, strlen(bad), 0), -EINVAL);
    ck_assert_int_eq(mp__smaps_rollup_parse(bad, strlen(bad), 1), -EINVAL);
}
END_TEST

/*
 * The pss and uss backends against a known allocation: 64 MiB touched in
 * this process alone show in both (its pages are not shared).
 */
START_TEST(test_pss_uss_backends)
{
    const mp__backend *b[2] = {&mp__backend_pss, &mp__backend_uss};
    for (int i = 0; i < 2; i++) {
        int fd = b[i]->open();
        ck_assert_int_ge(fd, 0);
        long long before = b[i]->read(fd);
        ck_assert_int_gt(before, 0);
        size_t n = 64u << 20;
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ck_assert_ptr_ne(p, MAP_FAILED);
        memset(p, 1, n);
        long long after = b[i]->read(fd);
        FIGURE(ck_assert_int_ge(after - before, 63LL << 20));
        FIGURE(ck_assert_int_le(after - before, 66LL << 20));
        munmap(p, n);
        close(fd);
    }
}
END_TEST

Suite *proc_suite(void)
{
    Suite *s = suite_create("proc");
    TCase *tc = tcase_create("statm");
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_page_size);
    tcase_add_test(tc, test_rss_matches_status_and_grows);
    tcase_add_test(tc, test_rss_bad_fd);
    tcase_add_test(tc, test_smaps_rollup_parse);
    tcase_add_test(tc, test_pss_uss_backends);
    suite_add_tcase(s, tc);
    return s;
}
