/*
 * record.c - the hot path: what MP_LINE and MP_PROFILE_FUNC run, the
 * per-thread state, and the process hooks (init, exit, fork, thread exit).
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

int mp__state;

static __thread mp__thread *self;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static int warned_open;



/* thread_exit() - the key's destructor: fold the rows, free the record. */
static void thread_exit(void *arg)
{
    mp__thread *t = arg;
    if (t == NULL || mp__thread_retire(t) != 0)
        return;
    if (self == t)
        self = NULL;
    if (t->fd >= 0)
        mp__backend_close(t->fd);
    mp__free(t->rows);
    mp__free(t);
}

static void fork_prepare(void)
{
    mp__lock();
}

static void fork_parent(void)
{
    mp__unlock();
}

/*
 * fork_child() - the child keeps only the forking thread's record, zeroed,
 * and reopens statm: the inherited fd reads the parent's memory.
 */
static void fork_child(void)
{
    mp__records_fork_child(self);
    if (self != NULL && self->fd >= 0) {
        mp__backend_close(self->fd);
        self->fd = mp__backend_cur->open();
    }
    mp__unlock();
}

/* init_process() - run once per process image, by mp__init(). */
static void init_process(void)
{
    mp__settings_load(&mp__config);
    if (mp__config.disabled) {
        __atomic_store_n(&mp__state, 2, __ATOMIC_RELEASE);
        return;
    }
    mp__backend_choose(mp__config.backend);
    mp__peak_start();
    if (pthread_key_create(&thread_key, thread_exit) != 0)
        mp__warn("cannot create a thread key; records of ended threads "
                 "are kept until exit");
    mp__output_start();
    mp__spans_start();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    atexit(mp__report_at_exit);
    __atomic_store_n(&mp__state, 1, __ATOMIC_RELEASE);
}

/* mp__init() - see internal.h.  Keeps errno. */
void mp__init(void)
{
    MP__SAVE_ERRNO(pthread_once(&init_once, init_process));
}

/*
 * mp__thread_self() - see internal.h.  On failure prints one line (once per
 * process) and returns NULL: that thread records nothing.
 */
mp__thread *mp__thread_self(void)
{
    if (self != NULL)
        return self;
    mp__init();
    if (__atomic_load_n(&mp__state, __ATOMIC_ACQUIRE) != 1)
        return NULL;
    mp__thread *t = mp__calloc(1, sizeof *t);
    if (t == NULL) {
        mp__warn("out of memory; a thread's lines are not recorded");
        return NULL;
    }
    t->fd = mp__backend_cur->open();
    if (t->fd < 0 && !__atomic_exchange_n(&warned_open, 1, __ATOMIC_RELAXED))
        mp__warn("cannot read memory with the %s backend (%s); memory reads "
                 "as 0",
                 mp__backend_cur->name, mp_strerror(t->fd));
    mp__thread_link(t);
    self = t;
    pthread_setspecific(thread_key, t);
    return t;
}

/*
 * break_here() - MEMPROF_BREAK_MIB: a line added more than allowed; say
 * which and stop in the debugger (SIGTRAP, as memory_profiler's
 * --pdb-mmem).  Without a debugger or a handler, SIGTRAP ends the program:
 * that is what was asked.
 */
static void break_here(const mp__site *site, int64_t rise)
{
    mp__warn("%s:%d added %.1f MiB, over MEMPROF_BREAK_MIB=%g; SIGTRAP",
             site->file, site->line, (double)rise / MP__MIB, mp__config.break_mib);
    raise(SIGTRAP);
}

/* mp__assert_below() - see MP_ASSERT_BELOW_MIB in memprof.h. */
void mp__assert_below(const char *file, int line, double mib)
{
    int saved_errno = errno;
    mp__init();
    long long r = 0;
    mp__thread *t = mp__thread_self();
    if (t != NULL) {
        r = mp__reading(t);
    } else {
        int fd = mp__statm_open();
        r = fd >= 0 ? mp__statm_rss(fd) : 0;
        if (fd >= 0)
            close(fd);
    }
    if ((double)r > mib * MP__MIB) {
        mp__warn("%s:%d: %.1f MiB is not below %g MiB "
                 "(MP_ASSERT_BELOW_MIB)",
                 file, line, (double)r / MP__MIB, mib);
        abort();
    }
    errno = saved_errno;
}

/*
 * cold() - register site and make this thread's rows hold its slot, on a
 * site's or a thread's first hits.  These allocate and lock, so a hit that
 * interrupted a record on this thread (a signal handler's) does not come
 * here, and while they run, t->busy tells such a hit to skip.  Returns the
 * slot, or 0 when the hit cannot be recorded.
 */
static unsigned cold(mp__thread *t, mp__site *site, mp__frame *frame,
                     unsigned slot, int nested)
{
    if (nested)
        return 0;
    t->busy = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (slot == 0)
        slot = mp__site_register(site, frame);
    if (slot != 0 && slot >= t->cap && mp__thread_rows_grow(t, slot) != 0)
        slot = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    t->busy = 0;
    return slot;
}

/*
 * mp__record() - one hit of site in frame (NULL outside a profiled
 * function).  The previous reading is the frame's for a line in a profiled
 * function, and the group's last reading in this thread for an entry row
 * or a line outside profiled functions.
 *
 * A signal handler's hit may interrupt another on the same thread: it is
 * recorded like any other (its own rows, its own pread on the thread's fd,
 * no allocation), unless the interrupted one is in cold(), or it would
 * need cold() itself; then it is skipped.
 */
void mp__record(mp__site *site, mp__frame *frame)
{
    int saved_errno = errno;
    mp__thread *t = self;
    if (t == NULL && (t = mp__thread_self()) == NULL)
        goto out;
    if (t->busy)
        goto out;
    int nested = t->nested++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);

    unsigned slot = __atomic_load_n(&site->slot, __ATOMIC_ACQUIRE);
    if ((slot == 0 || slot >= t->cap) &&
        (slot = cold(t, site, frame, slot, nested)) == 0)
        goto done;
    unsigned group = MP__LOAD(site->group);

    long long r = mp__reading(t);

    mp__row *row = &t->rows[slot];
    mp__row *grp = &t->rows[group];
    int64_t prev = frame != NULL && site->kind == MP__SITE_LINE
                       ? frame->prev
                       : MP__LOAD(grp->last);
    uint64_t count = MP__LOAD(row->count);
    if (count == 0 || r > MP__LOAD(row->max))
        MP__STORE(row->max, r);
    MP__STORE(row->inc, MP__LOAD(row->inc) + (r - prev));
    if (site->kind == MP__SITE_LINE &&
        __atomic_load_n(&mp__peak_on, __ATOMIC_RELAXED)) {
        int64_t rise = mp__peak_read(r) - prev;
        if (count == 0 || rise > MP__LOAD(row->peak))
            MP__STORE(row->peak, rise);
    }
    if (mp__config.break_mib > 0 &&
        (double)(r - prev) > mp__config.break_mib * MP__MIB)
        break_here(site, r - prev);
    MP__STORE(row->count, count + 1);
    MP__STORE(grp->last, r);
    if (frame != NULL)
        frame->prev = r;
done:
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    t->nested = nested;
out:
    errno = saved_errno;
}

/* mp__frame_begin() - see memprof.h: open the frame, record the entry. */
mp__frame *mp__frame_begin(mp__frame *frame)
{
    int state = __atomic_load_n(&mp__state, __ATOMIC_ACQUIRE);
    if (state == 0) {
        mp__init();
        state = __atomic_load_n(&mp__state, __ATOMIC_ACQUIRE);
    }
    if (state != 1)
        return frame;
    int saved_errno = errno;
    mp__thread *t = mp__thread_self();
    if (t != NULL) {
        frame->level = ++t->depth;
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
    if (self == NULL)
        return;
    self->depth--;
    if (mp__spans_fd >= 0)
        mp__span_frame_end(self, frame);
}

/* mp_reset() - see memprof.h. */
void mp_reset(void)
{
    MP__SAVE_ERRNO({
        mp__lock();
        mp__records_clear();
        mp__unlock();
    });
}
