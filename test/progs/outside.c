/*
 * outside.c - lines outside profiled functions and the reading each
 * counts its increment from: the last one taken on its thread, by any
 * line (check_outside.c).
 *
 *   outside free      make() (profiled) makes and touches a 143 MiB
 *                     block; main frees it in an MP_LINE of its own, the
 *                     file's first line outside a function: -143 MiB;
 *                     then a loop makes and frees 3 x 40 MB outside;
 *   outside first     the thread's first reading is outside: it counts
 *                     from itself, an increment of 0;
 *   outside threads   two threads taking turns (steps in the comments),
 *                     each line counting from its own thread's reading.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define BIG 150000000   /* 143.05 MiB */
#define SMALL 40000000  /* 38.15 MiB: over 32 MiB, malloc maps it */
#define MAIN_N 60000000 /* 57.22 MiB */
#define T_N 20000000    /* 19.07 MiB */

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p == NULL)
        abort();
    memset(p, 1, n);
    escape = p;
    return p;
}

/* make() - a profiled function that makes and touches n bytes. */
static char *make(size_t n)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = fill(malloc(n), n));
    MP_RETURN(p);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int step;

/* wait_for() - wait until step is s. */
static void wait_for(int s)
{
    pthread_mutex_lock(&mu);
    while (step != s)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

/* go() - set step to s and wake the other thread. */
static void go(int s)
{
    pthread_mutex_lock(&mu);
    step = s;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* worker() - the second thread of "threads". */
static void *worker(void *arg)
{
    (void)arg;
    wait_for(1);
    MP_LINE(char *x = fill(malloc(T_N), T_N)); /* 2: its first: 0 */
    go(2);
    wait_for(3);
    MP_LINE(free(x)); /* 4: -T_N - MAIN_N, main's free since */
    return NULL;
}

/* threads() - main's side of "threads". */
static int threads(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    MP_LINE(char *m = fill(malloc(MAIN_N), MAIN_N)); /* 1: its first: 0 */
    go(1);
    wait_for(2);
    MP_LINE(free(m)); /* 3: T_N - MAIN_N, the worker's block since */
    go(3);
    pthread_join(t, NULL);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (strcmp(mode, "free") == 0) {
        char *p = make(BIG);
        MP_LINE(free(p));
        for (int i = 0; i < 3; i++) {
            MP_LINE(char *q = fill(malloc(SMALL), SMALL));
            MP_LINE(free(q));
        }
        return 0;
    }
    if (strcmp(mode, "first") == 0) {
        MP_LINE(char *p = fill(malloc(SMALL), SMALL));
        MP_LINE(free(p));
        return 0;
    }
    if (strcmp(mode, "threads") == 0)
        return threads();
    fprintf(stderr, "usage: outside free|first|threads\n");
    return 2;
}
