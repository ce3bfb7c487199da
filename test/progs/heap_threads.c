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
 *           the main thread then frees;
 *   waves:  1,024 threads in waves of WAVE, all of a wave alive at once,
 *           each ending with a block of its own and one freed of the
 *           previous wave's: the count once they are all gone;
 *   waves_freed: the main thread frees what they left;
 *   late:   a thread whose own key's destructor, run after the heap
 *           count's has given its slot back, frees one block and makes
 *           another, of 300 bytes, which the main thread then frees.
 *
 * Then "visits <words and slots a reading visits> made <slots numbered>".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

long long mp__heap_live(void);
unsigned mp__heap_visits(void);
unsigned mp__heap_slots_made(void);

#define THREADS 4
#define N 30000
#define EVER 1024 /* threads of the waves */
#define WAVE 128

static char *blocks[THREADS][N];
static size_t sizes[THREADS][N];
static int done;
static char *left[EVER];
static pthread_barrier_t wave;
static pthread_attr_t small;

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
 * leave() - phase waves: thread i leaves a block of i + 1 bytes, frees
 * the one thread i - WAVE left (of the wave before, all ended), and waits
 * for the rest of its wave.  With arg -1, waits only (the warm-up).
 */
static void *leave(void *arg)
{
    long i = (long)arg;
    if (i >= 0) {
        left[i] = malloc((size_t)i + 1);
        if (left[i] == NULL)
            abort();
        if (i >= WAVE && i % 2 == 0) {
            free(left[i - WAVE]);
            left[i - WAVE] = NULL;
        }
    }
    pthread_barrier_wait(&wave);
    return NULL;
}

/* waves() - EVER threads of leave(), WAVE at once (arg -1: the warm-up). */
static void waves(long arg)
{
    pthread_t tid[WAVE];
    for (long w = 0; w < EVER / WAVE; w++) {
        for (long t = 0; t < WAVE; t++)
            if (pthread_create(&tid[t], &small, leave,
                               (void *)(arg < 0 ? arg : w * WAVE + t)) != 0)
                abort();
        for (int t = 0; t < WAVE; t++)
            pthread_join(tid[t], NULL);
        if (arg < 0)
            return;
    }
}

/* left_held() - the bytes of left[] not freed. */
static long long left_held(void)
{
    long long sum = 0;
    for (long i = 0; i < EVER; i++)
        if (left[i] != NULL)
            sum += i + 1;
    return sum;
}

static pthread_key_t late_key;
static void *late_block;

/* late_end() - late_key's destructor: free one block, make another. */
static void late_end(void *p)
{
    free(p);
    late_block = malloc(300);
}

/* late() - phase late: a block for late_end() to free. */
static void *late(void *arg)
{
    if (pthread_setspecific(late_key, malloc(200)) != 0)
        abort();
    return arg;
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
    if (pthread_create(&rd, &small, reader, NULL) != 0)
        abort();
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&tid[t], &small, fn, (void *)t) != 0)
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
    /*
     * Stacks of 64 KiB, so that all the threads' stay in the C library's
     * cache, and with them the blocks it made for each.
     */
    if (pthread_attr_init(&small) != 0 ||
        pthread_attr_setstacksize(&small, 64 * 1024) != 0 ||
        pthread_barrier_init(&wave, NULL, WAVE) != 0)
        abort();
    phase(idle);
    pthread_t rd;
    if (pthread_create(&rd, &small, reader, NULL) != 0)
        abort();
    waves(-1);
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(rd, NULL);
    long long base = mp__heap_live();
    long long got[7];
    long long want[7];

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
        if (pthread_create(&tid, &small, one, (void *)(i + 1)) != 0 ||
            pthread_join(tid, &p) != 0)
            abort();
        free(p);
    }
    got[3] = mp__heap_live() - base;
    want[3] = 0;
    done = 0;
    if (pthread_create(&rd, &small, reader, NULL) != 0)
        abort();
    waves(0);
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(rd, NULL);
    got[4] = mp__heap_live() - base;
    want[4] = left_held();
    for (long i = 0; i < EVER; i++)
        free(left[i]);
    got[5] = mp__heap_live() - base;
    want[5] = 0;
    pthread_t lt;
    if (pthread_key_create(&late_key, late_end) != 0 ||
        pthread_create(&lt, &small, late, NULL) != 0 ||
        pthread_join(lt, NULL) != 0)
        abort();
    got[6] = mp__heap_live() - base;
    want[6] = late_block != NULL ? 300 : -1;
    free(late_block);

    const char *names[] = {"made",  "traded",      "freed", "churn",
                           "waves", "waves_freed", "late"};
    for (int i = 0; i < 7; i++)
        printf("%s %lld %lld\n", names[i], got[i], want[i]);
    printf("visits %u made %u\n", mp__heap_visits(), mp__heap_slots_made());
    return 0;
}
