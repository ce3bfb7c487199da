/*
 * signal_first.c - profiled functions whose sites are first hit inside a
 * signal handler, while the interrupted code is in malloc and free: the
 * library's cold path (a site's slot, a thread's rows growing) must not
 * take a lock or call malloc that the interrupted code may hold.  Prints
 * how many handler calls ran; must finish (the test runs it with a
 * timeout).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <memprof.h>

static volatile sig_atomic_t ticks;
static void *volatile escape;

/* F(n) - a profiled function with three sites of its own. */
#define F(n)                                                                   \
    static void f##n(void)                                                     \
    {                                                                          \
        MP_PROFILE_FUNC();                                                     \
        MP_LINE(ticks++);                                                      \
        MP_LINE(ticks++);                                                      \
    }
#define F10(n)                                                                 \
    F(n##0)                                                                    \
    F(n##1) F(n##2) F(n##3) F(n##4) F(n##5) F(n##6) F(n##7) F(n##8) F(n##9)
F10(1)
F10(2)
F10(3)
F10(4)
F10(5)
F10(6)
F10(7)
F10(8)
F10(9)

#define P10(n)                                                                 \
    f##n##0, f##n##1, f##n##2, f##n##3, f##n##4, f##n##5, f##n##6, f##n##7,    \
        f##n##8, f##n##9
static void (*const fns[])(void) = {P10(1), P10(2), P10(3), P10(4), P10(5),
                                    P10(6), P10(7), P10(8), P10(9)};
#define NFNS (sizeof fns / sizeof fns[0])

static volatile sig_atomic_t next;

static void on_tick(int sig)
{
    (void)sig;
    if ((size_t)next < NFNS)
        fns[next++]();
}

static void warm(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(escape = NULL);
}

int main(void)
{
    warm();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tick;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &it, NULL);
    for (long i = 0; (size_t)next < NFNS; i++) {
        void *p = malloc((size_t)(i % 4000) + 1);
        escape = p;
        free(p);
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("calls %d\n", (int)next);
    return 0;
}
