/*
 * heap_script.c - for the heap backend's tests: a scripted sequence of
 * calls to the malloc family, linked with the heap archive.  After each
 * step it notes the heap count less the count at the start, and at the
 * end prints one line per step on stdout:
 *
 *     <step> <bytes> <extra>
 *
 * where extra is what else the step checks (a return code, errno, an
 * alignment held: 1), so that the test compares the whole output with
 * what it expects.  Nothing is printed until the end: stdio allocates.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long long mp__heap_live(void);
long long mp__heap_peak(void);
void mp__heap_peak_reset(void);

/* The blocks escape through here, so that -O2 keeps every call. */
static void *volatile keep[16];

/* Sizes too large for any block, hidden from the compiler's checks. */
static volatile size_t half = SIZE_MAX / 2;
static volatile size_t huge = SIZE_MAX - 8;

/*
 * The failing calls go through pointers the compiler cannot see through:
 * clang takes the malloc family to leave errno alone, and would read
 * errno as it was before the call.
 */
static void *(*volatile calloc_fn)(size_t, size_t) = calloc;
static void *(*volatile malloc_fn)(size_t) = malloc;
static void *(*volatile reallocarray_fn)(void *, size_t, size_t) = reallocarray;

static struct {
    const char *step;
    long long bytes;
    long long extra;
} notes[64];
static int nnotes;
static long long base;

/* note() - the count now, less the count at the start, for step. */
static void note(const char *step, long long extra)
{
    notes[nnotes].step = step;
    notes[nnotes].bytes = mp__heap_live() - base;
    notes[nnotes].extra = extra;
    nnotes++;
}

/* aligned() - 1 if p is a multiple of a. */
static long long aligned(void *p, uintptr_t a)
{
    return p != NULL && (uintptr_t)p % a == 0;
}

int main(void)
{
    void *p = NULL;
    base = mp__heap_live();
    note("start", 0);

    keep[0] = malloc(100);
    note("malloc", aligned(keep[0], 16));
    keep[1] = calloc(3, 7);
    note("calloc", ((char *)keep[1])[20] == 0);
    keep[0] = realloc(keep[0], 1000);
    note("realloc_grow", aligned(keep[0], 16));
    keep[0] = realloc(keep[0], 10);
    note("realloc_shrink", malloc_usable_size(keep[0]) >= 10);
    int rc = posix_memalign(&p, 64, 200);
    keep[2] = p;
    note("posix_memalign", rc == 0 && aligned(p, 64));
    keep[3] = aligned_alloc(256, 300);
    note("aligned_alloc", aligned(keep[3], 256));
    keep[4] = memalign(128, 50);
    note("memalign",
         aligned(keep[4], 128) && malloc_usable_size(keep[4]) >= 50);
    keep[5] = valloc(5000);
    note("valloc", aligned(keep[5], 4096));
    keep[6] = reallocarray(NULL, 10, 12);
    note("reallocarray", keep[6] != NULL);
    keep[6] = reallocarray(keep[6], 20, 12);
    note("reallocarray_grow", keep[6] != NULL);
    memset(keep[2], 7, 200);
    keep[2] = realloc(keep[2], 400);
    note("realloc_aligned", ((unsigned char *)keep[2])[199] == 7);
    keep[7] = malloc(0);
    note("malloc0", keep[7] != NULL);

    errno = 0;
    keep[9] = calloc_fn(half, 3);
    note("calloc_overflow", keep[9] == NULL && errno == ENOMEM);
    errno = 0;
    keep[9] = reallocarray_fn(keep[6], half, 3);
    note("reallocarray_overflow", keep[9] == NULL && errno == ENOMEM);
    errno = 0;
    keep[9] = malloc_fn(huge);
    note("malloc_huge", keep[9] == NULL && errno == ENOMEM);
    note("posix_memalign_einval", posix_memalign(&p, 24, 10));
    note("posix_memalign_einval2", posix_memalign(&p, 4, 10));
    errno = 1234;
    keep[8] = malloc_fn(10);
    note("errno_kept", errno);

    for (int i = 0; i <= 8; i++)
        free(keep[i]);
    note("free_all", 0);
    free(NULL);
    note("free_null", 0);
    keep[0] = strdup("hello, world");
    note("strdup", strcmp(keep[0], "hello, world") == 0);
    free(keep[0]);
    note("strdup_free", 0);
    keep[0] = realloc(NULL, 64);
    note("realloc_null", keep[0] != NULL);
    keep[9] = realloc(keep[0], 0);
    note("realloc_zero", keep[9] == NULL);
    keep[0] = malloc(1 << 20);
    note("malloc_big", aligned(keep[0], 16));
    keep[0] = realloc(keep[0], 3 << 20);
    note("realloc_big", keep[0] != NULL);
    free(keep[0]);
    note("free_big", 0);

    keep[0] = malloc(300);
    mp__heap_peak_reset();
    keep[1] = malloc(5000);
    keep[2] = malloc(2000);
    free(keep[1]);
    free(keep[2]);
    keep[1] = malloc(100);
    note("peak", mp__heap_peak() - base);
    mp__heap_peak_reset();
    note("peak_reset", mp__heap_peak() - base);
    free(keep[0]);
    free(keep[1]);
    note("end", 0);

    for (int i = 0; i < nnotes; i++)
        printf("%s %lld %lld\n", notes[i].step, notes[i].bytes, notes[i].extra);
    return 0;
}
