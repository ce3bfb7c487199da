/*
 * regress.c - one program in two versions for memprof diff's tests:
 * "regress A B [HOLD]" keeps A MiB on one line and B MiB on the next,
 * frees B, and prints its pid on stdout.  HOLD (seconds) keeps B a while
 * so that memprof run's sampler sees it.  The pages are touched, so that
 * RSS counts them, and kept, so that -O2 keeps the calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <memprof.h>

static char *volatile keep[2];

/* grab() - mib MiB, every page touched. */
static char *grab(long mib)
{
    size_t n = (size_t)mib << 20;
    char *p = malloc(n > 0 ? n : 1);
    if (p != NULL)
        memset(p, 1, n);
    return p;
}

/* hold() - sleep for s seconds. */
static void hold(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static void work(long a, long b, double s)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep[0] = grab(a)); /* the index */
    MP_LINE(keep[1] = grab(b)); /* the records */
    MP_LINE(hold(s));
    MP_LINE(free(keep[1]));
    MP_RETURN_VOID();
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    printf("%ld\n", (long)getpid());
    fflush(stdout);
    work(atol(argv[1]), atol(argv[2]), argc > 3 ? atof(argv[3]) : 0);
    return 0;
}
