/*
 * record.c - the hot path: what MP_LINE, MP_RETURN and MP_PROFILE_FUNC
 * run.  The process and thread set-up it relies on is setup.c's.
 *
 * One hit of a registered site on a thread that has recorded before costs
 * one pread(2) of /proc/self/statm on the thread's own fd plus a few
 * stores: no lock, no allocation, no stdio.  Each thread has its own fd
 * because the kernel serialises reads of one open statm file.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

unsigned long mp__dropped;

/*
 * cold() - register site and add this thread's rows of its slot and of its
 * group's, on a site's or a thread's first hits.  These take the registry
 * lock and memory from the arena (never malloc), so a signal handler may
 * come here, unless it interrupted a record or the lock's holder on this
 * thread: then the hit is dropped and counted.  While they run, t->busy
 * tells such a hit to skip.  Returns the slot, with *row and *grp set, or
 * 0 when the hit cannot be recorded.
 */
static unsigned cold(mp__thread *t, mp__site *site, mp__frame *frame,
                     unsigned slot, int nested, mp__row **row, mp__row **grp)
{
    if (nested || mp__in_lib) {
        __atomic_add_fetch(&mp__dropped, 1, __ATOMIC_RELAXED);
        return 0;
    }
    t->busy = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (slot == 0)
        slot = mp__site_register(site, frame);
    if (slot != 0) {
        mp__lock();
        /* The group's first: adding the site's may move it. */
        if (mp__rows_add(&t->rows, MP__LOAD(site->group)) == NULL ||
            (*row = mp__rows_add(&t->rows, slot)) == NULL)
            slot = 0;
        else
            *grp = mp__rows_find(&t->rows, MP__LOAD(site->group));
        mp__unlock();
    }
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    t->busy = 0;
    mp__signals_poll();
    return slot;
}

/*
 * mp__record() - one hit of site in frame (NULL outside a profiled
 * function).  In a profiled function the increment counts from the
 * group's last reading in this thread: for a line, that is the frame's own
 * last reading, unless a nested activation of the same function
 * (recursion, or a signal handler's call) recorded since: then the growth
 * that activation already showed in the table's rows is not counted again,
 * and the column sums to the real growth however deep the recursion.
 * Outside profiled functions there is no frame: a line counts from the
 * last reading taken on this thread by any site, or from its own reading
 * (an increment of 0) when it is the thread's first.  The peak of a line
 * counts from the reading before it (the frame's in a profiled function).
 *
 * A signal handler's hit may interrupt another on the same thread: it is
 * recorded like any other (its own rows, its own pread on the thread's fd,
 * no allocation), unless the interrupted one is in cold(), or it would
 * need cold() itself; then it is skipped.
 */
void mp__record(mp__site *site, mp__frame *frame)
{
    int saved_errno = errno;
    mp__thread *t = mp__thread_get();
    if (t == NULL)
        goto out;
    if (t->busy) {
        __atomic_add_fetch(&mp__dropped, 1, __ATOMIC_RELAXED);
        goto out;
    }
    int nested = t->nested++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);

    unsigned slot = __atomic_load_n(&site->slot, __ATOMIC_ACQUIRE);
    mp__row *row = NULL;
    mp__row *grp = NULL;
    if (__builtin_expect(slot != 0, 1)) {
        row = mp__rows_find(&t->rows, slot);
        grp = mp__rows_find(&t->rows, MP__LOAD(site->group));
    }
    if ((row == NULL || grp == NULL) &&
        (slot = cold(t, site, frame, slot, nested, &row, &grp)) == 0)
        goto done;

    long long r = mp__reading(t);

    int64_t prev;
    if (frame != NULL)
        prev = MP__LOAD(grp->last);
    else if ((prev = MP__LOAD(t->last)) < 0)
        prev = r;
    int64_t before =
        frame != NULL && site->kind == MP__SITE_LINE ? frame->prev : prev;
    uint64_t count = MP__LOAD(row->count);
    if (count == 0 || r > MP__LOAD(row->max))
        MP__STORE(row->max, r);
    MP__STORE(row->inc, MP__LOAD(row->inc) + (r - prev));
    if (site->kind == MP__SITE_LINE &&
        __atomic_load_n(&mp__peak_on, __ATOMIC_RELAXED)) {
        int64_t rise = mp__peak_read(r) - before;
        if (count == 0 || rise > MP__LOAD(row->peak))
            MP__STORE(row->peak, rise);
    }
    if (mp__config.break_mib > 0 &&
        (double)(r - prev) > mp__config.break_mib * MP__MIB)
        mp__break_here(site, r - prev);
    if (__atomic_load_n(&mp__alloc_on, __ATOMIC_RELAXED))
        mp__alloc_bind(t, slot, row);
    MP__STORE(row->count, count + 1);
    MP__STORE(grp->last, r);
    MP__STORE(t->last, r);
    if (frame != NULL)
        frame->prev = r;
done:
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    t->nested = nested;
out:
    errno = saved_errno;
}

/*
 * mp__cc_line() - see memprof.h: a reading memprof cc inserted, then the
 * next line's peak starts.  One call where MP_LINE inlines its checks.
 */
void mp__cc_line(mp__site *site, mp__frame *frame)
{
    mp__line(site, frame);
    mp__line_begin();
}

/*
 * mp__cc_frame_begin() - the entry of a function memprof cc profiles:
 * mp__frame_begin(), then its first line's peak starts.  A call, so that
 * the entry is declarations only, as C89 wants them.
 */
mp__frame *mp__cc_frame_begin(mp__frame *frame)
{
    mp__frame_begin(frame);
    mp__line_begin();
    return frame;
}

/* mp__frame_begin() - see memprof.h: open the frame, record the entry. */
mp__frame *mp__frame_begin(mp__frame *frame)
{
    if (!mp__recording())
        return frame;
    int saved_errno = errno;
    mp__thread *t = mp__thread_self();
    if (t != NULL) {
        frame->level = ++t->depth;
        /* Blocks made before the call stay the caller's line's. */
        frame->mark_up = t->mark;
        t->mark = t->npend;
        mp__record(frame->site, frame);
        if (mp__spans_fd >= 0) {
            frame->mem0 = frame->prev;
            frame->t0 = mp__now_real();
        }
    }
    errno = saved_errno;
    return frame;
}

/*
 * mp__frame_close() - the cleanup of an opened frame: under memprof run,
 * its FUNC line.
 */
void mp__frame_close(mp__frame *frame)
{
    mp__thread *t = mp__self;
    if (t == NULL)
        return;
    t->depth--;
    /* What the function made after its last reading is the caller's. */
    t->mark = frame->mark_up;
    if (mp__spans_fd >= 0)
        mp__span_frame_end(t, frame);
}
