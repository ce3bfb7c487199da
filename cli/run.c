/*
 * run.c - memprof run and memprof attach: record a process's memory over
 * time into an mprof .dat file, as mprof run and mprof attach do.
 *
 *     memprof run [options] [--] CMD [ARG...]
 *     memprof attach [options] PID
 *
 * run.c starts the command and attach.c checks the pid; both then open
 * the .dat file with its CMDLINE line (datwriter.c), install the signal
 * handling (run_signals.c) and record (recorder.c).  The options are in
 * run_opts.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "run.h"

/*
 * still_running() - whether our child pid was left running (a timeout, a
 * second SIGINT): not reaped, and not a zombie to reap now.
 */
static int still_running(long pid)
{
    return waitpid((pid_t)pid, NULL, WNOHANG) == 0;
}

/*
 * cmd_run() - see memprof(1), and the top of this file.  A command that
 * cannot start leaves the .dat file as it was.
 */
int cmd_run(int argc, char **argv)
{
    run_opts o;
    char **cmd;
    int ncmd;
    int rc = run_opts_parse(argc, argv, 0, &o, &cmd, &ncmd);
    if (rc >= 0)
        return rc;
    if (ncmd == 0) {
        cli_error("run: no command given; see memprof run --help");
        return CLI_USAGE;
    }
    if ((rc = run_opts_check_backend(&o)) != 0)
        return rc;
    datwriter dat;
    if (datwriter_open(&dat, o.output, cmd) != 0)
        return CLI_ERROR;
    int e = spawn_set_dat_env(dat.name);
    if (e != 0) {
        cli_error("cannot write %s: %s", dat.name, strerror(e));
        datwriter_undo(&dat);
        return CLI_ERROR;
    }
    heaprun hr;
    if (o.heap && heaprun_prepare(&hr, cmd) != 0) {
        datwriter_undo(&dat);
        return CLI_ERROR;
    }
    sigset_t orig;
    sigset_t wait_mask;
    run_signals_install(&orig, &wait_mask);
    long pid = spawn_command(cmd, &orig);
    if (pid < 0) {
        cli_error("cannot run '%s': %s", cmd[0], strerror((int)-pid));
        datwriter_undo(&dat);
        if (o.heap)
            heaprun_cleanup(&hr);
        return pid == -ENOENT ? CLI_NOTFOUND : CLI_NOEXEC;
    }
    run_signals_forward(pid);
    cli_error("sampling %s every %g s", o.heap ? "the heap" : "memory",
              o.interval);
    heapwatch hw;
    if (o.heap) {
        heapwatch_init(&hw, hr.dir);
        if (hr.root_rss)
            heapwatch_rss(&hw, pid);
    }
    rc = recorder_run(&o, &dat, pid, 1, &wait_mask, o.heap ? &hw : NULL);
    run_signals_forward(0);
    datwriter_close(&dat);
    if (o.heap) {
        heapwatch_free(&hw);
        int r = heaprun_report(&hr, dat.name, pid, still_running(pid),
                               o.children || o.multiprocess, o.json);
        if (r != 0 && rc == CLI_OK && !o.exit_code)
            rc = r;
        heaprun_cleanup(&hr);
    }
    return rc;
}
