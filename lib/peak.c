/*
 * peak.c - MEMPROF_PEAK: the most memory held while a line ran.  Before
 * the line, the backend's high-water mark is reset; after it, the mark
 * is read.  With rss that is the kernel's VmHWM (hwm.c); with heap, the
 * heap counter's peak (backend_heap.c).  VmHWM is the process's: lines
 * running at once in several threads share it.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

int mp__peak_on;

/* mp__peak_start() - see internal.h. */
void mp__peak_start(void)
{
    if (!mp__config.peak)
        return;
    if (mp__backend_cur == MP__BACKEND_HEAP) {
        if (mp__backend_heap_peak_reset() == 0)
            __atomic_store_n(&mp__peak_on, 1, __ATOMIC_RELAXED);
        else
            mp__warn("MEMPROF_PEAK=1 with the heap backend needs the heap "
                     "archive's peak; no Peak column");
        return;
    }
    if (mp__backend_cur != MP__BACKEND_RSS) {
        mp__warn("MEMPROF_PEAK=1 needs the rss or heap backend, not %s; no "
                 "Peak column",
                 mp__backend_name());
        return;
    }
    int rc = mp__hwm_reset();
    if (rc == 0)
        __atomic_store_n(&mp__peak_on, 1, __ATOMIC_RELAXED);
    else
        mp__warn("MEMPROF_PEAK=1 cannot reset VmHWM through "
                 "/proc/self/clear_refs (%s); no Peak column",
                 strerror(-rc));
}

/*
 * mp__peak_begin() - see memprof.h's mp__line_begin(): before a line
 * runs, reset the mark.  Not while this thread is inside the library (a
 * signal handler's line): the interrupted line's peak must stand.
 */
void mp__peak_begin(void)
{
    MP__SAVE_ERRNO({
        mp__thread *t = mp__thread_self();
        if (t == NULL || t->busy || t->nested)
            break;
        if (mp__backend_cur == MP__BACKEND_HEAP) {
            mp__backend_heap_peak_reset();
        } else {
            mp__hwm_fold();
            mp__hwm_reset();
        }
    });
}

/* mp__peak_read() - see internal.h. */
int64_t mp__peak_read(int64_t r)
{
    long long hwm = mp__backend_cur == MP__BACKEND_HEAP
                        ? mp__backend_heap_peak()
                        : mp__hwm_read();
    return hwm > r ? hwm : r;
}
