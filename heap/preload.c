/*
 * preload.c - the preload object's start and end under memprof run
 * --heap (MEMPROF_HEAP_DIR set; see heap_share.h).  Built into the
 * preload object only: the heap archive never starts anything by itself.
 *
 * At start: the count moves into DIR/<pid>.heap, call stacks are kept
 * from then on (MEMPROF_LEAKS's), forked children move to files of their
 * own.  At exit: the sites dump goes to DIR/<pid>.sites.  The dump is
 * written by a destructor, which the C library runs from exit() after
 * every atexit handler and the program's own destructors, so the blocks
 * they free are not reported as leaked.  A process that ends by _exit(2)
 * or a signal writes no dump.
 *
 * Nothing here changes errno, or stops the program when it fails: the
 * count stays where it was and memprof records RSS instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "heap.h"

/* Set once the count is in the shared file: there is a dump to write. */
static int started;

/* An odd size, which no other allocation of the moment is likely to be. */
#define PROBE 4093

/*
 * counts() - whether this object's malloc is the program's: an executable
 * linked with its own allocator, or with the heap archive, keeps its own.
 */
MP__HEAP_FN static int counts(void)
{
    for (int i = 0; i < 3; i++) {
        long long before = mp__heap_live();
        void *volatile p = malloc(PROBE);
        long long after = mp__heap_live();
        free(p);
        if (p != NULL && after - before == PROBE)
            return 1;
    }
    return 0;
}

/* in_child() - pthread_atfork's child handler: a file of the child's own. */
MP__HEAP_FN static void in_child(void)
{
    mp__heap_share_fork();
}

/* start() - the constructor: see the top of this file. */
__attribute__((constructor)) MP__HEAP_FN static void start(void)
{
    int saved = errno;
    const char *dir = getenv(MP__HEAP_DIR_ENV);
    if (dir != NULL && dir[0] != '\0' &&
        mp__heap_share_start(dir, counts() ? MP__HEAP_SHARE_COUNTING
                                           : MP__HEAP_SHARE_FOREIGN) == 0) {
        pthread_atfork(NULL, NULL, in_child);
        (void)mp__heap_leaks_start();
        started = 1;
    }
    errno = saved;
}

/*
 * finish() - the destructor: the sites dump into DIR/<pid>.sites, under
 * another name until it is whole.
 */
__attribute__((destructor)) MP__HEAP_FN static void finish(void)
{
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    if (!started || mp__heap_share_path(path, sizeof path, ".sites") != 0 ||
        mp__heap_share_path(tmp, sizeof tmp, ".sites.tmp") != 0)
        return;
    int saved = errno;
    int fd =
        open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        int r = mp__heap_dump(fd);
        close(fd);
        if (r != 0 || rename(tmp, path) != 0)
            unlink(tmp);
    }
    errno = saved;
}
