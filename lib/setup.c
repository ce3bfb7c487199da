/*
 * setup.c - the library's start, once per process, on first use: the
 * settings, the backend, MEMPROF_PEAK, the threads' records, the report's
 * destination and exit handler, the spans; and the two calls that act on
 * the whole library, mp_reset and mp_set_precision.
 *
 * Every entry point starts the library through mp__init() (inline in
 * mp__recording()): the one call that goes up from the parts below to
 * this file.  Otherwise calls go one way: setup -> settings, backend,
 * peak, thread, report, spans -> record -> sites -> proc, base.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int mp__state;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

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
    mp__threads_start();
    mp__alloc_start();
    mp__leaks_start();
    mp__output_start();
    mp__spans_start();
    atexit(mp__report_at_exit);
    at_quick_exit(mp__report_at_exit);
    mp__signals_start();
    __atomic_store_n(&mp__state, MP__STATE_ON, __ATOMIC_RELEASE);
}

/* mp__init() - see internal.h.  Keeps errno. */
void mp__init(void)
{
    MP__SAVE_ERRNO(pthread_once(&init_once, init_process));
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
