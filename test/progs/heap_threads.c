/*
 * heap_threads.c - for the heap backend's tests: threads that allocate
 * and free at once, a third of the blocks freed by another thread than
 * the one that made them, while the main thread reads the count; linked
 * with the heap archive.  Prints, on stdout, one line per phase:
 *
 *     <phase> <count less the count at the start> <expected>
 *
 *   made:   4 threads make N blocks each and free a third of them;
 *   traded: 4 new threads (taking the first ones' slots) each free
 *           another thread's second third and reallocate their last;
 *   freed:  the main thread frees what is left;
 *   churn:  64 threads one after another, each leaving one block that
 *           the main thread then frees.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

long long mp__heap_live(void);

#define THREADS 4
#define N 30000

static char *blocks[THREADS][N];
static size_t sizes[THREADS][N];
static int done;

/* size_of() - a size from 0 to 4096 for block i of thread t. */
static size_t size_of(int t, int i)
{
    unsigned x = (unsigned)(t * N + i) * 2654435761u;
    return (x >> 7) % 4097;
}

/* make() - phase made: blocks of thread t; frees the first third. */
static void *make(void *arg)
{
    int t = (int)(long)arg;
    for (int i = 0; i < N; i++) {
        sizes[t][i] = size_of(t, i);
        blocks[t][i] = malloc(sizes[t][i]);
        if (blocks[t][i] == NULL)
            abort();
        if (sizes[t][i] > 0)
            blocks[t][i][0] = (char)i;
    }
    for (int i = 0; i < N / 3; i++)
        free(blocks[t][i]);
    return NULL;
}

/*
 * trade() - phase traded: free the second third of the next thread's
 * blocks, and make the last third of this one's twice as large.
 */
static void *trade(void *arg)
{
    int t = (int)(long)arg;
    int u = (t + 1) % THREADS;
    for (int i = N / 3; i < 2 * N / 3; i++)
        free(blocks[u][i]);
    for (int i = 2 * N / 3; i < N; i++) {
        char *p = realloc(blocks[t][i], 2 * sizes[t][i] + 1);
        if (p == NULL)
            abort();
        blocks[t][i] = p;
        sizes[t][i] = 2 * sizes[t][i] + 1;
    }
    return NULL;
}

/* idle() - the warm-up: a thread that does nothing. */
static void *idle(void *arg)
{
    return arg;
}

/* one() - phase churn: a short thread that leaves one block behind. */
static void *one(void *arg)
{
    return malloc((size_t)(long)arg);
}

/*
 * reader() - reads the count over and over while the others work, as
 * MP_LINE on another thread would.
 */
static void *reader(void *arg)
{
    (void)arg;
    long long sum = 0;
    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE))
        sum += mp__heap_live();
    return (void *)(long)(sum & 1);
}

/* phase() - run fn on THREADS threads at once, with a reader. */
static void phase(void *(*fn)(void *))
{
    pthread_t tid[THREADS];
    pthread_t rd;
    done = 0;
    if (pthread_create(&rd, NULL, reader, NULL) != 0)
        abort();
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&tid[t], NULL, fn, (void *)t) != 0)
            abort();
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(rd, NULL);
}

/* held() - the bytes of blocks[t][from .. to) of every thread. */
static long long held(int from, int to)
{
    long long sum = 0;
    for (int t = 0; t < THREADS; t++)
        for (int i = from; i < to; i++)
            sum += (long long)sizes[t][i];
    return sum;
}

/*
 * main() - the phases in order.  A warm-up phase first: the C library
 * allocates a few hundred bytes for each thread's TLS the first time a
 * thread stack is used, and keeps them with the stack for the next
 * thread, so the count is taken once the stacks exist.
 */
int main(void)
{
    phase(idle);
    long long base = mp__heap_live();
    long long got[4];
    long long want[4];

    phase(make);
    got[0] = mp__heap_live() - base;
    want[0] = held(N / 3, N);
    phase(trade);
    got[1] = mp__heap_live() - base;
    want[1] = held(2 * N / 3, N);
    for (int t = 0; t < THREADS; t++)
        for (int i = 2 * N / 3; i < N; i++)
            free(blocks[t][i]);
    got[2] = mp__heap_live() - base;
    want[2] = 0;
    for (long i = 0; i < 64; i++) {
        pthread_t tid;
        void *p;
        if (pthread_create(&tid, NULL, one, (void *)(i + 1)) != 0 ||
            pthread_join(tid, &p) != 0)
            abort();
        free(p);
    }
    got[3] = mp__heap_live() - base;
    want[3] = 0;

    const char *names[] = {"made", "traded", "freed", "churn"};
    for (int i = 0; i < 4; i++)
        printf("%s %lld %lld\n", names[i], got[i], want[i]);
    return 0;
}
