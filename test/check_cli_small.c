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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memprof.h"
#include "testutil.h"

/* -V and --version: "memprof 0.1.0", memprof.h's version, on stdout. */
START_TEST(test_version)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_small");
    static const char *const flags[] = {"-V", "--version"};
    for (int i = 0; i < 2; i++) {
        run_result r;
        ck_assert_int_eq(run_memprof(&sb, &r, flags[i], NULL), 0);
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
        int ra = run_memprof(&sb, &a, "help", cmds[i], NULL);
        int rb = run_memprof(&sb, &b, cmds[i], "--help", NULL);
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
    ck_assert_int_eq(run_memprof(&sb, &general, "--help", NULL), 0);
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
        ck_assert_int_eq(run_memprof(&sb, &r, same[i][0], same[i][1], NULL), 0);
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
    ck_assert_int_eq(run_memprof(&sb, &r, "help", "frob", NULL), 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: 'frob' is not a memprof command; "
                            "see memprof --help\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "frob", NULL), 2);
    ck_assert_str_eq(r.err, "memprof: 'frob' is not a memprof command; "
                            "see memprof --help\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "help", "plot", "run", NULL), 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: help takes one command; 'run' is one "
                            "too many; see memprof --help\n");
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Output that cannot be written: -V and help say so in one line and exit
 * 1, as --version and --help do.
 */
START_TEST(test_full_output)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_small");
    static const char *const cmds[] = {"-V", "help", "help plot", "help list",
                                       NULL};
    for (int i = 0; cmds[i] != NULL; i++) {
        int rc = sh("'%s' %s >/dev/full 2>err.txt", sb.memprof, cmds[i]);
        char *err = read_file("err.txt", NULL);
        ck_assert_msg(rc == 1, "%s: exit %d: %s", cmds[i], rc, err);
        ck_assert_str_eq(err, "memprof: cannot write to standard output: "
                              "No space left on device\n");
        free(err);
    }
    sandbox_leave(&sb);
}
END_TEST

/* ---- bash completion ---- */

/*
 * complete() - the completions that completions/memprof.bash gives for
 * the command line "memprof WORDS..." (NULL-terminated; the last is the
 * word at the cursor, "" after a space), as bash calls it on TAB:
 * COMP_WORDS and COMP_CWORD set, _memprof run.  Returns them one a line,
 * sorted (bash shows them sorted), malloc'd.  COMP_WORDS[0] is memprof's
 * absolute path, so that the help read is this build's.
 */
static char *complete(const sandbox *sb, ...)
{
    static const char driver[] =
        "source \"$1\"; shift\n"
        "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
        "_memprof || exit 9\n"
        "((${#COMPREPLY[@]} == 0)) || printf '%s\\n' \"${COMPREPLY[@]}\" |\n"
        "    LC_ALL=C sort\n";
    char script[4200];
    snprintf(script, sizeof script, "%s/completions/memprof.bash", sb->home);
    const char *argv[24] = {"/bin/bash", "-c",   driver,
                            "complete",  script, sb->memprof};
    int n = 6;
    va_list ap;
    va_start(ap, sb);
    while (n < 23 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                  "bash: status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    char *out = r.out;
    r.out = NULL;
    run_result_free(&r);
    return out;
}

/* expect() - complete(WORDS...) gives exactly want. */
#define expect(sb, want, ...)                                                  \
    do {                                                                       \
        char *got_ = complete(sb, __VA_ARGS__, NULL);                          \
        ck_assert_str_eq(got_, want);                                          \
        free(got_);                                                            \
    } while (0)

/*
 * Subcommands, flags, option values and files, exactly: a subcommand's
 * start, a flag's start, an option's listed values (also after '=', as
 * bash splits "--color=al"), recordings where plot, peak and rm want
 * one (after an option's value too), any file after -o, the subcommands
 * after help.
 */
START_TEST(test_completion)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_small");
    put_file("a.dat", "");
    put_file("b.dat", "");
    put_file("notes.txt", "");
    ck_assert_int_eq(mkdir("sub", 0700), 0);

    expect(&sb, "peak\nplot\n", "p");
    expect(&sb, "cc\nclean\n", "c");
    expect(&sb, "--help\n--version\n-V\n-h\n", "-");
    expect(&sb, "--version\n", "--v");
    expect(&sb, "plot\n", "help", "pl");
    expect(&sb, "--title\n", "plot", "--ti");
    expect(&sb, "--color=\n--columns\n", "plot", "--co");
    expect(&sb, "--dry-run\n--help\n", "rm", "--");
    expect(&sb, "--func\n--help\n", "peak", "-");
    expect(&sb, "--heap\n--help\n", "run", "--he");
    expect(&sb, "pss\nrss\nuss\n", "run", "--backend", "");
    expect(&sb, "always\nauto\nnever\n", "plot", "--color", "=", "");
    expect(&sb, "always\n", "plot", "--color", "=", "al");
    expect(&sb, "--color=always\n", "plot", "--color=al");
    expect(&sb, "a.dat\nb.dat\nsub\n", "plot", "");
    expect(&sb, "a.dat\nb.dat\nsub\n", "plot", "-o", "x.svg", "");
    expect(&sb, "a.dat\nb.dat\nsub\n", "peak", "--func", "f.g", "");
    expect(&sb, "a.dat\n", "rm", "a");
    expect(&sb, "a.dat\nb.dat\nnotes.txt\nsub\n", "plot", "-o", "");
    expect(&sb, "notes.txt\n", "run", "--output", "=", "n");
    expect(&sb, "", "plot", "--title", "");
    expect(&sb, "", "list", "");
    expect(&sb, "", "frob", "");
    sandbox_leave(&sb);
}
END_TEST

/* A list of words: a help's subcommands or flags. */
typedef struct words {
    char w[64][32];
    int n;
} words;

/* add_word() - w into l, once. */
static void add_word(words *l, const char *w, size_t len)
{
    ck_assert_uint_lt(len, 32);
    for (int i = 0; i < l->n; i++)
        if (strlen(l->w[i]) == len && strncmp(l->w[i], w, len) == 0)
            return;
    ck_assert_int_lt(l->n, 64);
    memcpy(l->w[l->n], w, len);
    l->w[l->n++][len] = '\0';
}

/*
 * help_flags() - every flag a help text names anywhere (its option
 * lines, its usage, its prose): "-x" or "--word" after a space, '[' or
 * '(' and before a character that cannot go on a flag.
 */
static words help_flags(const char *help)
{
    words l = {.n = 0};
    for (const char *p = help; *p != '\0'; p++) {
        if (*p != '-' || (p > help && !strchr(" [(\n", p[-1])))
            continue;
        const char *q = p + 1;
        if (*q == '-')
            q++;
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
            continue;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
               (*q >= '0' && *q <= '9') || *q == '-')
            q++;
        if (q - p == 2 || p[1] == '-')
            add_word(&l, p, (size_t)(q - p));
        p = q - 1;
    }
    return l;
}

/* in_lines() - whether word is one of the lines of list. */
static int in_lines(const char *list, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = list; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
        if (n == len && strncmp(p, word, len) == 0)
            return 1;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return 0;
}

/*
 * The completion and the help cannot drift: every subcommand memprof
 * --help lists ("  NAME ...") and every flag any help names is
 * completed; and each flag completed is one the subcommand accepts
 * (given with a value and then --help, it is never an unknown option).
 */
START_TEST(test_completion_matches_help)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_small");
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "--help", NULL), 0);
    words subs = {.n = 0};
    for (const char *p = r.out; (p = strstr(p, "\n  ")) != NULL; p++) {
        const char *q = p + 3;
        while (*q >= 'a' && *q <= 'z')
            q++;
        if (q > p + 3 && (*q == ' ' || *q == '\n'))
            add_word(&subs, p + 3, (size_t)(q - p - 3));
    }
    ck_assert_int_ge(subs.n, 9);
    char *all = complete(&sb, "", NULL);
    for (int i = 0; i < subs.n; i++)
        ck_assert_msg(in_lines(all, subs.w[i]), "%s not completed: %s",
                      subs.w[i], all);
    free(all);
    /* Its own options: its lines "  -x, --word ..." (the others name
       the subcommands' options). */
    char own[512] = "";
    for (const char *p = r.out; (p = strstr(p, "\n  -")) != NULL; p++)
        strncat(own, p, strcspn(p + 1, "\n") + 1);
    words top = help_flags(own);
    ck_assert_int_eq(top.n, 4);
    all = complete(&sb, "-", NULL);
    for (int i = 0; i < top.n; i++)
        ck_assert_msg(in_lines(all, top.w[i]), "%s not completed", top.w[i]);
    free(all);
    run_result_free(&r);

    int checked = 0;
    for (int i = 0; i < subs.n; i++) {
        const char *sub = subs.w[i];
        if (strcmp(sub, "help") == 0 ||
            (strcmp(sub, "cc") == 0 && !MP_TEST_HAVE_CC))
            continue;
        ck_assert_int_eq(run_memprof(&sb, &r, sub, "--help", NULL), 0);
        words flags = help_flags(r.out);
        run_result_free(&r);
        char *got = complete(&sb, sub, "-", NULL);
        for (int k = 0; k < flags.n; k++) {
            /* --color=: the flag with its optional value. */
            char eq[40];
            snprintf(eq, sizeof eq, "%s=", flags.w[k]);
            ck_assert_msg(in_lines(got, flags.w[k]) || in_lines(got, eq),
                          "%s %s is in its help, not completed: %s", sub,
                          flags.w[k], got);
        }
        for (char *line = got; *line != '\0';) {
            char *nl = strchr(line, '\n');
            *nl = '\0';
            char flag[40];
            snprintf(flag, sizeof flag, "%s", line);
            if (flag[strlen(flag) - 1] == '=')
                flag[strlen(flag) - 1] = '\0';
            ck_assert_int_ge(
                run_memprof(&sb, &r, sub, flag, "1", "--help", NULL), 0);
            ck_assert_msg(strstr(r.err, "unknown option") == NULL &&
                              strstr(r.err, "ambiguous option") == NULL &&
                              strstr(r.err, "is not a memprof") == NULL,
                          "%s %s: %s", sub, flag, r.err);
            run_result_free(&r);
            checked++;
            line = nl + 1;
        }
        free(got);
    }
    ck_assert_int_ge(checked, 30);
    sandbox_leave(&sb);
}
END_TEST

/*
 * make install puts the script where bash-completion looks for it,
 * share/bash-completion/completions/memprof, beside the man pages;
 * make uninstall removes it.
 */
START_TEST(test_completion_installed)
{
    const char *dir = make_tmpdir("small");
    ck_assert_int_eq(sh("make -s install B=%s PREFIX=%s/prefix >/dev/null",
                        test_build_dir(), dir),
                     0);
    ck_assert_int_eq(sh("cmp completions/memprof.bash "
                        "%s/prefix/share/bash-completion/completions/memprof",
                        dir),
                     0);
    ck_assert_int_eq(sh("test -f %s/prefix/share/man/man1/memprof.1", dir), 0);
    ck_assert_int_eq(sh("make -s uninstall B=%s PREFIX=%s/prefix && test ! -e "
                        "%s/prefix/share/bash-completion/completions/memprof",
                        test_build_dir(), dir, dir),
                     0);
    sh("rm -rf %s", dir);
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
    tcase_add_test(tc, test_full_output);
    tcase_add_test(tc, test_completion);
    tcase_add_test(tc, test_completion_matches_help);
    tcase_add_test(tc, test_completion_installed);
    suite_add_tcase(s, tc);
    return s;
}
