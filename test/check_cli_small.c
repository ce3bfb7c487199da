/*
 * check_cli_small.c - the small things around the memprof command:
 * memprof -V, memprof help [COMMAND], and the bash completion script
 * (completions/memprof.bash) run in bash as bash runs it on TAB.
 *
 * Tests run from the project's root; each works in a directory of its
 * own made by mkdtemp, and runs the command by its absolute path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memprof.h"
#include "testutil.h"

/*
 * mp() - run memprof with the arguments that follow (NULL-terminated) in
 * the current directory; returns its exit status.
 */
static int mp(const sandbox *sb, run_result *r, ...)
{
    const char *argv[16] = {sb->memprof};
    int n = 1;
    va_list ap;
    va_start(ap, r);
    while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(run_capture(argv, NULL, r), 0);
    ck_assert(WIFEXITED(r->status));
    return WEXITSTATUS(r->status);
}

/* -V and --version: "memprof 0.1.0", memprof.h's version, on stdout. */
START_TEST(test_version)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_small");
    static const char *const flags[] = {"-V", "--version"};
    for (int i = 0; i < 2; i++) {
        run_result r;
        ck_assert_int_eq(mp(&sb, &r, flags[i], NULL), 0);
        ck_assert_str_eq(r.out, "memprof " MEMPROF_VERSION "\n");
        ck_assert_str_eq(r.out, "memprof 0.1.0\n");
        ck_assert_str_eq(r.err, "");
        run_result_free(&r);
    }
    sandbox_leave(&sb);
}
END_TEST

/*
 * memprof help CMD prints what memprof CMD --help prints, byte for byte,
 * with its status; memprof help alone (and help help, help --help) the
 * general help that memprof --help prints, which names help and -V.
 */
START_TEST(test_help)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_small");
    static const char *const cmds[] = {"run", "attach", "list", "clean",
                                       "rm",  "peak",   "plot", "cc"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        run_result a;
        run_result b;
        int ra = mp(&sb, &a, "help", cmds[i], NULL);
        int rb = mp(&sb, &b, cmds[i], "--help", NULL);
        ck_assert_int_eq(ra, rb);
        ck_assert_str_eq(a.out, b.out);
        ck_assert_str_eq(a.err, b.err);
        if (strcmp(cmds[i], "cc") != 0 || MP_TEST_HAVE_CC) {
            ck_assert_int_eq(ra, 0);
            ck_assert_str_eq(a.err, "");
            /* attach's help is run's: "usage: memprof run ...\n
               memprof attach [options] PID". */
            char want[64];
            snprintf(want, sizeof want, "memprof %s", cmds[i]);
            const char *at = strstr(a.out, want);
            ck_assert_msg(strncmp(a.out, "usage: memprof ", 15) == 0 &&
                              at != NULL && strchr(" \n", at[strlen(want)]),
                          "%s: %s", cmds[i], a.out);
        }
        run_result_free(&a);
        run_result_free(&b);
    }
    run_result general;
    ck_assert_int_eq(mp(&sb, &general, "--help", NULL), 0);
    ck_assert(strncmp(general.out, "usage: memprof <command>", 24) == 0);
    ck_assert_ptr_nonnull(strstr(general.out,
                                 "\n  help [COMMAND]                   print "
                                 "COMMAND's help, or this\n"));
    ck_assert_ptr_nonnull(
        strstr(general.out, "\n  -V, --version                    print the "
                            "version and exit\n"));
    static const char *const same[][2] = {
        {"help", NULL}, {"help", "help"}, {"help", "--help"}, {"help", "-h"}};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        run_result r;
        ck_assert_int_eq(mp(&sb, &r, same[i][0], same[i][1], NULL), 0);
        ck_assert_str_eq(r.out, general.out);
        ck_assert_str_eq(r.err, "");
        run_result_free(&r);
    }
    run_result_free(&general);
    sandbox_leave(&sb);
}
END_TEST

/*
 * An unknown command after help is reported as memprof reports one
 * without help; a second operand is one too many.  Exit 2, stdout empty.
 */
START_TEST(test_help_errors)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_small");
    run_result r;
    ck_assert_int_eq(mp(&sb, &r, "help", "frob", NULL), 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: 'frob' is not a memprof command; "
                            "see memprof --help\n");
    run_result_free(&r);
    ck_assert_int_eq(mp(&sb, &r, "frob", NULL), 2);
    ck_assert_str_eq(r.err, "memprof: 'frob' is not a memprof command; "
                            "see memprof --help\n");
    run_result_free(&r);
    ck_assert_int_eq(mp(&sb, &r, "help", "plot", "run", NULL), 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: help takes one command; 'run' is one "
                            "too many; see memprof --help\n");
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

Suite *cli_small_suite(void)
{
    Suite *s = suite_create("cli_small");
    TCase *tc = tcase_create("cli_small");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_help_errors);
    suite_add_tcase(s, tc);
    return s;
}
