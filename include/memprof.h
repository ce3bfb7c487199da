/*
 * memprof.h - line-by-line memory profiling for C, after Python's
 * memory_profiler.  The only public header of libmemprof.
 *
 *     #include <memprof.h>     link with -lmemprof -lpthread
 *
 *     int *my_func(void)
 *     {
 *         MP_PROFILE_FUNC();
 *         MP_LINE(int *a = fill(malloc(8u << 20), 8u << 20));
 *         MP_RETURN(a);
 *     }
 *
 * At exit the table of every profiled function is printed on stderr (or to
 * MEMPROF_OUTPUT).  See memprof(3).
 *
 * The first half of this file is the documented API.  The second half,
 * marked "implementation details", is what the macros expand to; nothing in
 * it is part of the API.
 */
#ifndef MEMPROF_H
#define MEMPROF_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * MEMPROF_VERSION_MAJOR, _MINOR, _PATCH - the version as numbers, for #if;
 * MEMPROF_VERSION - the same as a string, "0.1.0".
 */
#define MEMPROF_VERSION_MAJOR 0
#define MEMPROF_VERSION_MINOR 1
#define MEMPROF_VERSION_PATCH 0
#define MEMPROF_VERSION                                                        \
    MP__STR(MEMPROF_VERSION_MAJOR)                                             \
    "." MP__STR(MEMPROF_VERSION_MINOR) "." MP__STR(MEMPROF_VERSION_PATCH)

/*
 * ---- Compile-out block: with -DMEMPROF_DISABLE every macro is bare code.
 * It compiles with every C and C++ standard, C89 and C++98 included (the
 * macros that record need C99 or C++11): gcc and clang are told not to
 * warn that variadic macros came with C99 under -pedantic.
 */
#ifdef MEMPROF_DISABLE

#if defined(__GNUC__)
#if defined(__cplusplus) && __cplusplus < 201103L && !defined(__clang__)
/* g++ before C++11 does not heed the pragma below for macros. */
#pragma GCC system_header
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wvariadic-macros"
#endif

#define MP_PROFILE_FUNC() enum { mp__profile_func_end }
#define MP_PROFILE_FUNC_PRECISION(n) enum { mp__profile_func_end }
#define MP_LINE(...) __VA_ARGS__
#define MP_RETURN(...) return __VA_ARGS__
#define MP_RETURN_VOID() return
#define MP_TIMESTAMP(label)
#define MP_MEMIT(...) __VA_ARGS__
#define MP_ASSERT_BELOW_MIB(n) ((void)sizeof(n))
#define MP_CHECK_BELOW_MIB(n) ((void)sizeof(n), 1)
/* What memprof cc inserts: nothing but the code itself. */
#define MP__CC_FUNC(line, text)
#define MP__CC_SITES(...)
#define MP__CC_DECL(k)
#define MP__CC_LINE(k) ((void)0)
#define MP__CC_RET(k) ((void)0)
#define MP__CC_IF(k) (!!
#define MP__CC_FI(k) )
#define MP__CC_SW_BEGIN
#define MP__CC_SW_END(k)

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#else /* !MEMPROF_DISABLE */

/*
 * MP_PROFILE_FUNC() - first statement of a function: start a frame for this
 * call and record the entry row.  The frame closes when the function is
 * left by any path.  MP_PROFILE_FUNC_PRECISION(n) does the same and prints
 * this function's table with n decimals (n a constant 0..6).  Both are
 * declarations: declarations may follow them, even in C89.
 */
#define MP_PROFILE_FUNC() MP_PROFILE_FUNC_PRECISION(-1)
#define MP_PROFILE_FUNC_PRECISION(n)                                           \
    static mp__site mp__fsite =                                                \
        MP__SITE_INIT(MP__SITE_FUNC, "MP_PROFILE_FUNC();", (n));               \
    MP__FRAME_OPEN(mp__fsite)                                                  \
    enum { mp__profile_func_end }

/* The frame of a profiled function, declared after its entry site. */
#define MP__FRAME_OPEN(fsite)                                                  \
    MP__SHADOW_BEGIN                                                           \
    mp__frame mp__frm MP__CLEANUP(mp__frame_end) = {&fsite, 0, 0, 0, 0, 0, 0}; \
    mp__frame *const mp__fp MP__UNUSED = mp__frame_begin(&mp__frm);            \
    MP__SHADOW_END

/*
 * MP_LINE(stmt) - run stmt in the caller's scope (it may be a declaration
 * and may contain commas), then record the memory reading for this line.
 * If stmt returns from a profiled function, the line records as the
 * function returns, after the value is made.  The expansion starts with a
 * declaration: brace the body of an if, for or while that is one MP_LINE
 * (the compiler's error names mp__MP_LINE_needs_braces_in_if_for_while).
 */
#define MP_LINE(...)                                                           \
    MP__LINE_AT(                                                               \
        MP__CAT(mp__site_, __COUNTER__),                                       \
        MP__CAT(mp__MP_LINE_needs_braces_in_if_for_while_, __COUNTER__),       \
        #__VA_ARGS__, __VA_ARGS__)

/*
 * MP_RETURN(expr) - return expr exactly as "return expr;" does (a C++
 * value is moved or elided, a reference stays one, NULL converts to the
 * function's pointer type, a void expression is allowed), and record the
 * line once the returned value is made, before the function's frame
 * closes.  expr may contain commas.  Outside a profiled function it
 * records in its file's table.
 * MP_RETURN_VOID() - record the line and return.
 */
#define MP_RETURN(...)                                                         \
    MP__RETURN_AT(MP__CAT(mp__site_, __COUNTER__),                             \
                  MP__CAT(mp__ret_, __COUNTER__), "return " #__VA_ARGS__ ";",  \
                  __VA_ARGS__)
#define MP_RETURN_VOID() MP__RETURN_VOID_AT(MP__CAT(mp__site_, __COUNTER__))

/*
 * MP_TIMESTAMP(label) { ... } - a labelled span for the time plot, as
 * memory_profiler's profile.timestamp: under memprof run, the block's
 * entry and exit (by any path) become a FUNC line "<file stem>.<label>".
 * label is a string.  Elsewhere it costs two calls and records nothing.
 */
#define MP_TIMESTAMP(label)                                                    \
    MP__TIMESTAMP_AT(MP__CAT(mp__span_, __COUNTER__), label)

/*
 * MP_ASSERT_BELOW_MIB(n) - a memory budget check: if the memory (with the
 * backend in use) is above n MiB here, print the tables recorded so far
 * to the report's destination, as the report at exit would, then the
 * file, the line, the reading and the limit on stderr, and abort().  The
 * one place where the library stops the program, as a failed assert()
 * does.
 *
 * MP_CHECK_BELOW_MIB(n) - the same check, which goes on: 1 (true) when the
 * memory is at most n MiB; else 0 (false), after printing the file, the
 * line, the reading and the limit on stderr.
 */
#define MP_ASSERT_BELOW_MIB(n) mp__assert_below(__FILE__, __LINE__, (n))
#define MP_CHECK_BELOW_MIB(n) mp__check_below(__FILE__, __LINE__, (n))

#endif /* !MEMPROF_DISABLE */

/*
 * mp_set_precision() - decimals in the MiB columns of every table that has
 * no precision of its own.  Returns 0, or -EINVAL if n is not in 0..6.
 */
int mp_set_precision(int n);

/*
 * mp_report() - print the tables recorded so far to out, or, when out is
 * NULL, to the report destination (MEMPROF_OUTPUT or stderr).  Records are
 * kept.  Returns 0 or -errno.  Thread-safe; values being recorded by other
 * threads at that moment may or may not be included.
 */
int mp_report(FILE *out);

/*
 * mp_reset() - forget every record of every thread, as if nothing had run.
 * Call it while no other thread records.
 */
void mp_reset(void);

/* mp_strerror() - a static message for a code returned by this library. */
const char *mp_strerror(int code);

/*
 * mp_current_mib() - the memory of this process now, in MiB, as a line
 * would read it: with the backend in use (MEMPROF_BACKEND: the resident
 * set, or the heap backend's bytes held).  It reads under
 * MEMPROF_DISABLE too: at run time the resident set (no backend is set
 * up then), and at compile time (it is a function: link the library).
 * 0 when no reading can be taken (one line on stderr says why).  Keeps
 * errno.  Thread-safe.
 */
double mp_current_mib(void);

/*
 * Measuring memory from inside a program, as memory_profiler's
 * memory_usage() and %memit.  Readings are in MiB (1048576 bytes).
 *
 * mp_samples - readings taken over time.  When peak_hwm is 1, peak_mib is
 * the kernel's high-water mark of the resident set over the whole
 * measurement if that is more than every reading: a peak that rose and
 * fell between two readings is not missed.  The arrays belong to the
 * library: release them with mp_samples_free().
 */
typedef struct mp_samples {
    double *mib;     /* the readings, in MiB */
    double *t;       /* seconds after the first; t[0] is 0 */
    size_t n;        /* how many, at least 1 */
    double peak_mib; /* the peak, in MiB */
    int peak_hwm;    /* 1: the high-water mark was read */
} mp_samples;

/* mp_samples_free() - free s's arrays and zero it; s may be empty or NULL. */
void mp_samples_free(mp_samples *s);

/*
 * mp_memory_usage() - read the memory of process pid (0: this process) at
 * once, then every interval seconds until timeout seconds have passed:
 * 1 + floor(timeout / interval) readings, fewer if pid ends first (timeout
 * may then be INFINITY: read until it ends).  This process is read with
 * the backend in use (MEMPROF_BACKEND), another with /proc/PID/statm
 * (RSS).  The calling thread sleeps between readings.  Returns 0, or
 * -EINVAL (out NULL, pid < 0, interval not > 0 and finite, timeout < 0 or
 * NaN, or INFINITY for this process), -ESRCH (no such process, or it has
 * already ended), -ENOMEM, -errno of /proc; *out is then empty.  Keeps
 * errno.  Thread-safe.
 */
int mp_memory_usage(long pid, double interval, double timeout, mp_samples *out);

/*
 * mp_memory_usage_call() - call fn(arg) on the calling thread while a
 * sampler thread reads this process's memory every interval seconds, and
 * store its return value in *ret (if ret is not NULL).  The readings
 * include one just before fn and one just after it.  fn is called exactly
 * once unless the result is -EINVAL (fn or out NULL, interval not > 0 and
 * finite).  Returns 0, or -EINVAL, -ENOMEM, -EAGAIN (no thread), -errno;
 * *out is then empty.  fn sees the caller's errno; errno is left as fn
 * left it.  Thread-safe.
 */
int mp_memory_usage_call(void *(*fn)(void *), void *arg, double interval,
                         void **ret, mp_samples *out);

#ifndef MEMPROF_DISABLE
/*
 * MP_MEMIT(stmt) - run stmt in the caller's scope (it may be a
 * declaration and may contain commas and semicolons), then print on
 * stderr, as %memit does,
 *     peak memory: 212.45 MiB, increment: 160.02 MiB
 * the most memory held while stmt ran, and that minus the memory before
 * it.  If stmt leaves the scope (return, break, goto), the line is
 * printed as it leaves.  The expansion starts with a declaration: brace
 * the body of an if, for or while that is one MP_MEMIT (the compiler's
 * error names mp__MP_MEMIT_needs_braces_in_if_for_while).
 */
#define MP_MEMIT(...)                                                          \
    MP__MEMIT_AT(                                                              \
        MP__CAT(mp__MP_MEMIT_needs_braces_in_if_for_while_, __COUNTER__),      \
        __VA_ARGS__)
#endif /* !MEMPROF_DISABLE */

/* ======================================================================
 * Implementation details.  Nothing below is part of the API.
 * ====================================================================== */

#define MP__STR2(x) #x
#define MP__STR(x) MP__STR2(x)

/*
 * What the macros expand to when they record.  Under MEMPROF_DISABLE they
 * are bare code, which needs none of it and no compiler extension.
 */
#ifndef MEMPROF_DISABLE

#if !defined(__GNUC__) && !defined(__clang__)
#error "libmemprof needs gcc or clang (the cleanup attribute)"
#endif

#define MP__CAT2(a, b) a##b
#define MP__CAT(a, b) MP__CAT2(a, b)

#define MP__CLEANUP(fn) __attribute__((cleanup(fn)))
#define MP__UNUSED __attribute__((unused))
#define MP__LIKELY(x) __builtin_expect(!!(x), 1)
#define MP__SHADOW_BEGIN                                                       \
    _Pragma("GCC diagnostic push")                                             \
        _Pragma("GCC diagnostic ignored \"-Wshadow\"")
#define MP__SHADOW_END _Pragma("GCC diagnostic pop")

#ifdef __cplusplus
#define MP__AUTO auto
#else
#define MP__AUTO __extension__ __auto_type
#endif

enum { MP__SITE_LINE = 0, MP__SITE_FUNC = 1 };

/*
 * One static record per macro use site.  The library fills slot and group
 * on the first hit; they are read with atomic loads afterwards.
 */
typedef struct mp__site {
    const char *file;
    const char *func;
    const char *text;
    int line;
    int kind;
    int precision;
    unsigned slot;
    unsigned group;
} mp__site;

#define MP__SITE_INIT(kind, text, precision)                                   \
    {                                                                          \
        __FILE__, MP__FUNC, text, __LINE__, kind, precision, 0u, 0u            \
    }

/*
 * The function's name in its sites: __func__, except in a C++ lambda,
 * whose __func__ is "operator()": there __PRETTY_FUNCTION__, which names
 * the enclosing function, and the library makes the table's name of it
 * (see memprof(3)).  Chosen at compile time: the site stays a constant.
 */
#ifdef __cplusplus
static constexpr bool mp__func_eq(const char *a, const char *b)
{
    return *a == *b && (*a == 0 || mp__func_eq(a + 1, b + 1));
}
static constexpr const char *mp__func_pick(const char *func, const char *pretty)
{
    return mp__func_eq(func, "operator()") ? pretty : func;
}
#define MP__FUNC mp__func_pick(__func__, __PRETTY_FUNCTION__)
#else
#define MP__FUNC __func__
#endif

/* The frame of one call of a profiled function, on that call's stack. */
typedef struct mp__frame {
    mp__site *site;
    long long prev;       /* the last reading in this frame, bytes */
    long long mem0;       /* spans on: the entry reading */
    double t0;            /* spans on: the entry time */
    int level;            /* nesting level + 1 while open, 0 if not open */
    struct mp__site *ret; /* memprof cc: the return line to record at exit */
    unsigned mark_up;     /* MEMPROF_ALLOC: the caller's first pending block */
} mp__frame;

/* An MP_TIMESTAMP block: a span that is not a function. */
typedef struct mp__span {
    const char *file;
    const char *label;
    long long mem0;
    double t0;
    int level; /* nesting level + 1 while recorded, else 0 */
    int once;  /* the for loop's body runs once */
} mp__span;

/*
 * Outside a profiled function MP_LINE sees this null frame; inside one it
 * sees the local of the same name that MP_PROFILE_FUNC declares.
 */
static mp__frame *const mp__fp MP__UNUSED = 0;

/* The library's state, set once by its initialisation. */
enum {
    MP__STATE_NEW = 0, /* not initialised yet */
    MP__STATE_ON = 1,  /* recording */
    MP__STATE_OFF = 2  /* MEMPROF_DISABLE=1: nothing is recorded */
};
extern int mp__state;

/* MEMPROF_PEAK=1: each line's peak is tracked from before it runs. */
extern int mp__peak_on;

void mp__record(mp__site *site, mp__frame *frame);
mp__frame *mp__frame_begin(mp__frame *frame) __attribute__((returns_nonnull));
void mp__frame_close(mp__frame *frame);
mp__span mp__span_begin(const char *file, const char *label);
void mp__span_end(mp__span *span);
void mp__peak_begin(void);
void mp__assert_below(const char *file, int line, double mib);
int mp__check_below(const char *file, int line, double mib);

/* Before a line runs: with MEMPROF_PEAK=1, start watching its peak. */
static __inline__ void mp__line_begin(void)
{
    if (__builtin_expect(__atomic_load_n(&mp__peak_on, __ATOMIC_RELAXED), 0))
        mp__peak_begin();
}

static __inline__ void mp__line(mp__site *site, mp__frame *frame)
{
    if (MP__LIKELY(__atomic_load_n(&mp__state, __ATOMIC_RELAXED) !=
                   MP__STATE_OFF))
        mp__record(site, frame);
}

static __inline__ void mp__frame_end(mp__frame *frame)
{
    if (frame->level != 0) {
        if (frame->ret != 0)
            mp__line(frame->ret, frame);
        mp__frame_close(frame);
    }
}

/*
 * Around an MP_LINE's statement in a profiled function, frame->ret holds
 * the line: if the statement leaves (return, break, continue, goto, a C++
 * exception), the line records when the next line of that call starts or
 * when the frame closes, after a returned value is made.
 */
static __inline__ void mp__line_enter(mp__site *site, mp__frame *frame)
{
    if (frame != 0) {
        if (__builtin_expect(frame->ret != 0, 0))
            mp__line(frame->ret, frame);
        frame->ret = site;
    }
    mp__line_begin();
}

static __inline__ void mp__line_leave(mp__site *site, mp__frame *frame)
{
    if (frame != 0)
        frame->ret = 0;
    mp__line(site, frame);
}

/*
 * MP_LINE's first declaration, whose name the compiler prints when
 * MP_LINE is the unbraced body of an if, for or while: in C, the
 * declaration cannot be a statement; in C++ it would be the body alone,
 * and the next statement, which uses it, finds no such name.
 */
typedef char mp__MP_LINE_needs_braces_in_if_for_while;

/* MP_RETURN's guard: its cleanup records the line once the value is made. */
typedef struct mp__ret {
    mp__site *site;
    mp__frame *frame;
} mp__ret;

static __inline__ void mp__ret_end(mp__ret *r)
{
    mp__line(r->site, r->frame);
}

/*
 * What memprof cc inserts into the copy of a source it compiles: the
 * entry of a function profiled without MP_PROFILE_FUNC, the sites of the
 * function's lines in one array, MP__CC_SITES(MP__CC_S(line, text), ...),
 * and a reading of site k: after a statement (MP__CC_LINE; after a
 * declaration, MP__CC_DECL, itself a declaration, for C89), before a
 * return (MP__CC_RET: the reading is taken when the frame closes, after
 * the returned value is evaluated), and at each evaluation of a
 * condition: "if (c)" becomes "if (MP__CC_IF(k)(c) MP__CC_FI(k))", where
 * the compiler still sees the value (a constant stays one), and a switch's
 * value is kept between MP__CC_SW_BEGIN and MP__CC_SW_END(k).  text is
 * what the row shows when the source is not there.  A reading is one
 * call, mp__cc_line(), which also starts the next line's peak, as MP_LINE
 * starts its own: a whole file of such lines stays quick to compile.
 */
#define MP__CC_FUNC(line, text)                                                \
    static mp__site mp__fsite = {__FILE__,      __func__, text, line,          \
                                 MP__SITE_FUNC, -1,       0u,   0u};           \
    MP__SHADOW_BEGIN                                                           \
    mp__frame mp__frm MP__CLEANUP(mp__frame_end) = {&mp__fsite, 0, 0, 0,       \
                                                    0,          0, 0};         \
    mp__frame *const mp__fp MP__UNUSED = mp__cc_frame_begin(&mp__frm);         \
    MP__SHADOW_END
#define MP__CC_S(line, text)                                                   \
    {                                                                          \
        __FILE__, __func__, text, line, MP__SITE_LINE, -1, 0u, 0u              \
    }
#define MP__CC_SITES(...) static mp__site mp__cc_sites[] = {__VA_ARGS__};
#define MP__CC_DECL(k)                                                         \
    MP__UNUSED const char mp__cc_d##k =                                        \
        (mp__cc_line(&mp__cc_sites[k], mp__fp), 0);
#define MP__CC_LINE(k) mp__cc_line(&mp__cc_sites[k], mp__fp)
#define MP__CC_RET(k) mp__cc_ret(&mp__cc_sites[k], mp__fp)
#define MP__CC_IF(k) __extension__({ int mp__cc_v = !!
#define MP__CC_FI(k)                                                           \
    ;                                                                          \
    MP__CC_LINE(k);                                                            \
    mp__cc_v;                                                                  \
    })
#define MP__CC_SW_BEGIN __extension__({ MP__AUTO mp__cc_sw =
#define MP__CC_SW_END(k)                                                       \
    ;                                                                          \
    MP__CC_LINE(k);                                                            \
    mp__cc_sw;                                                                 \
    })

mp__frame *mp__cc_frame_begin(mp__frame *frame)
    __attribute__((returns_nonnull));
void mp__cc_line(mp__site *site, mp__frame *frame);

static __inline__ void mp__cc_ret(mp__site *site, mp__frame *frame)
{
    if (frame != 0)
        frame->ret = site;
}

#define MP__TIMESTAMP_AT(var, label)                                           \
    for (mp__span var MP__CLEANUP(mp__span_end) =                              \
             mp__span_begin(__FILE__, label);                                  \
         var.once; var.once = 0)

#define MP__LINE_AT(site, ok, text, ...)                                       \
    mp__MP_LINE_needs_braces_in_if_for_while ok MP__UNUSED = 0;                \
    static mp__site site = MP__SITE_INIT(MP__SITE_LINE, text, -1);             \
    (void)ok;                                                                  \
    mp__line_enter(&site, mp__fp);                                             \
    __VA_ARGS__;                                                               \
    mp__line_leave(&site, mp__fp)

#define MP__RETURN_AT(site, guard, text, ...)                                  \
    do {                                                                       \
        static mp__site site = MP__SITE_INIT(MP__SITE_LINE, text, -1);         \
        mp__ret guard MP__CLEANUP(mp__ret_end) MP__UNUSED = {&site, mp__fp};   \
        mp__line_begin();                                                      \
        return __VA_ARGS__;                                                    \
    } while (0)

#define MP__RETURN_VOID_AT(site)                                               \
    do {                                                                       \
        static mp__site site = MP__SITE_INIT(MP__SITE_LINE, "return;", -1);    \
        mp__line(&site, mp__fp);                                               \
        return;                                                                \
    } while (0)

/* An MP_MEMIT statement: its sampler runs from begin to end. */
struct mp__memit;
struct mp__memit *mp__memit_begin(void);
void mp__memit_end(struct mp__memit **m);

/* MP_MEMIT's declaration, named as MP_LINE's is, for the same message. */
typedef struct mp__memit *mp__MP_MEMIT_needs_braces_in_if_for_while;

#define MP__MEMIT_AT(var, ...)                                                 \
    mp__MP_MEMIT_needs_braces_in_if_for_while var MP__CLEANUP(mp__memit_end) = \
        mp__memit_begin();                                                     \
    __VA_ARGS__;                                                               \
    mp__memit_end(&var)

#endif /* !MEMPROF_DISABLE */

#ifdef __cplusplus
}
#endif

#endif /* MEMPROF_H */
