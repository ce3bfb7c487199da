/*
 * attach.c - memprof attach: record the memory of a running process over
 * time, as mprof attach does.
 *
 *     memprof attach [options] PID
 *
 * The process is not memprof's: it is never signalled or reaped, and any
 * of SIGINT, SIGTERM and SIGHUP ends the recording.  The CMDLINE line is
 * the process's own, from /proc/PID/cmdline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base.h"
#include "run.h"

/* The default timeout of attach, as mprof's. */
#define ATTACH_TIMEOUT 3600.0

/*
 * parse_pid() - all of s as a pid in 1..INT_MAX, digits only (no sign,
 * which mp__parse_int() would take), or -1.
 */
static long parse_pid(const char *s)
{
    long v;
    if (s[0] < '0' || s[0] > '9' || mp__parse_int(s, 1, INT_MAX, &v) != 0)
        return -1;
    return v;
}

/*
 * read_cmdline() - /proc/PID/cmdline split at its NULs into a
 * NULL-terminated argv; *buf holds the strings.  Both from mp__malloc;
 * NULL when it is empty or cannot be read.
 */
static char **read_cmdline(long pid, char **buf)
{
    char path[64];
    size_t len = 0;
    *buf = NULL;
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    int e = mp__read_fd(fd, buf, &len);
    close(fd);
    if (e != 0)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (*buf)[i] == '\0' || i == len - 1;
    char **argv = n > 0 ? mp__calloc(n + 1, sizeof *argv) : NULL;
    if (argv == NULL) {
        mp__free(*buf);
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
    mp__proc_reader r;
    int e = mp__proc_open(&r, pid, o->backend);
    if (e == 0 && mp__proc_read(&r) < 0)
        e = -ENODATA;
    mp__proc_close(&r);
    if (e == 0)
        return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
        cli_error("no process with pid %ld", pid);
        return CLI_ERROR;
    }
    int rc;
    if (e == -ENOENT && (rc = run_opts_check_backend(o)) != 0)
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
    char **ops;
    int nops;
    int rc = run_opts_parse(argc, argv, 1, &o, &ops, &nops);
    if (rc >= 0)
        return rc;
    if (nops == 0) {
        cli_error("attach: no pid given; see memprof attach --help");
        return CLI_USAGE;
    }
    if (nops > 1) {
        cli_error("attach takes one pid; '%s' is one too many", ops[1]);
        return CLI_USAGE;
    }
    long pid = parse_pid(ops[0]);
    if (pid < 0) {
        cli_error("'%s' is not a process id", ops[0]);
        return CLI_USAGE;
    }
    if (o.timeout == 0)
        o.timeout = ATTACH_TIMEOUT;
    if ((rc = attach_check(pid, &o)) != 0)
        return rc;
    char *strings = NULL;
    char **cmd = read_cmdline(pid, &strings);
    char pidtext[24];
    char *bare[] = {pidtext, NULL};
    snprintf(pidtext, sizeof pidtext, "%ld", pid);
    datwriter dat;
    rc = datwriter_open(&dat, o.output, cmd != NULL ? cmd : bare);
    mp__free(cmd);
    mp__free(strings);
    if (rc != 0)
        return rc;
    sigset_t orig;
    sigset_t wait_mask;
    run_signals_install(&orig, &wait_mask);
    cli_error("sampling pid %ld every %g s", pid, o.interval);
    rc = recorder_run(&o, &dat, pid, 0, &wait_mask, NULL);
    datwriter_close(&dat);
    return rc;
}
