/*
 * heap_count.c - for the heap backend's tests: the counter of heap/ on
 * its own, built with heap/count.c and MP__HEAP_INSTRUMENTED, so that
 * under ThreadSanitizer (make check-tsan) every access it makes is
 * checked; in the programs that interpose malloc, heap/ cannot be
 * instrumented (see heap.h).  Threads count as malloc and free would,
 * a third of each thread's "blocks" uncounted by another thread, while
 * one thread reads the count and resets and reads the peak; threads end
 * and new ones take their slots.  Prints "<count> <expected>" and the
 * peak of a single-threaded sequence, "peak <peak> <expected>".  Then
 * 1,024 threads in waves of WAVE, all of a wave alive at once, each
 * leaving a count behind when it ends, with a reader: "waves <count
 * less the count before> <expected>", and "visits <words and slots a
 * reading visits> made <slots numbered>" once they are all gone.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "heap.h"

#define THREADS 4
#define N 20000
#define ROUNDS 3
#define EVER 1024 /* threads of the waves */
#define WAVE 128

static long long sizes[THREADS][N];
static pthread_barrier_t half;
static pthread_barrier_t wave;
static int done;

/* size_of() - the size of block i of thread t, round r. */
static long long size_of(int r, int t, int i)
{
    unsigned x = (unsigned)((r * THREADS + t) * N + i) * 2654435761u;
    return (long long)((x >> 7) % 4097);
}

/*
 * worker() - count N blocks, uncount this thread's first third, wait for
 * every worker, then uncount the next thread's second third.  What is
 * left is the last third of every thread's blocks.
 */
static void *worker(void *arg)
{
    long r = (long)arg / THREADS;
    int t = (int)((long)arg % THREADS);
    for (int i = 0; i < N; i++) {
        sizes[t][i] = size_of((int)r, t, i);
        mp__heap_count(sizes[t][i]);
    }
    for (int i = 0; i < N / 3; i++)
        mp__heap_count(-sizes[t][i]);
    pthread_barrier_wait(&half);
    int u = (t + 1) % THREADS;
    for (int i = N / 3; i < 2 * N / 3; i++)
        mp__heap_count(-sizes[u][i]);
    return NULL;
}

/*
 * leave() - a thread of the waves: count i + 1 bytes and uncount 1, wait
 * for the rest of its wave, and end with i bytes counted.
 */
static void *leave(void *arg)
{
    long i = (long)arg;
    mp__heap_count(i + 1);
    mp__heap_count(-1);
    pthread_barrier_wait(&wave);
    return NULL;
}

/* reader() - the count and the peak, over and over, as MP_LINE would. */
static void *reader(void *arg)
{
    (void)arg;
    long long sum = 0;
    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        mp__heap_peak_reset();
        sum += mp__heap_live() + mp__heap_peak();
    }
    return (void *)(long)(sum & 1);
}

int main(void)
{
    long long want = 0;
    pthread_t rd;
    if (pthread_barrier_init(&half, NULL, THREADS) != 0 ||
        pthread_create(&rd, NULL, reader, NULL) != 0)
        abort();
    for (long r = 0; r < ROUNDS; r++) {
        pthread_t tid[THREADS];
        for (long t = 0; t < THREADS; t++)
            if (pthread_create(&tid[t], NULL, worker,
                               (void *)(r * THREADS + t)) != 0)
                abort();
        for (int t = 0; t < THREADS; t++)
            pthread_join(tid[t], NULL);
        for (int t = 0; t < THREADS; t++)
            for (int i = 2 * N / 3; i < N; i++)
                want += sizes[t][i];
    }
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(rd, NULL);
    printf("%lld %lld\n", mp__heap_live(), want);

    long long base = mp__heap_live();
    mp__heap_peak_reset();
    mp__heap_count(5000);
    mp__heap_count(2000);
    mp__heap_count(-7000);
    mp__heap_count(100);
    printf("peak %lld %lld\n", mp__heap_peak() - base, 7000LL);

    base = mp__heap_live();
    want = 0;
    done = 0;
    if (pthread_barrier_init(&wave, NULL, WAVE) != 0 ||
        pthread_create(&rd, NULL, reader, NULL) != 0)
        abort();
    for (long w = 0; w < EVER / WAVE; w++) {
        pthread_t tid[WAVE];
        for (long t = 0; t < WAVE; t++)
            if (pthread_create(&tid[t], NULL, leave, (void *)(w * WAVE + t)) !=
                0)
                abort();
        for (int t = 0; t < WAVE; t++)
            pthread_join(tid[t], NULL);
        for (long t = 0; t < WAVE; t++)
            want += w * WAVE + t;
    }
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(rd, NULL);
    printf("waves %lld %lld\n", mp__heap_live() - base, want);
    printf("visits %u made %u\n", mp__heap_visits(), mp__heap_slots_made());
    return 0;
}
