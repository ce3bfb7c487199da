/*
 * leaks.c - a server's loop that leaks: each request's buffer is made
 * through a wrapper, three calls deep, and one request in four forgets
 * to free it.  Scratch strings are made and freed on the way.  Under the
 * heap backend, handle_request()'s table says what each line allocated
 * and left behind (MEMPROF_ALLOC=1), and the leak report at exit where
 * the leaked blocks were made (MEMPROF_LEAKS=1):
 *
 *   MEMPROF_BACKEND=heap MEMPROF_ALLOC=1 MEMPROF_LEAKS=1 \
 *       LD_PRELOAD=build/libmemprof-heap.so build/examples/leaks
 *
 * memprof run --heap needs no annotation: it records the heap over time
 * and writes the same leak report next to the recording.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define REQUESTS 40
#define BUFFER (3 << 20) /* 3 MiB */

static void *volatile escape; /* the optimiser must keep every block */

/* xmalloc() - malloc or die, as many programs have. */
static __attribute__((noinline)) void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        perror("malloc");
        exit(1);
    }
    escape = p;
    return p;
}

/* fill() - a request's buffer, written to the end. */
static __attribute__((noinline)) char *fill(int id)
{
    char *buf = xmalloc(BUFFER);
    memset(buf, 'a' + id % 26, BUFFER);
    return buf;
}

/* scratch() - a short-lived string per request, always freed. */
static __attribute__((noinline)) void scratch(int id)
{
    for (int i = 0; i < 100; i++) {
        char *s = xmalloc(64);
        snprintf(s, 64, "request %d part %d", id, i);
        escape = s;
        free(s);
    }
}

static __attribute__((noinline)) void handle_request(int id)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *buf = fill(id));
    MP_LINE(scratch(id));
    if (id % 4 != 0) { /* the bug: one request in four keeps its buffer */
        MP_LINE(free(buf));
    }
    MP_RETURN_VOID();
}

int main(void)
{
    for (int id = 0; id < REQUESTS; id++)
        handle_request(id);
    printf("%d requests served\n", REQUESTS);
    return 0;
}
