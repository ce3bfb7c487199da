/*
 * signals.c - the report when the program is stopped by a signal, as
 * memory_profiler prints its table on KeyboardInterrupt, and on demand
 * (MEMPROF_REPORT_SIGNAL).
 *
 * At the library's start, SIGINT, SIGTERM and SIGHUP that still have
 * their default action get a handler: it prints the report, then the
 * program dies by the same signal, with the same status as without the
 * library.  A handler the program set before is never replaced, and one it
 * sets later replaces this one.  The handler is installed with
 * SA_RESETHAND and SA_NODEFER: from its first instruction the signal has
 * its default action again, so a second Ctrl-C ends the program at once,
 * also if the report cannot finish (the signal interrupted malloc or the
 * library itself, which the report needs).
 *
 * MEMPROF_REPORT_SIGNAL=USR1 (or USR2) prints the tables recorded so far
 * each time that signal comes, and the program goes on: for servers that
 * never exit.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const int fatal[] = {SIGINT, SIGTERM, SIGHUP};

/*
 * in_library() - whether this thread was inside the library when the
 * signal came: the report would wait for the lock it holds, or read rows
 * it is growing.
 */
static int in_library(void)
{
    mp__thread *t = mp__self;
    return mp__in_lib || (t != NULL && (t->busy || t->nested));
}

/* on_fatal() - the report, then the signal's default action. */
static void on_fatal(int sig)
{
    if (in_library())
        mp__warn("signal %d came inside the library; no report", sig);
    else
        mp__report_at_exit();
    raise(sig);
}

/* on_report() - MEMPROF_REPORT_SIGNAL: the tables so far. */
static void on_report(int sig)
{
    MP__SAVE_ERRNO({
        if (in_library())
            mp__warn("signal %d came inside the library; no report", sig);
        else
            mp_report(NULL);
    });
}

/*
 * install() - handler for sig, unless the program has one (or ignores
 * sig).  Returns 0, or -EEXIST when the program's disposition stays.
 */
static int install(int sig, void (*handler)(int), int flags)
{
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0)
        return -errno;
    if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
        return -EEXIST;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL) == 0 ? 0 : -errno;
}

/* mp__signals_start() - see internal.h. */
void mp__signals_start(void)
{
    MP__SAVE_ERRNO({
        for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
            (void)install(fatal[i], on_fatal, SA_RESETHAND | SA_NODEFER);
        int sig = mp__config.report_signal;
        if (sig != 0 && install(sig, on_report, SA_RESTART) == -EEXIST)
            mp__warn("MEMPROF_REPORT_SIGNAL: the program handles signal %d "
                     "itself; no report on it",
                     sig);
    });
}
