/*
 * budget.c - per-line peaks, breakpoints and budgets:
 *
 *     budget peak          a line that makes and frees 500 MB
 *     budget break         a line that keeps 160 MB, SIGTRAP caught
 *     budget assert N      MP_ASSERT_BELOW_MIB(N) after keeping 100 MB
 *     budget report N      the same, the 100 MB kept by a profiled function
 *     budget check N       keeps 100 MB, then prints mp_current_mib(),
 *                          the resident set from /proc/self/statm, and
 *                          what MP_CHECK_BELOW_MIB(N) answered, twice:
 *                          "current C statm S check K errno E"
 *     budget fork          peak's lines, then a forked child whose line
 *                          makes and frees 200 MB
 *
 * prints on stdout what the test checks (SIGTRAPs caught).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

static void *volatile escape;
static volatile sig_atomic_t traps;

/*
 * Called through a volatile pointer, so that the compiler cannot see that
 * a block written and freed at once was never read, and delete it all.
 */
static void *(*volatile touch)(void *, int, size_t) = memset;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        touch(p, 1, n);
    escape = p;
    return p;
}

/* transient() - hold n bytes for a moment, then give them back. */
static void transient(size_t n)
{
    free(fill(malloc(n), n));
}

static void on_trap(int sig)
{
    (void)sig;
    traps++;
}

char *work(int keep)
{
    MP_PROFILE_FUNC();
    MP_LINE(transient(500000000));
    MP_LINE(char *p = keep ? fill(malloc(160000000), 160000000) : NULL);
    MP_RETURN(p);
}

/* hold() - keep n bytes, in a profiled function. */
char *hold(size_t n)
{
    MP_PROFILE_FUNC();
    MP_LINE(char *p = fill(malloc(n), n));
    MP_RETURN(p);
}

/* statm_mib() - the resident set from /proc/self/statm, in MiB. */
static double statm_mib(void)
{
    long size = 0;
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &size, &pages) != 2)
            pages = 0;
        fclose(f);
    }
    return (double)pages * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

/* in_child() - in a forked child: its own peak, not the parent's. */
void in_child(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(transient(200000000));
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "fork") == 0) {
        free(work(0));
        pid_t pid = fork();
        if (pid == 0) {
            in_child();
            exit(0);
        }
        int status = 1;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    if (argc >= 2 && strcmp(argv[1], "assert") == 0 && argc == 3) {
        char *p = fill(malloc(100000000), 100000000);
        MP_ASSERT_BELOW_MIB(atof(argv[2]));
        free(p);
        printf("below\n");
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "report") == 0) {
        char *p = hold(100000000);
        MP_ASSERT_BELOW_MIB(atof(argv[2]));
        free(p);
        printf("below\n");
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "check") == 0) {
        char *p = fill(malloc(100000000), 100000000);
        for (int i = 0; i < 2; i++) {
            errno = 42;
            double now = mp_current_mib();
            int ok = MP_CHECK_BELOW_MIB(atof(argv[2]));
            int e = errno;
            printf("current %.3f statm %.3f check %d errno %d\n", now,
                   statm_mib(), ok, e);
        }
        free(p);
        return 0;
    }
    signal(SIGTRAP, on_trap);
    char *p = work(argc >= 2 && strcmp(argv[1], "break") == 0);
    free(p);
    printf("traps %d\n", (int)traps);
    return 0;
}
