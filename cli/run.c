/*
 * run.c - memprof run and memprof attach: record a process's memory over
 * time into an mprof .dat file, as mprof run and mprof attach do.
 *
 *     memprof run [options] [--] CMD [ARG...]
 *     memprof attach [options] PID
 *
 * A sample is one reading of the process (and, with -C or -M, of its
 * descendants) every interval, on absolute deadlines of CLOCK_MONOTONIC
 * so that the period does not drift.  Between samples memprof waits in
 * ppoll(2) on a pidfd, so the end of the process is noticed at once.
 * Every line goes to the file with one write(2) on an O_APPEND descriptor
 * as soon as it is made: a killed memprof leaves a complete file, and the
 * FUNC lines that the profiled program appends never split a line.
 *
 * SIGINT, SIGTERM and SIGHUP are blocked except while memprof waits, so
 * a sample is never cut short.  For run, one sent to memprof by a process
 * (kill(1)) is passed on to the command, and recording goes on until the
 * command ends; a signal from the terminal already reached the command
 * through its process group.  A second SIGINT makes memprof stop waiting.
 * For attach, any of them ends the recording.
 *
 * MEMPROF_TEST_FALLBACK=pidfd,children (for the tests only) makes memprof
 * take the paths of kernels without pidfd_open(2) or without
 * /proc/PID/task/TID/children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "internal.h"
#include "procmem.h"

#define MIB 1048576.0
#define NS_PER_S 1000000000LL
#define NEVER INT64_MAX

/* The longest interval or timeout: its nanoseconds stay far from overflow. */
#define MAX_SECONDS 1e8

/* The default timeout of attach, as mprof's. */
#define ATTACH_TIMEOUT 3600.0

static const char run_usage[] =
    "usage: memprof run [options] [--] CMD [ARG...]\n"
    "       memprof attach [options] PID\n"
    "\n"
    "Record the memory of CMD (run) or of a running process (attach) over\n"
    "time, into an mprof .dat file.\n"
    "\n"
    "  -T, --interval SEC       sample every SEC seconds (0.1)\n"
    "  -C, --include-children   MEM counts every descendant too\n"
    "  -M, --multiprocess       a CHLD line per descendant and sample\n"
    "  -E, --exit-code          run: exit with CMD's exit status\n"
    "  -t, --timeout SEC        stop recording after SEC seconds\n"
    "                           (attach: 3600); the process keeps running\n"
    "  -o, --output FILE        append to FILE (mprofile_<date>.dat)\n"
    "      --backend rss|pss|uss  what a reading counts (rss)\n"
    "      --max-mib N          exit 3 when the peak exceeds N MiB\n"
    "      --help               print this and exit\n";

/* What the options of run and attach ask for. */
typedef struct run_opts {
    double interval;    /* seconds between samples */
    int children;       /* -C: MEM sums the descendants */
    int multiprocess;   /* -M: CHLD lines */
    int exit_code;      /* -E */
    double timeout;     /* seconds, or 0: until the process ends */
    const char *output; /* -o, or NULL: mprofile_<date>.dat */
    procmem_backend backend;
    const char *backend_name;
    double max_mib;           /* --max-mib, or < 0: no budget */
    const char *max_mib_text; /* as the user wrote it */
    int no_pidfd;             /* MEMPROF_TEST_FALLBACK */
    int no_children_file;
} run_opts;

/* How a recording ended. */
typedef enum end_reason {
    END_EXITED,  /* the process ended */
    END_TIMEOUT, /* -t */
    END_LEFT,    /* signals: attach, or run after a second SIGINT */
    END_ERROR    /* attach: the file could not be written */
} end_reason;

/* What waiting for the next sample gave. */
typedef enum wait_result {
    WAIT_DEADLINE,
    WAIT_EXITED,
    WAIT_SIGNAL
} wait_result;

/* One recording: the process, the file, what was recorded so far. */
typedef struct recorder {
    const run_opts *o;
    int fd;           /* the .dat file, O_APPEND */
    const char *name; /* the .dat file, as the user named it */
    long pid;
    int is_child; /* run: ours to reap */
    int pidfd;    /* readable when the process ends, or -1 */
    procmem_reader root;
    procmem_tree tree;    /* descendants, with -C or -M */
    long long *kid_bytes; /* scratch: each descendant's reading */
    size_t kid_cap;
    sigset_t wait_mask; /* the signal mask while waiting */
    double peak;        /* MiB, of the MEM lines */
    long samples;
    int write_errno; /* a write failed: recording stopped */
    int reaped;
    int status;     /* run: the wait status, once reaped */
    char out[8192]; /* whole lines not written yet */
    size_t out_len;
    int64_t flushed_ns; /* when out was last written */
} recorder;

/*
 * How long whole lines may wait before they are written: at short
 * intervals one write(2) per sample costs more than the sample (mprof
 * flushes every 50 lines); at the default 0.1 s every sample is written
 * as it is taken.  A recording that ends, or is ended by a signal, is
 * written out whole; only a SIGKILL of memprof itself can lose this much.
 */
#define FLUSH_NS 100000000

/* Set by on_signal(); read by the loop after each wait. */
static volatile sig_atomic_t forward_pid; /* run: the command */
static volatile sig_atomic_t sigints;     /* SIGINTs received */
static volatile sig_atomic_t last_signal; /* SIGINT/TERM/HUP received */

/* The signals memprof handles; SIGCHLD only wakes a wait up. */
static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
#define NHANDLED (sizeof handled / sizeof handled[0])

/*
 * on_signal() - count the signal and, when a process sent it to memprof
 * (kill(2), sigqueue(3): si_code SI_USER or SI_QUEUE), pass it on to the
 * command.  One from the terminal (SI_KERNEL) reached the command's
 * process group already; one from the command itself is not sent back.
 */
static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    int saved = errno;
    (void)ctx;
    if (sig != SIGCHLD) {
        last_signal = sig;
        if (sig == SIGINT)
            sigints++;
        pid_t to = (pid_t)forward_pid;
        if (to > 0 && (si->si_code == SI_USER || si->si_code == SI_QUEUE) &&
            si->si_pid != to)
            kill(to, sig);
    }
    errno = saved;
}

/*
 * signals_install() - block the handled signals (they are let in only
 * while memprof waits: see wait_until()), then install on_signal().  The
 * mask before is left in *orig, the mask to wait with in *wait_mask.
 */
static void signals_install(sigset_t *orig, sigset_t *wait_mask)
{
    sigset_t block;
    sigemptyset(&block);
    for (size_t i = 0; i < NHANDLED; i++)
        sigaddset(&block, handled[i]);
    sigprocmask(SIG_BLOCK, &block, orig);
    *wait_mask = *orig;
    for (size_t i = 0; i < NHANDLED; i++)
        sigdelset(wait_mask, handled[i]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NHANDLED; i++)
        sigaction(handled[i], &sa, NULL);
}

/* mono_ns() - CLOCK_MONOTONIC in nanoseconds. */
static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* now_s() - seconds since the epoch, the .dat file's timestamps. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * parse_seconds() - all of s as a number of seconds in (0, MAX_SECONDS].
 * Returns 0, or CLI_USAGE after one line naming the option.
 */
static int parse_seconds(const char *opt, const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0) {
        cli_error("%s wants a positive number of seconds, not '%s'", opt, s);
        return CLI_USAGE;
    }
    if (v > MAX_SECONDS) {
        cli_error("%s %s is too long; at most %g s", opt, s, MAX_SECONDS);
        return CLI_USAGE;
    }
    *out = v;
    return 0;
}

/* parse_mib() - all of s as a number of MiB >= 0, or CLI_USAGE. */
static int parse_mib(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < 0) {
        cli_error("--max-mib wants a number of MiB, not '%s'", s);
        return CLI_USAGE;
    }
    *out = v;
    return 0;
}

/* test_fallbacks() - MEMPROF_TEST_FALLBACK: see the top of this file. */
static void test_fallbacks(run_opts *o)
{
    const char *v = getenv("MEMPROF_TEST_FALLBACK");
    if (v == NULL)
        return;
    o->no_pidfd = strstr(v, "pidfd") != NULL;
    o->no_children_file = strstr(v, "children") != NULL;
}

/*
 * parse_opts() - the options of run (attach = 0) or attach, up to the
 * first operand.  Returns -1 to go on, with *first the index of the first
 * operand, or the status to exit with (--help, a bad option: one line).
 */
static int parse_opts(int argc, char **argv, int attach, run_opts *o,
                      int *first)
{
    enum { OPT_BACKEND = 256, OPT_MAX_MIB };
    static const struct option longs[] = {
        {"interval", required_argument, NULL, 'T'},
        {"include-children", no_argument, NULL, 'C'},
        {"multiprocess", no_argument, NULL, 'M'},
        {"exit-code", no_argument, NULL, 'E'},
        {"timeout", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"backend", required_argument, NULL, OPT_BACKEND},
        {"max-mib", required_argument, NULL, OPT_MAX_MIB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = attach ? "attach" : "run";
    memset(o, 0, sizeof *o);
    o->interval = 0.1;
    o->backend = PROCMEM_RSS;
    o->backend_name = "rss";
    o->max_mib = -1;
    test_fallbacks(o);
    opterr = 0;
    int c;
    int r = 0;
    while (r == 0 &&
           (c = getopt_long(argc, argv, "+:T:CMEt:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'T':
            r = parse_seconds("-T", optarg, &o->interval);
            break;
        case 'C':
            o->children = 1;
            break;
        case 'M':
            o->multiprocess = 1;
            break;
        case 'E':
            o->exit_code = 1;
            break;
        case 't':
            r = parse_seconds("-t", optarg, &o->timeout);
            break;
        case 'o':
            if (optarg[0] == '\0') {
                cli_error("-o wants a file name");
                r = CLI_USAGE;
            }
            o->output = optarg;
            break;
        case OPT_BACKEND:
            if (procmem_backend_parse(optarg, &o->backend) != 0) {
                cli_error("unknown backend '%s'; use rss, pss or uss", optarg);
                r = CLI_USAGE;
            }
            o->backend_name = optarg;
            break;
        case OPT_MAX_MIB:
            r = parse_mib(optarg, &o->max_mib);
            o->max_mib_text = optarg;
            break;
        case 'h':
            fputs(run_usage, stdout);
            return CLI_OK;
        case ':':
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                cli_error("option '%s' needs a value; see memprof %s --help",
                          argv[optind - 1], cmd);
            else
                cli_error("option '-%c' needs a value; see memprof %s --help",
                          optopt, cmd);
            r = CLI_USAGE;
            break;
        default:
            if (optopt != 0)
                cli_error("unknown option '-%c'; see memprof %s --help", optopt,
                          cmd);
            else
                cli_error("unknown option '%s'; see memprof %s --help",
                          argv[optind - 1], cmd);
            r = CLI_USAGE;
            break;
        }
    }
    *first = optind;
    return r != 0 ? r : -1;
}

/*
 * unwrite() - after a write that stopped part-way (a full disk, a file
 * size limit), cut the part written off the end of the file, so that the
 * file keeps whole lines only.  Other writers fail on the same full file,
 * so its end is the part.
 */
static void unwrite(int fd, size_t done)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)done)
        return;
    if (ftruncate(fd, st.st_size - (off_t)done) != 0)
        return; /* the write's error is the one to report */
}

/*
 * write_line() - all of buf with one write(2) (more only if the kernel
 * writes it in part).  Returns 0 or -errno; a line that could not be
 * written whole is taken back.
 */
static int write_line(int fd, const char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            if (done > 0)
                unwrite(fd, done);
            return -e;
        }
        done += (size_t)w;
    }
    return 0;
}

/*
 * write_cmdline() - the CMDLINE line of argv, in mprof's quoting, with
 * one write.  Returns 0 or -errno.
 */
static int write_cmdline(int fd, char *const argv[])
{
    size_t size = sizeof "CMDLINE \n";
    for (int i = 0; argv[i] != NULL; i++)
        size += strlen(argv[i]) + 3;
    char *buf = malloc(size);
    if (buf == NULL)
        return -ENOMEM;
    int n = mp__dat_put_cmdline(buf, size, argv);
    int r = n < 0 ? n : write_line(fd, buf, (size_t)n);
    free(buf);
    return r;
}

/*
 * open_output() - open name for appending, creating it if need be.  Says
 * whether it was created and how long it was, so that a command that
 * cannot start leaves it as it was.  Returns the fd or -errno.
 */
static int open_output(const char *name, int *created, off_t *size0)
{
    for (int tries = 0; tries < 3; tries++) {
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
                      0666);
        if (fd >= 0) {
            *created = 1;
            *size0 = 0;
            return fd;
        }
        if (errno != EEXIST)
            return -errno;
        fd = open(name, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0) {
            struct stat st;
            *created = 0;
            *size0 =
                fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
            return fd;
        }
        if (errno != ENOENT)
            return -errno;
    }
    return -EAGAIN;
}

/* default_name() - mprofile_YYYYMMDDhhmmss.dat of local time now. */
static void default_name(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "mprofile_%Y%m%d%H%M%S.dat", &tm);
}

/*
 * backend_check() - for pss and uss, that this kernel has smaps_rollup
 * (Linux 4.14), read on memprof itself.  Returns 0, or CLI_ERROR after
 * one line.
 */
static int backend_check(const run_opts *o)
{
    if (o->backend == PROCMEM_RSS)
        return 0;
    procmem_reader r;
    int e = procmem_open(&r, (long)getpid(), o->backend);
    if (e == 0 && procmem_read(&r, o->backend) < 0)
        e = -ENODATA;
    procmem_close(&r);
    if (e == 0)
        return 0;
    cli_error("--backend %s needs /proc/PID/smaps_rollup (Linux 4.14): %s",
              o->backend_name, strerror(-e));
    return CLI_ERROR;
}

/*
 * recorder_init() - ready rec to record pid into fd: the pidfd, the
 * readers.  The root's reader may fail to open (the process may have ended
 * already): the first sample then finds it gone.
 */
static void recorder_init(recorder *rec, const run_opts *o, int fd,
                          const char *name, long pid, int is_child)
{
    memset(rec, 0, sizeof *rec);
    rec->o = o;
    rec->fd = fd;
    rec->name = name;
    rec->pid = pid;
    rec->is_child = is_child;
    rec->pidfd = -1;
#ifdef SYS_pidfd_open
    if (!o->no_pidfd)
        rec->pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
#endif
    procmem_open(&rec->root, pid, o->backend);
    if (o->children || o->multiprocess)
        procmem_tree_init(&rec->tree, pid, o->backend, o->no_children_file);
}

/* recorder_free() - close and free what recorder_init() and sampling made. */
static void recorder_free(recorder *rec)
{
    if (rec->pidfd >= 0)
        close(rec->pidfd);
    procmem_close(&rec->root);
    procmem_tree_free(&rec->tree);
    free(rec->kid_bytes);
}

/*
 * flush() - write the lines put() kept with one write(2).  When that
 * fails (a full disk, a file size limit), write them one by one, so the
 * file keeps every whole line there is room for; then recording stops,
 * with one line for the user.  Returns 0 or -1.
 */
static int flush(recorder *rec)
{
    rec->flushed_ns = mono_ns();
    if (rec->write_errno != 0)
        return -1;
    int r = rec->out_len > 0 ? write_line(rec->fd, rec->out, rec->out_len) : 0;
    for (size_t at = 0; r != 0 && at < rec->out_len;) {
        const char *nl = memchr(rec->out + at, '\n', rec->out_len - at);
        size_t len = (size_t)(nl - (rec->out + at)) + 1;
        if (write_line(rec->fd, rec->out + at, len) != 0)
            break;
        at += len;
    }
    rec->out_len = 0;
    if (r == 0)
        return 0;
    rec->write_errno = -r;
    cli_error("cannot write %s: %s; recording stopped", rec->name,
              strerror(-r));
    return -1;
}

/*
 * put() - keep one line (n bytes, or n < 0: it did not fit its buffer) to
 * be written by flush().  Returns 0 or -1 when recording has stopped.
 */
static int put(recorder *rec, const char *line, int n)
{
    if (n < 0)
        return -1;
    if (rec->out_len + (size_t)n > sizeof rec->out && flush(rec) != 0)
        return -1;
    memcpy(rec->out + rec->out_len, line, (size_t)n);
    rec->out_len += (size_t)n;
    return 0;
}

/*
 * sample() - read the process (and its descendants), write MEM and CHLD
 * lines.  Returns 0, or -ESRCH when the process has ended: nothing is
 * written then.
 */
static int sample(recorder *rec)
{
    const run_opts *o = rec->o;
    double t = now_s();
    long long bytes = procmem_read(&rec->root, o->backend);
    if (bytes < 0)
        return -ESRCH;
    procmem_tree *tree = &rec->tree;
    size_t nkids = 0;
    if (o->children || o->multiprocess) {
        procmem_tree_scan(tree);
        if (tree->nkids > rec->kid_cap) {
            long long *p = realloc(rec->kid_bytes, tree->nkids * sizeof *p);
            if (p != NULL) {
                rec->kid_bytes = p;
                rec->kid_cap = tree->nkids;
            }
        }
        /* Out of memory, the descendants beyond the old count are left. */
        nkids = tree->nkids < rec->kid_cap ? tree->nkids : rec->kid_cap;
        for (size_t i = 0; i < nkids; i++) {
            rec->kid_bytes[i] = procmem_read(&tree->kids[i], o->backend);
            if (o->children && rec->kid_bytes[i] > 0)
                bytes += rec->kid_bytes[i];
        }
    }
    char line[128];
    double mib = (double)bytes / MIB;
    if (put(rec, line, mp__dat_put_mem(line, sizeof line, mib, t)) != 0)
        return 0;
    if (mib > rec->peak)
        rec->peak = mib;
    rec->samples++;
    for (size_t i = 0; o->multiprocess && i < nkids; i++) {
        if (rec->kid_bytes[i] < 0)
            continue;
        int n = mp__dat_put_chld(line, sizeof line, tree->kids[i].pid,
                                 (double)rec->kid_bytes[i] / MIB, t);
        if (put(rec, line, n) != 0)
            break;
    }
    return 0;
}

/*
 * exited() - without a pidfd: whether the process has ended.  Reaps our
 * child; for another process, a zombie still answers kill(2), and its
 * empty statm tells sample() that it has ended.
 */
static int exited(recorder *rec)
{
    if (rec->is_child) {
        pid_t w = waitpid((pid_t)rec->pid, &rec->status, WNOHANG);
        if (w == (pid_t)rec->pid)
            rec->reaped = 1;
        return w == (pid_t)rec->pid || (w < 0 && errno == ECHILD);
    }
    return kill((pid_t)rec->pid, 0) != 0 && errno == ESRCH;
}

/*
 * wait_until() - sleep until deadline (CLOCK_MONOTONIC ns, or NEVER),
 * the end of the process, or a signal, with the handled signals let in
 * for the time of the wait only.  With a pidfd the end is seen at once;
 * without one, SIGCHLD wakes a wait for our child, and another process is
 * checked at each deadline.
 */
static wait_result wait_until(recorder *rec, int64_t deadline)
{
    if (rec->pidfd >= 0) {
        struct pollfd p = {rec->pidfd, POLLIN, 0};
        struct timespec ts;
        struct timespec *tsp = NULL;
        if (deadline != NEVER) {
            int64_t left = deadline - mono_ns();
            if (left < 0)
                left = 0;
            ts.tv_sec = (time_t)(left / NS_PER_S);
            ts.tv_nsec = (long)(left % NS_PER_S);
            tsp = &ts;
        }
        int r = ppoll(&p, 1, tsp, &rec->wait_mask);
        if (r > 0)
            return WAIT_EXITED;
        return r == 0 ? WAIT_DEADLINE : WAIT_SIGNAL;
    }
    int64_t until = deadline;
    if (until == NEVER)
        until = mono_ns() + 3600 * NS_PER_S;
    struct timespec ts = {(time_t)(until / NS_PER_S), (long)(until % NS_PER_S)};
    sigset_t old;
    sigprocmask(SIG_SETMASK, &rec->wait_mask, &old);
    int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (exited(rec))
        return WAIT_EXITED;
    return r == EINTR || (r == 0 && deadline == NEVER) ? WAIT_SIGNAL
                                                       : WAIT_DEADLINE;
}

/* leave_asked() - whether the signals received so far end the recording. */
static int leave_asked(const recorder *rec)
{
    return rec->is_child ? sigints >= 2 : last_signal != 0;
}

/*
 * record() - sample every interval from now until the process ends, the
 * timeout, or the signals that end a recording.  *elapsed is the time
 * recorded, in seconds.
 */
static end_reason record(recorder *rec, double *elapsed)
{
    const run_opts *o = rec->o;
    int64_t interval = (int64_t)(o->interval * 1e9 + 0.5);
    if (interval < 1)
        interval = 1;
    int64_t start = mono_ns();
    int64_t end =
        o->timeout > 0 ? start + (int64_t)(o->timeout * 1e9 + 0.5) : NEVER;
    end_reason why = END_EXITED;
    for (;;) {
        if (leave_asked(rec)) {
            why = END_LEFT;
            break;
        }
        if (rec->write_errno != 0 && !rec->is_child) {
            why = END_ERROR;
            break;
        }
        int64_t now = mono_ns();
        if (now >= end) {
            why = END_TIMEOUT;
            break;
        }
        if (rec->write_errno == 0 && sample(rec) != 0)
            break;
        if (mono_ns() - rec->flushed_ns >= FLUSH_NS - interval / 2)
            flush(rec);
        /* The next multiple of the interval: a late sample skips ahead. */
        now = mono_ns();
        int64_t next = start + ((now - start) / interval + 1) * interval;
        if (next > end || rec->write_errno != 0)
            next = end;
        wait_result w;
        while ((w = wait_until(rec, next)) == WAIT_SIGNAL && !leave_asked(rec))
            ;
        if (w == WAIT_EXITED)
            break;
    }
    flush(rec);
    *elapsed = (double)(mono_ns() - start) / 1e9;
    if (why != END_EXITED && rec->is_child && !rec->reaped && exited(rec))
        why = END_EXITED;
    if (why == END_EXITED && rec->is_child && !rec->reaped) {
        while (waitpid((pid_t)rec->pid, &rec->status, 0) < 0 && errno == EINTR)
            ;
        rec->reaped = 1;
    }
    return why;
}

/*
 * finish() - the lines at the end of a recording and the exit status:
 * 1 when the file could not be written, else 3 when the peak exceeded
 * --max-mib, else for run with -E the command's status (128 + N for
 * signal N), 130 when a second SIGINT made memprof leave its command
 * running, else 0.
 */
static int finish(recorder *rec, end_reason why, double elapsed)
{
    const run_opts *o = rec->o;
    cli_error("peak %.1f MiB, %ld sample%s in %.1f s, written to %s", rec->peak,
              rec->samples, rec->samples == 1 ? "" : "s", elapsed, rec->name);
    int rc = CLI_OK;
    if (why == END_TIMEOUT)
        cli_error("timeout after %g s; PID %ld keeps running", o->timeout,
                  rec->pid);
    if (why == END_LEFT && rec->is_child) {
        cli_error("interrupted; PID %ld keeps running", rec->pid);
        rc = 128 + SIGINT;
    }
    if (why == END_EXITED && rec->is_child && o->exit_code) {
        if (WIFEXITED(rec->status))
            rc = WEXITSTATUS(rec->status);
        else if (WIFSIGNALED(rec->status))
            rc = 128 + WTERMSIG(rec->status);
    }
    if (o->max_mib >= 0 && rec->peak > o->max_mib) {
        cli_error("peak %.1f MiB exceeds --max-mib %s", rec->peak,
                  o->max_mib_text);
        rc = CLI_OVER_BUDGET;
    }
    if (rec->write_errno != 0)
        rc = CLI_ERROR;
    return rc;
}

/*
 * start() - fork and exec argv with the original signal mask and default
 * dispositions.  Exec failures come back through a close-on-exec pipe:
 * returns the child's pid, or -errno of execvp (the child reaped) or of
 * pipe/fork.
 */
static long start(char **argv, const sigset_t *orig)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return -e;
    }
    if (pid == 0) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (size_t i = 0; i < NHANDLED; i++)
            sigaction(handled[i], &dfl, NULL);
        sigprocmask(SIG_SETMASK, orig, NULL);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(p[1], &e, sizeof e);
        (void)w;
        _exit(e == ENOENT ? CLI_NOTFOUND : CLI_NOEXEC);
    }
    close(p[1]);
    int e = 0;
    ssize_t n;
    do
        n = read(p[0], &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(p[0]);
    if (n <= 0)
        return pid;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return e != 0 ? -e : -ENOEXEC;
}

/*
 * output_open() - open the .dat file (o->output, or a default name made
 * in name[size]), or say why not.  Returns the fd, or -1 after one line.
 */
static int output_open(const run_opts *o, char *name, size_t size, int *created,
                       off_t *size0)
{
    if (o->output != NULL && strlen(o->output) >= size) {
        cli_error("cannot write %.40s...: %s", o->output,
                  strerror(ENAMETOOLONG));
        return -1;
    }
    if (o->output != NULL)
        snprintf(name, size, "%s", o->output);
    else
        default_name(name, size);
    int fd = open_output(name, created, size0);
    if (fd < 0)
        cli_error("cannot write %s: %s", name, strerror(-fd));
    return fd;
}

/*
 * output_undo() - leave the .dat file as it was before a command that
 * could not start: removed if memprof made it, else cut back.
 */
static void output_undo(int fd, const char *name, int created, off_t size0)
{
    if (created)
        unlink(name);
    else if (size0 >= 0 && ftruncate(fd, size0) != 0)
        cli_error("cannot cut %s back: %s", name, strerror(errno));
}

/*
 * set_dat_env() - CLI_DAT_ENV for the command: the absolute path of the
 * .dat file (the command may change its directory), the user's path as
 * given, made absolute with the current directory.  Returns 0 or an errno.
 */
static int set_dat_env(const char *name)
{
    char cwd[PATH_MAX];
    char *path = NULL;
    if (name[0] == '/')
        path = strdup(name);
    else if (getcwd(cwd, sizeof cwd) != NULL &&
             asprintf(&path, "%s/%s", cwd, name) < 0)
        path = NULL;
    if (path == NULL)
        path = realpath(name, NULL);
    if (path == NULL)
        return errno != 0 ? errno : ENOMEM;
    int e = setenv(CLI_DAT_ENV, path, 1) == 0 ? 0 : errno;
    free(path);
    return e;
}

/* cmd_run() - see memprof(1), and the top of this file. */
int cmd_run(int argc, char **argv)
{
    run_opts o;
    int first;
    int rc = parse_opts(argc, argv, 0, &o, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc) {
        cli_error("run: no command given; see memprof run --help");
        return CLI_USAGE;
    }
    char **cmd = argv + first;
    if ((rc = backend_check(&o)) != 0)
        return rc;
    char name[PATH_MAX];
    int created;
    off_t size0;
    int fd = output_open(&o, name, sizeof name, &created, &size0);
    if (fd < 0)
        return CLI_ERROR;
    int e = set_dat_env(name);
    if (e == 0)
        e = -write_cmdline(fd, cmd);
    if (e != 0) {
        cli_error("cannot write %s: %s", name, strerror(e));
        output_undo(fd, name, created, size0);
        close(fd);
        return CLI_ERROR;
    }
    sigset_t orig;
    sigset_t wait_mask;
    signals_install(&orig, &wait_mask);
    long pid = start(cmd, &orig);
    if (pid < 0) {
        cli_error("cannot run '%s': %s", cmd[0], strerror((int)-pid));
        output_undo(fd, name, created, size0);
        close(fd);
        return pid == -ENOENT ? CLI_NOTFOUND : CLI_NOEXEC;
    }
    recorder rec;
    recorder_init(&rec, &o, fd, name, pid, 1);
    rec.wait_mask = wait_mask;
    forward_pid = (sig_atomic_t)pid;
    cli_error("sampling memory every %g s", o.interval);
    double elapsed;
    end_reason why = record(&rec, &elapsed);
    forward_pid = 0;
    rc = finish(&rec, why, elapsed);
    recorder_free(&rec);
    close(fd);
    return rc;
}

/* parse_pid() - all of s as a pid > 0, or -1. */
static long parse_pid(const char *s)
{
    char *end = NULL;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || errno != 0 || v <= 0 || v > INT_MAX)
        return -1;
    return v;
}

/*
 * read_whole() - all of a /proc file (whose size stat(2) does not tell),
 * NUL-terminated, in a malloc'd buffer; its length in *len.  NULL when it
 * cannot be read.
 */
static char *read_whole(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096;
    size_t n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            buf = NULL;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    close(fd);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/*
 * read_cmdline() - /proc/PID/cmdline split at its NULs into a
 * NULL-terminated argv; *buf holds the strings.  Both malloc'd; NULL when
 * it is empty or cannot be read.
 */
static char **read_cmdline(long pid, char **buf)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    size_t len = 0;
    *buf = read_whole(path, &len);
    if (*buf == NULL || len == 0) {
        free(*buf);
        *buf = NULL;
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (*buf)[i] == '\0' || i == len - 1;
    char **argv = calloc(n + 1, sizeof *argv);
    if (argv == NULL) {
        free(*buf);
        *buf = NULL;
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < len && k < n; i += strlen(*buf + i) + 1)
        argv[k++] = *buf + i;
    return argv;
}

/*
 * attach_check() - that pid is a process whose memory memprof can read.
 * Returns 0, or CLI_ERROR after one line.
 */
static int attach_check(long pid, const run_opts *o)
{
    procmem_reader r;
    int e = procmem_open(&r, pid, o->backend);
    if (e == 0 && procmem_read(&r, o->backend) < 0)
        e = -ENODATA;
    procmem_close(&r);
    if (e == 0)
        return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
        cli_error("no process with pid %ld", pid);
        return CLI_ERROR;
    }
    int rc;
    if (e == -ENOENT && (rc = backend_check(o)) != 0)
        return rc;
    if (e == -ENODATA || e == -ESRCH)
        cli_error("pid %ld has no memory to record (a kernel thread, or a "
                  "process that has ended)",
                  pid);
    else
        cli_error("cannot read the memory of pid %ld: %s", pid, strerror(-e));
    return CLI_ERROR;
}

/*
 * cmd_attach() - see memprof(1).  Like run, for a process that is not
 * ours: it is never signalled or reaped, and the exit status is 0 (-E has
 * no status to pass on), 3 over --max-mib, 1 on errors.  The CMDLINE is
 * the process's own, from /proc/PID/cmdline, or its pid when that is
 * empty.
 */
int cmd_attach(int argc, char **argv)
{
    run_opts o;
    int first;
    int rc = parse_opts(argc, argv, 1, &o, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc) {
        cli_error("attach: no pid given; see memprof attach --help");
        return CLI_USAGE;
    }
    if (first + 1 < argc) {
        cli_error("attach takes one pid; '%s' is one too many",
                  argv[first + 1]);
        return CLI_USAGE;
    }
    long pid = parse_pid(argv[first]);
    if (pid < 0) {
        cli_error("'%s' is not a process id", argv[first]);
        return CLI_USAGE;
    }
    if (o.timeout == 0)
        o.timeout = ATTACH_TIMEOUT;
    if ((rc = attach_check(pid, &o)) != 0)
        return rc;
    char name[PATH_MAX];
    int created;
    off_t size0;
    int fd = output_open(&o, name, sizeof name, &created, &size0);
    if (fd < 0)
        return CLI_ERROR;
    char *strings = NULL;
    char **cmd = read_cmdline(pid, &strings);
    char pidtext[24];
    char *bare[] = {pidtext, NULL};
    snprintf(pidtext, sizeof pidtext, "%ld", pid);
    int e = write_cmdline(fd, cmd != NULL ? cmd : bare);
    free(cmd);
    free(strings);
    if (e != 0) {
        cli_error("cannot write %s: %s", name, strerror(-e));
        output_undo(fd, name, created, size0);
        close(fd);
        return CLI_ERROR;
    }
    sigset_t orig;
    sigset_t wait_mask;
    signals_install(&orig, &wait_mask);
    recorder rec;
    recorder_init(&rec, &o, fd, name, pid, 0);
    rec.wait_mask = wait_mask;
    cli_error("sampling pid %ld every %g s", pid, o.interval);
    double elapsed;
    end_reason why = record(&rec, &elapsed);
    rc = finish(&rec, why, elapsed);
    recorder_free(&rec);
    close(fd);
    return rc;
}
