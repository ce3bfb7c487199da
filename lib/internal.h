/*
 * internal.h - what the files of lib/ share.  Not installed.
 *
 * Internal non-static names start with mp__ so that a static archive shows
 * the user's linker nothing but mp_ and mp__ symbols.
 */
#ifndef MEMPROF_INTERNAL_H
#define MEMPROF_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "heap_hooks.h"
#include "memprof.h"

#define MP__PRECISION_DEFAULT 1
#define MP__PRECISION_MAX 6

/* ---- settings.c: run-time settings from the environment. */

typedef struct mp__settings {
    int disabled;            /* MEMPROF_DISABLE=1 */
    int precision;           /* MEMPROF_PRECISION, 0..6 */
    const char *output;      /* MEMPROF_OUTPUT as given, or NULL: stderr */
    const char *source_path; /* MEMPROF_SOURCE_PATH, or NULL */
    const char *dat;         /* MEMPROF_DAT (set by memprof run), or NULL */
    const char *backend;     /* MEMPROF_BACKEND, or NULL: rss */
    int format;              /* MEMPROF_FORMAT: MP__FORMAT_* */
    int peak;                /* MEMPROF_PEAK=1 */
    int alloc;               /* MEMPROF_ALLOC=1 */
    int leaks;               /* MEMPROF_LEAKS=1 */
    double break_mib;        /* MEMPROF_BREAK_MIB, or 0: off */
    int secure;              /* setuid or setgid: no source is read */
    int report_signal;       /* MEMPROF_REPORT_SIGNAL: SIGUSR1, 0: none */
} mp__settings;

enum { MP__FORMAT_TABLE, MP__FORMAT_JSON, MP__FORMAT_CSV };

extern mp__settings mp__config;

/*
 * mp__settings_load() - fill *out from the environment.  Each bad value is
 * reported by one mp__warn() line and replaced by its default.
 */
void mp__settings_load(mp__settings *out);

/*
 * mp__expand_pid() - copy pattern to buf with every "%p" replaced by pid
 * and "%%" by "%".  Returns 0, or -ENAMETOOLONG if buf is too small.
 */
int mp__expand_pid(const char *pattern, long pid, char *buf, size_t size);

/* ---- backend.c: what a reading is (MEMPROF_BACKEND). */

/* The backend in use: rss until init chooses from MEMPROF_BACKEND. */
extern mp__backend_id mp__backend_cur;

/*
 * mp__backend_open() - a reader of this process for the backend in use,
 * into *r.  Returns 0 or -errno (it then reads as an error).
 */
int mp__backend_open(mp__proc_reader *r);

/*
 * mp__backend_heap_find() - whether the heap counter is there and counts
 * this process's mallocs: 0 or -ENOSYS.  mp__backend_heap_read() - its
 * count in bytes, once found.
 */
int mp__backend_heap_find(void);

/*
 * mp__backend_heap_hooks() - MEMPROF_ALLOC: have the heap counter tell h
 * of every block.  Returns 0, or -ENOSYS when it cannot (no counter, or
 * one without hooks).
 */
int mp__backend_heap_hooks(const mp__heap_hooks *h);

/*
 * mp__backend_heap_leaks_start() - MEMPROF_LEAKS: have the heap object
 * keep each block's call stack.  mp__backend_heap_dump() - its sites
 * dump (heap_hooks.h) written to fd.  Both return 0, or -ENOSYS when
 * there is no such heap object (-errno when the dump cannot be written).
 */
int mp__backend_heap_leaks_start(void);

/*
 * mp__backend_heap_quiet() - tell the heap object, if there is one, that
 * this thread's blocks from now on (on: 1) until on: 0 are the library's
 * own (the report's), to be left out of the leak report's sites.
 */
void mp__backend_heap_quiet(int on);
int mp__backend_heap_dump(int fd);
long long mp__backend_heap_read(void);

/* mp__backend_read() - a reading with r, in bytes, or -errno. */
static inline long long mp__backend_read(mp__proc_reader *r)
{
    if (r->backend == MP__BACKEND_HEAP)
        return mp__backend_heap_read();
    return mp__proc_read(r);
}

/* mp__backend_name() - the name of the backend in use. */
static inline const char *mp__backend_name(void)
{
    return mp__backends[mp__backend_cur].name;
}

/*
 * mp__backend_heap_peak_reset(), mp__backend_heap_peak() - the heap
 * counter's high-water mark (MEMPROF_PEAK with the heap backend): reset
 * it (0, or -ENOSYS without the heap archive or preload object), read it
 * in bytes (or -ENOSYS).  Exact for one thread.
 */
int mp__backend_heap_peak_reset(void);
long long mp__backend_heap_peak(void);

/*
 * mp__backend_choose() - at init: the backend named by MEMPROF_BACKEND,
 * or rss with one line when it is unknown or cannot work here (no
 * smaps_rollup; heap without the heap archive or preload object).
 */
void mp__backend_choose(const char *name);

/* ---- arena.c: the recording path's memory, never from malloc. */

/*
 * mp__arena_alloc() - n bytes, zeroed, 16-byte aligned, for as long as the
 * process lives (never freed), or NULL.  Lock held.
 */
void *mp__arena_alloc(size_t n);

/*
 * mp__arena_grow() - make the array at *arrp (elements of size elem, *cap
 * of them) hold at least need, in whole pages, zeroed; *cap becomes what
 * the pages hold.  Returns 0 or -ENOMEM (the array untouched).  Lock held.
 */
int mp__arena_grow(void *arrp, size_t *cap, size_t need, size_t elem);

/* mp__arena_release() - free an array that mp__arena_grow() made. */
void mp__arena_release(void *arr, size_t cap, size_t elem);

/* ---- sites.c: the site table, the threads' records, merging. */

/*
 * What one thread recorded at one slot.  A site's row uses every field but
 * last; a group's own row (its slot's) only last.
 */
typedef struct mp__row {
    uint64_t count; /* occurrences */
    int64_t max;    /* largest reading, bytes */
    int64_t inc;    /* sum of increments, bytes */
    union {
        int64_t peak; /* sites, MEMPROF_PEAK: the largest rise in a run */
        int64_t last; /* groups: the last reading taken in this group */
    };
    int64_t alloc;  /* MEMPROF_ALLOC: bytes its runs asked for */
    int64_t leaked; /* ... of those, not freed (freeing threads subtract
                       in their own rows: only the sum means anything) */
} mp__row;

/*
 * rows.c: a sparse table of rows by slot, holding only the slots recorded
 * in it: a thread's records, the ended threads' merged records.
 */
typedef struct mp__rows {
    unsigned *index; /* 1 << bits entries: a row's number + 1, 0: none */
    unsigned *slots; /* by row number: its slot */
    mp__row *rows;   /* by row number, in the order they were added */
    unsigned n;      /* rows in use */
    unsigned bits;   /* 0: no index yet */
    size_t icap;     /* arena capacities of index, slots, rows */
    size_t scap;
    size_t rcap;
} mp__rows;

/* mp__rows_hash() - where slot's search starts in an index of 2^bits. */
static inline unsigned mp__rows_hash(unsigned slot, unsigned bits)
{
    return (unsigned)(slot * 0x9e3779b9u) >> (32 - bits);
}

/*
 * mp__rows_find() - the row of slot in r, or NULL when r has none.  No
 * lock: for r's own thread, or with the registry lock held.
 */
static inline mp__row *mp__rows_find(const mp__rows *r, unsigned slot)
{
    if (__builtin_expect(r->bits == 0, 0))
        return NULL;
    unsigned mask = (1u << r->bits) - 1;
    for (unsigned h = mp__rows_hash(slot, r->bits);; h = (h + 1) & mask) {
        unsigned i = __atomic_load_n(&r->index[h], __ATOMIC_ACQUIRE);
        if (i == 0)
            return NULL;
        if (r->slots[i - 1] == slot)
            return &r->rows[i - 1];
    }
}

/*
 * mp__rows_add() - the row of slot in r, added zeroed if r has none.
 * NULL when out of memory.  Registry lock held; rows may move.
 */
mp__row *mp__rows_add(mp__rows *r, unsigned slot);

/* mp__rows_release() - give r's memory back; r is left empty.  Lock held. */
void mp__rows_release(mp__rows *r);

/* mp__rows_bytes() - the resident bytes r can have: its touched pages. */
size_t mp__rows_bytes(const mp__rows *r);

/* MEMPROF_ALLOC: a block made since its thread's last reading. */
typedef struct mp__pend {
    unsigned long long *cookie; /* its cookie; NULL once freed */
    size_t size;                /* what was asked for */
} mp__pend;

/*
 * Thread-local storage the library reaches without a call: initial-exec
 * in the archive.  The shared library (MP__SHARED) keeps the compiler's
 * global-dynamic model, which works in an object loaded by dlopen too;
 * the Makefile asks for TLS descriptors where the compiler has them.
 */
#ifdef MP__SHARED
#define MP__TLS_MODEL
#else
#define MP__TLS_MODEL __attribute__((tls_model("initial-exec")))
#endif

/* Everything one thread records; reached through thread-local storage. */
typedef struct mp__thread {
    mp__rows rows;           /* what it recorded, by slot */
    mp__proc_reader rd;      /* this thread's reader (backend in use) */
    mp__fd_id rd_id;         /* the file rd.fd was opened on */
    int depth;               /* profiled frames open on this thread */
    int busy;                /* registering or growing rows: a signal
                                handler's hit on this thread skips */
    int nested;              /* records under way on this thread */
    int64_t last;            /* its last reading, any site's, where a
                                line outside profiled functions counts
                                its increment from; -1 before its first */
    struct mp__thread *next; /* in the registry, under its lock */
    /* MEMPROF_ALLOC (alloc.c): the blocks made since the last reading of
     * each open frame, the innermost frame's from mark on; pend_lock
     * keeps them from frees on other threads. */
    mp__pend *pend;
    unsigned npend;
    unsigned pcap;
    unsigned mark;
    int pend_lock;
    unsigned no; /* its number, for cookies (alloc.c); 0: none; kept when
                    the record is reused */
} mp__thread;

/*
 * A group is what one table shows: a profiled function (its site is the
 * MP_PROFILE_FUNC site) or, for lines outside profiled functions, a file.
 */
typedef struct mp__group {
    unsigned slot;    /* the group's own slot (its state row) */
    int is_func;      /* a profiled function's; else a file's lines */
    int line;         /* functions: the line of MP_PROFILE_FUNC */
    int precision;    /* functions: MP_PROFILE_FUNC_PRECISION's, or -1 */
    const char *func; /* functions: its name (a copy) */
    int lambdas;      /* functions: how many C++ lambdas deep, 0: none */
    const char *file; /* a copy */
} mp__group;

/*
 * What the registry keeps of a site, copied when it registers, so that a
 * report never reads the site's own struct or strings: a plugin unloaded
 * with dlclose(3) takes them with it.
 */
typedef struct mp__site_copy {
    const char *text; /* a copy; NULL: the slot is a group's */
    int line;
    int kind;
    unsigned group;
} mp__site_copy;

/* The registry of slots, groups and threads, guarded by mp__lock(). */
typedef struct mp__registry {
    mp__site_copy *sites; /* by slot */
    unsigned nslots;      /* slots in use, counting the unused slot 0 */
    size_t cap;
    mp__group *groups; /* in order of first record */
    unsigned ngroups;
    size_t gcap;
    mp__thread *threads; /* live threads' records */
    mp__rows retired;    /* merged records of threads that ended */
} mp__registry;

extern mp__registry mp__reg;

void mp__lock(void);
void mp__unlock(void);

/*
 * mp__site_register() - give site its slot and group on its first hit.
 * Returns the slot, or 0 when out of memory (the hit is not recorded).
 */
unsigned mp__site_register(mp__site *site, mp__frame *frame);

/*
 * mp__thread_row_add() - the row of slot in t's records, added if new,
 * under the lock (reports read t's records).  NULL when out of memory.
 */
mp__row *mp__thread_row_add(mp__thread *t, unsigned slot);

/*
 * mp__records_bytes() - the resident bytes the records of the live
 * threads and the ended ones can have (mp__rows_bytes()), not counting
 * the thread records themselves.  Lock held.
 */
size_t mp__records_bytes(void);

/*
 * mp__merged() - every thread's records added up, one row per slot
 * (nslots rows), in a new array the caller frees.  NULL when out of memory.
 * Call with the lock held.
 */
mp__row *mp__merged(void);

/*
 * mp__row_merged() - every table's row of slot (live threads', ended
 * ones') added up into *out, zeroed first.  Lock held.
 */
void mp__row_merged(unsigned slot, mp__row *out);

/* mp__hits() - how many hits every site recorded, in all.  Lock held. */
uint64_t mp__hits(void);

/*
 * mp__records_clear() - zero every thread's records and forget its last
 * reading.  Lock held.
 */
void mp__records_clear(void);

/*
 * mp__thread_new() - a new thread record, zeroed, its reader closed, in
 * the registry; from the arena (or an ended thread's), never from malloc,
 * so that a signal handler may make one.  Takes the lock.  NULL when out
 * of memory.
 */
mp__thread *mp__thread_new(void);

/*
 * mp__thread_free() - free the rows of t, a record that
 * mp__thread_retire() unlinked, and keep t for the next new thread.  Takes
 * the lock.
 */
void mp__thread_free(mp__thread *t);

/* Set while this thread holds the registry lock (mp__lock()). */
extern __thread int mp__in_lib MP__TLS_MODEL;

/*
 * mp__thread_retire() - fold an ending thread's rows into the registry's
 * and unlink it.  Takes the lock.  Returns 0, or -ENOMEM (t stays linked).
 */
int mp__thread_retire(mp__thread *t);

/*
 * mp__records_fork_child() - in a child forked by thread self, free the
 * other threads' records and zero the counts left.  Lock held.
 */
void mp__records_fork_child(mp__thread *self);

/*
 * mp__thread_reread() - after a failed read with t's reader: if its
 * descriptor is no longer the file it opened (the program closed it, and
 * the number may be the program's now), open the file again and read.
 * Returns the reading, or 0.
 */
long long mp__thread_reread(mp__thread *t) __attribute__((cold));

/*
 * mp__reading() - a reading for thread t with the backend in use, in
 * bytes; 0 when it cannot be taken (said once, when the handle failed).
 * The descriptor is checked only when a read fails: a closed one fails
 * with EBADF, another file does not parse as statm or smaps_rollup.
 */
static inline long long mp__reading(mp__thread *t)
{
    long long r = mp__backend_read(&t->rd);
    return __builtin_expect(r >= 0, 1) ? r : mp__thread_reread(t);
}

/* ---- setup.c: the library's start, on first use. */

/* mp__init() - read the settings, install the exit and fork hooks, once. */
void mp__init(void) __attribute__((cold));

/*
 * mp__recording() - init on first use; whether recording is on (not
 * MEMPROF_DISABLE=1).
 */
static inline int mp__recording(void)
{
    int state = __atomic_load_n(&mp__state, __ATOMIC_ACQUIRE);
    if (__builtin_expect(state == MP__STATE_NEW, 0)) {
        mp__init();
        state = __atomic_load_n(&mp__state, __ATOMIC_ACQUIRE);
    }
    return state == MP__STATE_ON;
}

/* ---- thread.c: each thread's record. */

/* This thread's record, or NULL before its first record. */
extern __thread mp__thread *mp__self MP__TLS_MODEL;

/*
 * mp__threads_start() - at init: the key whose destructor folds an ending
 * thread's record, and the fork hooks.
 */
void mp__threads_start(void);

/* mp__thread_self() - this thread's record, made on first use, or NULL. */
mp__thread *mp__thread_self(void);

/* mp__thread_get() - mp__thread_self() with its fast path inline. */
static inline mp__thread *mp__thread_get(void)
{
    mp__thread *t = mp__self;
    return t != NULL ? t : mp__thread_self();
}

/* ---- record.c: the hot path. */

/*
 * Hits that could not be recorded: a signal handler's that interrupted the
 * library on its thread and needed its cold path, or out of memory.  Said
 * in one line at exit.
 */
extern unsigned long mp__dropped;

/* ---- budget.c: MEMPROF_BREAK_MIB and MP_ASSERT_BELOW_MIB. */

/*
 * ---- lang.c: C++.
 *
 * mp__func_name() - the name of a profiled function's table from the func
 * of its MP_PROFILE_FUNC site (__func__, or in a C++ lambda the
 * __PRETTY_FUNCTION__ that names the enclosing function), into out (size
 * bytes, cut to fit): func, or for a lambda "main::<lambda>" (one
 * "::<lambda>" a level, the enclosing function as its __func__ names it).
 * Returns how many lambdas deep the function is: 0 for one that is not.
 */
int mp__func_name(const char *func, char *out, size_t size);

/*
 * mp__break_here() - MEMPROF_BREAK_MIB: site added rise bytes, more than
 * allowed; say so and raise SIGTRAP.
 */
void mp__break_here(const mp__site *site, int64_t rise);

/*
 * ---- source.c: reading source files; lexer.c: what a loaded source's C
 * says (its function bodies, where its multi-line MP_ calls start).
 */

/* A function body found in a source: lines of its declaration and '}'. */
typedef struct mp__body {
    int open;  /* line of its '{' */
    int first; /* first line of its declaration */
    int last;  /* line of its '}' */
} mp__body;

/*
 * A source file split into lines, with what the report asks of it worked
 * out once when it is loaded.
 */
typedef struct mp__source {
    char *buf; /* the file's bytes, owned, NUL-terminated */
    size_t len;
    char **lines; /* lines[i] is line i + 1, NUL-terminated, no "\n" */
    int nlines;
    int *starts;      /* starts[i]: mp__source_stmt_start() of line i + 1 */
    mp__body *bodies; /* function bodies, in the order they close */
    int nbodies;
    mp__body *lambdas; /* C++ lambda bodies, first: the line of '[' */
    int nlambdas;
} mp__source;

/*
 * mp__source_load() - read path, or, if it does not open, the first that
 * opens of: dir/path and dir/basename(path) for each dir of the
 * ':'-separated search_path (may be NULL); for a relative path, path in
 * the folder the compiler ran in (mp__dwarf_units(): the units named
 * path first, then any), then in the executable's folder.  Lines lose
 * their "\n" and a "\r" before it.  Lexes the file once for
 * mp__source_function() and mp__source_stmt_start().  Returns 0, or
 * -errno of the first attempt.
 */
int mp__source_load(mp__source *src, const char *path, const char *search_path);

/* mp__source_free() - free what mp__source_load() made; src may be zeroed. */
void mp__source_free(mp__source *src);

/*
 * mp__source_function() - the lines of the function whose declaration or
 * body contains line (1-based; memprof cc puts a function's entry row on
 * the line of its name): *first is the first line of its declaration (not a
 * comment before it), *last the line of its closing brace.  Braces inside
 * comments, string and character literals and preprocessor lines do not
 * count.  Returns 0, or -ENOENT when no function body contains line.
 * A lookup in what mp__source_load() found: no lexing.
 */
int mp__source_function(const mp__source *src, int line, int *first, int *last);

/*
 * mp__source_lambda() - the same for the innermost C++ lambda whose body
 * contains line: *first is the line of its '[', *last of its '}'.
 * Returns 0, or -ENOENT.
 */
int mp__source_lambda(const mp__source *src, int line, int *first, int *last);

/*
 * mp__source_stmt_start() - clang gives __LINE__ of a macro call that spans
 * several lines as the line of its closing parenthesis, gcc as the line of
 * its name.  If line holds the closing parenthesis of a call of a macro
 * whose name starts with "MP_" and that starts on an earlier line, return
 * that line; otherwise return line.
 */
int mp__source_stmt_start(const mp__source *src, int line);

/*
 * mp__lex_source() - lex the lines of src, loaded and split, once: fill
 * src->bodies and src->nbodies, and src->starts (from mp__malloc; freed by
 * mp__source_free()).  Returns 0 or -ENOMEM, what it filled then left for
 * mp__source_free().
 */
int mp__lex_source(mp__source *src);

/* ---- dwarf.c: the folders the compiler ran in, from debug information. */

/* What mp__dwarf_units() calls: non-zero stops the walk. */
typedef int mp__dwarf_fn(const char *name, const char *dir, void *arg);

/*
 * mp__dwarf_units() - call fn(name, dir, arg) for each compile unit whose
 * DWARF gives its DW_AT_comp_dir (dir, the folder the compiler ran in),
 * with its name (the source as the compiler was given it, or ""): the
 * program's
 * units (read through /proc/self/exe), then those of each object loaded
 * with it.  The strings live only during the call.  Returns what fn
 * returned to stop, or 0.
 */
int mp__dwarf_units(mp__dwarf_fn *fn, void *arg);

/*
 * mp__dwarf_image_units() - the same for one ELF file's size bytes at
 * image, whatever they hold: every offset is checked.
 */
int mp__dwarf_image_units(const unsigned char *image, size_t size,
                          mp__dwarf_fn *fn, void *arg);

/* ---- spans.c: FUNC lines for memprof run. */

/* The MEMPROF_DAT file, appended to, or -1: spans are off. */
extern int mp__spans_fd;

/* mp__spans_start() - at init: open MEMPROF_DAT if it is set. */
void mp__spans_start(void);

/*
 * mp__span_frame_end() - write the FUNC line of frame, a profiled call
 * that ends now on thread t.  Keeps errno.
 */
void mp__span_frame_end(mp__thread *t, const mp__frame *frame);

/* ---- hwm.c: VmHWM, the kernel's high-water mark of the resident set. */

/*
 * mp__hwm_reset() - set VmHWM to the current resident set (write "5" to
 * clear_refs).  Returns 0 or -errno.  Call mp__hwm_fold() first.
 */
int mp__hwm_reset(void);

/* mp__hwm_read() - VmHWM in bytes, or -errno. */
long long mp__hwm_read(void);

/*
 * mp__hwm_fold() - before a reset: the open sessions take in the mark that
 * the reset cuts off.  One atomic load when none is open.
 */
void mp__hwm_fold(void);

/* A measurement that relies on VmHWM over its span (usage.c's sessions). */
typedef struct mp__hwm_session {
    int on;          /* 1: claimed and listed */
    int lost;        /* a reset's mark could not be read */
    long long seen;  /* the largest mark that later resets cut off */
    pthread_t owner; /* the thread that claimed it */
    struct mp__hwm_session *next;
} mp__hwm_session;

/*
 * mp__hwm_claim() - fold, reset VmHWM and list s.  Returns 0, or -errno
 * (s is then off: the measurement only samples).
 */
int mp__hwm_claim(mp__hwm_session *s);

/*
 * mp__hwm_release() - unlist s; the peak resident set in bytes since it
 * was claimed, or -1 when that is not known.
 */
long long mp__hwm_release(mp__hwm_session *s);

/* ---- sampler.c: measurement sessions (memory_usage.c's API). */

/*
 * A measurement of a process: a reading before, readings every interval
 * (a sampler thread's, or the caller's), a reading after; with the rss
 * backend, VmHWM over its span.
 */
typedef struct mp__session {
    mp__proc_reader rd; /* this process: the backend in use; another: rss */
    mp_samples *out;
    size_t cap; /* room in out->mib and out->t */
    int err;    /* 0, or the first -errno met */
    double t0;  /* CLOCK_MONOTONIC of the first reading */
    double interval;
    pid_t pid;           /* the process that started the session */
    mp__hwm_session hwm; /* VmHWM over the session, rss only */
    int threaded;        /* the sampler thread runs */
    int stop;            /* under mu: the sampler must stop */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} mp__session;

/* When a session starts a sampler thread. */
enum {
    MP__SAMPLER_NEVER, /* the caller reads: mp__session_read_until() */
    MP__SAMPLER_ALWAYS,
    MP__SAMPLER_UNLESS_HWM /* only when VmHWM cannot give the peak */
};

/*
 * mp__session_start() - take the first reading of pid (0: this process)
 * into out, which is emptied first; for this process, claim VmHWM first;
 * start the sampler thread as mode says.  Returns 0, or -errno with
 * nothing left to release and out empty.
 */
int mp__session_start(mp__session *s, long pid, double interval, int mode,
                      mp_samples *out);

/*
 * mp__session_read_until() - take readings on the calling thread every
 * interval until timeout seconds have passed (INFINITY: until the process
 * ends) or the process ends.
 */
void mp__session_read_until(mp__session *s, double timeout);

/*
 * mp__session_end() - stop the sampler, take the reading after if asked,
 * work out the peak, release everything.  Returns 0, or the first -errno
 * met (out then emptied).
 */
int mp__session_end(mp__session *s, int after);

/* ---- peak.c: MEMPROF_PEAK. */

/*
 * mp__peak_start() - at init, MEMPROF_PEAK=1: check that the backend's
 * high-water mark can be reset and read here; else say so once and track
 * no peak.
 */
void mp__peak_start(void);

/* Non-zero once MEMPROF_ALLOC's hooks are set: readings bind blocks. */
extern int mp__alloc_on;

/* ---- leaks_exit.c: MEMPROF_LEAKS in the profiler. */

/*
 * mp__leaks_start() - at init, MEMPROF_LEAKS=1: have the heap object keep
 * every block's stack, or say in one line why there is no leak report.
 */
void mp__leaks_start(void);

/*
 * mp__leaks_dump() - at exit, before anything of the report is made: the
 * heap object's sites dump, in a memfd (a temporary file where there is
 * none), at its start; NULL when MEMPROF_LEAKS is off or the dump cannot
 * be made (said in one line).  The caller closes it.
 */
FILE *mp__leaks_dump(void);

/*
 * mp__alloc_start() - at init, MEMPROF_ALLOC=1: set the heap counter's
 * hooks (alloc.c), or say in one line why there are no columns.
 */
void mp__alloc_start(void);

/*
 * mp__alloc_bind() - a reading of slot (its row: row) on t: the blocks
 * pending in the innermost frame (from t->mark) are the slot's line's
 * from now on.
 */
void mp__alloc_bind(mp__thread *t, unsigned slot, mp__row *row);

/*
 * mp__alloc_number() - give the new record t its number, by which a
 * pending block's cookie names it.  Registry lock held.
 */
void mp__alloc_number(mp__thread *t);

/* mp__alloc_detach() - t ends: its pending blocks belong to no line. */
void mp__alloc_detach(mp__thread *t);

/*
 * mp__alloc_forget() - the records were cleared (mp_reset(), a forked
 * child): blocks bound before are no line's any more.
 */
void mp__alloc_forget(void);

/*
 * mp__peak_read() - after a line whose reading is r: the most memory held
 * while it ran, at least r.
 */
int64_t mp__peak_read(int64_t r);

/* ---- report.c: the table. */

/*
 * mp__format_mib() - "%{p+4}.{p}f MiB" of bytes in MiB, as memory_profiler
 * formats its columns.  Returns buf.
 */
char *mp__format_mib(char *buf, size_t size, double mib, int precision);

/*
 * mp__format_row() - one row of the table, as memory_profiler's
 * "{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}" with the line's text and "\n".
 * mem and inc may be NULL (empty cells), occ < 0 means an empty cell.
 * extra: the cells of the optional columns after Increment, "{:>12}"
 * each (Peak, then Allocated and Leaked), NULL where a column is not
 * shown.
 */
void mp__format_row(FILE *out, int line, const char *mem, const char *inc,
                    const char *const extra[3], long long occ,
                    const char *contents);

/*
 * mp__report_write() - print every table to out, then, when leaks is not
 * NULL, the leak report of that sites dump (read from its start): in the
 * JSON object as "leaks", after the tables as text; never into CSV.
 * Returns 0 or -errno.
 */
int mp__report_write(FILE *out, FILE *leaks);

/*
 * mp__output_start() - at init: empty MEMPROF_OUTPUT's file, or say it is
 * unwritable and report to stderr.
 */
void mp__output_start(void);

/*
 * mp__copies_check() - at start and at exit: if a second copy of the
 * library is in the process, say so in one line (once).
 */
void mp__copies_check(void);

/* mp__report_at_exit() - the atexit handler: print to the destination. */
void mp__report_at_exit(void);

/* ---- signals.c: the report on SIGINT, SIGTERM, SIGHUP, on demand. */

/*
 * mp__signals_start() - at init: the report's handlers on the signals that
 * still have their default action.
 */
void mp__signals_start(void);

/* A signal that came while its thread held the library, or 0. */
extern int mp__signal_pending;

/*
 * mp__signals_check() - when the thread lets go of the library: act on a
 * pending signal (report, then the signal's default action).
 */
void mp__signals_check(void);

/* mp__signals_poll() - mp__signals_check() if a signal is pending. */
static inline void mp__signals_poll(void)
{
    if (__builtin_expect(
            __atomic_load_n(&mp__signal_pending, __ATOMIC_RELAXED) != 0, 0))
        mp__signals_check();
}

#endif /* MEMPROF_INTERNAL_H */
