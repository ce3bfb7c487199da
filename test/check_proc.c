/*
 * check_proc.c - reading the resident set from /proc/self/statm.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
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
    mp__proc_reader rd;
    ck_assert_int_eq(mp__proc_open(&rd, 0, MP__BACKEND_RSS), 0);
    long long before = mp__proc_read(&rd);
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
    long long after = mp__proc_read(&rd);
    /* 64 MiB touched: between 63 and 66 MiB more. */
    ck_assert_int_ge(after - before, 63LL << 20);
    FIGURE(ck_assert_int_le(after - before, 66LL << 20));
    munmap(p, n);
    long long freed = mp__proc_read(&rd);
    FIGURE(ck_assert_int_le(freed - before, 2LL << 20));
    mp__proc_close(&rd);
}
END_TEST

START_TEST(test_rss_bad_fd)
{
    mp__proc_reader rd = {0, MP__BACKEND_RSS, -1};
    ck_assert_int_eq(mp__proc_read(&rd), -EBADF);
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
    ck_assert_int_eq(mp__rollup_parse(t, strlen(t), MP__BACKEND_PSS),
                     2050 * 1024);
    ck_assert_int_eq(mp__rollup_parse(t, strlen(t), MP__BACKEND_USS),
                     (100 + 1996) * 1024);
    const char *bad = "Rss: 4 kB\nPss_Anon: 3 kB\n";
    ck_assert_int_eq(mp__rollup_parse(bad, strlen(bad), MP__BACKEND_PSS),
                     -EINVAL);
    ck_assert_int_eq(mp__rollup_parse(bad, strlen(bad), MP__BACKEND_USS),
                     -EINVAL);
}
END_TEST

/*
 * The pss and uss backends against a known allocation: 64 MiB touched in
 * this process alone show in both (its pages are not shared).
 */
START_TEST(test_pss_uss_backends)
{
    const mp__backend_id b[2] = {MP__BACKEND_PSS, MP__BACKEND_USS};
    for (int i = 0; i < 2; i++) {
        mp__proc_reader rd;
        ck_assert_int_eq(mp__proc_open(&rd, 0, b[i]), 0);
        long long before = mp__proc_read(&rd);
        ck_assert_int_gt(before, 0);
        size_t n = 64u << 20;
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ck_assert_ptr_ne(p, MAP_FAILED);
        memset(p, 1, n);
        long long after = mp__proc_read(&rd);
        FIGURE(ck_assert_int_ge(after - before, 63LL << 20));
        FIGURE(ck_assert_int_le(after - before, 66LL << 20));
        munmap(p, n);
        mp__proc_close(&rd);
    }
}
END_TEST

/*
 * The backend table: names and mprof's names parse to the same backend;
 * the lists that messages and help print come from it.
 */
START_TEST(test_backend_table)
{
    static const struct {
        const char *name;
        mp__backend_id id;
    } ok[] = {
        {"rss", MP__BACKEND_RSS},          {"psutil", MP__BACKEND_RSS},
        {"posix", MP__BACKEND_RSS},        {"pss", MP__BACKEND_PSS},
        {"psutil_pss", MP__BACKEND_PSS},   {"uss", MP__BACKEND_USS},
        {"psutil_uss", MP__BACKEND_USS},   {"heap", MP__BACKEND_HEAP},
        {"tracemalloc", MP__BACKEND_HEAP},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        mp__backend_id b = MP__NBACKENDS;
        ck_assert_int_eq(mp__backend_parse(ok[i].name, &b), 0);
        ck_assert_int_eq(b, ok[i].id);
    }
    mp__backend_id b;
    ck_assert_int_eq(mp__backend_parse("vms", &b), -EINVAL);
    ck_assert_int_eq(mp__backend_parse("RSS", &b), -EINVAL);
    ck_assert_int_eq(mp__backend_parse("", &b), -EINVAL);
    char buf[64];
    ck_assert_str_eq(mp__backend_list(buf, sizeof buf, 0, ", ", " or "),
                     "rss, pss, uss or heap");
    ck_assert_str_eq(mp__backend_list(buf, sizeof buf, 1, "|", "|"),
                     "rss|pss|uss");
    ck_assert_str_eq(mp__backend_list(buf, 8, 1, "|", "|"), "rss|pss");
    ck_assert_ptr_null(mp__backends[MP__BACKEND_HEAP].file);
    mp__proc_reader rd;
    ck_assert_int_eq(mp__proc_open(&rd, 0, MP__BACKEND_HEAP), -EINVAL);
}
END_TEST

/* Another process's reader: its memory, then -ESRCH once it has ended. */
START_TEST(test_other_process)
{
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char c;
        close(pipefd[1]);
        (void)!read(pipefd[0], &c, 1);
        _exit(0);
    }
    close(pipefd[0]);
    mp__proc_reader rd;
    ck_assert_int_eq(mp__proc_open(&rd, pid, MP__BACKEND_RSS), 0);
    ck_assert_int_gt(mp__proc_read(&rd), 0);
    close(pipefd[1]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(mp__proc_read(&rd), -ESRCH);
    mp__proc_close(&rd);
    ck_assert_int_eq(mp__proc_open(&rd, pid, MP__BACKEND_PSS), -ENOENT);
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
    tcase_add_test(tc, test_backend_table);
    tcase_add_test(tc, test_other_process);
    suite_add_tcase(s, tc);
    return s;
}
