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
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int mp__spans_fd = -1;

/* mp__spans_start() - see internal.h. */
void mp__spans_start(void)
{
    const char *path = mp__config.dat;
    if (path == NULL)
        return;
    int fd = mp__open_out(path, O_APPEND);
    if (fd < 0) {
        mp__warn_out("MEMPROF_DAT", path, fd, "no function spans");
        return;
    }
    mp__spans_fd = fd;
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
    if (mp__dat_func_name(full, sizeof full, file, name) >= 0) {
        int n =
            mp__dat_put_func(line, sizeof line, full, (double)mem0 / MP__MIB,
                             t0, (double)mem1 / MP__MIB, t1, level - 1);
        /* A full disk loses spans, never the program. */
        if (n > 0)
            (void)!write(mp__spans_fd, line, (size_t)n);
    }
    errno = saved_errno;
}

/* mp__span_frame_end() - see internal.h. */
void mp__span_frame_end(mp__thread *t, const mp__frame *frame)
{
    span_write(t, frame->site->file, frame->site->func, frame->mem0, frame->t0,
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
