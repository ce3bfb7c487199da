/*
 * heap_quiet.c - for the heap backend's tests: profiled functions that
 * allocate nothing, with 1, 14 and 1,000 MP_LINE sites, so that every row
 * must show no increment and the count main started with: the library's
 * own memory (its records, the site table, the rows that grow with the
 * sites) is never counted.  Prints that count ("start <bytes>"): 0 but
 * under a sanitizer, whose runtime allocates before main.  Linked with
 * the heap archive.
 */
#include <stdio.h>
#include <unistd.h>

#include <memprof.h>

/* Rn(f) - n uses of the function-like macro f, each expanded apart. */
#define R2(f) f() f()
#define R10(f) R2(f) R2(f) R2(f) R2(f) R2(f)
#define R100(f)                                                                \
    R10(f) R10(f) R10(f) R10(f) R10(f) R10(f) R10(f) R10(f) R10(f) R10(f)
#define R1000(f)                                                               \
    R100(f)                                                                    \
    R100(f) R100(f) R100(f) R100(f) R100(f) R100(f) R100(f) R100(f) R100(f)
#define ONE_LINE() MP_LINE(sink = 2);

static volatile int sink;

static void one(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(sink = 1);
}

static void fourteen(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(volatile int v1 = 1);
    MP_LINE(volatile int v2 = 2);
    MP_LINE(volatile int v3 = 3);
    MP_LINE(volatile int v4 = 4);
    MP_LINE(volatile int v5 = 5);
    MP_LINE(volatile int v6 = 6);
    MP_LINE(volatile int v7 = 7);
    MP_LINE(volatile int v8 = 8);
    MP_LINE(volatile int v9 = 9);
    MP_LINE(volatile int v10 = 10);
    MP_LINE(volatile int v11 = 11);
    MP_LINE(volatile int v12 = 12);
    MP_LINE(volatile int v13 = 13);
    MP_LINE(volatile int v14 = 14);
    sink = v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11 + v12 + v13 +
           v14;
}

/* A thousand sites on one line: one row, 1,000 occurrences. */
static void thousand(void)
{
    MP_PROFILE_FUNC();
    R1000(ONE_LINE)
}

int main(void)
{
    mp_samples start;
    if (mp_memory_usage(0, 1, 0, &start) != 0)
        return 1;
    /* Not stdio: its buffer would come from the counted malloc. */
    char line[64];
    int n =
        snprintf(line, sizeof line, "start %.0f\n", start.mib[0] * 1048576.0);
    if (write(STDOUT_FILENO, line, (size_t)n) != n)
        return 1;
    mp_samples_free(&start);
    one();
    fourteen();
    thousand();
    return 0;
}
