/*
 * stacks_script.c - MEMPROF_LEAKS's counts per call stack, exact: each
 * kind of allocation is made from a function of its own, then the sites
 * dump is read back here and each site named by the first of its frames
 * that lies in a function of this program (dladdr: built with -rdynamic).
 * Prints "names made_bytes made_blocks live_bytes live_blocks" for each
 * stack, sorted, after a "pid" header; names are those of the stack's
 * frames in this program, innermost first, joined by "<" (frames in the
 * C library, such as strdup's or a thread's start, have none).
 * check_stacks.c compares them.
 *
 *   stacks_script          the script below
 *   stacks_script threads  16 threads x 100,000 allocations, and blocks
 *                          freed on another thread than their own
 *   stacks_script fork     the script's first half, then a child that
 *                          allocates and dumps on its own
 *
 * Linked with the heap archive, which declares the two functions below.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, used))

/* Blocks kept to the end: reachable, so gcc keeps the calls. */
void *volatile kept[64];
static int nkept;

static void keep(void *p)
{
    if (p == NULL)
        abort();
    kept[nkept++] = p;
}

/* Passed through a volatile pointer: the compiler cannot see the free. */
static void (*volatile release)(void *) = free;

NOINLINE void keep_malloc(void)
{
    for (int i = 0; i < 3; i++)
        keep(malloc(1000));
}

NOINLINE void keep_calloc(void)
{
    keep(calloc(10, 100));
}

NOINLINE void churn(void)
{
    for (int i = 0; i < 100; i++)
        release(malloc(64));
}

NOINLINE void grow(void)
{
    char *p = malloc(100);
    p[0] = 1;
    keep(realloc(p, 100000)); /* grows: a new block on this stack */
}

NOINLINE void shrink(void)
{
    char *p = malloc(5000);
    p[0] = 1;
    keep(realloc(p, 50));
}

NOINLINE void aligned(void)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, 1000) != 0)
        abort();
    keep(p);
    release(aligned_alloc(4096, 8192));
}

NOINLINE void dup_string(void)
{
    keep(strdup("hello world")); /* 12 bytes, made inside the C library */
}

NOINLINE void zero(void)
{
    release(NULL);
    void *p = malloc(10);
    void *(*volatile re)(void *, size_t) = realloc;
    if (re(p, 0) != NULL) /* glibc: frees p */
        abort();
}

/*
 * vla() - a frame whose size varies from call to call: a walk that
 * trusts the size it had before reads the wrong place, and the stack must
 * still come out right.
 */
NOINLINE void vla(int n)
{
    char buf[n];
    memset(buf, 1, (size_t)n);
    __asm__ volatile("" : : "r"(buf) : "memory"); /* buf is used */
    keep(malloc(10));
    __asm__ volatile("" ::: "memory"); /* no tail call */
}

/* wrapper() - a malloc wrapper, as programs have: its callers matter. */
NOINLINE void *wrapper(size_t n)
{
    void *p = malloc(n);
    if (p == NULL)
        abort();
    return p;
}

NOINLINE void deep3(void)
{
    keep(wrapper(333));
}

NOINLINE void deep2(void)
{
    deep3();
    __asm__ volatile(""); /* no tail call */
}

NOINLINE void deep1(void)
{
    deep2();
    __asm__ volatile("");
}

/* One worker of the threads run: 100,000 blocks, 1,000 kept. */
#define WORKERS 16
#define PER 100000
#define KEEP 1000

static void *volatile worker_kept[WORKERS][KEEP]; /* reachable for LSan */

NOINLINE void *worker(void *arg)
{
    void **blocks = mmap(NULL, PER * sizeof *blocks, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (blocks == MAP_FAILED)
        abort();
    for (int i = 0; i < PER; i++) {
        blocks[i] = malloc(24);
        if (blocks[i] == NULL)
            abort();
    }
    for (int i = 0; i < KEEP; i++)
        worker_kept[(intptr_t)arg][i] = blocks[i];
    for (int i = KEEP; i < PER; i++)
        release(blocks[i]);
    munmap(blocks, PER * sizeof *blocks);
    return NULL;
}

/* made_here() - blocks freed by another thread (free_there). */
NOINLINE void *made_here(void)
{
    void *p = malloc(777);
    __asm__ volatile("" : : "r"(p) : "memory"); /* no tail call */
    return p;
}

static void *free_there(void *p)
{
    release(p);
    return NULL;
}

#include "stacks_read.h"

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "script";

    if (mp__heap_leaks_start() != 0)
        return 2;
    if (strcmp(mode, "threads") == 0) {
        pthread_t t[WORKERS];
        for (int i = 0; i < WORKERS; i++)
            if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) != 0)
                return 3;
        for (int i = 0; i < WORKERS; i++)
            pthread_join(t[i], NULL);
        for (int i = 0; i < 10; i++) {
            pthread_t ft;
            if (pthread_create(&ft, NULL, free_there, made_here()) != 0)
                return 3;
            pthread_join(ft, NULL);
        }
        report();
        return 0;
    }
    keep_malloc();
    keep_calloc();
    churn();
    grow();
    if (strcmp(mode, "fork") == 0) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            shrink(); /* the child's alone */
            report();
            _exit(0);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
            return 4;
        dup_string(); /* the parent's alone */
        report();
        return 0;
    }
    shrink();
    aligned();
    dup_string();
    zero();
    deep1();
    for (int i = 0; i < 4; i++)
        vla(16 << (3 * i));
    vla(16);
    report();
    return 0;
}
