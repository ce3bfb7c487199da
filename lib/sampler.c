/*
 * sampler.c - measurement sessions, for mp_memory_usage(),
 * mp_memory_usage_call() and MP_MEMIT (memory_usage.c).
 *
 * A measurement of this process is a session: a reading before, readings
 * on absolute CLOCK_MONOTONIC deadlines (taken by a sampler thread while
 * the caller's code runs, or by the caller itself in mp_memory_usage()),
 * and a reading after.  With the rss backend a session also resets the
 * kernel's high-water mark of the resident set (VmHWM, by writing "5" to
 * /proc/self/clear_refs) when it starts and reads it when it ends, so that
 * its peak includes what rose and fell between two readings.  VmHWM is
 * one per process: sessions that overlap (nested MP_MEMIT, calls in
 * several threads) share it through hwm.c, and each still gets the peak
 * of its own span.
 */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define FIRST_CAP 256 /* samples held before the arrays first grow */
#define FAR_AWAY 1e9  /* seconds: a deadline further off is clamped */

/*
 * to_timespec() - t (CLOCK_MONOTONIC seconds) as a deadline, clamped to
 * FAR_AWAY seconds from now so that a huge interval cannot overflow it.
 */
static struct timespec to_timespec(double t)
{
    double now = mp__now_mono();
    if (!(t < now + FAR_AWAY))
        t = now + FAR_AWAY;
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    if (ts.tv_nsec < 0)
        ts.tv_nsec = 0;
    return ts;
}

/* floor_pos() - floor of x >= 0 without libm, saturating at 2^53. */
static double floor_pos(double x)
{
    return x < 9007199254740992.0 ? (double)(long long)x : x;
}

/* ---- Readers. */

/*
 * reader_open() - get ready to read pid (0: this process, with the
 * backend in use; another, its resident set).  Another process's statm is
 * opened once and kept, so a reused pid is never mistaken for it.
 * Returns 0, -ESRCH if pid does not exist, or -errno.
 */
static int reader_open(mp__proc_reader *r, long pid)
{
    if (pid == 0)
        return mp__backend_open(r);
    int rc = mp__proc_open(r, pid, MP__BACKEND_RSS);
    return rc == -ENOENT ? -ESRCH : rc;
}

/*
 * reader_read() - one reading in bytes, or -ESRCH once another process
 * has ended, or another -errno.
 */
static long long reader_read(mp__proc_reader *r)
{
    return r->pid == 0 ? mp__backend_read(r) : mp__proc_read(r);
}

/* ---- The samples. */

/* mp_samples_free() - see memprof.h. */
void mp_samples_free(mp_samples *s)
{
    if (s == NULL)
        return;
    mp__free(s->mib);
    mp__free(s->t);
    memset(s, 0, sizeof *s);
}

/*
 * push() - append a reading taken at CLOCK_MONOTONIC time now, growing
 * the arrays as needed.  Only one thread at a time pushes to a session.
 * Returns 0 or -ENOMEM (the reading is dropped).
 */
static int push(mp__session *s, double now, long long bytes)
{
    mp_samples *o = s->out;
    if (o->n == s->cap) {
        size_t cap = s->cap == 0 ? FIRST_CAP : 2 * s->cap;
        if (cap > ((size_t)-1) / sizeof(double))
            return -ENOMEM;
        double *mib = mp__realloc(o->mib, cap * sizeof *mib);
        if (mib == NULL)
            return -ENOMEM;
        o->mib = mib;
        double *t = mp__realloc(o->t, cap * sizeof *t);
        if (t == NULL)
            return -ENOMEM;
        o->t = t;
        s->cap = cap;
    }
    o->mib[o->n] = (double)bytes / MP__MIB;
    o->t[o->n] = o->n == 0 ? 0.0 : now - s->t0;
    o->n++;
    return 0;
}

/* sample() - take a reading and push it; the first error sticks. */
static int sample(mp__session *s)
{
    long long bytes = reader_read(&s->rd);
    double now = mp__now_mono();
    int rc = bytes < 0 ? (int)bytes : push(s, now, bytes);
    if (rc != 0 && s->err == 0)
        s->err = rc;
    return rc;
}

/* ---- The high-water mark (rss only). */

/* hwm_claim() - with the rss backend, claim VmHWM for session s. */
static void hwm_claim(mp__session *s)
{
    s->hwm.on = 0;
    if (mp__backend_cur == MP__BACKEND_RSS)
        mp__hwm_claim(&s->hwm);
}

/* ---- The sampler thread. */

/*
 * sampler_main() - take a reading at t0 + k * interval, k = 1, 2, ...,
 * until told to stop; deadlines missed (a reading slower than the
 * interval) are skipped, not caught up.  The only thread that touches
 * the samples while it runs.
 */
static void *sampler_main(void *arg)
{
    mp__session *s = arg;
    double k = 1;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        struct timespec ts = to_timespec(s->t0 + k * s->interval);
        int rc = 0;
        while (!s->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        if (s->stop)
            break;
        pthread_mutex_unlock(&s->mu);
        int failed = sample(s) != 0;
        double behind = floor_pos((mp__now_mono() - s->t0) / s->interval);
        k = behind >= k ? behind + 1 : k + 1;
        pthread_mutex_lock(&s->mu);
        if (failed)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/*
 * sampler_start() - start the sampler thread with every signal blocked,
 * so that the host's handlers never run on it.  Returns 0 or -errno.
 */
static int sampler_start(mp__session *s)
{
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc != 0)
        return -rc;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        return -rc;
    rc = pthread_mutex_init(&s->mu, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&s->cv);
        return -rc;
    }
    s->stop = 0;
    sigset_t all;
    sigset_t old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&s->thread, NULL, sampler_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        return -rc;
    }
    s->threaded = 1;
    return 0;
}

/*
 * sampler_stop() - wake the sampler at once and join it.  In a child
 * forked during the session there is no sampler to wait for (and its
 * mutex may have been held at the fork): the child only forgets it, and
 * reopens its reader, which read the parent.
 */
static void sampler_stop(mp__session *s)
{
    if (!s->threaded)
        return;
    s->threaded = 0;
    if (getpid() != s->pid) {
        mp__proc_close(&s->rd);
        int rc = reader_open(&s->rd, 0);
        if (rc != 0 && s->err == 0)
            s->err = rc;
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

/* ---- Sessions. */

/* mp__session_start() - see internal.h. */
int mp__session_start(mp__session *s, long pid, double interval, int mode,
                      mp_samples *out)
{
    memset(s, 0, sizeof *s);
    memset(out, 0, sizeof *out);
    s->out = out;
    s->interval = interval;
    s->pid = getpid();
    int rc = reader_open(&s->rd, pid);
    if (rc != 0)
        return rc;
    if (pid == 0)
        hwm_claim(s);
    s->t0 = mp__now_mono();
    rc = sample(s);
    if (rc == 0 && (mode == MP__SAMPLER_ALWAYS ||
                    (mode == MP__SAMPLER_UNLESS_HWM && !s->hwm.on)))
        rc = sampler_start(s);
    if (rc != 0) {
        mp__hwm_release(&s->hwm);
        mp__proc_close(&s->rd);
        mp_samples_free(out);
    }
    return rc;
}

/* mp__session_end() - see internal.h. */
int mp__session_end(mp__session *s, int after)
{
    sampler_stop(s);
    if (after)
        sample(s);
    long long h = mp__hwm_release(&s->hwm);
    mp__proc_close(&s->rd);
    mp_samples *o = s->out;
    if (s->err != 0) {
        mp_samples_free(o);
        return s->err;
    }
    o->peak_mib = o->mib[0];
    for (size_t i = 1; i < o->n; i++)
        if (o->mib[i] > o->peak_mib)
            o->peak_mib = o->mib[i];
    if (h >= 0) {
        o->peak_hwm = 1;
        if ((double)h / MP__MIB > o->peak_mib)
            o->peak_mib = (double)h / MP__MIB;
    }
    return 0;
}

/*
 * mp__session_read_until() - see internal.h: readings on the calling
 * thread, which sleeps between them; a signal handler that interrupts a
 * sleep delays nothing.
 */
void mp__session_read_until(mp__session *s, double timeout)
{
    double last =
        isfinite(timeout) ? floor_pos(timeout / s->interval + 1e-9) : INFINITY;
    for (double k = 1; k <= last;) {
        struct timespec ts = to_timespec(s->t0 + k * s->interval);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
               EINTR)
            ;
        long long bytes = reader_read(&s->rd);
        if (bytes == -ESRCH)
            break;
        if (bytes < 0 || push(s, mp__now_mono(), bytes) != 0) {
            s->err = bytes < 0 ? (int)bytes : -ENOMEM;
            break;
        }
        double behind = floor_pos((mp__now_mono() - s->t0) / s->interval);
        k = behind >= k ? behind + 1 : k + 1;
    }
}
