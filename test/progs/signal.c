/*
 * signal.c - a profiled signal handler interrupts a profiled loop many
 * times.  Nothing may deadlock or crash; the loop's count stays exact.
 * The handler's site records once before the timer starts, as memprof(3)
 * asks: a site's first hit allocates.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <memprof.h>

#define LOOPS 200000

static volatile sig_atomic_t ticks;
static volatile long work;

void on_tick(int sig)
{
    MP_PROFILE_FUNC();
    (void)sig;
    MP_LINE(ticks++);
}

void loop(void)
{
    MP_PROFILE_FUNC();
    for (long i = 0; i < LOOPS; i++) {
        MP_LINE(work++);
    }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tick;
    sigaction(SIGALRM, &sa, NULL);
    on_tick(0);
    struct itimerval it = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &it, NULL);
    loop();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    /* A tick already pending (valgrind delivers late) must not land after
     * ticks is read: it would be recorded but not printed. */
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    printf("%d\n", (int)ticks);
    return 0;
}
