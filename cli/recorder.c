/*
 * recorder.c - one recording of memprof run or memprof attach: a sample
 * of the process (and, with -C or -M, of its descendants) every interval,
 * until it ends, the timeout, or the signals that end a recording; then
 * the closing lines on stderr and the exit status.
 *
 * Samples fall on absolute deadlines of CLOCK_MONOTONIC, so that the
 * period does not drift.  Between samples memprof waits in ppoll(2) on a
 * pidfd, so the end of the process is noticed at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "base.h"
#include "run.h"

#define NS_PER_S 1000000000LL
#define NEVER INT64_MAX

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
    datwriter *dat; /* the .dat file, the caller's */
    long pid;
    int is_child; /* run: ours to reap */
    int pidfd;    /* readable when the process ends, or -1 */
    mp__proc_reader root;
    proctree tree;        /* descendants, with -C or -M */
    long long *kid_bytes; /* scratch: each descendant's reading */
    size_t kid_cap;
    sigset_t wait_mask; /* the signal mask while waiting */
    double peak;        /* MiB, of the MEM lines */
    long samples;
    int read_err; /* -errno: the process could not be read (not ended) */
    int reaped;
    int status;      /* run: the wait status, once reaped */
    heapwatch *heap; /* run --heap: the heap counts, or NULL */
} recorder;

/*
 * mono_ns() - CLOCK_MONOTONIC in nanoseconds: the deadlines, kept in
 * integers so that the next multiple of the interval is exact.
 */
static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/*
 * recorder_init() - ready rec to record pid into dat: the pidfd, the
 * readers.  The root's reader may fail to open (the process may have ended
 * already): the first sample then finds it gone.
 */
static void recorder_init(recorder *rec, const run_opts *o, datwriter *dat,
                          long pid, int is_child, const sigset_t *wait_mask,
                          heapwatch *heap)
{
    memset(rec, 0, sizeof *rec);
    rec->heap = heap;
    rec->o = o;
    rec->dat = dat;
    rec->pid = pid;
    rec->is_child = is_child;
    rec->wait_mask = *wait_mask;
    rec->pidfd = -1;
#ifdef SYS_pidfd_open
    if (!o->no_pidfd)
        rec->pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
#endif
    mp__proc_open(&rec->root, pid, o->backend);
    if (o->children || o->multiprocess)
        proctree_init(&rec->tree, pid, o->backend, o->no_children_file);
}

/* recorder_free() - close and free what recorder_init() and sampling made. */
static void recorder_free(recorder *rec)
{
    if (rec->pidfd >= 0)
        close(rec->pidfd);
    mp__proc_close(&rec->root);
    proctree_free(&rec->tree);
    mp__free(rec->kid_bytes);
}

/*
 * reading() - one process's reading: its heap count with run --heap
 * (-EAGAIN: none yet), else what its reader reads.
 */
static long long reading(recorder *rec, mp__proc_reader *r)
{
    return rec->heap != NULL ? heapwatch_read(rec->heap, r) : mp__proc_read(r);
}

/*
 * grow_kids() - room for a reading of each descendant in rec->kid_bytes.
 * Returns how many have room: out of memory, those beyond the old count
 * are left out.
 */
static size_t grow_kids(recorder *rec)
{
    (void)mp__grow(&rec->kid_bytes, &rec->kid_cap, rec->tree.nkids,
                   sizeof *rec->kid_bytes);
    return rec->tree.nkids < rec->kid_cap ? rec->tree.nkids : rec->kid_cap;
}

/*
 * read_kids() - the first nkids descendants' readings into rec->kid_bytes
 * (negative: none).  fresh: the tree was scanned just now, and a reader
 * whose file fails may open it again (mp__proc_read()); between scans
 * only the files kept open are read, so that a pid that a process outside
 * the tree took over is never read.  With run --heap that read tells
 * whether the process is still there, and the reading is its heap count.
 * Returns 1 when a descendant was lost and the tree wants a scan now
 * (proctree_mark()).
 */
static int read_kids(recorder *rec, size_t nkids, int fresh)
{
    int lost = 0;
    for (size_t i = 0; i < nkids; i++) {
        mp__proc_reader *r = &rec->tree.kids[i].rd;
        long long v = fresh ? mp__proc_read(r) : mp__proc_read_kept(r);
        lost |= proctree_mark(&rec->tree, i, v >= 0);
        if (v >= 0 && rec->heap != NULL)
            v = heapwatch_read(rec->heap, r);
        rec->kid_bytes[i] = v;
    }
    return lost;
}

/*
 * sample_kids() - the descendants' readings: the tree scanned again if
 * it is due (proctree_due()) or once a descendant is lost, else the
 * descendants known read.  Returns how many readings rec->kid_bytes
 * holds, in the order of rec->tree.kids.
 */
static size_t sample_kids(recorder *rec)
{
    proctree *tree = &rec->tree;
    double now = mp__now_mono();
    int fresh = proctree_due(tree, now, rec->o->interval);
    if (fresh)
        proctree_scan(tree, now);
    size_t nkids = grow_kids(rec);
    if (read_kids(rec, nkids, fresh) && !fresh) {
        proctree_scan(tree, mp__now_mono());
        nkids = grow_kids(rec);
        (void)read_kids(rec, nkids, 1);
    }
    return nkids;
}

/*
 * sample() - read the process (and its descendants), write MEM and CHLD
 * lines.  Returns 0, or -ESRCH when the process has ended: nothing is
 * written then, nor when run --heap has no reading of it yet.
 */
static int sample(recorder *rec)
{
    const run_opts *o = rec->o;
    double t = mp__now_real();
    long long bytes = reading(rec, &rec->root);
    if (bytes == -EAGAIN)
        return 0;
    if (bytes < 0) {
        /* Ended, or not ours to read (a setuid program, /proc masked)? */
        mp__proc_reader probe;
        int e = mp__proc_open(&probe, rec->pid, o->backend);
        if (e == 0)
            mp__proc_close(&probe);
        else if (e != -ENOENT && e != -ESRCH)
            rec->read_err = e;
        return -ESRCH;
    }
    proctree *tree = &rec->tree;
    size_t nkids = 0;
    if (o->children || o->multiprocess) {
        nkids = sample_kids(rec);
        for (size_t i = 0; o->children && i < nkids; i++)
            if (rec->kid_bytes[i] > 0)
                bytes += rec->kid_bytes[i];
    }
    char line[128];
    double mib = (double)bytes / MP__MIB;
    if (datwriter_put(rec->dat, line,
                      mp__dat_put_mem(line, sizeof line, mib, t)) != 0)
        return 0;
    if (mib > rec->peak)
        rec->peak = mib;
    rec->samples++;
    for (size_t i = 0; o->multiprocess && i < nkids; i++) {
        if (rec->kid_bytes[i] < 0)
            continue;
        int n = mp__dat_put_chld(line, sizeof line, tree->kids[i].rd.pid,
                                 (double)rec->kid_bytes[i] / MP__MIB, t);
        if (datwriter_put(rec->dat, line, n) != 0)
            break;
    }
    if (rec->heap != NULL)
        heapwatch_sweep(rec->heap);
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
        if (run_signals_leave_asked(rec->is_child)) {
            why = END_LEFT;
            break;
        }
        if (rec->dat->write_errno != 0 && !rec->is_child) {
            why = END_ERROR;
            break;
        }
        int64_t now = mono_ns();
        if (now >= end) {
            why = END_TIMEOUT;
            break;
        }
        if (rec->dat->write_errno == 0 && sample(rec) != 0)
            break;
        datwriter_flush_due(rec->dat, o->interval);
        /* The next multiple of the interval: a late sample skips ahead. */
        now = mono_ns();
        int64_t next = start + ((now - start) / interval + 1) * interval;
        if (next > end || rec->dat->write_errno != 0)
            next = end;
        wait_result w;
        while ((w = wait_until(rec, next)) == WAIT_SIGNAL &&
               !run_signals_leave_asked(rec->is_child))
            ;
        if (w == WAIT_EXITED) {
            /* The heap count the process left: what it leaked. */
            if (rec->heap != NULL && rec->dat->write_errno == 0)
                (void)sample(rec);
            break;
        }
    }
    datwriter_flush(rec->dat);
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
 * finish() - the lines at the end of a recording and the exit status (see
 * recorder_run() in run.h).
 */
static int finish(recorder *rec, end_reason why, double elapsed)
{
    const run_opts *o = rec->o;
    if (rec->samples == 0 && rec->read_err != 0) {
        cli_error("cannot read the memory of PID %ld: %s; no samples in %s",
                  rec->pid, strerror(-rec->read_err), rec->dat->name);
        return CLI_ERROR;
    }
    cli_error("peak %.1f MiB, %ld sample%s in %.1f s, written to %s", rec->peak,
              rec->samples, rec->samples == 1 ? "" : "s", elapsed,
              rec->dat->name);
    int rc = CLI_OK;
    if (rec->read_err != 0) {
        cli_error("cannot read the memory of PID %ld any more: %s", rec->pid,
                  strerror(-rec->read_err));
        rc = CLI_ERROR;
    }
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
    if (o->max_mib >= 0 && rec->samples == 0) {
        cli_error("no samples: --max-mib %s cannot be checked",
                  o->max_mib_text);
        rc = CLI_ERROR;
    } else if (o->max_mib >= 0 && rec->peak > o->max_mib) {
        cli_error("peak %.1f MiB exceeds --max-mib %s", rec->peak,
                  o->max_mib_text);
        rc = CLI_OVER_BUDGET;
    }
    if (rec->dat->write_errno != 0)
        rc = CLI_ERROR;
    return rc;
}

/* recorder_run() - see run.h. */
int recorder_run(const run_opts *o, datwriter *dat, long pid, int is_child,
                 const sigset_t *wait_mask, heapwatch *heap)
{
    recorder rec;
    double elapsed;
    recorder_init(&rec, o, dat, pid, is_child, wait_mask, heap);
    end_reason why = record(&rec, &elapsed);
    int rc = finish(&rec, why, elapsed);
    recorder_free(&rec);
    return rc;
}
