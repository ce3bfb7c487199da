/*
 * run.h - what the files of memprof run and memprof attach share: their
 * options (run_opts.c), the .dat file they write (datwriter.c), the
 * signals (run_signals.c), starting the command (spawn.c) and the
 * recording itself (recorder.c).  run.c and attach.c hold the two
 * subcommands' flow.
 */
#ifndef MEMPROF_CLI_RUN_H
#define MEMPROF_CLI_RUN_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "heaprun.h"
#include "proctree.h"

/* ---- run_opts.c: the options of run and attach. */

/* What the options of run and attach ask for. */
typedef struct run_opts {
    double interval;    /* seconds between samples */
    int children;       /* -C: MEM sums the descendants */
    int multiprocess;   /* -M: CHLD lines */
    int exit_code;      /* -E */
    double timeout;     /* seconds, or 0: until the process ends */
    const char *output; /* -o, or NULL: mprofile_<date>.dat */
    mp__backend_id backend;
    const char *backend_name;
    double max_mib;           /* --max-mib, or < 0: no budget */
    const char *max_mib_text; /* as the user wrote it */
    int heap;                 /* --heap: MEM is the heap (run only) */
    int json;                 /* --json: the leak report in JSON too */
    int no_pidfd;             /* MEMPROF_TEST_FALLBACK */
    int no_children_file;
} run_opts;

/*
 * run_opts_parse() - the options of run (attach = 0) or attach, up to the
 * first operand, into *o (defaults first).  Returns -1 to go on, with
 * *ops the operands (the first one and all that follow it, in argv,
 * NULL-terminated) and *nops how many, or the status to exit with
 * (--help: the usage on stdout; a bad option: one line).  argv is
 * reordered: the operands move to its front.
 */
int run_opts_parse(int argc, char **argv, int attach, run_opts *o, char ***ops,
                   int *nops);

/*
 * run_opts_check_backend() - for pss and uss, that this kernel has
 * smaps_rollup (Linux 4.14), read on memprof itself.  Returns 0, or
 * CLI_ERROR after one line.
 */
int run_opts_check_backend(const run_opts *o);

/* ---- datwriter.c: the .dat file a recording appends to. */

/*
 * An open .dat file and the whole lines kept for it.  Owned by the
 * subcommand that opened it; only datwriter.c changes it.
 */
typedef struct datwriter {
    int fd;              /* O_APPEND */
    char name[PATH_MAX]; /* as the user named it, or the default name */
    int created;         /* memprof made the file */
    off_t size0;         /* its size before, or -1 if unknown */
    int write_errno;     /* a write failed: nothing more is written */
    double flushed;      /* mp__now_mono() of the last flush */
    size_t out_len;
    char out[8192]; /* whole lines not written yet */
} datwriter;

/*
 * datwriter_open() - open output (or mprofile_<date>.dat when NULL) for
 * appending, creating it if need be, and write the CMDLINE line of argv.
 * Returns 0, or CLI_ERROR after one line, the file left as it was.
 */
int datwriter_open(datwriter *w, const char *output, char *const argv[]);

/*
 * datwriter_undo() - for a command that could not start: leave the file
 * as it was before datwriter_open() (removed if memprof made it, else cut
 * back), and close it.
 */
void datwriter_undo(datwriter *w);

/* datwriter_close() - close the file; the kept lines must be flushed. */
void datwriter_close(datwriter *w);

/*
 * datwriter_put() - keep one line (n bytes, or n < 0: it did not fit its
 * buffer) to be written by datwriter_flush().  Returns 0, or -1 when
 * writing has stopped.
 */
int datwriter_put(datwriter *w, const char *line, int n);

/*
 * datwriter_flush() - write the kept lines.  On a failure, the file keeps
 * the whole lines there was room for, writing stops, and one line says
 * why.  Returns 0 or -1.
 */
int datwriter_flush(datwriter *w);

/*
 * datwriter_flush_due() - datwriter_flush() if the kept lines have waited
 * long enough, for samples every interval seconds.
 */
void datwriter_flush_due(datwriter *w, double interval);

/* ---- run_signals.c: SIGINT, SIGTERM, SIGHUP, and SIGCHLD as a wake-up. */

/*
 * run_signals_install() - block the handled signals (they are let in
 * only while the recorder waits) and install memprof's handler.  The
 * mask before is left in *orig, the mask to wait with in *wait_mask.
 */
void run_signals_install(sigset_t *orig, sigset_t *wait_mask);

/* run_signals_forward() - pass signals sent to memprof on to pid (0: no). */
void run_signals_forward(long pid);

/*
 * run_signals_leave_asked() - whether the signals received so far end a
 * recording: a second SIGINT for run's own child (is_child), any for
 * attach.
 */
int run_signals_leave_asked(int is_child);

/*
 * run_signals_default() - in a child about to exec: the handled signals
 * back to their default dispositions.  Async-signal-safe.
 */
void run_signals_default(void);

/* ---- spawn.c: starting run's command. */

/*
 * spawn_set_dat_env() - MP__DAT_ENV for the command: the absolute path
 * of the .dat file name.  Returns 0 or an errno.
 */
int spawn_set_dat_env(const char *name);

/*
 * spawn_command() - fork and exec argv with the signal mask orig.
 * Returns the child's pid, or -errno of execvp (the child reaped) or of
 * pipe/fork.
 */
long spawn_command(char **argv, const sigset_t *orig);

/* ---- recorder.c: sampling a process until it ends. */

/*
 * recorder_run() - record pid (run's own child: is_child) into dat every
 * o->interval seconds until it ends, the timeout, or the signals that end
 * a recording, waiting with wait_mask; then the closing lines on stderr.
 * With heap (run --heap), each process's reading is its heap count
 * (heapwatch.c), and a last sample is taken once pid has ended, from the
 * count it left.
 * Returns the exit status: 1 when the file could not be written, else 3
 * when the peak exceeded --max-mib, else for run with -E the command's
 * status (128 + N for signal N), 130 when a second SIGINT made memprof
 * leave its command running, else 0.
 */
int recorder_run(const run_opts *o, datwriter *dat, long pid, int is_child,
                 const sigset_t *wait_mask, heapwatch *heap);

#endif /* MEMPROF_CLI_RUN_H */
