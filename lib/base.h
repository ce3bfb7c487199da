/*
 * base.h - what the library and the memprof command both stand on: the
 * one-line warnings, strict number parsing, whole writes and reads,
 * growable arrays, the allocator that the heap backend never counts, the
 * clocks, and the few constants every part names.  Not installed.
 *
 * Nothing here knows about recording: the memprof command links base.c
 * (with proc.c and dat.c) without the profiler.
 */
#ifndef MEMPROF_BASE_H
#define MEMPROF_BASE_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* A MiB, as memory_profiler's columns and mprof's files count it. */
#define MP__MIB 1048576.0

/*
 * The variable that memprof run sets for the command it starts: the path
 * of the .dat file that a program linked with libmemprof appends its FUNC
 * lines to.
 */
#define MP__DAT_ENV "MEMPROF_DAT"

/* Relaxed atomic access to a field shared with a signal handler or reader. */
#define MP__LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define MP__STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* MP__SAVE_ERRNO(block) - run block, then put errno back as it was. */
#define MP__SAVE_ERRNO(block)                                               \
    do {                                                                    \
        int mp__saved_errno = errno;                                        \
        do {                                                                \
            block;                                                          \
        } while (0);                                                        \
        errno = mp__saved_errno;                                            \
    } while (0)

/* mp__now_real() - CLOCK_REALTIME in seconds: a .dat file's timestamps. */
static inline double mp__now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mp__now_mono() - CLOCK_MONOTONIC in seconds: intervals and deadlines. */
static inline double mp__now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mp__warn() - print "memprof: <message>\n" on stderr in one write. */
void mp__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mp__vwarn() - mp__warn() with a va_list. */
void mp__vwarn(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/*
 * mp__parse_int() - parse all of s as a decimal integer in lo..hi.
 * Returns 0 and sets *out, or -EINVAL.
 */
int mp__parse_int(const char *s, long lo, long hi, long *out);

/*
 * mp__write_all() - write all n bytes of buf to fd, again after EINTR and
 * short writes.  Returns 0, or -errno (-EIO for a write of 0 bytes);
 * *done (may be NULL) is then how many bytes were written.
 */
int mp__write_all(int fd, const void *buf, size_t n, size_t *done);

/*
 * mp__read_fd() - read fd to its end into a new NUL-terminated buffer
 * (*buf, from mp__malloc; its length in *len).  Returns 0, or -errno with
 * nothing allocated.
 */
int mp__read_fd(int fd, char **buf, size_t *len);

/*
 * The library's own allocator: the C library's allocator below any
 * counting one (the heap backend's malloc passes blocks it did not make
 * straight through and never counts them), or a sanitizer's, so that
 * AddressSanitizer still checks every block.  Blocks may be freed with
 * free() too: every malloc in the process gives them back to the same
 * allocator.  Everything the profiler allocates comes from here (uthash's
 * hooks too), so that the heap backend never counts it.
 */
void *mp__malloc(size_t n);
void *mp__calloc(size_t n, size_t size);
void *mp__realloc(void *p, size_t n);
void mp__free(void *p);
char *mp__strdup(const char *s);

/*
 * mp__grow() - make the array at *arrp (of elements of size elem, *cap of
 * them) hold at least need, doubling from 16, the new room zeroed.
 * Returns 0, or -ENOMEM with the array untouched.
 */
int mp__grow(void *arrp, size_t *cap, size_t need, size_t elem);

/* mp_strerror() (memprof.h) explains the -errno codes returned here. */
const char *mp_strerror(int code);

#endif /* MEMPROF_BASE_H */
