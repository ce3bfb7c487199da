/*
 * check_cli_run.c - memprof run and memprof attach, run as a user runs
 * them: the .dat file line by line (exact format, increasing timestamps
 * on the interval's grid), the recorded peak against the peak the program
 * reports itself (VmHWM), -C and -M against a process tree that reports
 * its pids and sizes, exit statuses, the one-line errors, timeouts and
 * signals, and the fallbacks for kernels without pidfd_open(2) or
 * /proc/PID/task/TID/children.
 *
 * Tests run from the project's root; each works in a directory of its
 * own made by mkdtemp, so that default-named recordings land there, and
 * runs the command and the test programs by their absolute paths.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define MAX_ARGS 32

/* The test's own directory (the cwd during a test) and the paths it uses. */
static char dir[64];
static char home[PATH_MAX];
static char memprof[PATH_MAX + 64];
static char progs[PATH_MAX + 64];

/* enter() - the checked fixture: a temporary directory, entered. */
static void enter(void)
{
    ck_assert_ptr_nonnull(getcwd(home, sizeof home));
    snprintf(memprof, sizeof memprof, "%s/%s/memprof", home, test_build_dir());
    snprintf(progs, sizeof progs, "%s/%s/test/progs", home, test_build_dir());
    snprintf(dir, sizeof dir, "/tmp/mp_cli_run_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
}

/* leave() - back to the project's root; the directory removed. */
static void leave(void)
{
    ck_assert_int_eq(chdir(home), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* prog() - the absolute path of a test program, in a static buffer. */
static const char *prog(const char *name)
{
    static char buf[4][PATH_MAX + 128];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", progs, name);
    return buf[i];
}

/* now_real() - seconds since the epoch. */
static double now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * mp() - run memprof with the arguments that follow (NULL-terminated) and
 * the environment changes env (see run_capture()).  Returns its exit
 * status, or -1 if it did not exit.
 */
static int mp(run_result *r, const char *const env[], ...)
{
    const char *argv[MAX_ARGS] = {memprof};
    int n = 1;
    va_list ap;
    va_start(ap, env);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < MAX_ARGS - 1)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

/* lines() - how many lines text holds (its "\n"s). */
static int lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p != '\0'; p++)
        n += *p == '\n';
    return n;
}

/*
 * our_lines() - the lines of err that are memprof's: valgrind adds its
 * own, "==PID==" and "--PID--" (it has no pidfd_open(2), and says so).
 */
static int our_lines(const char *err)
{
    int n = 0;
    const char *eol;
    for (const char *p = err; (eol = strchr(p, '\n')) != NULL; p = eol + 1)
        n += strncmp(p, "==", 2) != 0 && strncmp(p, "--", 2) != 0;
    return n;
}

/* has_line() - whether text holds line (with its "\n") as a whole line. */
static int has_line(const char *text, const char *line)
{
    size_t len = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p += len)
        if (p == text || p[-1] == '\n')
            return 1;
    return 0;
}

/* dir_entries() - how many entries the current directory holds. */
static int dir_entries(void)
{
    FILE *p = popen("ls -A | wc -l", "r");
    ck_assert_ptr_nonnull(p);
    int n = -1;
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* A CHLD line. */
typedef struct chld {
    long pid;
    double mib;
    double t;
} chld;

/* A .dat file, parsed strictly. */
typedef struct dat {
    int ncmd;           /* CMDLINE lines */
    char cmdline[1024]; /* the first, after "CMDLINE " */
    double *mib;        /* MEM lines */
    double *t;
    int nmem;
    chld *chld;
    int nchld;
    int nfunc;
    char func0[128]; /* the name of the first FUNC line */
    double func0_mem1;
} dat;

/*
 * check_line() - one line (no "\n") of a .dat file into d: CMDLINE, MEM
 * and CHLD must read exactly as memory_profiler writes them (printing the
 * values back gives the same text), FUNC must have all its fields.
 */
static void check_line(dat *d, const char *line, int lineno)
{
    char again[256];
    int end = -1;
    if (strncmp(line, "CMDLINE ", 8) == 0) {
        if (d->ncmd++ == 0)
            snprintf(d->cmdline, sizeof d->cmdline, "%s", line + 8);
        return;
    }
    if (strncmp(line, "MEM ", 4) == 0) {
        double mib;
        double t;
        ck_assert_msg(sscanf(line, "MEM %lf %lf%n", &mib, &t, &end) == 2 &&
                          line[end] == '\0',
                      "line %d: '%s'", lineno, line);
        snprintf(again, sizeof again, "MEM %.6f %.4f", mib, t);
        ck_assert_str_eq(line, again);
        d->mib[d->nmem] = mib;
        d->t[d->nmem++] = t;
        return;
    }
    if (strncmp(line, "CHLD ", 5) == 0) {
        chld c;
        ck_assert_msg(sscanf(line, "CHLD %ld %lf %lf%n", &c.pid, &c.mib, &c.t,
                             &end) == 3 &&
                          line[end] == '\0',
                      "line %d: '%s'", lineno, line);
        snprintf(again, sizeof again, "CHLD %ld %.6f %.4f", c.pid, c.mib, c.t);
        ck_assert_str_eq(line, again);
        d->chld[d->nchld++] = c;
        return;
    }
    char name[128];
    double v[4];
    int level;
    ck_assert_msg(sscanf(line, "FUNC %127s %lf %lf %lf %lf %d%n", name, &v[0],
                         &v[1], &v[2], &v[3], &level, &end) == 6 &&
                      line[end] == '\0',
                  "line %d is not a line of a .dat file: '%s'", lineno, line);
    if (d->nfunc++ == 0) {
        snprintf(d->func0, sizeof d->func0, "%s", name);
        d->func0_mem1 = v[2];
    }
}

/*
 * dat_load() - read and check path: not empty, every line whole (ends
 * with "\n") and well formed, CMDLINE first.
 */
static void dat_load(dat *d, const char *path)
{
    memset(d, 0, sizeof *d);
    size_t len = 0;
    char *text = read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    ck_assert_msg(len > 0 && text[len - 1] == '\n',
                  "%s: empty, or its last line is cut", path);
    int n = lines(text);
    d->mib = calloc((size_t)n, sizeof *d->mib);
    d->t = calloc((size_t)n, sizeof *d->t);
    d->chld = calloc((size_t)n, sizeof *d->chld);
    ck_assert(d->mib != NULL && d->t != NULL && d->chld != NULL);
    ck_assert_msg(strncmp(text, "CMDLINE ", 8) == 0, "%s: no CMDLINE first",
                  path);
    int lineno = 0;
    for (char *p = text; *p != '\0';) {
        char *eol = strchr(p, '\n');
        *eol = '\0';
        check_line(d, p, ++lineno);
        p = eol + 1;
    }
    free(text);
}

static void dat_free(dat *d)
{
    free(d->mib);
    free(d->t);
    free(d->chld);
}

/* dat_peak() - the largest MEM reading, MiB. */
static double dat_peak(const dat *d)
{
    double peak = 0;
    for (int i = 0; i < d->nmem; i++)
        if (d->mib[i] > peak)
            peak = d->mib[i];
    return peak;
}

/* check_increasing() - MEM timestamps strictly increasing. */
static void check_increasing(const dat *d)
{
    for (int i = 1; i < d->nmem; i++)
        ck_assert_msg(d->t[i] > d->t[i - 1], "sample %d at %.4f after %.4f", i,
                      d->t[i], d->t[i - 1]);
}

/*
 * summary() - the numbers of memprof's last summary line in err: "peak X
 * MiB, N samples in S s, written to NAME".  Asserts that there is one.
 */
static void summary(const char *err, double *peak, long *n, char *name,
                    size_t size)
{
    const char *p = strstr(err, "memprof: peak ");
    ck_assert_msg(p != NULL, "no summary in '%s'", err);
    double secs;
    char file[256];
    int got = sscanf(p,
                     "memprof: peak %lf MiB, %ld sample%*[s] in %lf s, "
                     "written to %255[^\n]",
                     peak, n, &secs, file);
    if (got != 4)
        got = sscanf(p,
                     "memprof: peak %lf MiB, %ld sample in %lf s, "
                     "written to %255[^\n]",
                     peak, n, &secs, file);
    ck_assert_msg(got == 4, "summary: '%s'", p);
    snprintf(name, size, "%s", file);
}

/* Every command-line mistake: exit 2, one line, nothing run or written. */
START_TEST(test_usage_errors)
{
    static const struct {
        const char *args[6];
        const char *says;
    } cases[] = {
        {{"run", "-x", "touch", "marker"}, "unknown option '-x'"},
        {{"run", "--bogus", "touch", "marker"}, "unknown option '--bogus'"},
        {{"run"}, "no command given"},
        {{"run", "-T"}, "option '-T' needs a value"},
        {{"run", "--backend"}, "option '--backend' needs a value"},
        {{"run", "-T", "0", "touch", "marker"}, "-T wants a positive"},
        {{"run", "-T", "-0.1", "touch", "marker"}, "-T wants a positive"},
        {{"run", "-T", "abc", "touch", "marker"}, "not 'abc'"},
        {{"run", "-T", "0.1s", "touch", "marker"}, "not '0.1s'"},
        {{"run", "-T", "", "touch", "marker"}, "-T wants a positive"},
        {{"run", "-T", "nan", "touch", "marker"}, "-T wants a positive"},
        {{"run", "--interval=inf", "touch", "marker"}, "-T wants a positive"},
        {{"run", "-T", "1e9", "touch", "marker"}, "too long"},
        {{"run", "-t", "0", "touch", "marker"}, "-t wants a positive"},
        {{"run", "--backend", "heap", "touch", "marker"},
         "unknown backend 'heap'"},
        {{"run", "--max-mib", "lots", "touch", "marker"},
         "--max-mib wants a number"},
        {{"run", "-1", "touch", "marker"}, "unknown option '-1'"},
        {{"run", "-1"}, "unknown option '-1'"},
        {{"attach"}, "no pid given"},
        {{"attach", "abc"}, "'abc' is not a process id"},
        {{"attach", "0"}, "'0' is not a process id"},
        {{"attach", "12x"}, "'12x' is not a process id"},
        {{"attach", "+5"}, "'+5' is not a process id"},
        {{"attach", "--", "-5"}, "'-5' is not a process id"},
        {{"attach", " 5"}, "' 5' is not a process id"},
        {{"attach", "2147483648"}, "'2147483648' is not a process id"},
        {{"attach", "99999999999999999999"}, "is not a process id"},
        {{"attach", "-1"}, "unknown option '-1'"},
        {{"attach", "-5"}, "unknown option '-5'"},
        {{"attach", "1", "2"}, "one too many"},
        {{"attach", "-q", "1"}, "unknown option '-q'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[8] = {memprof};
        for (int j = 0; cases[i].args[j] != NULL; j++)
            argv[j + 1] = cases[i].args[j];
        run_result r;
        ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
        ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2,
                      "case %zu: status %d", i, r.status);
        ck_assert_msg(strncmp(r.err, "memprof: ", 9) == 0 &&
                          lines(r.err) == 1 &&
                          strstr(r.err, cases[i].says) != NULL,
                      "case %zu: '%s'", i, r.err);
        ck_assert_str_eq(r.out, "");
        ck_assert_int_eq(dir_entries(), 0);
        run_result_free(&r);
    }
}
END_TEST

/* --help: the usage on stdout, exit 0, for both commands. */
START_TEST(test_help)
{
    run_result r;
    ck_assert_int_eq(mp(&r, NULL, "run", "--help", NULL), 0);
    ck_assert(strncmp(r.out, "usage: memprof run", 18) == 0);
    ck_assert(strstr(r.out, "--include-children") != NULL);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert_int_eq(mp(&r, NULL, "attach", "-h", NULL), 0);
    ck_assert(strstr(r.out, "memprof attach [options] PID") != NULL);
    run_result_free(&r);
    ck_assert_int_eq(dir_entries(), 0);
}
END_TEST

/*
 * A command that cannot start: 127 when not found, 126 when not
 * executable, as a shell says; the .dat file is left as it was (not made,
 * or not grown).
 */
START_TEST(test_cannot_start)
{
    run_result r;
    ck_assert_int_eq(mp(&r, NULL, "run", "no-such-command-4242", NULL), 127);
    ck_assert_str_eq(r.err, "memprof: cannot run 'no-such-command-4242': No "
                            "such file or directory\n");
    ck_assert_str_eq(r.out, "");
    ck_assert_int_eq(dir_entries(), 0);
    run_result_free(&r);

    FILE *f = fopen("old.dat", "w");
    ck_assert_ptr_nonnull(f);
    fputs("CMDLINE old\nMEM 1.000000 1.0000\n", f);
    fclose(f);
    ck_assert_int_eq(mp(&r, NULL, "run", "-o", "old.dat", "./nope", NULL), 127);
    char *text = read_file("old.dat", NULL);
    ck_assert_str_eq(text, "CMDLINE old\nMEM 1.000000 1.0000\n");
    free(text);
    run_result_free(&r);

    f = fopen("script", "w");
    ck_assert_ptr_nonnull(f);
    fputs("#!/bin/sh\ntouch marker\n", f);
    fclose(f);
    ck_assert_int_eq(chmod("script", 0644), 0);
    ck_assert_int_eq(mp(&r, NULL, "run", "-o", "x.dat", "./script", NULL), 126);
    ck_assert_str_eq(r.err,
                     "memprof: cannot run './script': Permission denied\n");
    ck_assert(!file_exists("x.dat") && !file_exists("marker"));
    run_result_free(&r);
}
END_TEST

/*
 * A file that fills up while recording (here a file size limit of 512
 * bytes): one line, recording stops, the command is still waited for,
 * exit 1, and the file keeps whole lines only.
 */
START_TEST(test_write_error)
{
    char script[PATH_MAX + 200];
    snprintf(script, sizeof script,
             "ulimit -f 1; trap '' XFSZ; exec '%s' run -T 0.005 -o w.dat "
             "sleep 0.3",
             memprof);
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    run_result r;
    double t0 = now_mono();
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_double_ge(now_mono() - t0, 0.3);
    ck_assert(WIFEXITED(r.status));
    ck_assert_int_eq(WEXITSTATUS(r.status), 1);
    ck_assert_msg(strstr(r.err, "\nmemprof: cannot write w.dat: File too "
                                "large; recording stopped\n") != NULL,
                  "'%s'", r.err);
    struct stat st;
    ck_assert_int_eq(stat("w.dat", &st), 0);
    ck_assert_int_le(st.st_size, 512);
    dat d;
    dat_load(&d, "w.dat");
    ck_assert_int_ge(d.nmem, 5);
    dat_free(&d);
    run_result_free(&r);

    ck_assert_int_eq(
        mp(&r, NULL, "run", "-o", "/dev/full", "touch", "marker", NULL), 1);
    ck_assert_str_eq(r.err, "memprof: cannot write /dev/full: No space left "
                            "on device\n");
    ck_assert(!file_exists("marker"));
    run_result_free(&r);
}
END_TEST

/* An output that cannot be written: exit 1, one line, command not run. */
START_TEST(test_unwritable_output)
{
    run_result r;
    ck_assert_int_eq(
        mp(&r, NULL, "run", "-o", "nodir/x.dat", "touch", "marker", NULL), 1);
    ck_assert_str_eq(r.err, "memprof: cannot write nodir/x.dat: No such file "
                            "or directory\n");
    ck_assert(!file_exists("marker"));
    run_result_free(&r);
    ck_assert_int_eq(mkdir("d", 0755), 0);
    ck_assert_int_eq(mp(&r, NULL, "run", "-o", "d", "touch", "marker", NULL),
                     1);
    ck_assert_str_eq(r.err, "memprof: cannot write d: Is a directory\n");
    ck_assert(!file_exists("marker"));
    run_result_free(&r);
    /* A link planted where the recording goes: its target is untouched. */
    put_file("victim", "precious\n");
    ck_assert_int_eq(symlink("victim", "link.dat"), 0);
    ck_assert_int_eq(
        mp(&r, NULL, "run", "-o", "link.dat", "touch", "marker", NULL), 1);
    ck_assert_str_eq(r.err, "memprof: cannot write link.dat: it is a symbolic "
                            "link, which memprof does not follow\n");
    char *v = read_file("victim", NULL);
    ck_assert_str_eq(v, "precious\n");
    free(v);
    ck_assert(!file_exists("marker"));
    run_result_free(&r);
    /* A FIFO nobody reads: refused at once, never waited on. */
    ck_assert_int_eq(mkfifo("fifo.dat", 0600), 0);
    ck_assert_int_eq(
        mp(&r, NULL, "run", "-o", "fifo.dat", "touch", "marker", NULL), 1);
    ck_assert_str_eq(r.err,
                     "memprof: cannot write fifo.dat: not a regular file\n");
    run_result_free(&r);
    /* A character device is fine. */
    ck_assert_int_eq(mp(&r, NULL, "run", "-o", "/dev/null", "true", NULL), 0);
    run_result_free(&r);
}
END_TEST

/*
 * The default file: mprofile_<local time at start>.dat here, CMDLINE
 * quoted as mprof quotes, MEM lines every interval, the command's stdout
 * its own, MEMPROF_DAT the file's absolute path; on stderr the sampling
 * line and the summary, whose numbers match the file.
 */
START_TEST(test_default_file)
{
    time_t before = time(NULL);
    double t0 = now_real();
    run_result r;
    ck_assert_int_eq(mp(&r, NULL, "run", "-T", "0.05", "--", "sh", "-c",
                        "printf %s \"$MEMPROF_DAT\"; sleep 0.4", "a b", NULL),
                     0);
    double t1 = now_real();
    time_t after = time(NULL);
    char name[64] = "";
    FILE *p = popen("ls", "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(name, sizeof name, p));
    pclose(p);
    name[strcspn(name, "\n")] = '\0';
    ck_assert_int_eq(dir_entries(), 1);
    int ok = 0;
    for (time_t s = before; s <= after; s++) {
        char want[64];
        struct tm tm;
        localtime_r(&s, &tm);
        strftime(want, sizeof want, "mprofile_%Y%m%d%H%M%S.dat", &tm);
        ok |= strcmp(want, name) == 0;
    }
    ck_assert_msg(ok, "file '%s'", name);

    char where[PATH_MAX + 80];
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(".", real));
    snprintf(where, sizeof where, "%s/%s", real, name);
    ck_assert_str_eq(r.out, where);

    dat d;
    dat_load(&d, name);
    ck_assert_int_eq(d.ncmd, 1);
    ck_assert_str_eq(d.cmdline,
                     "sh -c 'printf %s \"$MEMPROF_DAT\"; sleep 0.4' 'a b'");
    ck_assert_int_eq(d.nchld, 0);
    ck_assert_int_ge(d.nmem, 6);
    ck_assert_int_le(d.nmem, 20);
    check_increasing(&d);
    ck_assert_double_ge(d.t[0], t0 - 0.001);
    ck_assert_double_le(d.t[d.nmem - 1], t1);
    /* The median gap is the interval (a late sample makes one gap longer
     * and the next shorter). */
    double gaps[32];
    int ngaps = 0;
    for (int i = 1; i < d.nmem; i++) {
        double gap = d.t[i] - d.t[i - 1];
        int j = ngaps++;
        while (j > 0 && gaps[j - 1] > gap) {
            gaps[j] = gaps[j - 1];
            j--;
        }
        gaps[j] = gap;
    }
    ck_assert_double_ge(gaps[ngaps / 2], 0.045);
    ck_assert_double_le(gaps[ngaps / 2], 0.055);
    for (int i = 0; i < d.nmem; i++)
        ck_assert_double_gt(d.mib[i], 0);

    ck_assert_int_eq(our_lines(r.err), 2);
    ck_assert(has_line(r.err, "memprof: sampling memory every 0.05 s\n"));
    double peak;
    long n;
    char file[256];
    summary(r.err, &peak, &n, file, sizeof file);
    ck_assert_int_eq(n, d.nmem);
    ck_assert_double_eq_tol(peak, dat_peak(&d), 0.051);
    ck_assert_str_eq(file, name);
    dat_free(&d);
    run_result_free(&r);
}
END_TEST

/* Like mprof, run appends: a second recording follows the first. */
START_TEST(test_appends)
{
    run_result r;
    ck_assert_int_eq(mp(&r, NULL, "run", "-o", "two.dat", "-T", "0.05", "sleep",
                        "0.2", NULL),
                     0);
    run_result_free(&r);
    ck_assert_int_eq(mp(&r, NULL, "run", "-o", "two.dat", "-T", "0.05", "sleep",
                        "0.1", NULL),
                     0);
    run_result_free(&r);
    dat d;
    dat_load(&d, "two.dat");
    ck_assert_int_eq(d.ncmd, 2);
    ck_assert_str_eq(d.cmdline, "sleep 0.2");
    ck_assert_int_ge(d.nmem, 4);
    char *text = read_file("two.dat", NULL);
    char *second = strstr(text + 1, "CMDLINE sleep 0.1\n");
    ck_assert_ptr_nonnull(second);
    ck_assert(strncmp(second - 1, "\nCMDLINE", 8) == 0);
    ck_assert_ptr_nonnull(strstr(second, "\nMEM "));
    free(text);
    dat_free(&d);
}
END_TEST

/*
 * The recorded peak is the program's own peak resident set (VmHWM, which
 * it prints), within 5%, and the steps show: 20 MiB apart.
 */
START_TEST(test_peak_is_true_peak)
{
    run_result r;
    ck_assert_int_eq(mp(&r, NULL, "run", "-T", "0.02", "-o", "p.dat",
                        prog("alloc_steps"), "100", "5", "60", "300", NULL),
                     0);
    double hwm = 0;
    ck_assert_int_eq(sscanf(r.out, "hwm_mib %lf", &hwm), 1);
    dat d;
    dat_load(&d, "p.dat");
    ck_assert_int_ge(d.nmem, 20);
    check_increasing(&d);
    double peak = dat_peak(&d);
    FIGURE(ck_assert_double_ge(peak, hwm * 0.95));
    FIGURE(ck_assert_double_le(peak, hwm * 1.05));
    FIGURE(ck_assert_double_ge(peak, 100));
    /* Each 20 MiB step seen: some sample sits between consecutive steps. */
    for (int step = 1; step < 5; step++) {
        int seen = 0;
        for (int i = 0; i < d.nmem; i++)
            seen |= d.mib[i] > peak - 100 + 20 * step - 10 &&
                    d.mib[i] < peak - 100 + 20 * step + 10;
        FIGURE(ck_assert_msg(seen, "no sample near step %d", step));
    }
    double speak;
    long n;
    char file[256];
    summary(r.err, &speak, &n, file, sizeof file);
    ck_assert_double_eq_tol(speak, peak, 0.051);
    ck_assert_str_eq(file, "p.dat");
    dat_free(&d);
    run_result_free(&r);
}
END_TEST

/* -E passes the command's status on (128 + N for signal N); else 0. */
START_TEST(test_exit_status)
{
    run_result r;
    ck_assert_int_eq(
        mp(&r, NULL, "run", "-o", "e.dat", "sh", "-c", "exit 3", NULL), 0);
    run_result_free(&r);
    ck_assert_int_eq(
        mp(&r, NULL, "run", "-E", "-o", "e.dat", "sh", "-c", "exit 3", NULL),
        3);
    run_result_free(&r);
    ck_assert_int_eq(mp(&r, NULL, "run", "--exit-code", "-o", "e.dat", "sh",
                        "-c", "exit 0", NULL),
                     0);
    run_result_free(&r);
    ck_assert_int_eq(mp(&r, NULL, "run", "-E", "-o", "e.dat", "sh", "-c",
                        "kill -9 $$", NULL),
                     137);
    run_result_free(&r);
    dat d;
    dat_load(&d, "e.dat");
    ck_assert_int_eq(d.ncmd, 4);
    dat_free(&d);
}
END_TEST

/*
 * --max-mib: over the budget, exit 3 with one line naming the peak (it
 * wins over -E); under it, 0.
 */
START_TEST(test_max_mib)
{
    run_result r;
    ck_assert_int_eq(mp(&r, NULL, "run", "--max-mib", "10", "-T", "0.02", "-o",
                        "b.dat", prog("alloc_steps"), "40", "2", "20", "100",
                        NULL),
                     3);
    double peak;
    long n;
    char file[256];
    summary(r.err, &peak, &n, file, sizeof file);
    char want[128];
    snprintf(want, sizeof want,
             "\nmemprof: peak %.1f MiB exceeds --max-mib 10\n", peak);
    ck_assert_msg(strstr(r.err, want) != NULL, "'%s'", r.err);
    FIGURE(ck_assert_double_ge(peak, 40));
    run_result_free(&r);

    ck_assert_int_eq(mp(&r, NULL, "run", "--max-mib=100000", "-T", "0.02", "-o",
                        "b.dat", prog("alloc_steps"), "10", "1", "10", "50",
                        NULL),
                     0);
    ck_assert(strstr(r.err, "exceeds") == NULL);
    run_result_free(&r);

    ck_assert_int_eq(mp(&r, NULL, "run", "--max-mib", "0", "-E", "-T", "0.02",
                        "-o", "b.dat", "sh", "-c", "sleep 0.1; exit 5", NULL),
                     3);
    run_result_free(&r);
}
END_TEST

/* A pid and its size, as forker prints them. */
typedef struct member {
    long pid;
    char role[16];
    double mib;
} member;

/* parse_forker() - forker's four lines; returns the sum of their sizes. */
static double parse_forker(const char *out, member m[4])
{
    const char *p = out;
    double sum = 0;
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(
            sscanf(p, "pid %ld %15s %lf", &m[i].pid, m[i].role, &m[i].mib) == 3,
            "forker said '%s'", out);
        sum += m[i].mib;
        p = strchr(p, '\n');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    return sum;
}

/* find_member() - the member with pid, or NULL. */
static const member *find_member(const member m[4], long pid)
{
    for (int i = 0; i < 4; i++)
        if (m[i].pid == pid)
            return &m[i];
    return NULL;
}

/*
 * check_tree() - forker recorded with -C and/or -M: with -C the peak is
 * the sum of the four processes; with -M (alone) MEM is the parent only,
 * and the CHLD lines are for exactly its three descendants (two children,
 * one grandchild), each series peaking at the size it printed, each
 * line stamped with its sample's time.
 */
static void check_tree(const char *const env[], int children, int multi)
{
    run_result r;
    const char *argv[] = {"run",
                          "-T",
                          "0.05",
                          "-o",
                          "tree.dat",
                          children ? "-C" : "-M",
                          multi ? "-M" : "-C",
                          "--",
                          prog("forker"),
                          NULL};
    ck_assert_int_eq(mp(&r, env, argv[0], argv[1], argv[2], argv[3], argv[4],
                        argv[5], argv[6], argv[7], argv[8], NULL),
                     0);
    member m[4];
    double sum = parse_forker(r.out, m);
    const member *parent = NULL;
    for (int i = 0; i < 4; i++)
        if (strcmp(m[i].role, "parent") == 0)
            parent = &m[i];
    ck_assert_ptr_nonnull(parent);
    dat d;
    dat_load(&d, "tree.dat");
    ck_assert_int_ge(d.nmem, 8);
    check_increasing(&d);
    double peak = dat_peak(&d);
    if (children) {
        FIGURE(ck_assert_double_ge(peak, sum * 0.97));
        FIGURE(ck_assert_double_le(peak, sum * 1.05 + 1));
        FIGURE(ck_assert_double_ge(peak, 50));
    } else {
        FIGURE(ck_assert_double_le(peak, parent->mib + 2));
    }
    if (!multi) {
        ck_assert_int_eq(d.nchld, 0);
    } else {
        double kid_peak[4] = {0};
        for (int i = 0; i < d.nchld; i++) {
            const member *k = find_member(m, d.chld[i].pid);
            ck_assert_msg(k != NULL && k != parent, "CHLD of pid %ld",
                          d.chld[i].pid);
            int idx = (int)(k - m);
            if (d.chld[i].mib > kid_peak[idx])
                kid_peak[idx] = d.chld[i].mib;
            int stamped = 0;
            for (int j = 0; j < d.nmem; j++)
                stamped |= d.t[j] == d.chld[i].t;
            ck_assert(stamped);
        }
        for (int i = 0; i < 4; i++) {
            if (&m[i] == parent)
                continue;
            ck_assert_msg(kid_peak[i] > 0, "no CHLD line for pid %ld",
                          m[i].pid);
            /* The series' largest reading may come after the child
             * printed its size: up to 1 MiB more (ASan's runtime). */
            FIGURE(ck_assert_double_ge(kid_peak[i], m[i].mib * 0.95));
            FIGURE(ck_assert_double_le(kid_peak[i], m[i].mib * 1.05 + 1));
        }
    }
    dat_free(&d);
    run_result_free(&r);
}

START_TEST(test_include_children)
{
    check_tree(NULL, 1, 0);
}
END_TEST

START_TEST(test_multiprocess)
{
    check_tree(NULL, 0, 1);
}
END_TEST

/* Both, with descendants found by a scan of /proc (old kernels). */
START_TEST(test_children_by_scan)
{
    static const char *const env[] = {"MEMPROF_TEST_FALLBACK=children", NULL};
    check_tree(env, 1, 1);
}
END_TEST

/*
 * The --backend choices: pss and uss of a program whose memory is its
 * own are its private pages, between what it touched and its peak
 * resident set.
 */
START_TEST(test_backends)
{
    /* Their names and mprof's, so that mprof's command lines carry over. */
    static const char *const backends[] = {"pss", "uss", "psutil_pss",
                                           "psutil_uss", "psutil"};
    for (int i = 0; i < 5; i++) {
        run_result r;
        ck_assert_int_eq(mp(&r, NULL, "run", "--backend", backends[i], "-T",
                            "0.02", "-o", "k.dat", prog("alloc_steps"), "60",
                            "3", "20", "200", NULL),
                         0);
        double hwm = 0;
        ck_assert_int_eq(sscanf(r.out, "hwm_mib %lf", &hwm), 1);
        dat d;
        dat_load(&d, "k.dat");
        double peak = dat_peak(&d);
        FIGURE(ck_assert_double_ge(peak, 60 * 0.97));
        FIGURE(ck_assert_double_le(peak, hwm * 1.02));
        dat_free(&d);
        unlink("k.dat");
        run_result_free(&r);
    }
}
END_TEST

/* spawn_sleep() - fork and exec "sleep secs"; returns its pid. */
static pid_t spawn_sleep(const char *secs)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execlp("sleep", "sleep", secs, (char *)NULL);
        _exit(127);
    }
    /* Attach once it runs sleep: before exec its cmdline is ours. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    for (int i = 0; i < 2000; i++) {
        char *c = read_file(path, NULL);
        int ready = c != NULL && strcmp(c, "sleep") == 0;
        free(c);
        if (ready)
            break;
        usleep(1000);
    }
    return pid;
}

/*
 * check_attach() - memprof attach to a "sleep secs" of ours: it records
 * until the sleep ends (a zombie: we have not reaped it), exit 0, CMDLINE
 * the process's own.
 */
static void check_attach(const char *const env[], const char *secs)
{
    pid_t pid = spawn_sleep(secs);
    char spid[24];
    snprintf(spid, sizeof spid, "%ld", (long)pid);
    double t0 = now_mono();
    run_result r;
    ck_assert_int_eq(
        mp(&r, env, "attach", "-T", "0.05", "-o", "a.dat", spid, NULL), 0);
    double want = atof(secs);
    double took = test_valgrind() ? want : now_mono() - t0;
    ck_assert_double_ge(took, want - 0.2);
    ck_assert_double_le(took, want + 0.6);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    dat d;
    dat_load(&d, "a.dat");
    char cmdline[64];
    snprintf(cmdline, sizeof cmdline, "sleep %s", secs);
    /* Under valgrind, the sleep is valgrind running sleep. */
    size_t len = strlen(d.cmdline);
    if (test_valgrind() && len > strlen(cmdline))
        ck_assert_str_eq(d.cmdline + len - strlen(cmdline), cmdline);
    else
        ck_assert_str_eq(d.cmdline, cmdline);
    /* Under valgrind, memprof's start takes part of the sleep. */
    ck_assert_int_ge(d.nmem, test_valgrind() ? 10 : (int)(want / 0.05) - 5);
    check_increasing(&d);
    char says[96];
    snprintf(says, sizeof says, "memprof: sampling pid %s every 0.05 s\n",
             spid);
    ck_assert(has_line(r.err, says));
    ck_assert_int_eq(our_lines(r.err), 2);
    dat_free(&d);
    run_result_free(&r);
}

/*
 * Under valgrind (test_valgrind()) memprof takes a second or more to start: the
 * sleeps it attaches to last 4 s there, so that they are not over first.
 */
START_TEST(test_attach)
{
    check_attach(NULL, test_valgrind() ? "4" : "1");
}
END_TEST

/* Without pidfd_open: the end is found at the next sample. */
START_TEST(test_attach_without_pidfd)
{
    static const char *const env[] = {"MEMPROF_TEST_FALLBACK=pidfd", NULL};
    check_attach(env, test_valgrind() ? "4" : "0.5");
}
END_TEST

/* attach to a pid that is gone: exit 1, one line, no file. */
START_TEST(test_attach_no_process)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
    char spid[24];
    snprintf(spid, sizeof spid, "%ld", (long)pid);
    run_result r;
    ck_assert_int_eq(mp(&r, NULL, "attach", spid, NULL), 1);
    char want[80];
    snprintf(want, sizeof want, "memprof: no process with pid %s\n", spid);
    ck_assert_str_eq(r.err, want);
    ck_assert_int_eq(dir_entries(), 0);
    run_result_free(&r);
}
END_TEST

/*
 * -t: recording stops after the timeout; the command keeps running (as
 * mprof's), memprof says so and exits 0.
 */
START_TEST(test_timeout)
{
    run_result r;
    double t0 = now_mono();
    ck_assert_int_eq(mp(&r, NULL, "run", "-t", "0.5", "-o", "t.dat", "sh", "-c",
                        "exec sleep 5 >/dev/null 2>&1", NULL),
                     0);
    ck_assert_double_lt(now_mono() - t0, 2.0);
    const char *p = strstr(r.err, "memprof: timeout after 0.5 s; PID ");
    ck_assert_msg(p != NULL, "'%s'", r.err);
    long pid = 0;
    ck_assert_int_eq(sscanf(p,
                            "memprof: timeout after 0.5 s; PID %ld keeps "
                            "running",
                            &pid),
                     1);
    ck_assert_int_eq(kill((pid_t)pid, 0), 0);
    kill((pid_t)pid, SIGKILL);
    dat d;
    dat_load(&d, "t.dat");
    ck_assert_int_ge(d.nmem, 3);
    ck_assert_int_le(d.nmem, 5);
    ck_assert_double_le(d.t[d.nmem - 1] - d.t[0], 0.5);
    dat_free(&d);
    run_result_free(&r);
}
END_TEST

/*
 * spawn_memprof() - start memprof with argv (after its name) in the
 * background, stdout to /dev/null, stderr to err.txt.
 */
static pid_t spawn_memprof(const char *const *args)
{
    const char *argv[MAX_ARGS] = {memprof};
    int n = 1;
    while (args[n - 1] != NULL && n < MAX_ARGS - 1) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        int err = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(null, 0);
        dup2(null, 1);
        dup2(err, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* mem_lines() - how many MEM lines path holds now. */
static int mem_lines(const char *path)
{
    char *text = read_file(path, NULL);
    int n = 0;
    for (const char *p = text; p != NULL && (p = strstr(p, "MEM ")) != NULL;
         p += 4)
        n++;
    free(text);
    return n;
}

/* wait_mem_lines() - wait (up to 5 s) until path has n MEM lines. */
static void wait_mem_lines(const char *path, int n)
{
    double until = now_mono() + 5;
    while (mem_lines(path) < n && now_mono() < until)
        usleep(10000);
    ck_assert_int_ge(mem_lines(path), n);
}

/*
 * wait_exit() - wait up to secs for pid to exit; its status.  Kills it
 * and fails if it does not.
 */
static int wait_exit(pid_t pid, double secs)
{
    double until = now_mono() + secs;
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now_mono() < until)
        usleep(5000);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ck_abort_msg("pid %ld did not exit in %.1f s", (long)pid, secs);
    }
    return status;
}

/*
 * SIGTERM sent to memprof goes on to the command; memprof records until
 * the command ends, then exits as usual (-E: 128 + 15), the file whole.
 */
START_TEST(test_sigterm_forwarded)
{
    static const char *const plain[] = {"run",    "-T",    "0.02", "-o",
                                        "s0.dat", "sleep", "10",   NULL};
    static const char *const with_e[] = {"run",    "-E",    "-T", "0.02", "-o",
                                         "s1.dat", "sleep", "10", NULL};
    for (int e = 0; e < 2; e++) {
        const char *const *args = e ? with_e : plain;
        const char *file = e ? "s1.dat" : "s0.dat";
        pid_t pid = spawn_memprof(args);
        wait_mem_lines(file, 3);
        double t0 = now_mono();
        ck_assert_int_eq(kill(pid, SIGTERM), 0);
        int status = wait_exit(pid, 3);
        ck_assert_double_lt(now_mono() - t0, 1.0);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), e ? 128 + SIGTERM : 0);
        dat d;
        dat_load(&d, file);
        ck_assert_int_eq(d.ncmd, 1);
        ck_assert_str_eq(d.cmdline, "sleep 10");
        check_increasing(&d);
        dat_free(&d);
        char *err = read_file("err.txt", NULL);
        ck_assert_ptr_nonnull(strstr(err, "memprof: peak "));
        free(err);
    }
}
END_TEST

/*
 * A command that ignores SIGINT: the first SIGINT leaves memprof
 * recording, a second one makes it leave (exit 130), the command still
 * running, the file whole.
 */
START_TEST(test_second_sigint)
{
    const char *args[] = {"run",   "-T", "0.02", "-o",
                          "i.dat", "sh", "-c",   "trap '' INT; exec sleep 5",
                          NULL};
    pid_t pid = spawn_memprof(args);
    wait_mem_lines("i.dat", 3);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int before = mem_lines("i.dat");
    usleep(200000);
    ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), 0);
    ck_assert_int_gt(mem_lines("i.dat"), before + 2);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int status = wait_exit(pid, 2);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 130);
    char *err = read_file("err.txt", NULL);
    const char *p = strstr(err, "memprof: interrupted; PID ");
    ck_assert_msg(p != NULL, "'%s'", err);
    long child = 0;
    ck_assert_int_eq(sscanf(p, "memprof: interrupted; PID %ld", &child), 1);
    ck_assert_int_eq(kill((pid_t)child, 0), 0);
    kill((pid_t)child, SIGKILL);
    free(err);
    dat d;
    dat_load(&d, "i.dat");
    check_increasing(&d);
    dat_free(&d);
}
END_TEST

/* -T 0.001 keeps up: at least half of the samples of 0.3 s are there. */
START_TEST(test_fast_interval)
{
    run_result r;
    ck_assert_int_eq(
        mp(&r, NULL, "run", "-T", "0.001", "-o", "f.dat", "sleep", "0.3", NULL),
        0);
    dat d;
    dat_load(&d, "f.dat");
    ck_assert_int_ge(d.nmem, 150);
    ck_assert_int_le(d.nmem, test_valgrind() ? 100000 : 320);
    for (int i = 1; i < d.nmem; i++)
        ck_assert(d.t[i] >= d.t[i - 1]);
    dat_free(&d);
    run_result_free(&r);
}
END_TEST

/*
 * grid_marks() - which of the n times t sit on the grid of period
 * starting at t[0] (within 0.3 periods of a multiple of it): on[i] is 1
 * or 0.  Returns how many do.
 */
static int grid_marks(const double *t, int n, double period, char *on)
{
    int count = 0;
    for (int i = 0; i < n; i++) {
        double k = (t[i] - t[0]) / period;
        double off = k - (double)(long)(k + 0.5);
        on[i] = off > -0.3 && off < 0.3;
        count += on[i];
    }
    return count;
}

/*
 * No drift: samples sit on the grid of the first one (absolute
 * deadlines), so that 100 samples of 10 ms take 1 s, not 1 s plus 100
 * times the cost of a sample.  On a quiet machine 9 samples in 10 are on
 * the grid.  On a loaded one, wake-ups come up to half a period late
 * (measured with two busy loops on two cores: 67 % to 91 % on the grid),
 * but late samples do not move the next ones: in every 10 consecutive
 * samples one at least is back on the grid, where a sampler that slept
 * from its last sample would wander off it (with 50 us of cost a
 * sample: 40 samples in a row off it).  The recording is tried up to
 * three times for that.
 */
START_TEST(test_no_drift)
{
    for (int attempt = 1;; attempt++) {
        run_result r;
        ck_assert_int_eq(mp(&r, NULL, "run", "-T", "0.01", "-o", "g.dat",
                            "sleep", "1", NULL),
                         0);
        dat d;
        dat_load(&d, "g.dat");
        ck_assert_int_ge(d.nmem, 80);
        ck_assert_int_le(d.nmem, test_valgrind() ? 100000 : 102);
        double mean = (d.t[d.nmem - 1] - d.t[0]) / (d.nmem - 1);
        ck_assert_double_ge(mean, 0.0095);
        char on[256];
        int n = d.nmem < 256 ? d.nmem : 256;
        int count = grid_marks(d.t, n, 0.01, on);
        int off_run = 0;
        int longest = 0;
        for (int i = 0; i < n; i++) {
            off_run = on[i] ? 0 : off_run + 1;
            if (off_run > longest)
                longest = off_run;
        }
        dat_free(&d);
        run_result_free(&r);
        if (count >= n * 9 / 10 || longest < 10)
            return;
        ck_assert_msg(attempt < 3,
                      "%d of %d samples on the grid, %d in a row off it", count,
                      n, longest);
        unlink("g.dat");
    }
}
END_TEST

/*
 * Without pidfd_open, run sees its command end by SIGCHLD, at once (not
 * at the next sample, 2 s on), and still passes its status on.
 */
START_TEST(test_run_without_pidfd)
{
    static const char *const env[] = {"MEMPROF_TEST_FALLBACK=pidfd", NULL};
    run_result r;
    double t0 = now_mono();
    ck_assert_int_eq(mp(&r, env, "run", "-E", "-T", "2", "-o", "n.dat", "sh",
                        "-c", "sleep 0.2; exit 4", NULL),
                     4);
    ck_assert_double_lt(now_mono() - t0, 1.5);
    dat d;
    dat_load(&d, "n.dat");
    ck_assert_int_eq(d.nmem, 1);
    dat_free(&d);
    run_result_free(&r);
}
END_TEST

/*
 * A program built with libmemprof adds its FUNC lines to the recording
 * (MEMPROF_DAT): they and memprof's lines never split each other.
 */
START_TEST(test_func_lines_join)
{
    run_result r;
    char grow[PATH_MAX + 80];
    snprintf(grow, sizeof grow, "%s/%s/examples/grow", home, test_build_dir());
    ck_assert_int_eq(mp(&r, NULL, "run", "-C", "-M", "-T", "0.005", "-o",
                        "j.dat", grow, NULL),
                     0);
    dat d;
    dat_load(&d, "j.dat");
    ck_assert_int_ge(d.nfunc, 5);
    ck_assert_str_eq(d.func0, "grow.step");
    FIGURE(ck_assert_double_le(d.func0_mem1, dat_peak(&d) + 1));
    ck_assert_int_ge(d.nchld, 2);
    ck_assert_int_ge(d.nmem, 100);
    dat_free(&d);
    run_result_free(&r);
}
END_TEST

/*
 * The command links what it uses: lib/'s base, /proc readers and .dat
 * format, never the profiler (its hot path, set-up, report, source lexer
 * or sampler).
 */
START_TEST(test_command_links_no_profiler)
{
    const char *absent = "mp__record|mp__init|mp__site_register|"
                         "mp__report_write|mp__lex_source|mp_memory_usage|"
                         "mp__settings_load|mp__hwm_claim";
    ck_assert_int_eq(sh("nm %s | grep -Eq ' [TtDdBb] (%s)$'", memprof, absent),
                     1);
    ck_assert_int_eq(sh("nm %s | grep -q ' T mp__proc_read$'", memprof), 0);
}
END_TEST

/*
 * An argument holding a newline cannot forge a line: CMDLINE stays one
 * line (escaped), memprof peak and mprof's reader see the true peak.
 */
START_TEST(test_cmdline_forged)
{
    run_result r;
    /* A command that lasts a few samples: echo could end before the first. */
    int rc = mp(&r, NULL, "run", "-o", "f.dat", "--", "/bin/sh", "-c",
                "sleep 0.3", "\nMEM 99999 1", "\n\nx", NULL);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, r.err);
    run_result_free(&r);
    char *text = read_file("f.dat", NULL);
    ck_assert_ptr_nonnull(text);
    const char *want = "CMDLINE /bin/sh -c 'sleep 0.3' '\\nMEM 99999 1' "
                       "\\n\\nx\n";
    ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s", text);
    ck_assert(!has_line(text, "MEM 99999 1\n"));
    free(text);
    rc = mp(&r, NULL, "peak", "f.dat", NULL);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, r.err);
    ck_assert_str_eq(r.err, "");
    double peak = 1e9;
    ck_assert_int_eq(sscanf(r.out, "f.dat\t%lf MiB", &peak), 1);
    ck_assert_double_lt(peak, 1000);
    run_result_free(&r);
    const char *py[] = {
        "/usr/bin/python3", "-c",
        "import sys\n"
        "try:\n"
        "    import mprof\n"
        "except Exception:\n"
        "    print('skip'); sys.exit(0)\n"
        "d = mprof.read_mprofile_file('f.dat')\n"
        "print(max(d['mem_usage']) < 1000, '\\n' not in d['cmd_line'][:-1])\n",
        NULL};
    if (access(py[0], X_OK) != 0) {
        fprintf(stderr, "test_cmdline_forged: no python3: mprof's reader "
                        "not tried\n");
        return;
    }
    ck_assert_int_eq(run_capture(py, NULL, &r), 0);
    if (strcmp(r.out, "skip\n") == 0)
        fprintf(stderr, "test_cmdline_forged: python3 has no mprof: its "
                        "reader not tried\n");
    else
        ck_assert_msg(strcmp(r.out, "True True\n") == 0, "%s %s", r.out, r.err);
    run_result_free(&r);
}
END_TEST

/*
 * memprof killed by SIGKILL mid-run, at the default interval and at a
 * short one (batched writes): the file ends with a whole line and reads.
 */
START_TEST(test_killed_recorder)
{
    static const char *const intervals[] = {"0.1", "0.001"};
    for (int i = 0; i < 2; i++) {
        const char *args[] = {"run", "-T",    intervals[i], "-o", "k.dat",
                              "--",  "sleep", "3",          NULL};
        unlink("k.dat");
        pid_t pid = spawn_memprof(args);
        wait_mem_lines("k.dat", i == 0 ? 3 : 300);
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int status = wait_exit(pid, 5);
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        size_t len = 0;
        char *text = read_file("k.dat", &len);
        ck_assert_ptr_nonnull(text);
        ck_assert_uint_gt(len, 0);
        ck_assert_int_eq(text[len - 1], '\n');
        free(text);
        run_result r;
        int rc = mp(&r, NULL, "peak", "k.dat", NULL);
        ck_assert_msg(rc == 0, "-T %s: exit %d: %s", intervals[i], rc, r.err);
        ck_assert_str_eq(r.err, "");
        run_result_free(&r);
    }
}
END_TEST

/*
 * Memory that cannot be read is not success: as nobody, a setuid-root
 * program's smaps_rollup (pss) is not ours: one line, exit 1, never
 * "peak 0.0 MiB" and a budget met.  Needs root and setpriv(1).
 */
START_TEST(test_unreadable)
{
    if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0 ||
        test_valgrind()) {
        fprintf(stderr, "test_unreadable: skipped, needs root and "
                        "setpriv, and no valgrind\n");
        return;
    }
    ck_assert_int_eq(chmod(".", 0777), 0);
    ck_assert_int_eq(sh("cp /bin/sleep ssleep && chmod 4755 ssleep"), 0);
    run_result r;
    const char *argv[] = {"/usr/bin/setpriv",
                          "--reuid=65534",
                          "--regid=65534",
                          "--clear-groups",
                          memprof,
                          "run",
                          "--backend",
                          "pss",
                          "--max-mib",
                          "1",
                          "-o",
                          "s.dat",
                          "--",
                          "./ssleep",
                          "0.3",
                          NULL};
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    if (strstr(r.err, "peak") != NULL && strstr(r.err, " 0 samples") == NULL) {
        fprintf(stderr, "test_unreadable: skipped, the setuid program's "
                        "memory is readable here (nosuid?)\n");
        run_result_free(&r);
        return;
    }
    ck_assert(WIFEXITED(r.status));
    ck_assert_msg(WEXITSTATUS(r.status) == 1, "exit %d: %s",
                  WEXITSTATUS(r.status), r.err);
    ck_assert_msg(strstr(r.err, "memprof: cannot read the memory of PID ") !=
                          NULL &&
                      strstr(r.err, ": Permission denied; no samples in "
                                    "s.dat\n") != NULL,
                  "%s", r.err);
    ck_assert_ptr_null(strstr(r.err, "peak"));
    run_result_free(&r);

    /* No reading at all (the command ended first): no budget is met. */
    int rc = mp(&r, NULL, "run", "--max-mib", "1", "-o", "t.dat", "--", "true",
                NULL);
    if (strstr(r.err, " 0 samples") != NULL) {
        ck_assert_int_eq(rc, 1);
        ck_assert(has_line(r.err, "memprof: no samples: --max-mib 1 cannot "
                                  "be checked\n"));
    }
    run_result_free(&r);
}
END_TEST

Suite *cli_run_suite(void)
{
    Suite *s = suite_create("cli_run");
    TCase *tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, enter, leave);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_cannot_start);
    tcase_add_test(tc, test_unwritable_output);
    tcase_add_test(tc, test_write_error);
    tcase_add_test(tc, test_attach_no_process);
    suite_add_tcase(s, tc);
    tc = tcase_create("recording");
    tcase_add_checked_fixture(tc, enter, leave);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_default_file);
    tcase_add_test(tc, test_appends);
    tcase_add_test(tc, test_peak_is_true_peak);
    tcase_add_test(tc, test_exit_status);
    tcase_add_test(tc, test_max_mib);
    tcase_add_test(tc, test_include_children);
    tcase_add_test(tc, test_multiprocess);
    tcase_add_test(tc, test_children_by_scan);
    tcase_add_test(tc, test_backends);
    tcase_add_test(tc, test_fast_interval);
    tcase_add_test(tc, test_no_drift);
    tcase_add_test(tc, test_func_lines_join);
    tcase_add_test(tc, test_cmdline_forged);
    tcase_add_test(tc, test_unreadable);
    suite_add_tcase(s, tc);
    tc = tcase_create("lifetime");
    tcase_add_checked_fixture(tc, enter, leave);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_attach);
    tcase_add_test(tc, test_attach_without_pidfd);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_sigterm_forwarded);
    tcase_add_test(tc, test_second_sigint);
    tcase_add_test(tc, test_killed_recorder);
    tcase_add_test(tc, test_run_without_pidfd);
    tcase_add_test(tc, test_command_links_no_profiler);
    suite_add_tcase(s, tc);
    return s;
}
