/*
 * spans.c - function spans for memprof run.  When the environment names a
 * .dat file (MEMPROF_DAT, set by memprof run), each call of a profiled
 * function and each MP_TIMESTAMP block becomes a FUNC line there when it
 * ends: "FUNC <file stem>.<name> <MiB in> <time in> <MiB out> <time out>
 * <level>", as memory_profiler's timestamp mode writes them.
 *
 * Each line is one write(2) to an O_APPEND descriptor, so lines from
 * threads, forked children and the sampler never mix.  Without MEMPROF_DAT
 * nothing here runs beyond a test of the descriptor.
 *
 * The descriptor is kept at a high number and checked (st_dev, st_ino)
 * before each write: a program that closed it and reused the number
 * must not get FUNC lines in its own file.  The file is then opened
 * again by its name.
 */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int mp__spans_fd = -1;
static mp__fd_id spans_id;
static pthread_mutex_t reopen_lock = PTHREAD_MUTEX_INITIALIZER;

/* mp__spans_start() - see internal.h. */
void mp__spans_start(void)
{
    const char *path = mp__config.dat;
    if (path == NULL)
        return;
    int fd = mp__open_out(path, O_CREAT | O_APPEND);
    if (fd < 0) {
        mp__warn_out(MP__DAT_ENV, path, fd, "no function spans");
        return;
    }
    mp__spans_fd = mp__fd_keep(fd, &spans_id);
}

/*
 * spans_fd() - the .dat file's descriptor, checked; opened again by name
 * when the number is not the file any more (that number is the
 * program's: left alone).  Returns it, or -1 (spans are off from then).
 */
static int spans_fd(void)
{
    int fd = __atomic_load_n(&mp__spans_fd, __ATOMIC_ACQUIRE);
    if (fd < 0 || mp__fd_is(fd, &spans_id))
        return fd;
    pthread_mutex_lock(&reopen_lock);
    int cur = __atomic_load_n(&mp__spans_fd, __ATOMIC_ACQUIRE);
    if (cur == fd) {
        cur = mp__open_out(mp__config.dat, O_CREAT | O_APPEND);
        if (cur < 0)
            mp__warn_out(MP__DAT_ENV, mp__config.dat, cur,
                         "no more function spans");
        cur = cur >= 0 ? mp__fd_keep(cur, &spans_id) : -1;
        __atomic_store_n(&mp__spans_fd, cur, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&reopen_lock);
    return cur;
}

/*
 * put_line() - the FUNC line in buf (n bytes) with one write(2), whole or
 * not at all: a write that stops part-way (a full disk, a file size
 * limit) is cut off the end of the file again, so that readers only ever
 * see whole lines.  The first line lost is said, once per process.
 */
static void put_line(const char *buf, size_t n)
{
    static int warned;
    int fd = spans_fd();
    if (fd < 0)
        return;
    ssize_t w;
    do
        w = write(fd, buf, n);
    while (w < 0 && errno == EINTR);
    if (w == (ssize_t)n)
        return;
    int err = w < 0 ? errno : ENOSPC;
    struct stat st;
    if (w > 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size >= (off_t)w)
        (void)!ftruncate(fd, st.st_size - (off_t)w);
    if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        mp__warn("cannot write a function span to MEMPROF_DAT='%s' (%s); "
                 "spans may be missing",
                 mp__config.dat, strerror(err));
}

/* The most bytes of a label or function name that a FUNC line shows. */
#define NAME_MAX_SHOWN 250

/*
 * shown_name() - name, or when longer than NAME_MAX_SHOWN bytes, its
 * start cut at a character's boundary and "..." (in buf): a long
 * MP_TIMESTAMP label still gives its span, visibly shortened.
 */
static const char *shown_name(const char *name, char *buf)
{
    size_t n = strlen(name);
    if (n <= NAME_MAX_SHOWN)
        return name;
    n = NAME_MAX_SHOWN - 3;
    while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, name, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

/*
 * span_write() - the FUNC line of a span that ends now, on thread t.
 * Keeps errno.
 */
static void span_write(mp__thread *t, const char *file, const char *name,
                       long long mem0, double t0, int level)
{
    int saved_errno = errno;
    long long mem1 = mp__reading(t);
    double t1 = mp__now_real();
    char full[512];
    char line[768];
    char cut[NAME_MAX_SHOWN + 1];
    if (mp__dat_func_name(full, sizeof full, file, shown_name(name, cut)) >=
        0) {
        int n =
            mp__dat_put_func(line, sizeof line, full, (double)mem0 / MP__MIB,
                             t0, (double)mem1 / MP__MIB, t1, level - 1);
        if (n > 0)
            put_line(line, (size_t)n);
    }
    errno = saved_errno;
}

/* mp__span_frame_end() - see internal.h. */
void mp__span_frame_end(mp__thread *t, const mp__frame *frame)
{
    char name[256];
    mp__func_name(frame->site->func, name, sizeof name);
    span_write(t, frame->site->file, name, frame->mem0, frame->t0,
               frame->level);
}

/* mp__span_begin() - see memprof.h: open a span if spans are on. */
mp__span mp__span_begin(const char *file, const char *label)
{
    mp__span span = {file, label, 0, 0, 0, 1};
    if (!mp__recording() || mp__spans_fd < 0)
        return span;
    int saved_errno = errno;
    mp__thread *t = mp__thread_self();
    if (t != NULL) {
        span.level = ++t->depth;
        span.mem0 = mp__reading(t);
        span.t0 = mp__now_real();
    }
    errno = saved_errno;
    return span;
}

/* mp__span_end() - the cleanup of an MP_TIMESTAMP block. */
void mp__span_end(mp__span *span)
{
    if (span->level == 0)
        return;
    mp__thread *t = mp__thread_self();
    if (t == NULL)
        return;
    t->depth--;
    span_write(t, span->file, span->label, span->mem0, span->t0, span->level);
}
