/*
 * backend_heap.c - the heap backend: the bytes the program asked of the
 * malloc family and has not freed, as requested (tracemalloc's measure,
 * not the allocator's rounding), exact to the byte.
 *
 * The count is kept by the heap archive (libmemprof-heap.a, linked ahead
 * of libmemprof.a: pkg-config --libs memprof-heap) or the preload object
 * (LD_PRELOAD=libmemprof-heap.so), which define malloc.  libmemprof itself
 * defines no allocator and costs programs that do not ask for this
 * nothing: it only refers weakly to the counter's readers.  When the
 * archive is linked in, the weak references resolve at link time.  When
 * the object is preloaded, the dynamic linker resolves them if the
 * program's link made them dynamic (PIE and most PIC builds); otherwise
 * dlsym(RTLD_DEFAULT) finds them (in the C library since glibc 2.34).
 * With neither, mp__backend_heap_find() fails with -ENOSYS and init falls back
 * to rss; so it does when the counter is there but the program's malloc is not
 * its (an executable with its own malloc, which a preloaded one cannot
 * displace, or valgrind's).
 */
#include <dlfcn.h>
#include <stdlib.h>

#include "internal.h"

extern long long mp__heap_live(void) __attribute__((weak));
extern long long mp__heap_peak(void) __attribute__((weak));
extern void mp__heap_peak_reset(void) __attribute__((weak));
extern void mp__heap_set_hooks(const mp__heap_hooks *h) __attribute__((weak));
extern void mp__heap_quiet(int on) __attribute__((weak));
extern int mp__heap_leaks_start(void) __attribute__((weak));
extern int mp__heap_dump(int fd) __attribute__((weak));

/* The counter's readers, once found; NULL until then or without one. */
static long long (*live_fn)(void);
static long long (*peak_fn)(void);
static void (*reset_fn)(void);

/* An odd size, which no other allocation of the moment is likely to be. */
#define PROBE 4093

/*
 * counts() - whether live sees this process's mallocs: the count moves by
 * exactly a probe block's size across its malloc.  Other threads may
 * allocate at the same moment, so three tries.  The probe is the
 * library's own: quiet (if not NULL) keeps it out of the leak report.
 */
static int counts(long long (*live)(void), void (*quiet)(int))
{
    for (int i = 0; i < 3; i++) {
        long long before = live();
        if (quiet != NULL)
            quiet(1);
        void *volatile p = malloc(PROBE);
        if (quiet != NULL)
            quiet(0);
        long long after = live();
        free(p);
        if (p == NULL)
            return 0;
        if (after - before == PROBE)
            return 1;
    }
    return 0;
}

/*
 * find() - the readers: the weak references if they resolved, else what
 * dlsym finds in the process (a preloaded object).  Returns 0, or -ENOSYS
 * when there is no counter or it does not count this process's mallocs.
 * Racing callers find the same functions.
 */
static int find(void)
{
    if (__atomic_load_n(&live_fn, __ATOMIC_ACQUIRE) != NULL)
        return 0;
    long long (*live)(void) = mp__heap_live;
    long long (*peak)(void) = mp__heap_peak;
    void (*reset)(void) = mp__heap_peak_reset;
    void (*quiet)(int) = mp__heap_quiet;
    if (live == NULL) {
        live = (long long (*)(void))dlsym(RTLD_DEFAULT, "mp__heap_live");
        peak = (long long (*)(void))dlsym(RTLD_DEFAULT, "mp__heap_peak");
        reset = (void (*)(void))dlsym(RTLD_DEFAULT, "mp__heap_peak_reset");
        quiet = (void (*)(int))dlsym(RTLD_DEFAULT, "mp__heap_quiet");
    }
    if (live == NULL || !counts(live, quiet))
        return -ENOSYS;
    __atomic_store_n(&peak_fn, peak, __ATOMIC_RELAXED);
    __atomic_store_n(&reset_fn, reset, __ATOMIC_RELAXED);
    __atomic_store_n(&live_fn, live, __ATOMIC_RELEASE);
    return 0;
}

/*
 * mp__backend_heap_find() - see internal.h: 0, or -ENOSYS when no counter
 * is linked in or it does not count this process's mallocs.  Keeps errno.
 */
int mp__backend_heap_find(void)
{
    int err;
    MP__SAVE_ERRNO(err = find());
    return err;
}

/*
 * mp__backend_heap_read() - the count in bytes: a sum of a few per-thread
 * slots, no system call.  Only called after mp__backend_heap_find()
 * succeeded.
 */
long long mp__backend_heap_read(void)
{
    return __atomic_load_n(&live_fn, __ATOMIC_ACQUIRE)();
}

/*
 * mp__backend_heap_peak_reset() - start tracking the heap count's peak
 * anew at its current value (for MEMPROF_PEAK).  Returns 0, or -ENOSYS
 * without a counter.
 */
int mp__backend_heap_peak_reset(void)
{
    int err = mp__backend_heap_find();
    void (*reset)(void) = __atomic_load_n(&reset_fn, __ATOMIC_RELAXED);
    if (err != 0 || reset == NULL)
        return -ENOSYS;
    reset();
    return 0;
}

/*
 * mp__backend_heap_peak() - the largest heap count since the last
 * mp__backend_heap_peak_reset() (exact for one thread; see heap/heap.h),
 * in bytes, or -ENOSYS without a counter.
 */
long long mp__backend_heap_peak(void)
{
    int err = mp__backend_heap_find();
    long long (*peak)(void) = __atomic_load_n(&peak_fn, __ATOMIC_RELAXED);
    if (err != 0 || peak == NULL)
        return -ENOSYS;
    return peak();
}

/* mp__backend_heap_hooks() - see internal.h. */
int mp__backend_heap_hooks(const mp__heap_hooks *h)
{
    void (*set)(const mp__heap_hooks *) = mp__heap_set_hooks;
    int err = mp__backend_heap_find();

    if (err != 0)
        return err;
    if (set == NULL)
        MP__SAVE_ERRNO(set = (void (*)(const mp__heap_hooks *))dlsym(
                           RTLD_DEFAULT, "mp__heap_set_hooks"));
    if (set == NULL)
        return -ENOSYS;
    set(h);
    return 0;
}

/*
 * heap_fn() - the heap object's function name: the weak reference weak if
 * it resolved, else what dlsym finds; NULL when the counter is not there.
 */
static void *heap_fn(void *weak, const char *name)
{
    void *fn = weak;
    if (mp__backend_heap_find() != 0)
        return NULL;
    if (fn == NULL)
        MP__SAVE_ERRNO(fn = dlsym(RTLD_DEFAULT, name));
    return fn;
}

/* mp__backend_heap_leaks_start() - see internal.h. */
int mp__backend_heap_leaks_start(void)
{
    int (*start)(void) = (int (*)(void))heap_fn((void *)mp__heap_leaks_start,
                                                "mp__heap_leaks_start");
    if (start == NULL || start() != 0)
        return -ENOSYS;
    return 0;
}

/* mp__backend_heap_quiet() - see internal.h. */
void mp__backend_heap_quiet(int on)
{
    void (*quiet)(int) =
        (void (*)(int))heap_fn((void *)mp__heap_quiet, "mp__heap_quiet");
    if (quiet != NULL)
        quiet(on);
}

/* mp__backend_heap_dump() - see internal.h. */
int mp__backend_heap_dump(int fd)
{
    int (*dump)(int) =
        (int (*)(int))heap_fn((void *)mp__heap_dump, "mp__heap_dump");
    if (dump == NULL)
        return -ENOSYS;
    return dump(fd) == 0 ? 0 : -errno;
}
