/*
 * kinds.c - every kind of statement memprof cc rewrites, for check_cc.c.
 * Built with memprof cc --func 'k_*'.  The lines the test looks at carry
 * a marker comment "@name"; the test knows how often each records.
 * Its layout is part of the test: clang-format must not touch it.
 */
/* clang-format off */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define TWICE(x)                                                               \
    do {                                                                       \
        (x)++;                                                                 \
        (x)++;                                                                 \
    } while (0)
#define TWO_STMTS(a, b)                                                        \
    (a)++;                                                                     \
    (b)++

static void *volatile sink;

/* touch() - a block of n bytes, filled, that the optimiser cannot drop. */
static char *touch(size_t n)
{
    char *p = malloc(n);

    if (p != NULL)
        memset(p, 1, n);
    sink = p;
    return p;
}

int k_loops(int n)
{
    int s = 0; /* @decl */
    for (int i = 0; i < n; i++) { /* @for */
        for (int j = 0; j < 3; j++) /* @for2 */
            s += j; /* @for2body */
    }
    int k = 0;
    while (k < n) /* @while */
        k++; /* @whilebody */
    do {
        k--; /* @dobody */
    } while (k > 0); /* @dowhile */
    for (;;) { /* @forever */
        if (++k == 3) /* @ifbreak */
            break; /* @break */
    }
    return s + k; /* @loopsret */
}

int k_switch(int v)
{
    int r = 0;
    switch (v) { /* @switch */
    case 0:
        r += 1; /* @case0 */
        /* fall through */
    case 1:
        r += 2; /* @case1 */
        break; /* @case1break */
    case 2: r = 5; break; /* @case2 */
    default:
        r = -1; /* @default */
    }
    return r;
}

int k_goto(int n)
{
    int i = 0;
again:
    i++; /* @gotobody */
    if (i < n) /* @gotoif */
        goto again; /* @goto */
    return i;
}

int k_returns(int depth)
{
    if (depth == 0)
        return 0; /* @ret0 */
    for (int i = 0; i < 2; i++) {
        while (1) {
            if (depth == 1)
                return 1; /* @ret1 */
            break;
        }
        if (depth == 2) {
            return 2; /* @ret2 */
        }
    }
    return 3; /* @ret3 */
}

int k_ifelse(int v)
{
    int r;
    if (v == 0) /* @if0 */
        r = 10; /* @then0 */
    else if (v == 1) /* @if1 */
        r = 11; /* @then1 */
    else
        r = 12; /* @else */
    return r;
}

int k_lines(int n)
{
    int a = 0, b = 0;
    char *p = touch(40u << 20); /* @alloc */
    char *q = touch((size_t)n + /* @multi */
                    1); /* @multi2 */
    TWO_STMTS(a, b); /* @macro2 */
    TWICE(a); /* @twice */
    a = 1; b = 2; /* @oneline2 */
    if (n > 100) n = 100; /* @onelineif */
    for (int i = 0; i < 3; i++) b++; /* @onelinefor */
#if 1
    a++; /* @ifdefyes */
#else
    a--; /* @ifdefno */
#endif
    MP_LINE(b += 3); /* @mpline */
    free(q);
    free(p); /* @free */
    if (!n) return -1; /* @onelineret */
    return a + b;
}

int k_knr(a, b)
    int a;
    int b;
{
    int c = a + b; /* @knr */
    return c;
}

static inline int k_inline(int x)
{
    int y = x * 2; /* @inline */
    return y;
}

void k_label_end(int v)
{
    if (v)
        goto end;
    v++; /* @beforeend */
end:; /* @end */
}

int k_variadic(int n, ...)
{
    va_list ap;
    int s = 0;
    va_start(ap, n); /* @vastart */
    for (int i = 0; i < n; i++)
        s += va_arg(ap, int); /* @va */
    va_end(ap);
    return s;
}

int main(void)
{
    int sum = k_loops(4);

    for (int v = 0; v < 4; v++)
        sum += k_switch(v) + k_returns(v) + k_ifelse(v % 3);
    sum += k_goto(5);
    sum += k_lines(7) + k_lines(0);
    sum += k_knr(1, 2) + k_inline(3) + k_inline(4);
    k_label_end(0);
    k_label_end(1);
    sum += k_variadic(3, 1, 2, 3);
    printf("%d\n", sum);
    return 0;
}
