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
#include <stdio.h>
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
#define MP__SAVE_ERRNO(block)                                                  \
    do {                                                                       \
        int mp__saved_errno = errno;                                           \
        do {                                                                   \
            block;                                                             \
        } while (0);                                                           \
        errno = mp__saved_errno;                                               \
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
/*
 * mp__utf8_len() - the length of the well-formed UTF-8 sequence (RFC
 * 3629) at p, of the avail bytes there: 1 for ASCII, 2 to 4, or 0 when
 * the byte at p does not start one (an overlong form, a surrogate, a code
 * point above U+10FFFF, one cut short).  For a NUL-terminated string
 * avail may be SIZE_MAX: the NUL is never a continuation byte.
 */
int mp__utf8_len(const unsigned char *p, size_t avail);

/*
 * mp__json_string() - s as a JSON string (RFC 8259), quotes included;
 * NULL as null.  Control characters are escaped; well-formed UTF-8 is
 * copied; a byte that is not part of it (a Latin-1 comment) is the
 * Latin-1 character of its value, escaped ("\u00e9" for 0xE9), so that
 * the output is always valid UTF-8 and valid JSON.  The one JSON string
 * writer of the library and the command.
 */
void mp__json_string(FILE *out, const char *s);

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

/* ---- Descriptors: what the library opens and keeps in the program. */

/*
 * The file a descriptor was opened on (st_dev, st_ino): programs close
 * descriptors and reuse their numbers, so a kept number is checked
 * against it before the library writes through it or when a read fails.
 * Fields are read and written with relaxed atomics.
 */
typedef struct mp__fd_id {
    dev_t dev;
    ino_t ino;
} mp__fd_id;

/*
 * mp__fd_keep() - move fd, close-on-exec, to a high number (near the
 * descriptor limit, at most 1000), where the program's own open(2)s,
 * which take the lowest free number, do not reach; note its file in *id
 * (may be NULL).  Returns the new number (fd is closed), or fd itself
 * when no high number is free.
 */
int mp__fd_keep(int fd, mp__fd_id *id);

/* mp__fd_is() - whether fd is open on the file noted in *id. */
int mp__fd_is(int fd, const mp__fd_id *id);

/*
 * mp__open_out() - open path to write one of our outputs (MEMPROF_OUTPUT,
 * MEMPROF_DAT, memprof run's recording): O_WRONLY | O_CLOEXEC and flags
 * (O_CREAT, O_EXCL, O_TRUNC, O_APPEND), never following a symbolic link,
 * never blocking on a FIFO; only a regular file or a character device
 * (/dev/null, a terminal) is taken.  Returns the descriptor, or -errno: -ELOOP
 * for a symbolic link, -ENXIO for another kind of file.
 */
int mp__open_out(const char *path, int flags);

/*
 * mp__warn_out() - the one line for an mp__open_out() error code on
 * variable var naming path; then says what is done instead ("using
 * stderr").
 */
void mp__warn_out(const char *var, const char *path, int code,
                  const char *then);

/* ---- proc.c: what a reading is, and the reader of /proc. */

/*
 * MP__BACKENDS(X) - every backend, from which the settings' and the
 * command's parsers, their messages and help, and the readers come:
 * X(ID, name, mprof's name, another name of mprof's or NULL, the /proc
 * file it reads or NULL, what it counts).
 */
#define MP__BACKENDS(X)                                                        \
    X(RSS, "rss", "psutil", "posix", "statm",                                  \
      "the resident set, as memory_profiler's default")                        \
    X(PSS, "pss", "psutil_pss", NULL, "smaps_rollup",                          \
      "the proportional set: shared pages split between their users")          \
    X(USS, "uss", "psutil_uss", NULL, "smaps_rollup",                          \
      "the unique set: the pages no other process maps")                       \
    X(HEAP, "heap", "tracemalloc", NULL, NULL,                                 \
      "the bytes asked of malloc and not freed")

#define MP__BACKEND_ENUM(id, name, alias1, alias2, file, what) MP__BACKEND_##id,
typedef enum mp__backend_id {
    MP__BACKENDS(MP__BACKEND_ENUM) MP__NBACKENDS
} mp__backend_id;
#undef MP__BACKEND_ENUM

/* One backend's row of the table. */
typedef struct mp__backend_info {
    const char *name;
    const char *alias1; /* mprof's name, or NULL */
    const char *alias2;
    const char *file; /* the /proc/PID file it reads, or NULL */
    const char *what; /* what it counts, for help texts */
} mp__backend_info;

extern const mp__backend_info mp__backends[MP__NBACKENDS];

/*
 * mp__backend_parse() - a backend's name or one of mprof's names for it
 * ("psutil_pss") into *out.  Returns 0 or -EINVAL.
 */
int mp__backend_parse(const char *name, mp__backend_id *out);

/*
 * mp__backend_list() - the backends' names into buf, separated by sep and
 * the last by last ("rss, pss, uss or heap"); files_only: only those
 * that read a /proc file.  Returns buf.
 */
const char *mp__backend_list(char *buf, size_t size, int files_only,
                             const char *sep, const char *last);

/*
 * A reader of one process's memory with one backend that reads a /proc
 * file: its pid (0: this process) and its file, kept open.
 */
typedef struct mp__proc_reader {
    long pid;
    mp__backend_id backend;
    int fd; /* -1 when not open */
} mp__proc_reader;

/*
 * mp__proc_open() - open r on the file of backend b for pid (0: this
 * process).  Returns 0 or -errno (-ENOENT: no such process, or, for pss
 * and uss, a kernel without smaps_rollup; -EACCES: not ours to read;
 * -EINVAL: b reads no file).
 */
int mp__proc_open(mp__proc_reader *r, long pid, mp__backend_id b);

/*
 * mp__proc_read() - the memory now, in bytes.  This process: one pread,
 * no allocation, no stdio, or -errno.  Another: -ESRCH once it has no
 * memory any more (it ended) or cannot be read, after opening its file
 * again once.
 */
long long mp__proc_read(mp__proc_reader *r);

/*
 * mp__proc_read_kept() - the memory now, in bytes, from the file r keeps
 * open, never opened again: -ESRCH when it is not open or cannot be read
 * (the process ended; with pss and uss, it also ran execve(2)).  For a
 * reader of a process that may have ended, between two checks that pid
 * is still the one meant: a file opened again by its path could be a new
 * process's that took the same pid.
 */
long long mp__proc_read_kept(const mp__proc_reader *r);

/* mp__proc_close() - close r's file, if open; r may be opened again. */
void mp__proc_close(mp__proc_reader *r);

/* mp__page_size() - the page size in bytes, cached. */
long mp__page_size(void);

/*
 * mp__pread_head() - the first size bytes of the file behind fd, from
 * offset 0, with one pread(2) (again on EINTR): how every /proc file here
 * is read.  Returns the length or -errno.
 */
ssize_t mp__pread_head(int fd, char *buf, size_t size);

/*
 * mp__statm_parse() - the resident set in pages from the text of statm
 * (its second field), or -EINVAL.
 */
long long mp__statm_parse(const char *text, size_t len);

/*
 * mp__rollup_parse() - from the text of smaps_rollup, what backend b
 * counts in bytes (pss: Pss; uss: Private_Clean + Private_Dirty), or
 * -EINVAL when the fields are missing.
 */
long long mp__rollup_parse(const char *text, size_t len, mp__backend_id b);

/*
 * mp__status_hwm() - VmHWM of the text of /proc/PID/status read from fd,
 * in bytes, or -errno.
 */
long long mp__status_hwm(int fd);

/* ---- dat.c: mprof's .dat format. */

/*
 * mp__dat_put_mem(), _chld(), _func(), _cmdline() - one
 * line of a .dat file, with its "\n", into buf: "MEM %.6f %.4f", "CHLD
 * %ld %.6f %.4f", "FUNC %s %.4f %.4f %.4f %.4f %d", "CMDLINE a 'b c'", as
 * memory_profiler writes them (CMDLINE with control characters escaped:
 * \n, \r, \xHH; up to 4 bytes for each of the arguments').  Return the
 * length, or -ENOSPC.
 */
int mp__dat_put_mem(char *buf, size_t size, double mib, double t);
int mp__dat_put_chld(char *buf, size_t size, long pid, double mib, double t);
int mp__dat_put_func(char *buf, size_t size, const char *name, double mem0,
                     double t0, double mem1, double t1, int level);
int mp__dat_put_cmdline(char *buf, size_t size, char *const argv[]);

/*
 * mp__dat_func_name() - "<stem of file>.<name>" ("basic.my_func"), blanks
 * replaced by '_' so that it stays one field.  Returns the length or
 * -ENOSPC.
 */
int mp__dat_func_name(char *buf, size_t size, const char *file,
                      const char *name);

/* One reading of a .dat file. */
typedef struct mp__dat_sample {
    double mib;
    double t;
} mp__dat_sample;

/* A child's CHLD series. */
typedef struct mp__dat_child {
    long pid;
    mp__dat_sample *samples;
    size_t n;
    size_t cap;
} mp__dat_child;

/* A FUNC line: a function's (or MP_TIMESTAMP's) span. */
typedef struct mp__dat_func {
    char *name;
    double mem0;
    double t0;
    double mem1;
    double t1;
    int level;
} mp__dat_span;

/* A whole .dat file, in the order of its lines. */
typedef struct mp__dat {
    char *cmdline; /* after "CMDLINE ", or NULL */
    mp__dat_sample *mem;
    size_t nmem;
    size_t memcap;
    mp__dat_child *children; /* in order of first CHLD line */
    size_t nchildren;
    size_t childcap;
    mp__dat_span *funcs;
    size_t nfuncs;
    size_t funccap;
    size_t skipped;    /* lines with values out of range, left out */
    long skipped_line; /* the first of them */
    long torn_line;    /* a last line cut short, left out, or 0 */
} mp__dat;

/*
 * The largest memory figure (MiB, 1 EiB) and time (seconds from the Epoch
 * or from a start, about 31,700 years) of a line that is read; lines with
 * larger or non-finite values are skipped.
 */
#define MP__DAT_MAX_MIB 1e12
#define MP__DAT_MAX_T 1e12

/*
 * What mp__dat_scan() hands over, one call per line read, in the file's
 * order; a hook left NULL skips that kind.  Each returns 0, or -errno to
 * stop the scan (-ENOMEM: "out of memory").  Pointers are lent for the
 * call only.
 */
typedef struct mp__dat_sink {
    void *ctx;
    int (*cmdline)(void *ctx, const char *text);
    int (*mem)(void *ctx, double mib, double t);
    int (*chld)(void *ctx, long pid, double mib, double t);
    int (*func)(void *ctx, const mp__dat_span *f);
} mp__dat_sink;

/* What mp__dat_scan() noticed besides the lines it handed over. */
typedef struct mp__dat_info {
    size_t skipped;    /* lines with values out of range, left out */
    long skipped_line; /* the first of them */
    long torn_line;    /* a last line cut short, left out, or 0 */
    long long bytes;   /* bytes read, the torn line's included */
} mp__dat_info;

/*
 * mp__dat_scan() - read f (named path in messages) from where it stands to
 * its end, or to limit bytes when limit >= 0 (a later pass over a file
 * still growing reads what the first pass read: a line that crosses the
 * limit is a torn line), and hand each line to sink, holding one line at a
 * time.  Lines are checked as mp__dat_read() checks them; nothing is
 * printed.  Returns 0, or -errno with one line for the user in err.
 */
int mp__dat_scan(FILE *f, const char *path, const mp__dat_sink *sink,
                 long long limit, mp__dat_info *info, char *err,
                 size_t errsize);

/*
 * mp__dat_warn() - the lines mp__dat_read() prints on stderr about what
 * info says was left out of path.
 */
void mp__dat_warn(const char *path, const mp__dat_info *info);

/*
 * mp__dat_read() - read path into dat.  Lines of unknown kinds are skipped,
 * as mprof does; a malformed line or an empty one is an error, except a
 * last line without its newline (cut short by a full disk or a kill),
 * which is left out.  Lines whose values are not finite or beyond
 * MP__DAT_MAX_MIB / MP__DAT_MAX_T are left out too.  Each of these two
 * says so in one line on stderr.  Returns 0, or -errno with one line for
 * the user in err ("x.dat:12: not a line of a .dat file"), dat left
 * empty.
 */
int mp__dat_read(const char *path, mp__dat *dat, char *err, size_t errsize);

/* mp__dat_free() - free what mp__dat_read() made; dat is left empty. */
void mp__dat_free(mp__dat *dat);

/* mp_strerror() (memprof.h) explains the -errno codes returned here. */
const char *mp_strerror(int code);

#endif /* MEMPROF_BASE_H */
