/*
 * alloc_threads.c - MEMPROF_ALLOC under threads, for check_heap.c: 16
 * threads each make N blocks of 24 bytes on one line and free every
 * other one on another; then a child is forked, which frees a block its
 * parent's line made and makes one of its own.  N is the argument.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

#define THREADS 16

static long n;
static void *volatile sink;
static void **blocks[THREADS]; /* reachable: LeakSanitizer stays quiet */

static void *work(void *arg)
{
    MP_PROFILE_FUNC();
    void **p = arg;
    for (long i = 0; i < n; i++) {
        MP_LINE(p[i] = malloc(24));
    }
    for (long i = 0; i < n; i += 2) {
        MP_LINE(free(p[i]));
    }
    return NULL;
}

void in_child(void *parents)
{
    MP_PROFILE_FUNC();
    MP_LINE(free(parents));
    MP_LINE(sink = malloc(100));
}

int main(int argc, char **argv)
{
    pthread_t t[THREADS];

    n = argc > 1 ? atol(argv[1]) : 1000;
    for (int i = 0; i < THREADS; i++) {
        blocks[i] = calloc((size_t)n, sizeof(void *));
        pthread_create(&t[i], NULL, work, blocks[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pid_t pid = fork();
    if (pid == 0) {
        in_child(blocks[0][1]);
        exit(0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}
