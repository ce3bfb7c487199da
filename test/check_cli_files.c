/*
 * check_cli_files.c - memprof list, clean, rm and peak, run as a user
 * runs them in a directory of recordings: exact output, exit statuses,
 * what is removed and what is kept, and Debian's python3-mprof side by
 * side (each reads the other's files and prints the same lines).
 *
 * Tests run from the project's root; each works in a directory of its
 * own made by mkdtemp, and runs the command by its absolute path.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define MPROF "/usr/bin/python3-mprof"

/* Three recordings, oldest first. */
#define P0 "mprofile_20261123011923.dat"
#define P1 "mprofile_20261123015959.dat"
#define P2 "mprofile_20261124000001.dat"

/* three() - the three recordings P0, P1, P2, each with one sample. */
static void three(void)
{
    put_file(P1, "MEM 2.000000 1795397006.1000\n");
    put_file(P0, "MEM 1.000000 1795397006.1000\n");
    put_file(P2, "MEM 3.000000 1795397006.1000\n");
}

/* Only mprofile_ + 14 digits + .dat counts; sorted by name. */
START_TEST(test_list)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "list", NULL), 0);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);

    three();
    put_file("mprofile_2026112401000.dat", "");     /* 13 digits */
    put_file("mprofile_2026112401000x.dat", "");    /* not a digit */
    put_file("mprofile_20261124000001_ts.dat", ""); /* a companion */
    put_file("mprofile_20261124000001.dat.bak", "");
    put_file("other.dat", "");
    ck_assert_int_eq(mkdir("mprofile_20250101000000.dat", 0700), 0);
    ck_assert_int_eq(run_memprof(&sb, &r, "list", NULL), 0);
    ck_assert_str_eq(r.out, "0 " P0 " 01:19:23 23/11/2026\n"
                            "1 " P1 " 01:59:59 23/11/2026\n"
                            "2 " P2 " 00:00:01 24/11/2026\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);

    ck_assert_int_eq(run_memprof(&sb, &r, "list", "0", NULL), 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: list takes no arguments; "
                            "see memprof list --help\n");
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/* --dry-run prints mprof's lines and removes nothing; then all go. */
START_TEST(test_clean)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    three();
    put_file("mprofile_20261124000001_ts.dat", "");
    put_file("other.dat", "MEM 1.0 2.0\n");
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "clean", "--dry-run", NULL), 0);
    ck_assert_str_eq(r.out, "Files to be removed: \n" P0 "\n" P1 "\n" P2
                            "\nmprofile_20261124000001_ts.dat\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert(file_exists(P0) && file_exists(P1) && file_exists(P2));

    ck_assert_int_eq(run_memprof(&sb, &r, "clean", NULL), 0);
    ck_assert_str_eq(r.out, "removed " P0 "\nremoved " P1 "\nremoved " P2
                            "\nremoved mprofile_20261124000001_ts.dat\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert(!file_exists(P0) && !file_exists(P1) && !file_exists(P2));
    ck_assert(!file_exists("mprofile_20261124000001_ts.dat"));
    ck_assert(file_exists("other.dat"));

    /* Nothing left: nothing to do, no error. */
    ck_assert_int_eq(run_memprof(&sb, &r, "clean", NULL), 0);
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "clean", "x", NULL), 2);
    ck_assert_str_eq(r.err, "memprof: clean takes no arguments; "
                            "see memprof clean --help\n");
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/* Indices (negative from the end), names, each file once. */
START_TEST(test_rm)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    three();
    put_file("x.dat", "MEM 1.0 2.0\n");
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "--dry-run", "-1", "0", P0,
                                 "./" P0, "x.dat", NULL),
                     0);
    ck_assert_str_eq(r.out, "Files to be removed: \n" P2 "\n" P0 "\nx.dat\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert(file_exists(P0) && file_exists(P2) && file_exists("x.dat"));

    /* -1 is the newest, not a flag, even first. */
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "-1", NULL), 0);
    ck_assert_str_eq(r.out, "removed " P2 "\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert(file_exists(P0) && file_exists(P1) && !file_exists(P2));

    /* The option after the operands, as argparse allows. */
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "-2", "--dry-run", NULL), 0);
    ck_assert_str_eq(r.out, "Files to be removed: \n" P0 "\n");
    run_result_free(&r);

    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "0", "x.dat", NULL), 0);
    run_result_free(&r);
    ck_assert(!file_exists(P0) && file_exists(P1) && !file_exists("x.dat"));

    /* A companion timestamp file goes with its recording, as in mprof. */
    put_file("y.dat", "");
    put_file("y_ts.dat", "");
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "y.dat", NULL), 0);
    run_result_free(&r);
    ck_assert(!file_exists("y.dat") && !file_exists("y_ts.dat"));

    /* "--" ends the options. */
    put_file("--dry-run.dat", "");
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "--", "--dry-run.dat", NULL),
                     0);
    run_result_free(&r);
    ck_assert(!file_exists("--dry-run.dat"));
    sandbox_leave(&sb);
}
END_TEST

/* A bad argument anywhere: one line, exit 1, nothing removed. */
START_TEST(test_rm_errors)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", NULL), 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: rm needs a recording: a number or a "
                            "file name\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "0", NULL), 1);
    ck_assert_str_eq(r.err, "memprof: no recording 0: there is none here; "
                            "nothing removed\n");
    run_result_free(&r);

    three();
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "0", "3", NULL), 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: no recording 3: there are 3 here "
                            "(0..2, or -3..-1); nothing removed\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "1", "-4", NULL), 1);
    ck_assert_str_eq(r.err, "memprof: no recording -4: there are 3 here "
                            "(0..2, or -3..-1); nothing removed\n");
    run_result_free(&r);
    ck_assert_int_eq(
        run_memprof(&sb, &r, "rm", "99999999999999999999999", NULL), 1);
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", P0, "nofile.dat", NULL), 1);
    ck_assert_str_eq(r.err, "memprof: cannot remove nofile.dat: No such file "
                            "or directory; nothing removed\n");
    run_result_free(&r);
    ck_assert_int_eq(mkdir("d.dat", 0700), 0);
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "-1", "d.dat", NULL), 1);
    ck_assert_str_eq(r.err, "memprof: d.dat is a directory; nothing removed\n");
    run_result_free(&r);
    ck_assert(file_exists(P0) && file_exists(P1) && file_exists(P2) &&
              file_exists("d.dat"));

    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "--force", "0", NULL), 2);
    ck_assert_str_eq(r.err, "memprof: rm: unknown option '--force'; see "
                            "memprof rm --help\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "--dry-run=yes", "0", NULL), 2);
    ck_assert_str_eq(r.err, "memprof: rm: --dry-run takes no value; see "
                            "memprof rm --help\n");
    run_result_free(&r);
    ck_assert(file_exists(P0));
    sandbox_leave(&sb);
}
END_TEST

/*
 * rm and clean remove recordings of this directory only: a symbolic link
 * named as one goes, what it points to stays; a path elsewhere, or a file
 * that is not a .dat file, is refused and nothing is removed.
 */
START_TEST(test_rm_scope)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    const char *out = make_tmpdir("cli_files_out");
    char victim[256];
    char victim2[256];
    snprintf(victim, sizeof victim, "%s/victim.dat", out);
    snprintf(victim2, sizeof victim2, "%s/victim2", out);
    put_file(victim, "MEM 1.0 2.0\nMEM 2.0 3.0\n");
    put_file(victim2, "keep\n");
    ck_assert_int_eq(symlink(victim, P0), 0);
    ck_assert_int_eq(symlink(victim2, "link.dat"), 0);
    put_file("notes.txt", "keep\n");
    ck_assert_int_eq(mkdir("sub", 0700), 0);
    put_file("sub/x.dat", "");
    run_result r;
    static const char *const refused[] = {"../x.dat", "notes.txt", "sub/x.dat",
                                          ".dat", NULL};
    for (int i = 0; refused[i] != NULL; i++) {
        ck_assert_int_eq(
            run_memprof(&sb, &r, "rm", "link.dat", refused[i], NULL), 1);
        char want[256];
        snprintf(want, sizeof want,
                 "memprof: rm removes .dat files of the current directory "
                 "only, not %s; nothing removed\n",
                 refused[i]);
        ck_assert_str_eq(r.err, want);
        ck_assert_str_eq(r.out, "");
        run_result_free(&r);
    }
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", victim, NULL), 1);
    run_result_free(&r);
    ck_assert(file_exists(victim) && file_exists(victim2));
    ck_assert(file_exists("notes.txt") && file_exists("sub/x.dat"));

    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "./link.dat", NULL), 0);
    ck_assert_str_eq(r.out, "removed link.dat\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    struct stat st;
    ck_assert_int_ne(lstat("link.dat", &st), 0);
    ck_assert(file_exists(victim2));

    ck_assert_int_eq(run_memprof(&sb, &r, "clean", NULL), 0);
    ck_assert_str_eq(r.out, "removed " P0 "\n");
    run_result_free(&r);
    ck_assert_int_ne(lstat(P0, &st), 0);
    ck_assert(file_exists(victim));
    unlink(victim);
    unlink(victim2);
    rmdir(out);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Output that cannot be written (stdout on /dev/full): every subcommand
 * that prints says so in one line and exits 1, the help and the version
 * too.
 */
START_TEST(test_full_output)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    three();
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    static const char *const cmds[] = {"--version",
                                       "--help",
                                       "-h",
                                       "run --help",
                                       "attach --help",
                                       "list",
                                       "list --help",
                                       "clean --help",
                                       "clean --dry-run",
                                       "rm --help",
                                       "rm --dry-run 0",
                                       "peak",
                                       "peak run.dat",
                                       "peak --help",
                                       "plot --help",
                                       "plot run.dat --term",
                                       "rm 0",
                                       "clean",
                                       NULL};
    for (int i = 0; cmds[i] != NULL; i++) {
        int rc = sh("'%s' %s >/dev/full 2>err.txt", sb.memprof, cmds[i]);
        char *err = read_file("err.txt", NULL);
        ck_assert_msg(rc == 1, "%s: exit %d: %s", cmds[i], rc, err);
        ck_assert_msg(strcmp(err, "memprof: cannot write to standard output: "
                                  "No space left on device\n") == 0,
                      "%s: %s", cmds[i], err);
        free(err);
    }
    sandbox_leave(&sb);
}
END_TEST

/*
 * oom_sweep() - memprof with args (NULL-terminated), under the test
 * preload failmalloc.so, the N-th allocation failing for every N up to
 * the count the command makes (self: only those of memprof's own code,
 * not cairo's and fontconfig's, which crash on a failed allocation
 * themselves).  Each run ends by exit 0 or 1, never a signal, with at
 * most one line of its own on stderr, about memory.  Returns how many
 * runs were made.
 */
static int oom_sweep(const sandbox *sb, int self, const char *const *args)
{
    const char *argv[16] = {sb->memprof};
    int na = 1;
    while (args[na - 1] != NULL && na < 15) {
        argv[na] = args[na - 1];
        na++;
    }
    argv[na] = NULL;
    char so[PATH_MAX + 64];
    snprintf(so, sizeof so, "LD_PRELOAD=%s/%s/test/progs/failmalloc.so",
             sb->home, test_build_dir());
    char count_env[PATH_MAX + 64];
    snprintf(count_env, sizeof count_env, "MP_FAILMALLOC_COUNT=%s/count.txt",
             sb->dir);
    const char *self_env = self ? "MP_FAILMALLOC_SELF=1" : "MP_FAILMALLOC_X=";
    const char *env0[] = {so, count_env, self_env, NULL};
    run_result r;
    unlink("count.txt");
    ck_assert_int_eq(run_capture(argv, env0, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s: %s",
                  args[0], r.err);
    run_result_free(&r);
    long max = 0;
    char *counts = read_file("count.txt", NULL);
    ck_assert_ptr_nonnull(counts);
    for (char *p = counts; *p != '\0'; p = strchr(p, '\n') + 1) {
        long v = strtol(p, NULL, 10);
        max = v > max ? v : max;
    }
    free(counts);
    ck_assert_int_gt(max, 0);
    for (long n = 1; n <= max + 1; n++) {
        char fail_env[64];
        snprintf(fail_env, sizeof fail_env, "MP_FAILMALLOC=%ld", n);
        const char *env[] = {so, fail_env, self_env, NULL};
        ck_assert_int_eq(run_capture(argv, env, &r), 0);
        ck_assert_msg(WIFEXITED(r.status),
                      "%s, allocation %ld failing: "
                      "killed by signal %d",
                      args[0], n, WTERMSIG(r.status));
        int rc = WEXITSTATUS(r.status);
        ck_assert_msg(rc == 0 || rc == 1,
                      "%s, allocation %ld failing: exit "
                      "%d: %s",
                      args[0], n, rc, r.err);
        /* memprof run's own lines, which it prints when it succeeds. */
        int lines = 0;
        const char *line = NULL;
        for (const char *p = r.err; *p != '\0'; p = strchr(p, '\n') + 1) {
            static const char sampling[] = "memprof: sampling memory every";
            static const char summary[] = "memprof: peak ";
            if (strncmp(p, sampling, sizeof sampling - 1) == 0 ||
                strncmp(p, summary, sizeof summary - 1) == 0)
                continue;
            lines++;
            line = p;
        }
        ck_assert_msg(lines <= 1, "%s, allocation %ld failing: %s", args[0], n,
                      r.err);
        ck_assert_msg(line == NULL || strstr(line, "out of memory") != NULL ||
                          strstr(line, "Cannot allocate memory") != NULL,
                      "%s, allocation %ld failing: %s", args[0], n, r.err);
        run_result_free(&r);
    }
    return (int)max + 1;
}

/*
 * Out of memory, the N-th allocation failing: peak, plot (SVG, PNG,
 * terminal) and run end with exit 0 or 1 and at most one line, never by a
 * signal (plot --term dereferenced NULL).
 */
START_TEST(test_oom_sweep)
{
    /* The sanitizers' allocators must come first; the preload cannot. */
    if (MP_TEST_SAN[0] != '\0' || test_valgrind()) {
        fprintf(stderr, "test_oom_sweep: skipped under a sanitizer or "
                        "valgrind\n");
        return;
    }
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    copy_file(&sb, "test/data/plot_run.dat", "r.dat");
    static const char *const peak[] = {"peak", "r.dat", NULL};
    static const char *const svg[] = {"plot", "r.dat", "-o", "x.svg", NULL};
    static const char *const png[] = {"plot", "r.dat", "-o", "x.png", NULL};
    static const char *const term[] = {"plot", "r.dat", "--term", NULL};
    static const char *const flame[] = {"plot",   "r.dat",          "-f",
                                        "--term", "--color=always", NULL};
    static const char *const run[] = {"run", "-o", "f.dat", "true", NULL};
    int runs = oom_sweep(&sb, 0, peak);
    runs += oom_sweep(&sb, 0, svg);
    if (access("/usr/lib/x86_64-linux-gnu/libcairo.so.2", R_OK) == 0 ||
        access("/usr/lib/libcairo.so.2", R_OK) == 0)
        runs += oom_sweep(&sb, 1, png);
    else
        fprintf(stderr, "test_oom_sweep: no cairo: PNG not swept\n");
    runs += oom_sweep(&sb, 0, term);
    runs += oom_sweep(&sb, 0, flame);
    runs += oom_sweep(&sb, 0, run);
    ck_assert_int_gt(runs, 100);
    sandbox_leave(&sb);
}
END_TEST

/* The peak of test/data/memprof_run.dat and of its two children. */
#define RUN_PEAK(name, mib)                                                    \
    name "\t" mib " MiB\n"                                                     \
         "  Child 4242\t\t\t7.250 MiB\n"                                       \
         "  Child 4243\t\t\t1.125 MiB\n"

/* mprof's lines: the peak, children, the newest by default, --func. */
START_TEST(test_peak)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    copy_file(&sb, "test/data/memprof_run.dat", "run.dat");
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "peak", "run.dat", NULL), 0);
    ck_assert_str_eq(r.out, RUN_PEAK("run.dat", "200.645"));
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);

    /* Two spans, ends included: the second one's last sample. */
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "run.dat", "--func", "calls.chunk", NULL),
        0);
    ck_assert_str_eq(r.out, RUN_PEAK("run.dat", "48.426"));
    run_result_free(&r);
    /* A span that starts on the first sample. */
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "--func=calls.setup", "run.dat", NULL), 0);
    ck_assert_str_eq(r.out, RUN_PEAK("run.dat", "0.930"));
    run_result_free(&r);
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "--func", "calls.loop", "run.dat", NULL),
        0);
    ck_assert_str_eq(r.out, RUN_PEAK("run.dat", "200.645"));
    run_result_free(&r);
    /* Not in the file, or no sample within its span: NaN, no children. */
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "run.dat", "--func", "nope", NULL), 0);
    ck_assert_str_eq(r.out, "run.dat\tNaN MiB\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "run.dat", "--func", "calls.tiny", NULL),
        0);
    ck_assert_str_eq(r.out, "run.dat\tNaN MiB\n");
    run_result_free(&r);

    /* No file: the newest recording; indices; each file once. */
    three();
    ck_assert_int_eq(run_memprof(&sb, &r, "peak", NULL), 0);
    ck_assert_str_eq(r.out, "Using last profile data.\n" P2 "\t3.000 MiB\n");
    run_result_free(&r);
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "-3", "1", P0, "run.dat", "./" P1, NULL),
        0);
    ck_assert_str_eq(r.out, P0 "\t1.000 MiB\n" P1
                               "\t2.000 MiB\n" RUN_PEAK("run.dat", "200.645"));
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/* Each bad file one line (the good ones still printed), then exit 1. */
START_TEST(test_peak_errors)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    run_result r;
    ck_assert_int_eq(run_memprof(&sb, &r, "peak", NULL), 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: no input file found; memprof peak "
                            "looks for mprofile_*.dat files, made by memprof "
                            "run or mprof run\n");
    run_result_free(&r);

    copy_file(&sb, "test/data/malformed.dat", "bad.dat");
    put_file("empty.dat", "");
    put_file("blank.dat", "MEM 1.0 2.0\n\nMEM 3.0 4.0\n");
    put_file("chld.dat", "CHLD 12 1.0 2.0\n");
    put_file("good.dat", "MEM 1.5 2.0\n");
    ck_assert_int_eq(mkdir("d", 0700), 0);
    ck_assert_int_eq(run_memprof(&sb, &r, "peak", "bad.dat", "good.dat",
                                 "empty.dat", "blank.dat", "chld.dat",
                                 "nofile.dat", "d", "0", NULL),
                     1);
    ck_assert_str_eq(r.out, "good.dat\t1.500 MiB\n");
    ck_assert_str_eq(r.err, "memprof: bad.dat:4: not a line of a .dat file\n"
                            "memprof: empty.dat has no samples\n"
                            "memprof: blank.dat:2: not a line of a .dat file\n"
                            "memprof: chld.dat has no samples\n"
                            "memprof: cannot read nofile.dat: No such file or "
                            "directory\n"
                            "memprof: d is a directory\n"
                            "memprof: no recording 0: there is none here\n");
    run_result_free(&r);

    ck_assert_int_eq(run_memprof(&sb, &r, "peak", "good.dat", "--func", NULL),
                     2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: peak: --func needs a function name; "
                            "see memprof peak --help\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "peak", "--dry-run", NULL), 2);
    ck_assert_str_eq(r.err, "memprof: peak: unknown option '--dry-run'; see "
                            "memprof peak --help\n");
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/* --help and -h: usage on stdout, exit 0, whatever else is given. */
START_TEST(test_help)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    static const char *const cmds[] = {"list", "clean", "rm", "peak"};
    for (int i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof want, "usage: memprof %s", cmds[i]);
        run_result r;
        ck_assert_int_eq(run_memprof(&sb, &r, cmds[i], "--help", NULL), 0);
        ck_assert_msg(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
        ck_assert_str_eq(r.err, "");
        run_result_free(&r);
        ck_assert_int_eq(run_memprof(&sb, &r, cmds[i], "-h", NULL), 0);
        ck_assert(strncmp(r.out, want, strlen(want)) == 0);
        run_result_free(&r);
        /* An unambiguous start of a long option, as argparse takes. */
        ck_assert_int_eq(run_memprof(&sb, &r, cmds[i], "--he", NULL), 0);
        ck_assert(strncmp(r.out, want, strlen(want)) == 0);
        run_result_free(&r);
    }
    sandbox_leave(&sb);
}
END_TEST

/*
 * The command line as argparse reads it: options after operands, long
 * options shortened (with = or not), "--" before a file named like an
 * option, short options unknown to a subcommand.
 */
START_TEST(test_args)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    copy_file(&sb, "test/data/memprof_run.dat", "run.dat");
    put_file("-h", "MEM 1.0 2.0\n");
    run_result r;
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "run.dat", "--fu", "calls.chunk", NULL),
        0);
    ck_assert_str_eq(r.out, RUN_PEAK("run.dat", "48.426"));
    run_result_free(&r);
    ck_assert_int_eq(
        run_memprof(&sb, &r, "peak", "--fu=calls.chunk", "run.dat", NULL), 0);
    ck_assert_str_eq(r.out, RUN_PEAK("run.dat", "48.426"));
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "peak", "--", "-h", NULL), 0);
    ck_assert_str_eq(r.out, "-h\t1.000 MiB\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    put_file("-h.dat", "");
    ck_assert_int_eq(run_memprof(&sb, &r, "rm", "--dry", "--", "-h.dat", NULL),
                     0);
    ck_assert_str_eq(r.out, "Files to be removed: \n-h.dat\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "clean", "-x", NULL), 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: clean: unknown option '-x'; see "
                            "memprof clean --help\n");
    run_result_free(&r);
    ck_assert_int_eq(run_memprof(&sb, &r, "list", "--dry-run", NULL), 2);
    ck_assert_str_eq(r.err, "memprof: list: unknown option '--dry-run'; see "
                            "memprof list --help\n");
    run_result_free(&r);
    ck_assert(file_exists("-h"));
    sandbox_leave(&sb);
}
END_TEST

/* mprof_present() - whether Debian's python3-mprof is there; says so. */
static int mprof_present(const char *test)
{
    if (access(MPROF, X_OK) == 0)
        return 1;
    fprintf(stderr, "SKIP %s: %s is not installed (python3-memory-profiler)\n",
            test, MPROF);
    return 0;
}

/*
 * mprof() - run python3-mprof with the arguments that follow (NULL-
 * terminated) in the current directory; returns its exit status.
 */
static int mprof(run_result *r, const char *const env[], ...)
{
    const char *argv[16] = {MPROF};
    int n = 1;
    va_list ap;
    va_start(ap, env);
    while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    ck_assert(WIFEXITED(r->status));
    return WEXITSTATUS(r->status);
}

/* same_peak() - memprof peak and python3-mprof peak print the same. */
static void same_peak(const sandbox *sb, const char *file, const char *func)
{
    run_result ours;
    run_result theirs;
    if (func != NULL) {
        ck_assert_int_eq(
            run_memprof(sb, &ours, "peak", file, "--func", func, NULL), 0);
        ck_assert_int_eq(
            mprof(&theirs, NULL, "peak", file, "--func", func, NULL), 0);
    } else {
        ck_assert_int_eq(run_memprof(sb, &ours, "peak", file, NULL), 0);
        ck_assert_int_eq(mprof(&theirs, NULL, "peak", file, NULL), 0);
    }
    ck_assert_str_ne(ours.out, "");
    ck_assert_str_eq(ours.out, theirs.out);
    run_result_free(&ours);
    run_result_free(&theirs);
}

/*
 * A file in our format (CMDLINE, MEM, CHLD, FUNC lines with memprof
 * run's number formats) read by mprof: the same peaks, with and without
 * --func, and mprof plot draws it.
 */
START_TEST(test_mprof_reads_ours)
{
    if (!mprof_present("test_mprof_reads_ours"))
        return;
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    copy_file(&sb, "test/data/memprof_run.dat", "run.dat");
    same_peak(&sb, "run.dat", NULL);
    same_peak(&sb, "run.dat", "calls.chunk");
    same_peak(&sb, "run.dat", "calls.setup");
    same_peak(&sb, "run.dat", "calls.loop");
    same_peak(&sb, "run.dat", "nope");

    run_result r;
    if (sh("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0) {
        fprintf(stderr, "SKIP test_mprof_reads_ours (plot): "
                        "python3-matplotlib is not installed\n");
    } else {
        static const char *const env[] = {"MPLBACKEND=Agg", "MPLCONFIGDIR=.mpl",
                                          NULL};
        ck_assert_int_eq(mprof(&r, env, "plot", "-o", "x.png", "run.dat", NULL),
                         0);
        run_result_free(&r);
        size_t len = 0;
        char *png = read_file("x.png", &len);
        ck_assert_ptr_nonnull(png);
        ck_assert_uint_gt(len, 8);
        ck_assert(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
        free(png);
    }
    sandbox_leave(&sb);
}
END_TEST

/*
 * A recording by python3-mprof run of a small Python script: memprof
 * lists it and prints its peak as mprof does.
 */
START_TEST(test_we_read_mprofs)
{
    if (!mprof_present("test_we_read_mprofs"))
        return;
    sandbox sb;
    sandbox_enter(&sb, "cli_files");
    put_file("alloc.py", "import time\n"
                         "a = [0] * 4000000\n"
                         "time.sleep(0.5)\n");
    run_result r;
    ck_assert_int_eq(mprof(&r, NULL, "run", "-T", "0.05", "alloc.py", NULL), 0);
    run_result_free(&r);

    run_result ours;
    run_result theirs;
    ck_assert_int_eq(run_memprof(&sb, &ours, "list", NULL), 0);
    ck_assert_int_eq(mprof(&theirs, NULL, "list", NULL), 0);
    ck_assert_int_eq((int)strlen(ours.out), 50);
    ck_assert_str_eq(ours.out, theirs.out);
    run_result_free(&ours);
    run_result_free(&theirs);

    ck_assert_int_eq(run_memprof(&sb, &ours, "peak", NULL), 0);
    ck_assert_int_eq(mprof(&theirs, NULL, "peak", NULL), 0);
    ck_assert(strncmp(ours.out, "Using last profile data.\nmprofile_", 34) ==
              0);
    ck_assert_str_eq(ours.out, theirs.out);
    /* The list of 4 million references is there: more than 30 MiB. */
    const char *tab = strchr(ours.out, '\t');
    ck_assert_ptr_nonnull(tab);
    FIGURE(ck_assert_double_gt(strtod(tab + 1, NULL), 30.0));
    run_result_free(&ours);
    run_result_free(&theirs);

    same_peak(&sb, "0", NULL);
    sandbox_leave(&sb);
}
END_TEST

Suite *cli_files_suite(void)
{
    Suite *s = suite_create("cli_files");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_clean);
    tcase_add_test(tc, test_rm);
    tcase_add_test(tc, test_rm_errors);
    tcase_add_test(tc, test_rm_scope);
    tcase_add_test(tc, test_full_output);
    tcase_add_test(tc, test_oom_sweep);
    tcase_add_test(tc, test_peak);
    tcase_add_test(tc, test_peak_errors);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_args);
    suite_add_tcase(s, tc);
    tc = tcase_create("mprof");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_mprof_reads_ours);
    tcase_add_test(tc, test_we_read_mprofs);
    suite_add_tcase(s, tc);
    return s;
}
