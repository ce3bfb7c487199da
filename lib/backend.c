/*
 * backend.c - what a reading is: the resident set (rss, the default, as
 * memory_profiler's psutil backend), the proportional or unique set (pss,
 * uss, as its psutil_pss and psutil_uss), or the bytes the program holds
 * from malloc (heap, see backend_heap.c).  One table per backend; init
 * picks one from MEMPROF_BACKEND.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const mp__backend *mp__backend_cur = &mp__backend_rss;

const mp__backend mp__backend_rss = {"rss", mp__statm_open, mp__statm_rss, 1};

/* mp__backend_close() - see internal.h. */
void mp__backend_close(int handle)
{
    if (mp__backend_cur->uses_fd && handle >= 0)
        close(handle);
}

/* smaps_open() - /proc/self/smaps_rollup, kept open for pread. */
static int smaps_open(void)
{
    int fd = open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

/*
 * smaps_read() - one pread of smaps_rollup (under 1 KiB), then field
 * which of it.  Costs the kernel a walk of every mapping: far more than
 * statm, which is why rss stays the default.
 */
static long long smaps_read(int fd, int which)
{
    char buf[2048];
    ssize_t n = mp__pread_head(fd, buf, sizeof buf);
    if (n < 0)
        return n;
    return mp__smaps_rollup_parse(buf, (size_t)n, which);
}

static long long pss_read(int fd)
{
    return smaps_read(fd, 0);
}

static long long uss_read(int fd)
{
    return smaps_read(fd, 1);
}

const mp__backend mp__backend_pss = {"pss", smaps_open, pss_read, 1};
const mp__backend mp__backend_uss = {"uss", smaps_open, uss_read, 1};

/*
 * works() - whether b can take a reading in this process now (the file
 * exists, the heap counter is linked in).
 */
static int works(const mp__backend *b)
{
    int h = b->open();
    if (h < 0)
        return 0;
    long long r = b->read(h);
    if (b->uses_fd)
        close(h);
    return r >= 0;
}

/* mp__backend_choose() - see internal.h. */
void mp__backend_choose(const char *name)
{
    static const mp__backend *const all[] = {&mp__backend_rss, &mp__backend_pss,
                                             &mp__backend_uss,
                                             &mp__backend_heap};
    if (name == NULL)
        return;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(name, all[i]->name) != 0)
            continue;
        if (works(all[i]))
            mp__backend_cur = all[i];
        else if (all[i] == &mp__backend_heap)
            mp__warn("MEMPROF_BACKEND='heap' needs the heap archive "
                     "(pkg-config --libs memprof-heap) or its preload "
                     "object; using rss");
        else
            mp__warn("MEMPROF_BACKEND='%s' needs /proc/self/smaps_rollup "
                     "(Linux 4.14); using rss",
                     name);
        return;
    }
    mp__warn("MEMPROF_BACKEND='%s' is not rss, pss, uss or heap; using rss",
             name);
}
