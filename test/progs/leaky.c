/*
 * leaky.c - for MEMPROF_LEAKS's end-to-end tests (check_leaks.c): a leak
 * three calls deep behind a malloc wrapper, blocks made and freed, and a
 * strdup (the C library's frame is not shown), a block made through a
 * wrapper always inlined (its frame shown all the same), with one profiled
 * function so that the library starts.  Linked with the heap archive and
 * also built plain, for the preload object.  The tests find the lines by
 * the AT- markers.  argv[1] "many": 20 more leaking sites (the top ten).
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

void *volatile keep[64];
volatile int served;

__attribute__((noinline)) void *xmalloc(size_t n)
{
    void *p = malloc(n); /* AT-XMALLOC */
    if (p == NULL)
        abort();
    memset(p, 1, n);
    return p;
}

__attribute__((noinline)) void fill(int i, size_t n)
{
    keep[i] = xmalloc(n); /* AT-FILL */
}

__attribute__((noinline)) void handle_request(int i, size_t n)
{
    fill(i, n); /* AT-HANDLE */
    served++;
}

__attribute__((noinline)) void churn(size_t n)
{
    for (int i = 0; i < 10; i++) {
        keep[40] = xmalloc(n); /* AT-CHURN */
        free(keep[40]);
    }
}

__attribute__((noinline)) void copy(void)
{
    keep[41] = strdup("a string of 25 characters"); /* AT-COPY */
}

/* zalloc() - a wrapper that is always inlined, at -O0 too. */
static inline __attribute__((always_inline)) void *zalloc(size_t n)
{
    void *p = xmalloc(n); /* AT-ZALLOC */
    memset(p, 0, n);
    return p;
}

__attribute__((noinline)) void record(void)
{
    keep[39] = zalloc(4000); /* AT-RECORD */
}

/* each_site() - n bytes kept from one of 20 distinct call sites. */
__attribute__((noinline)) void each_site(void)
{
#define SITE(k) keep[42 + (k)] = malloc(100 + (k))
    SITE(0);
    SITE(1);
    SITE(2);
    SITE(3);
    SITE(4);
    SITE(5);
    SITE(6);
    SITE(7);
    SITE(8);
    SITE(9);
    SITE(10);
    SITE(11);
    SITE(12);
    SITE(13);
    SITE(14);
    SITE(15);
    SITE(16);
    SITE(17);
    SITE(18);
    SITE(19);
}

static void work(int many)
{
    MP_PROFILE_FUNC();
    MP_LINE(churn(1 << 20));
    for (int i = 0; i < 30; i++)
        handle_request(i, 1000); /* AT-MAIN */
    MP_LINE(copy());
    MP_LINE(record());
    if (many)
        each_site();
}

int main(int argc, char **argv)
{
    work(argc > 1 && strcmp(argv[1], "many") == 0);
    return 0;
}
