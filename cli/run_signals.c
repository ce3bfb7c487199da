/*
 * run_signals.c - the signals of memprof run and memprof attach.
 *
 * SIGINT, SIGTERM and SIGHUP are blocked except while the recorder waits,
 * so a sample is never cut short.  For run, one sent to memprof by a
 * process (kill(1)) is passed on to the command, and recording goes on
 * until the command ends; a signal from the terminal already reached the
 * command through its process group.  A second SIGINT makes memprof stop
 * waiting.  For attach, any of them ends the recording.  SIGCHLD only
 * wakes a wait up.
 *
 * This file owns the handler's state: what it counts and where it
 * forwards to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "run.h"

/* Set by on_signal(); read by the recorder after each wait. */
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

/* run_signals_install() - see run.h. */
void run_signals_install(sigset_t *orig, sigset_t *wait_mask)
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

/* run_signals_forward() - see run.h. */
void run_signals_forward(long pid)
{
    forward_pid = (sig_atomic_t)pid;
}

/* run_signals_leave_asked() - see run.h. */
int run_signals_leave_asked(int is_child)
{
    return is_child ? sigints >= 2 : last_signal != 0;
}

/* run_signals_default() - see run.h. */
void run_signals_default(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (size_t i = 0; i < NHANDLED; i++)
        sigaction(handled[i], &dfl, NULL);
}
