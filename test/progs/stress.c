/*
 * stress.c - for the stress test: THREADS threads (16) each make HITS
 * MP_LINE hits (1,000,000) spread over 100 profiled functions, f00 to
 * f99, then main recurses DEPTH (10,000) deep through one profiled
 * function.  Each thread goes round the functions from its own start, so
 * that the threads meet every site's first hit and every row at once.
 * The table must show every hit: a function's loop line HITS / 100 times
 * a thread.
 *
 *     stress [HITS [DEPTH]]   (HITS a multiple of 10,000)
 *
 * The functions are written out, one site each, so that the report can
 * show their lines; prints nothing itself.  Linked with the heap archive:
 * the test reads MEMPROF_BACKEND=heap, the cheapest reading, so that the
 * hits cost their recording and little else.
 */
#include <pthread.h>
#include <stdlib.h>

#include <memprof.h>

#define THREADS 16
#define FUNCS 100
/* Hits of one call: a thread calls each function HITS / FUNCS / REPS times. */
#define REPS 100

/* What the loops do; atomic so that ThreadSanitizer sees no race. */
static long work;

static void hit(void)
{
    __atomic_fetch_add(&work, 1, __ATOMIC_RELAXED);
}

void f00(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f01(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f02(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f03(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f04(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f05(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f06(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f07(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f08(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f09(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f10(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f11(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f12(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f13(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f14(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f15(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f16(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f17(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f18(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f19(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f20(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f21(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f22(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f23(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f24(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f25(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f26(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f27(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f28(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f29(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f30(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f31(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f32(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f33(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f34(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f35(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f36(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f37(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f38(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f39(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f40(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f41(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f42(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f43(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f44(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f45(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f46(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f47(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f48(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f49(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f50(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f51(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f52(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f53(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f54(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f55(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f56(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f57(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f58(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f59(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f60(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f61(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f62(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f63(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f64(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f65(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f66(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f67(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f68(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f69(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f70(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f71(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f72(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f73(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f74(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f75(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f76(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f77(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f78(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f79(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f80(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f81(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f82(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f83(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f84(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f85(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f86(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f87(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f88(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f89(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f90(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f91(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f92(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f93(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f94(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f95(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f96(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f97(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f98(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

void f99(void)
{
    MP_PROFILE_FUNC();
    for (int i = 0; i < REPS; i++) {
        MP_LINE(hit());
    }
    MP_RETURN_VOID();
}

static void (*const fns[FUNCS])(void) = {
    f00, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11, f12, f13, f14,
    f15, f16, f17, f18, f19, f20, f21, f22, f23, f24, f25, f26, f27, f28, f29,
    f30, f31, f32, f33, f34, f35, f36, f37, f38, f39, f40, f41, f42, f43, f44,
    f45, f46, f47, f48, f49, f50, f51, f52, f53, f54, f55, f56, f57, f58, f59,
    f60, f61, f62, f63, f64, f65, f66, f67, f68, f69, f70, f71, f72, f73, f74,
    f75, f76, f77, f78, f79, f80, f81, f82, f83, f84, f85, f86, f87, f88, f89,
    f90, f91, f92, f93, f94, f95, f96, f97, f98, f99,
};

static long rounds;
static pthread_barrier_t start;

/*
 * thread() - rounds x every function, from function arg on, once every
 * thread is ready.
 */
static void *thread(void *arg)
{
    int first = (int)(long)arg;
    pthread_barrier_wait(&start);
    for (long r = 0; r < rounds; r++)
        for (int k = 0; k < FUNCS; k++)
            fns[(first + k) % FUNCS]();
    return NULL;
}

/* recurse() - depth more calls of itself, each a hit of its line. */
int recurse(int depth)
{
    MP_PROFILE_FUNC();
    MP_LINE(int below = depth > 0 ? recurse(depth - 1) : 0);
    MP_RETURN(below + 1);
}

int main(int argc, char **argv)
{
    long hits = argc > 1 ? atol(argv[1]) : 1000000;
    int depth = argc > 2 ? atoi(argv[2]) : 10000;
    if (hits < FUNCS * REPS || hits % (FUNCS * REPS) != 0 || depth < 0)
        return 2;
    rounds = hits / (FUNCS * REPS);
    pthread_barrier_init(&start, NULL, THREADS);
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&th[i], NULL, thread,
                           (void *)(i * FUNCS / THREADS)) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    if (__atomic_load_n(&work, __ATOMIC_RELAXED) != THREADS * hits)
        return 1;
    return recurse(depth) == depth + 1 ? 0 : 1;
}
