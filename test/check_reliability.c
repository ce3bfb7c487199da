/*
 * check_reliability.c - the library in hostile places (issue 10): the
 * program closes and reuses descriptors, stderr was closed at start, a
 * symbolic link or a FIFO stands where the report or the .dat file goes,
 * the disk is full, a label is very long, the program is setuid.  Each
 * test states the outcome.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* "MEMPROF_SOURCE_PATH=<the project's root>": sources read from a sandbox. */
static char source_env[4096 + 32];

/* enter() - a sandbox of the test's own; sources still found. */
static void enter(sandbox *sb)
{
    sandbox_enter(sb, "rel");
    snprintf(source_env, sizeof source_env, "MEMPROF_SOURCE_PATH=%s", sb->home);
}

/*
 * shell() - run "sh -c cmd" with env changes (run_capture's rules) and
 * MEMPROF_SOURCE_PATH set, capture its output; asserts it could be run.
 */
static void shell(run_result *r, const char *const env[], const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void shell(run_result *r, const char *const env[], const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    const char *all[16] = {source_env};
    for (int i = 0; env != NULL && env[i] != NULL && i < 14; i++)
        all[i + 1] = env[i];
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    ck_assert_int_eq(run_capture(argv, all, r), 0);
}

/* count() - how many times needle occurs in text. */
static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* lines() - how many lines of text start with prefix. */
static int lines(const char *text, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *p = text; *p != '\0';) {
        n += strncmp(p, prefix, len) == 0;
        const char *eol = strchr(p, '\n');
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return n;
}

/* prog() - a test program's absolute path, from the sandbox. */
static const char *prog(const sandbox *sb, const char *name)
{
    static char buf[8192];
    snprintf(buf, sizeof buf, "%s/%s/test/progs/%s", sb->home, test_build_dir(),
             name);
    return buf;
}

/*
 * A symbolic link planted as MEMPROF_OUTPUT or MEMPROF_DAT is not
 * followed: its target is untouched, one line says why, the report goes
 * to stderr and spans are off.
 */
START_TEST(test_symlinks)
{
    sandbox sb;
    enter(&sb);
    put_file("victim", "secret\n");
    ck_assert_int_eq(symlink("victim", "out.txt"), 0);
    ck_assert_int_eq(symlink("victim", "run.dat"), 0);
    const char *env[] = {"MEMPROF_OUTPUT=out.txt", "MEMPROF_DAT=run.dat", NULL};
    run_result r;
    shell(&r, env, "exec '%s'", prog(&sb, "spans"));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    char *v = read_file("victim", NULL);
    ck_assert_str_eq(v, "secret\n");
    free(v);
    ck_assert_int_eq(lines(r.err, "memprof: "), 2);
    ck_assert_int_eq(count(r.err, "memprof: MEMPROF_OUTPUT='out.txt' is a "
                                  "symbolic link, not followed; using "
                                  "stderr\n"),
                     1);
    ck_assert_int_eq(count(r.err, "memprof: MEMPROF_DAT='run.dat' is a "
                                  "symbolic link, not followed; no function "
                                  "spans\n"),
                     1);
    ck_assert_int_eq(count(r.err, "Filename: "), 1);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * A FIFO that nobody reads, as MEMPROF_OUTPUT or MEMPROF_DAT: the program
 * runs to its end (no block in open), one line each, report on stderr.
 */
START_TEST(test_fifos)
{
    sandbox sb;
    enter(&sb);
    ck_assert_int_eq(mkfifo("out.fifo", 0600), 0);
    ck_assert_int_eq(mkfifo("dat.fifo", 0600), 0);
    const char *env[] = {"MEMPROF_OUTPUT=out.fifo", "MEMPROF_DAT=dat.fifo",
                         NULL};
    run_result r;
    shell(&r, env, "exec timeout 20 '%s'", prog(&sb, "spans"));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_int_eq(lines(r.err, "memprof: "), 2);
    ck_assert_int_eq(count(r.err, "memprof: MEMPROF_OUTPUT='out.fifo' is not "
                                  "a regular file or a character device; "
                                  "using stderr\n"),
                     1);
    ck_assert_int_eq(count(r.err, "memprof: MEMPROF_DAT='dat.fifo' is not "
                                  "a regular file or a character device; no "
                                  "function spans\n"),
                     1);
    ck_assert_int_eq(count(r.err, "Filename: "), 1);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

Suite *reliability_suite(void)
{
    Suite *s = suite_create("reliability");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_symlinks);
    tcase_add_test(tc, test_fifos);
    suite_add_tcase(s, tc);
    return s;
}
