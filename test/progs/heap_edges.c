/*
 * heap_edges.c - for the heap backend's tests: calls malloc and its whole
 * family with edge arguments and prints the outcome of each, one line a
 * call, on stdout.  Built twice: plain, and linked with the heap archive;
 * the plain one is also run with the preload object.  The outputs must
 * be the same: the counting malloc behaves as the allocator it replaces.
 *
 * An outcome is what a program can rely on, not where the block lies: a
 * block or NULL, errno (set to 0 before each call), the block's
 * alignment up to the one the call promises (the largest power of two
 * dividing the address, capped at the larger of 16 and the requested
 * alignment rounded up to a power of two), and whether it has room for
 * the bytes asked.
 *
 *     heap_edges [--fitting]   (only the calls that can give a block)
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The arguments go through volatile variables, so that the compiler
 * neither folds the calls nor warns about the sizes it could see.
 */
static volatile size_t v_huge = SIZE_MAX;
static volatile size_t v_half = SIZE_MAX / 2 + 1;
static volatile size_t v_ptrdiff = PTRDIFF_MAX;

/* The blocks, freed at the end. */
static void *blocks[64];
static int nblocks;

/* promised() - the alignment outcome() checks: see the top comment. */
static size_t promised(size_t align)
{
    size_t a = 16;
    while (a < align && a != 0)
        a <<= 1;
    return a != 0 ? a : (size_t)1 << (sizeof(size_t) * 8 - 1);
}

/*
 * outcome() - print what a call that returns p (asked for n bytes at
 * align) gave, with the errno it left, and keep p to free.
 */
static void outcome(const char *call, void *p, size_t n, size_t align)
{
    int e = errno;
    if (p == NULL) {
        printf("%-40s NULL errno=%d\n", call, e);
        return;
    }
    size_t cap = promised(align);
    size_t got = 1;
    while (got < cap && ((uintptr_t)p & got) == 0)
        got <<= 1;
    size_t usable = malloc_usable_size(p);
    if (n <= 4096)
        memset(p, 0x5a, n);
    printf("%-40s block errno=%d aligned=%zu room=%s\n", call, e, got,
           usable >= n ? "yes" : "NO");
    if (nblocks < (int)(sizeof blocks / sizeof blocks[0]))
        blocks[nblocks++] = p;
    else
        free(p);
}

/*
 * The functions, called through volatile pointers: gcc assumes that some
 * leave errno alone (posix_memalign) and would read it before the call.
 */
static void *(*volatile v_malloc)(size_t) = malloc;
static void *(*volatile v_calloc)(size_t, size_t) = calloc;
static void *(*volatile v_realloc)(void *, size_t) = realloc;
static void *(*volatile v_reallocarray)(void *, size_t, size_t) = reallocarray;
static void *(*volatile v_aligned_alloc)(size_t, size_t) = aligned_alloc;
static void *(*volatile v_memalign)(size_t, size_t) = memalign;
static void *(*volatile v_valloc)(size_t) = valloc;
static void *(*volatile v_pvalloc)(size_t) = pvalloc;
static int (*volatile v_posix_memalign)(void **, size_t,
                                        size_t) = posix_memalign;
static size_t (*volatile v_malloc_usable_size)(void *) = malloc_usable_size;
static void (*volatile v_free)(void *) = free;

/* TRY(fn, (args), n, align) - fn args, its outcome printed. */
#define TRY(fn, args, n, align)                                                \
    do {                                                                       \
        errno = 0;                                                             \
        void *p_ = v_##fn args;                                                \
        outcome(#fn #args, p_, (n), (align));                                  \
    } while (0)

/* try_posix() - posix_memalign(&p, align, n): its result, errno, p. */
static void try_posix(const char *call, size_t align, size_t n)
{
    void *p = &p;
    errno = 0;
    int rc = v_posix_memalign(&p, align, n);
    int e = errno;
    char label[96];
    snprintf(label, sizeof label, "%s ret=%d", call, rc);
    if (rc != 0) {
        printf("%-40s errno=%d out=%s\n", label, e,
               p == &p ? "untouched" : "CHANGED");
        return;
    }
    errno = e;
    outcome(label, p, n, align);
}

/*
 * try_realloc() - realloc(p, n) of p, NULL or a block that starts with
 * 0x5a: the outcome, and whether the byte moved with it (or stayed where
 * it was when realloc failed).
 */
static void try_realloc(const char *call, void *p, size_t n)
{
    errno = 0;
    void *q = v_realloc(p, n);
    int e = errno;
    char label[96];
    const unsigned char *byte = q != NULL ? q : n != 0 ? p : NULL;
    snprintf(label, sizeof label, "%s old=%s", call,
             p == NULL || byte == NULL ? "-"
             : *byte == 0x5a           ? "kept"
                                       : "LOST");
    errno = e;
    outcome(label, q, n, 0);
    if (q == NULL && n != 0)
        v_free(p);
}

/* filled() - a new block of n bytes of 0x5a from make (NULL: exit). */
static void *filled(void *p, size_t n)
{
    if (p == NULL)
        exit(1);
    memset(p, 0x5a, n);
    return p;
}

/* fitting() - the calls with sizes and alignments that can be had. */
static void fitting(size_t page)
{
    TRY(malloc, (0), 0, 0);
    TRY(malloc, (100), 100, 0);

    TRY(calloc, (0, 0), 0, 0);
    TRY(calloc, (10, 10), 100, 0);

    TRY(aligned_alloc, (0, 100), 100, 0);
    TRY(aligned_alloc, (1, 100), 100, 1);
    TRY(aligned_alloc, (3, 100), 100, 3);
    TRY(aligned_alloc, (8, 100), 100, 8);
    TRY(aligned_alloc, (24, 100), 100, 24);
    TRY(aligned_alloc, (64, 100), 100, 64);
    TRY(aligned_alloc, (100, 1000), 1000, 100);
    TRY(aligned_alloc, (4096, 1), 1, 4096);
    TRY(aligned_alloc, (64, 0), 0, 64);

    TRY(memalign, (0, 100), 100, 0);
    TRY(memalign, (3, 100), 100, 3);
    TRY(memalign, (17, 100), 100, 17);
    TRY(memalign, (33, 100), 100, 33);
    TRY(memalign, (256, 10), 10, 256);

    TRY(valloc, (0), 0, page);
    TRY(valloc, (1), 1, page);
    TRY(pvalloc, (0), 0, page);
    TRY(pvalloc, (1), 1, page);

    try_posix("posix_memalign(0, 100)", 0, 100);
    try_posix("posix_memalign(1, 100)", 1, 100);
    try_posix("posix_memalign(4, 100)", 4, 100);
    try_posix("posix_memalign(8, 100)", 8, 100);
    try_posix("posix_memalign(16, 0)", 16, 0);
    try_posix("posix_memalign(24, 100)", 24, 100);
    try_posix("posix_memalign(64, 100)", 64, 100);
    try_posix("posix_memalign(4096, 3)", 4096, 3);

    try_realloc("realloc(NULL, 0)", NULL, 0);
    try_realloc("realloc(NULL, 100)", NULL, 100);
    try_realloc("realloc(p, 0)", filled(malloc(10), 10), 0);
    try_realloc("realloc(p, 1000)", filled(malloc(10), 10), 1000);
    try_realloc("realloc(p, 1)", filled(malloc(100), 100), 1);
    try_realloc("realloc(aligned, 0)", filled(memalign(64, 10), 10), 0);
    try_realloc("realloc(aligned, 1000)", filled(memalign(64, 10), 10), 1000);

    TRY(reallocarray, (NULL, 10, 10), 100, 0);
    TRY(reallocarray, (NULL, 0, 10), 0, 0);
}

/*
 * impossible() - the calls with sizes or alignments no allocator can
 * give, which reach the one below as they are.
 */
static void impossible(size_t page)
{
    TRY(malloc, (v_huge), 0, 0);
    TRY(malloc, (v_ptrdiff), 0, 0);

    TRY(calloc, (v_half, 2), 0, 0);
    TRY(calloc, (1, v_huge), 0, 0);
    TRY(calloc, (v_ptrdiff, 1), 0, 0);

    TRY(aligned_alloc, (v_half, 100), 0, 0);
    TRY(aligned_alloc, (v_half + 1, 100), 0, 0);
    TRY(aligned_alloc, (v_huge, 100), 0, 0);
    TRY(aligned_alloc, (64, v_huge), 0, 0);

    TRY(memalign, (v_half, 100), 0, 0);
    TRY(memalign, (v_huge, 100), 0, 0);
    TRY(memalign, (64, v_huge), 0, 0);
    TRY(memalign, (64, v_huge - 100), 0, 0);

    TRY(valloc, (v_huge), 0, 0);
    TRY(pvalloc, (v_huge), 0, 0);
    TRY(pvalloc, (v_huge - page), 0, 0);

    try_posix("posix_memalign(half, 100)", v_half, 100);
    try_posix("posix_memalign(huge, 100)", v_huge, 100);
    try_posix("posix_memalign(64, huge)", 64, v_huge);

    try_realloc("realloc(p, huge)", filled(malloc(10), 10), v_huge);
    try_realloc("realloc(p, ptrdiff)", filled(malloc(10), 10), v_ptrdiff);
    try_realloc("realloc(aligned, huge)", filled(memalign(64, 10), 10), v_huge);

    TRY(reallocarray, (NULL, v_half, 2), 0, 0);
    void *r = filled(malloc(10), 10);
    errno = 0;
    void *q = v_reallocarray(r, v_huge, v_huge);
    printf("%-40s %s errno=%d\n", "reallocarray(p, huge, huge)",
           q == NULL ? "NULL" : "block", errno);
    free(q != NULL ? q : r);
}

/*
 * main() - every call, or with --fitting the fitting ones only:
 * valgrind's allocator calls the impossible sizes errors.
 */
int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    fitting(page);
    if (argc < 2 || strcmp(argv[1], "--fitting") != 0)
        impossible(page);

    errno = 0;
    size_t u = v_malloc_usable_size(NULL);
    printf("%-40s %zu errno=%d\n", "malloc_usable_size(NULL)", u, errno);
    errno = 0;
    v_free(NULL);
    printf("%-40s errno=%d\n", "free(NULL)", errno);

    for (int i = 0; i < nblocks; i++)
        free(blocks[i]);
    return 0;
}
