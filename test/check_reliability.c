/*
 * check_reliability.c - the library in hostile places (issue 10): the
 * program closes and reuses descriptors, stderr was closed at start, a
 * symbolic link or a FIFO stands where the report or the .dat file goes,
 * the disk is full, a label is very long, the program is setuid.  Each
 * test states the outcome.
 */
#define _GNU_SOURCE 1 /* memmem */
#include <limits.h>
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
 * After close_range(3, ~0U) and its own files opened on the numbers the
 * library held, with MEMPROF_PEAK=1 and MEMPROF_DAT set: the program's
 * file holds only its own line, every figure in the report is within the
 * process's memory (not the 3,472 MiB its file reads as), the readings
 * after the close are real, and every span reached the .dat file.
 */
START_TEST(test_fd_reuse)
{
    sandbox sb;
    enter(&sb);
    const char *env[] = {"MEMPROF_PEAK=1", "MEMPROF_DAT=run.dat", NULL};
    run_result r;
    shell(&r, env, "exec '%s' data.txt", prog(&sb, "fd_reuse"));
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
                  r.err);
    double rss_mib = atof(r.out) / 1024.0;
    ck_assert_double_gt(rss_mib, 8.0);

    char *data = read_file("data.txt", NULL);
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(data, "900000 888888 1 1 0 1 0\n");
    free(data);

    /* Every MiB figure: no more than the process ever held. */
    int figures = 0;
    for (const char *p = r.err; (p = strstr(p, " MiB")) != NULL; p++) {
        const char *q = p;
        while (q > r.err && q[-1] != ' ')
            q--;
        double v = atof(q);
        FIGURE(ck_assert_msg(fabs(v) <= rss_mib + 40.0, "%.1f MiB in\n%s", v,
                             r.err));
        figures++;
    }
    ck_assert_int_gt(figures, 10);
    /* after()'s allocation line, read after the close: a real reading. */
    const char *row = strstr(r.err, "MP_LINE(tmp = fill(");
    ck_assert_ptr_nonnull(row);
    while (row > r.err && row[-1] != '\n')
        row--;
    int line = 0;
    double mem = 0;
    ck_assert_int_eq(sscanf(row, "%d %lf MiB", &line, &mem), 2);
    FIGURE(ck_assert_double_ge(mem, 16.0 + 8.0));

    char *dat = read_file("run.dat", NULL);
    ck_assert_ptr_nonnull(dat);
    ck_assert_int_eq(lines(dat, "FUNC "), 1 + 3 + 3);
    ck_assert_int_eq(count(dat, "FUNC fd_reuse.after "), 3);
    ck_assert_int_eq(count(dat, "FUNC fd_reuse.block "), 3);
    free(dat);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Started with stderr closed, the program's own file gets descriptor 2:
 * the report is not appended to it (there is nowhere to print it).
 */
START_TEST(test_stderr_reused)
{
    sandbox sb;
    enter(&sb);
    run_result r;
    shell(&r, NULL, "exec '%s' own.log 2>&-", prog(&sb, "stderr_reuse"));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    char *log = read_file("own.log", NULL);
    ck_assert_ptr_nonnull(log);
    ck_assert_str_eq(log, "log\n");
    free(log);
    run_result_free(&r);

    /* With MEMPROF_OUTPUT the report goes there as usual. */
    const char *env[] = {"MEMPROF_OUTPUT=report.txt", NULL};
    shell(&r, env, "exec '%s' own.log 2>&-", prog(&sb, "stderr_reuse"));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    log = read_file("own.log", NULL);
    ck_assert_str_eq(log, "log\n");
    free(log);
    char *rep = read_file("report.txt", NULL);
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(count(rep, "Filename: "), 1);
    free(rep);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

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

/*
 * MEMPROF_DAT=/dev/full: one line the first time a span cannot be
 * written, not one per span and not silence.  MEMPROF_OUTPUT=/dev/full:
 * one line, and the report on stderr.
 */
START_TEST(test_dev_full)
{
    const char *env[] = {"MEMPROF_DAT=/dev/full", "MEMPROF_OUTPUT=/dev/full",
                         NULL};
    run_result r;
    const char *argv[] = {build_path("test/progs/spans"), NULL};
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_int_eq(lines(r.err, "memprof: "), 2);
    ck_assert_int_eq(count(r.err, "memprof: cannot write a function span to "
                                  "MEMPROF_DAT='/dev/full' (No space left on "
                                  "device); spans may be missing\n"),
                     1);
    ck_assert_int_eq(count(r.err, "memprof: cannot write the report to "
                                  "MEMPROF_OUTPUT='/dev/full' (No space left "
                                  "on device); writing it to stderr\n"),
                     1);
    ck_assert_int_eq(count(r.err, "Filename: "), 1);
    run_result_free(&r);
}
END_TEST

/*
 * A full disk (a file size limit, writes stop part-way): the .dat file
 * keeps whole FUNC lines only, and one line says spans were lost.
 */
START_TEST(test_dat_whole_lines)
{
    sandbox sb;
    enter(&sb);
    const char *env[] = {"MEMPROF_DAT=run.dat", NULL};
    run_result r;
    /* 1 block of 512 bytes: FUNC lines of ~60 bytes stop mid-line. */
    shell(&r, env, "trap '' XFSZ; ulimit -f 1; exec '%s'", prog(&sb, "spans"));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    size_t len = 0;
    char *dat = read_file("run.dat", &len);
    ck_assert_ptr_nonnull(dat);
    ck_assert_uint_gt(len, 0);
    ck_assert_uint_lt(len, 512);
    ck_assert_int_eq(dat[len - 1], '\n');
    ck_assert_int_eq(lines(dat, "FUNC "), count(dat, "\n"));
    ck_assert_int_lt(count(dat, "\n"), 10);
    ck_assert_int_eq(lines(r.err, "memprof: cannot write a function span"), 1);
    free(dat);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * A 600-character MP_TIMESTAMP label: every span is written, the label
 * cut visibly ("...").
 */
START_TEST(test_long_label)
{
    sandbox sb;
    enter(&sb);
    char label[601];
    memset(label, 'x', 600);
    label[600] = '\0';
    const char *env[] = {"MEMPROF_DAT=run.dat", NULL};
    run_result r;
    shell(&r, env, "exec '%s' %s", prog(&sb, "spans"), label);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    char *dat = read_file("run.dat", NULL);
    ck_assert_ptr_nonnull(dat);
    ck_assert_int_eq(lines(dat, "FUNC spans.step "), 5);
    ck_assert_int_eq(lines(dat, "FUNC spans.xxxxxxxxxx"), 5);
    ck_assert_int_eq(count(dat, "xxx... "), 5);
    free(dat);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * A setuid-root program run by nobody with MEMPROF_OUTPUT and MEMPROF_DAT
 * naming a root-only file: the settings are ignored (one line says so),
 * the file untouched.  Needs root and a file system that honours setuid.
 */
START_TEST(test_setuid)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_setuid: skipped, needs root\n");
        return;
    }
    sandbox sb;
    enter(&sb);
    ck_assert_int_eq(chmod(".", 0755), 0);
    /* Whether a setuid program run by nobody gets euid 0 here. */
    if (sh("command -v setpriv >/dev/null && cp \"$(command -v id)\" id && "
           "chmod 4755 id && setpriv --reuid=65534 --regid=65534 "
           "--clear-groups ./id | grep -q 'euid=0'") != 0) {
        fprintf(stderr, "test_setuid: skipped, no setpriv or setuid is not "
                        "honoured here\n");
        sandbox_leave(&sb);
        return;
    }
    ck_assert_int_eq(
        sh("cp '%s' spans && chmod 4755 spans", prog(&sb, "spans")), 0);
    put_file("victim", "secret\n");
    ck_assert_int_eq(chmod("victim", 0600), 0);
    /* A planted "source": a link to a root-only file of many lines. */
    FILE *f = fopen("lines", "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 300; i++)
        fprintf(f, "private line %d\n", i);
    fclose(f);
    ck_assert_int_eq(chmod("lines", 0600), 0);
    ck_assert_int_eq(sh("mkdir -p test/progs && ln -s ../../lines "
                        "test/progs/spans.c"),
                     0);
    const char *env[] = {"MEMPROF_OUTPUT=victim", "MEMPROF_DAT=victim",
                         "MEMPROF_FORMAT=json", NULL};
    run_result r;
    shell(&r, env,
          "exec setpriv --reuid=65534 --regid=65534 --clear-groups ./spans");
    ck_assert_msg(WEXITSTATUS(r.status) == 0, "%s", r.err);
    char *v = read_file("victim", NULL);
    ck_assert_str_eq(v, "secret\n");
    free(v);
    ck_assert_int_eq(count(r.err, "memprof: profiling settings (MEMPROF_*) "
                                  "are ignored in a setuid or setgid "
                                  "program; using the defaults\n"),
                     1);
    /* The defaults: a table on stderr, not JSON. */
    ck_assert_int_eq(count(r.err, "Filename: "), 1);
    /* No source is read as root: the recorded statements stand instead. */
    ck_assert_ptr_null(strstr(r.err, "private line"));
    ck_assert_ptr_nonnull(strstr(r.err, "showing the recorded statements"));
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * The end of a program: an exit handler registered before the library's
 * first use records after the report at exit (its 3 hits are said in one
 * line, after the report); quick_exit(3) still prints the report.
 */
START_TEST(test_late_records_and_quick_exit)
{
    const char *late[] = {build_path("test/progs/late"), "atexit", NULL};
    run_result r;
    ck_assert_int_eq(run_capture(late, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    table t[3];
    ck_assert_int_eq(parse_tables(r.err, t, 3), 1);
    const char *line = "memprof: 3 line hits came after the report at exit "
                       "and are not in it\n";
    ck_assert_int_eq(count(r.err, line), 1);
    ck_assert_ptr_null(strstr(r.err, "late_fn"));
    run_result_free(&r);

    const char *quick[] = {build_path("test/progs/late"), "quick", NULL};
    ck_assert_int_eq(run_capture(quick, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_int_eq(parse_tables(r.err, t, 3), 1);
    ck_assert_int_eq(count(r.err, "MP_LINE(sink = 1);"), 1);
    ck_assert_int_eq(count(r.err, "came after the report"), 0);
    run_result_free(&r);
}
END_TEST

/* row_with_text() - the row of t whose contents hold text; must exist. */
static const table_row *row_with_text(const table *t, const char *text)
{
    for (int k = 0; k < t->nrows; k++) {
        const table_row *row = &t->rows[k];
        if (row->recorded && memmem(row->contents, (size_t)row->contents_len,
                                    text, strlen(text)) != NULL)
            return row;
    }
    ck_abort_msg("no row holds %s", text);
    return NULL;
}

/*
 * stop() - run "stopped MODE" in a shell with env, wait for it to be
 * ready, send it the signals (kill names, blank-separated, each once its
 * previous report is out), and put its exit status as the shell saw it
 * (128 + the signal that ended it) at the end of r->out.
 */
static void stop(run_result *r, const char *const env[], const char *mode,
                 const char *signals)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "t=$(mktemp -d); "
             "env --default-signal=INT,TERM,HUP '%s' %s >$t/out 2>$t/err & "
             "pid=$!; "
             "until grep -q ready $t/out; do sleep 0.01; done; "
             "n=0; for s in %s; do "
             "  kill -$s $pid; n=$((n + 1)); "
             "  if [ $s = USR1 ]; then "
             "    until [ $(grep -c '^Filename' $t/err) -ge $n ]; do "
             "      sleep 0.01; done; fi; "
             "done; "
             "wait $pid; st=$?; cat $t/err >&2; echo status=$st; rm -r $t",
             build_path("test/progs/stopped"), mode, signals);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
}

/*
 * Stopped by a signal (issue: a Ctrl-C'd program printed nothing): on
 * SIGINT, SIGTERM and SIGHUP with their default action the report is
 * printed, then the program dies by the same signal (the shell sees 128 +
 * the signal, as without the library).  A SIGINT handler of the program's
 * own is kept: it exits with 3, and the report comes at exit.
 * MEMPROF_REPORT_SIGNAL=USR1: a report on each USR1, and the program goes
 * on.
 */
START_TEST(test_stopped_by_signal)
{
    static const struct {
        const char *sig;
        const char *status;
    } cases[] = {{"INT", "status=130\n"},
                 {"TERM", "status=143\n"},
                 {"HUP", "status=129\n"}};
    run_result r;
    table t[4];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        stop(&r, NULL, "loop", cases[i].sig);
        ck_assert_str_eq(r.out, cases[i].status);
        ck_assert_int_eq(parse_tables(r.err, t, 4), 1);
        ck_assert_int_ge(row_with_text(&t[0], "usleep(1000)")->occ, 1);
        run_result_free(&r);
    }
    /* A signal in the hot path (a plain record holds no lock) reports. */
    for (int i = 0; i < 5; i++) {
        stop(&r, NULL, "spin", "TERM");
        ck_assert_str_eq(r.out, "status=143\n");
        ck_assert_int_eq(parse_tables(r.err, t, 4), 1);
        ck_assert_int_ge(row_with_text(&t[0], "turns++")->occ, 10);
        run_result_free(&r);
    }
    stop(&r, NULL, "own", "INT");
    ck_assert_str_eq(r.out, "status=3\n");
    ck_assert_int_eq(parse_tables(r.err, t, 4), 1);
    run_result_free(&r);

    const char *usr1[] = {"MEMPROF_REPORT_SIGNAL=USR1", NULL};
    stop(&r, usr1, "loop", "USR1 USR1 TERM");
    ck_assert_str_eq(r.out, "status=143\n");
    ck_assert_int_eq(parse_tables(r.err, t, 4), 3);
    /* The loop went on between the reports. */
    ck_assert_int_le(row_with_text(&t[0], "usleep(1000)")->occ,
                     row_with_text(&t[2], "usleep(1000)")->occ);
    run_result_free(&r);

    const char *bad[] = {"MEMPROF_REPORT_SIGNAL=KILL", NULL};
    stop(&r, bad, "loop", "TERM");
    ck_assert_int_eq(count(r.err, "memprof: MEMPROF_REPORT_SIGNAL='KILL' is "
                                  "not USR1 or USR2; no report on a signal\n"),
                     1);
    run_result_free(&r);
}
END_TEST

/*
 * The N-th allocation fails, for every N a profiled program makes (through
 * test/progs/failmalloc.so, which also fails the library's own
 * __libc_malloc): the program's stdout and exit status are its own, and
 * stderr has the report or, at most, one line saying what was lost (glibc's
 * memstream used to lose the report silently when its last realloc
 * failed, and a failed count made a line of 18446744073709551614 late
 * hits).
 */
START_TEST(test_profiled_oom_sweep)
{
    if (MP_TEST_SAN[0] != '\0' || test_valgrind()) {
        fprintf(stderr, "test_profiled_oom_sweep: skipped under a "
                        "sanitizer or valgrind (their allocator must come "
                        "first)\n");
        return;
    }
    char so[PATH_MAX + 64];
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(so, sizeof so, "LD_PRELOAD=%s/%s/test/progs/failmalloc.so", cwd,
             test_build_dir());
    const char *count_env[] = {so, "MP_FAILMALLOC_COUNT=oom_count.txt", NULL};
    const char *argv[] = {build_path("test/progs/late"), "plain", NULL};
    run_result r;
    unlink("oom_count.txt");
    ck_assert_int_eq(run_capture(argv, count_env, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    run_result_free(&r);
    char *counts = read_file("oom_count.txt", NULL);
    ck_assert_ptr_nonnull(counts);
    long max = strtol(counts, NULL, 10);
    free(counts);
    unlink("oom_count.txt");
    ck_assert_int_gt(max, 5);
    for (long n = 1; n <= max + 1; n++) {
        char fail[64];
        snprintf(fail, sizeof fail, "MP_FAILMALLOC=%ld", n);
        const char *env[] = {so, fail, NULL};
        ck_assert_int_eq(run_capture(argv, env, &r), 0);
        ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                      "allocation %ld failing: status %d", n, r.status);
        ck_assert_str_eq(r.out, "");
        int lines = count(r.err, "memprof: ");
        ck_assert_msg(lines <= 1, "allocation %ld failing:\n%s", n, r.err);
        ck_assert_msg(lines == 1 || count(r.err, "Filename: ") == 1,
                      "allocation %ld failing: nothing said\n%s", n, r.err);
        run_result_free(&r);
    }
}
END_TEST

/*
 * The files the library and the command create follow the umask: with
 * umask 077, MEMPROF_OUTPUT's report, MEMPROF_DAT and memprof run's
 * recording are the owner's alone.
 */
START_TEST(test_umask)
{
    sandbox sb;
    enter(&sb);
    const char *env[] = {"MEMPROF_OUTPUT=report.txt", "MEMPROF_DAT=spans.dat",
                         NULL};
    run_result r;
    shell(&r, env, "umask 077 && exec '%s'", prog(&sb, "spans"));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    run_result_free(&r);
    shell(&r, NULL, "umask 077 && exec '%s' run -o run.dat true", sb.memprof);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    run_result_free(&r);
    static const char *const files[] = {"report.txt", "spans.dat", "run.dat"};
    for (int i = 0; i < 3; i++) {
        struct stat st;
        ck_assert_int_eq(stat(files[i], &st), 0);
        ck_assert_msg((st.st_mode & 0777) == 0600, "%s is %o", files[i],
                      (unsigned)(st.st_mode & 0777));
    }
    sandbox_leave(&sb);
}
END_TEST

/*
 * /proc masked (a tmpfs over it in a mount namespace; root only): the
 * library says once that it cannot read memory with the rss backend, and
 * why, instead of blaming smaps_rollup; pss names its own file.
 */
START_TEST(test_proc_masked)
{
    /* The sanitizers' runtimes read /proc/self/maps as they start. */
    if (geteuid() != 0 || MP_TEST_SAN[0] != '\0' ||
        sh("unshare --mount --fork sh -c 'mount -t tmpfs none /proc' "
           "2>/dev/null") != 0) {
        fprintf(stderr, "test_proc_masked: skipped, needs root, unshare "
                        "and no sanitizer\n");
        return;
    }
    run_result r;
    shell(&r, NULL,
          "exec unshare --mount --fork sh -c 'mount -t tmpfs none /proc && "
          "MEMPROF_BACKEND=rss exec %s'",
          build_path("examples/basic"));
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_int_eq(count(r.err, "memprof: cannot read memory with the rss "
                                  "backend (No such file or directory); "
                                  "memory reads as 0\n"),
                     1);
    ck_assert_int_eq(count(r.err, "smaps_rollup"), 0);
    ck_assert_int_eq(count(r.err, "memprof: "), 1);
    run_result_free(&r);
    shell(&r, NULL,
          "exec unshare --mount --fork sh -c 'mount -t tmpfs none /proc && "
          "MEMPROF_BACKEND=pss exec %s'",
          build_path("examples/basic"));
    ck_assert_int_eq(count(r.err, "memprof: MEMPROF_BACKEND='pss' needs "
                                  "/proc/self/smaps_rollup; using rss\n"),
                     1);
    run_result_free(&r);
}
END_TEST

Suite *reliability_suite(void)
{
    Suite *s = suite_create("reliability");
    TCase *tc = tcase_create("descriptors");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fd_reuse);
    tcase_add_test(tc, test_stderr_reused);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_symlinks);
    tcase_add_test(tc, test_fifos);
    tcase_add_test(tc, test_dev_full);
    tcase_add_test(tc, test_dat_whole_lines);
    tcase_add_test(tc, test_long_label);
    tcase_add_test(tc, test_umask);
    tcase_add_test(tc, test_proc_masked);
    suite_add_tcase(s, tc);
    tc = tcase_create("lifetime");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_late_records_and_quick_exit);
    tcase_add_test(tc, test_stopped_by_signal);
    tcase_add_test(tc, test_profiled_oom_sweep);
    suite_add_tcase(s, tc);
    tc = tcase_create("setuid");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_setuid);
    suite_add_tcase(s, tc);
    return s;
}
