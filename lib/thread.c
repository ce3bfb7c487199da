/*
 * thread.c - each thread's record (mp__thread): made on the thread's
 * first record, with its own reader of the backend in use (the kernel
 * serialises reads of one open statm file, so threads do not share one);
 * folded into the registry and freed when the thread ends; after a fork,
 * only the forking thread's is left in the child, zeroed, with a reader
 * of the child's memory.
 *
 * A reader's descriptor is kept at a high number and its file noted:
 * the program may close it (close_range) and reuse the number, so it is
 * checked when a read fails, and before it is closed, and never closed
 * when it has become the program's.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

__thread mp__thread *mp__self MP__TLS_MODEL;
static pthread_key_t thread_key;
static int warned_open;

/* open_reader() - t's reader, its descriptor moved high, its file noted. */
static int open_reader(mp__thread *t)
{
    int rc = mp__backend_open(&t->rd);
    if (rc == 0 && t->rd.fd >= 0)
        t->rd.fd = mp__fd_keep(t->rd.fd, &t->rd_id);
    return rc;
}

/* close_reader() - close t's reader, unless its number is not its file. */
static void close_reader(mp__thread *t)
{
    if (t->rd.fd >= 0 && !mp__fd_is(t->rd.fd, &t->rd_id))
        t->rd.fd = -1;
    mp__proc_close(&t->rd);
}

/*
 * mp__thread_reread() - see internal.h.  Only this thread (or a signal
 * handler on it) uses t's reader; everything here is async-signal-safe.
 */
long long mp__thread_reread(mp__thread *t)
{
    if (t->rd.fd < 0 || mp__fd_is(t->rd.fd, &t->rd_id))
        return 0;
    t->rd.fd = -1; /* the number is not ours any more: not closed */
    if (open_reader(t) != 0)
        return 0;
    long long r = mp__backend_read(&t->rd);
    return r > 0 ? r : 0;
}

/* thread_exit() - the key's destructor: fold the rows, free the record. */
static void thread_exit(void *arg)
{
    mp__thread *t = arg;
    if (t == NULL || mp__thread_retire(t) != 0)
        return;
    if (mp__self == t)
        mp__self = NULL;
    close_reader(t);
    mp__thread_free(t);
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
    mp__records_fork_child(mp__self);
    if (mp__self != NULL) {
        close_reader(mp__self);
        open_reader(mp__self);
    }
    mp__unlock();
}

/* mp__threads_start() - see internal.h. */
void mp__threads_start(void)
{
    if (pthread_key_create(&thread_key, thread_exit) != 0)
        mp__warn("cannot create a thread key; records of ended threads "
                 "are kept until exit");
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/*
 * mp__thread_self() - see internal.h.  On failure prints one line (once per
 * process) and returns NULL: that thread records nothing.
 */
mp__thread *mp__thread_self(void)
{
    if (mp__self != NULL)
        return mp__self;
    if (!mp__recording())
        return NULL;
    if (mp__in_lib) {
        /* A signal handler's hit while this thread holds the lock. */
        __atomic_add_fetch(&mp__dropped, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    mp__thread *t = mp__thread_new();
    if (t == NULL) {
        mp__warn("out of memory; a thread's lines are not recorded");
        return NULL;
    }
    int rc = open_reader(t);
    if (rc < 0 && !__atomic_exchange_n(&warned_open, 1, __ATOMIC_RELAXED))
        mp__warn("cannot read memory with the %s backend (%s); memory reads "
                 "as 0",
                 mp__backend_name(), mp_strerror(rc));
    mp__self = t;
    pthread_setspecific(thread_key, t);
    return t;
}
