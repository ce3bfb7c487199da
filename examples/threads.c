/*
 * threads.c - several threads run the same profiled function.  Each thread
 * has its own frames and counts; the table adds them up.  RSS is one number
 * for the whole process, so what threads do at the same moment mixes in
 * each other's readings: Occurrences are exact, memory is approximate.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define THREADS 4
#define ROUNDS 3

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

void work(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = fill(malloc(10000000), 10000000));
    MP_LINE(free(p));
}

static void *run(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++)
        work();
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, run, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    return 0;
}
