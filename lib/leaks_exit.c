/*
 * leaks_exit.c - MEMPROF_LEAKS in the profiler: at start, the heap
 * archive or preload object is asked to keep every block's call stack;
 * at exit, before the report is made, its sites dump is taken into a
 * memfd (a nameless file in /tmp where there is none), so that what the
 * report itself allocates (the tables, libdw) is not in it.
 * report.c prints it (leaks.c) after the tables.
 */
#define _GNU_SOURCE /* memfd_create */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static int leaks_on; /* the heap object keeps stacks */

/* mp__leaks_start() - see internal.h. */
void mp__leaks_start(void)
{
    if (!mp__config.leaks)
        return;
    if (mp__backend_cur != MP__BACKEND_HEAP) {
        mp__warn("MEMPROF_LEAKS=1 needs the heap backend "
                 "(MEMPROF_BACKEND=heap), not %s; no leak report",
                 mp__backend_name());
        return;
    }
    if (mp__backend_heap_leaks_start() != 0) {
        mp__warn("MEMPROF_LEAKS=1 needs a heap archive or preload object "
                 "that keeps call stacks; no leak report");
        return;
    }
    __atomic_store_n(&leaks_on, 1, __ATOMIC_RELEASE);
}

/* mp__leaks_dump() - see internal.h. */
FILE *mp__leaks_dump(void)
{
    FILE *f = NULL;
    int fd;
    int r;

    if (!__atomic_load_n(&leaks_on, __ATOMIC_ACQUIRE))
        return NULL;
    /* Neither allocates: nothing is counted before the dump. */
    fd = memfd_create("memprof-leaks", MFD_CLOEXEC);
    if (fd < 0)
        fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        mp__warn("no leak report: cannot make a file for the sites dump "
                 "(%s)",
                 mp_strerror(-errno));
        return NULL;
    }
    r = mp__backend_heap_dump(fd);
    if (r == 0 && lseek(fd, 0, SEEK_SET) != 0)
        r = -errno;
    if (r == 0 && (f = fdopen(fd, "r")) == NULL)
        r = -errno;
    if (r != 0) {
        mp__warn("no leak report: cannot take the sites dump (%s)",
                 mp_strerror(r));
        close(fd);
        return NULL;
    }
    return f;
}
