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
 * also if the report cannot finish (the signal interrupted malloc, which
 * the report needs).  A signal that interrupts a thread holding the
 * library's lock is acted on as soon as that thread lets go of it.
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

int mp__signal_pending;

/*
 * holds_library() - whether this thread was holding the library's lock,
 * or growing its rows, when the signal came: the report would wait for
 * the lock it holds.  (A plain record, the hot path, holds nothing: the
 * report may run over it.)
 */
static int holds_library(void)
{
    mp__thread *t = mp__self;
    return mp__in_lib || (t != NULL && t->busy);
}

/* act() - what sig asks for: the tables so far, or the report and death. */
static void act(int sig)
{
    if (sig == mp__config.report_signal) {
        mp_report(NULL);
        return;
    }
    mp__report_at_exit();
    raise(sig);
}

/*
 * on_signal() - the handler: act now, or, when this thread holds the
 * library, as soon as it lets go (mp__signals_check()).  A fatal signal's
 * default action is back already (SA_RESETHAND): a second one ends the
 * program meanwhile.
 */
static void on_signal(int sig)
{
    MP__SAVE_ERRNO({
        if (holds_library())
            __atomic_store_n(&mp__signal_pending, sig, __ATOMIC_RELAXED);
        else
            act(sig);
    });
}

/* mp__signals_check() - see internal.h. */
void mp__signals_check(void)
{
    if (mp__in_lib != 0)
        return;
    mp__thread *t = mp__self;
    if (t != NULL && t->busy)
        return;
    int sig = __atomic_exchange_n(&mp__signal_pending, 0, __ATOMIC_RELAXED);
    if (sig != 0)
        MP__SAVE_ERRNO(act(sig));
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
            (void)install(fatal[i], on_signal, SA_RESETHAND | SA_NODEFER);
        int sig = mp__config.report_signal;
        if (sig != 0 && install(sig, on_signal, SA_RESTART) == -EEXIST)
            mp__warn("MEMPROF_REPORT_SIGNAL: the program handles signal %d "
                     "itself; no report on it",
                     sig);
    });
}
