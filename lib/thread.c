/*
 * thread.c - each thread's record (mp__thread): made on the thread's
 * first record, with its own reader of the backend in use (the kernel
 * serialises reads of one open statm file, so threads do not share one);
 * folded into the registry and freed when the thread ends; after a fork,
 * only the forking thread's is left in the child, zeroed, with a reader
 * of the child's memory.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

__thread mp__thread *mp__self MP__TLS_MODEL;
static pthread_key_t thread_key;
static int warned_open;

/* thread_exit() - the key's destructor: fold the rows, free the record. */
static void thread_exit(void *arg)
{
    mp__thread *t = arg;
    if (t == NULL || mp__thread_retire(t) != 0)
        return;
    if (mp__self == t)
        mp__self = NULL;
    mp__proc_close(&t->rd);
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
        mp__proc_close(&mp__self->rd);
        mp__backend_open(&mp__self->rd);
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
    int rc = mp__backend_open(&t->rd);
    if (rc < 0 && !__atomic_exchange_n(&warned_open, 1, __ATOMIC_RELAXED))
        mp__warn("cannot read memory with the %s backend (%s); memory reads "
                 "as 0",
                 mp__backend_name(), mp_strerror(rc));
    mp__self = t;
    pthread_setspecific(thread_key, t);
    return t;
}
