/*
 * setup.c - the process and thread set-up of the library: init on first
 * use (settings, backend, peak, report destination, spans), the exit
 * report, the fork hooks, each thread's record and its end, mp_reset and
 * mp_set_precision.  Order of the parts: settings, then init, then
 * recording, then the report; nothing here runs per line.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int mp__state;

__thread mp__thread *mp__self MP__TLS_MODEL;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
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
    mp__records_fork_child(mp__self);
    if (mp__self != NULL) {
        mp__proc_close(&mp__self->rd);
        mp__backend_open(&mp__self->rd);
    }
    mp__unlock();
}

/* init_process() - run once per process image, by mp__init(). */
static void init_process(void)
{
    mp__settings_load(&mp__config);
    if (mp__config.disabled) {
        __atomic_store_n(&mp__state, MP__STATE_OFF, __ATOMIC_RELEASE);
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
    __atomic_store_n(&mp__state, MP__STATE_ON, __ATOMIC_RELEASE);
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
    if (mp__self != NULL)
        return mp__self;
    if (!mp__recording())
        return NULL;
    mp__thread *t = mp__calloc(1, sizeof *t);
    if (t == NULL) {
        mp__warn("out of memory; a thread's lines are not recorded");
        return NULL;
    }
    int rc = mp__backend_open(&t->rd);
    if (rc < 0 && !__atomic_exchange_n(&warned_open, 1, __ATOMIC_RELAXED))
        mp__warn("cannot read memory with the %s backend (%s); memory reads "
                 "as 0",
                 mp__backend_name(), mp_strerror(rc));
    mp__thread_link(t);
    mp__self = t;
    pthread_setspecific(thread_key, t);
    return t;
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

/* mp_set_precision() - see memprof.h. */
int mp_set_precision(int n)
{
    if (n < 0 || n > MP__PRECISION_MAX)
        return -EINVAL;
    mp__init();
    __atomic_store_n(&mp__config.precision, n, __ATOMIC_RELAXED);
    return 0;
}
