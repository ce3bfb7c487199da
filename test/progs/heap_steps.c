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
 *   heap_steps threads      the steps of steps, but made by threads that
 *                           end at once: 8 MiB by one, 16 by 64 in waves
 *                           of 8 (256 KiB each), then the 8 freed; exits 0
 *
 * It prints errno as main() finds it, and "done" at the end, on stdout.
 */
#include <errno.h>
#include <pthread.h>
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

#define WAVE 8

static void *volatile quarters[64];

/*
 * keep() - a thread of threads mode: arg -1 holds 8 MiB, 0 to 63 256 KiB
 * in quarters[arg], 64 and up nothing.
 */
static void *keep(void *arg)
{
    long i = (long)arg;
    if (i < 0)
        hold(0, 8);
    else if (i < 64 && (quarters[i] = malloc(MIB / 4)) != NULL)
        memset(quarters[i], 1, MIB / 4);
    return NULL;
}

/*
 * wave() - n threads of keep() at once, from first on (-1: one for the
 * 8 MiB), ended when it returns; 0, or -1 if one could not start.
 */
static int wave(long first, int n)
{
    pthread_t tid[WAVE];
    int made = 0;
    for (; made < n; made++)
        if (pthread_create(&tid[made], NULL, keep,
                           (void *)(first < 0 ? first : first + made)) != 0)
            break;
    for (int i = 0; i < made; i++)
        pthread_join(tid[i], NULL);
    return made == n ? 0 : -1;
}

/* threads() - threads mode: see the top of this file. */
static int threads(void)
{
    /* An idle wave first: the C library's blocks for each stack exist. */
    if (wave(64, WAVE) != 0 || wave(-1, 1) != 0)
        return 1;
    nap(0.4);
    for (long w = 0; w < 64 / WAVE; w++)
        if (wave(w * WAVE, WAVE) != 0)
            return 1;
    nap(0.4);
    free(escape[0]);
    nap(0.4);
    return 0;
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
    } else if (strcmp(mode, "threads") == 0) {
        if (threads() != 0)
            return 1;
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
