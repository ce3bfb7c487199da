/*
 * backend.c - the backend in use in this process (MEMPROF_BACKEND): the
 * resident set (rss, the default, as memory_profiler's psutil backend),
 * the proportional or unique set (pss, uss, as its psutil_pss and
 * psutil_uss), read from /proc by proc.c, or the bytes the program holds
 * from malloc (heap, see backend_heap.c).  Init chooses once.
 */
#include <string.h>

#include "internal.h"

mp__backend_id mp__backend_cur = MP__BACKEND_RSS;

/* mp__backend_open() - see internal.h. */
int mp__backend_open(mp__proc_reader *r)
{
    if (mp__backend_cur != MP__BACKEND_HEAP)
        return mp__proc_open(r, 0, mp__backend_cur);
    r->pid = 0;
    r->backend = MP__BACKEND_HEAP;
    r->fd = -1;
    return mp__backend_heap_find();
}

/*
 * works() - whether backend b can take a reading in this process now (the
 * file exists, the heap counter is linked in).
 */
static int works(mp__backend_id b)
{
    if (b == MP__BACKEND_HEAP)
        return mp__backend_heap_find() == 0;
    mp__proc_reader r;
    int rc = mp__proc_open(&r, 0, b);
    long long v = rc == 0 ? mp__proc_read(&r) : rc;
    mp__proc_close(&r);
    return v >= 0;
}

/* mp__backend_choose() - see internal.h. */
void mp__backend_choose(const char *name)
{
    char names[64];
    mp__backend_id b;
    if (name == NULL)
        return;
    if (mp__backend_parse(name, &b) != 0) {
        mp__warn("MEMPROF_BACKEND='%s' is not %s; using rss", name,
                 mp__backend_list(names, sizeof names, 0, ", ", " or "));
        return;
    }
    /* rss is the fallback: a thread that cannot read it says so itself. */
    if (b == MP__BACKEND_RSS || works(b))
        mp__backend_cur = b;
    else if (b == MP__BACKEND_HEAP)
        mp__warn("MEMPROF_BACKEND='%s' needs the heap archive "
                 "(pkg-config --libs memprof-heap) or its preload "
                 "object; using rss",
                 name);
    else
        mp__warn("MEMPROF_BACKEND='%s' needs /proc/self/%s; using rss", name,
                 mp__backends[b].file);
}
