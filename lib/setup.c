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
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int mp__state;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* so_base() - dl_iterate_phdr's callback: the base of libmemprof.so. */
static int so_base(struct dl_phdr_info *info, size_t size, void *base)
{
    (void)size;
    const char *slash = strrchr(info->dlpi_name, '/');
    const char *name = slash != NULL ? slash + 1 : info->dlpi_name;
    if (strncmp(name, "libmemprof.so.", 14) != 0)
        return 0;
    *(uintptr_t *)base = (uintptr_t)info->dlpi_addr;
    return 1;
}

/*
 * mp__copies_check() - see internal.h.  Only a copy in the program (the
 * archive) can tell, and only when a libmemprof.so is loaded beside it:
 * then this copy's state is the process's if the dynamic linker finds
 * this copy's mp__state first (the program exports the archive's names,
 * and every shared object binds to them); otherwise the shared library,
 * even loaded privately by a plugin, is a second copy with its own
 * tables and report.  Nothing here allocates unless both are loaded (a
 * failed dlsym leaves a message in the C library, marked as the library's
 * own for the heap backend).  Said once.
 */
void mp__copies_check(void)
{
    static int said;
    uintptr_t so = 0;
    Dl_info self;
    if (__atomic_load_n(&said, __ATOMIC_RELAXED) ||
        dl_iterate_phdr(so_base, &so) == 0 ||
        dladdr((void *)&said, &self) == 0 || (uintptr_t)self.dli_fbase == so)
        return;
    mp__backend_heap_quiet(1);
    void *found = dlsym(RTLD_DEFAULT, "mp__state");
    mp__backend_heap_quiet(0);
    if (found == (void *)&mp__state ||
        __atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
        return;
    mp__warn("two copies of libmemprof in this process, each with its own "
             "report: the program links libmemprof.a without exporting its "
             "names and a shared object links libmemprof.so; link the "
             "program with -lmemprof, or as pkg-config --static --libs "
             "memprof does");
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
    mp__copies_check();
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
