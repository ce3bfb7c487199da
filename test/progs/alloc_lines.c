/*
 * alloc_lines.c - MEMPROF_ALLOC's columns to the byte, for check_heap.c:
 * each line of script() asks for known sizes through one member of the
 * malloc family, keeps or frees them, or frees another line's.  Built
 * with the heap archive; run with MEMPROF_BACKEND=heap MEMPROF_ALLOC=1.
 * With an argument, a second thread frees what the first made.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static void *volatile keep[8];

void script(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep[0] = malloc(1000));
    MP_LINE(for (int i = 0; i < 10; i++) free(keep[6] = malloc(1 << 20)));
    MP_LINE(keep[1] = calloc(10, 100));
    MP_LINE(keep[1] = realloc(keep[1], 5000));
    MP_LINE(keep[1] = realloc(keep[1], 10));
    MP_LINE(void *p = NULL; keep[2] = posix_memalign(&p, 64, 300) ? NULL : p);
    MP_LINE(keep[3] = aligned_alloc(128, 256));
    MP_LINE(keep[4] = strdup("hello"));
    MP_LINE(free(NULL));
    MP_LINE(keep[5] = malloc(77); free(keep[0]));
    MP_LINE(keep[6] = realloc(keep[5], 0));
}

/* made_here() - a profiled line makes 4096 bytes another thread frees. */
static void *made_here(void *arg)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep[7] = malloc(4096));
    return arg;
}

static void *frees_there(void *arg)
{
    (void)arg;
    free(keep[7]);
    return NULL;
}

void churn_line(void);

int main(int argc, char **argv)
{
    (void)argv;
    script();
    churn_line();
    if (argc > 1) {
        pthread_t a;
        pthread_t b;
        pthread_create(&a, NULL, made_here, NULL);
        pthread_join(a, NULL);
        pthread_create(&b, NULL, frees_there, NULL);
        pthread_join(b, NULL);
    }
    return 0;
}

/*
 * churn_line() - one line makes 100,000 blocks of 32 bytes and frees all
 * but 64 of them, not in the order made: its list of pending blocks is
 * compacted as it fills.
 */
static void *volatile ring[64];

void churn_line(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(for (int i = 0; i < 100000; i++) {
        int k = (i * 7919) % 64;
        free(ring[k]);
        ring[k] = malloc(32);
    });
}
