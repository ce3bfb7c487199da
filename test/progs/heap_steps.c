/*
 * heap_steps.c - a program memprof run --heap records without having
 * built it: it holds exact amounts of heap for a while each, so that the
 * samples show them to the byte.
 *
 *   heap_steps steps        8 MiB, then 24 (calloc 16 more), then 16 (the
 *                           8 freed); 0.4 s each; 16 MiB leaked; exits 7
 *   heap_steps fork         10 MiB; a child adds 20 MiB (30 in it) for
 *                           0.8 s and exits; the parent waits, then 0.3 s
 *   heap_steps exec         10 MiB; a child adds 5 MiB for 0.5 s, then
 *                           runs heap_steps hold 12 (exec of itself)
 *   heap_steps hold N       N MiB for 0.8 s
 *
 * It prints errno as main() finds it, and "done" at the end, on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static void *volatile escape[4];

/* nap() - sleep s seconds. */
static void nap(double s)
{
    usleep((useconds_t)(s * 1e6));
}

/* hold() - mib MiB of heap, touched, kept. */
static void *hold(int slot, size_t mib)
{
    escape[slot] = malloc(mib * MIB);
    if (escape[slot] != NULL)
        memset(escape[slot], 1, mib * MIB);
    return escape[slot];
}

int main(int argc, char **argv)
{
    int e = errno;
    const char *mode = argc > 1 ? argv[1] : "steps";
    printf("errno %d\n", e);
    fflush(stdout);
    if (strcmp(mode, "hold") == 0 && argc > 2) {
        hold(0, (size_t)atoi(argv[2]));
        nap(0.8);
    } else if (strcmp(mode, "fork") == 0 || strcmp(mode, "exec") == 0) {
        int exec = strcmp(mode, "exec") == 0;
        hold(0, 10);
        nap(0.3);
        pid_t pid = fork();
        if (pid == 0) {
            hold(1, exec ? 5 : 20);
            nap(exec ? 0.5 : 0.8);
            if (exec) {
                execl("/proc/self/exe", argv[0], "hold", "12", (char *)NULL);
                _exit(127);
            }
            exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        nap(0.3);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return 1;
    } else {
        hold(0, 8);
        nap(0.4);
        escape[1] = calloc(16, MIB);
        nap(0.4);
        free(escape[0]);
        nap(0.4);
        puts("done");
        return 7;
    }
    puts("done");
    return 0;
}
