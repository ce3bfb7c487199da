/*
 * memory_usage.c - memory measured from inside a program, as
 * memory_profiler's memory_usage() and %memit: mp_memory_usage() samples
 * a process for a while, mp_memory_usage_call() samples this process
 * while a function runs, MP_MEMIT prints the peak and the increment of
 * one statement.  The measuring is sampler.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define MEMIT_INTERVAL 0.1 /* %memit's default */

/* The handle MP_MEMIT keeps between its two halves. */
struct mp__memit {
    mp__session s;
    mp_samples samples;
};

/*
 * mp_memory_usage() - see memprof.h.  The readings are taken by the
 * calling thread.
 */
int mp_memory_usage(long pid, double interval, double timeout, mp_samples *out)
{
    int saved_errno = errno;
    int rc = -EINVAL;
    if (out == NULL)
        goto done;
    memset(out, 0, sizeof *out);
    if (pid == (long)getpid())
        pid = 0;
    if (pid < 0 || !(interval > 0) || !isfinite(interval) || !(timeout >= 0) ||
        (pid == 0 && !isfinite(timeout)))
        goto done;
    mp__init();

    mp__session s;
    rc = mp__session_start(&s, pid, interval, MP__SAMPLER_NEVER, out);
    if (rc != 0)
        goto done;
    mp__session_read_until(&s, timeout);
    rc = mp__session_end(&s, 0);
done:
    errno = saved_errno;
    return rc;
}

/*
 * mp_memory_usage_call() - see memprof.h.  fn runs on the calling thread,
 * with errno as the caller left it; errno is then left as fn left it.
 */
int mp_memory_usage_call(void *(*fn)(void *), void *arg, double interval,
                         void **ret, mp_samples *out)
{
    int saved_errno = errno;
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (fn == NULL || out == NULL || !(interval > 0) || !isfinite(interval)) {
        errno = saved_errno;
        return -EINVAL;
    }
    mp__init();

    mp__session s;
    int rc = mp__session_start(&s, 0, interval, MP__SAMPLER_ALWAYS, out);
    errno = saved_errno;
    void *r = fn(arg);
    int fn_errno = errno;
    if (ret != NULL)
        *ret = r;
    if (rc == 0)
        rc = mp__session_end(&s, 1);
    errno = fn_errno;
    return rc;
}

/*
 * mp__memit_begin() - the first half of MP_MEMIT: NULL when recording is
 * off (MEMPROF_DISABLE=1), or, after one line saying why, when memory
 * cannot be measured.  Keeps errno.
 */
struct mp__memit *mp__memit_begin(void)
{
    int saved_errno = errno;
    struct mp__memit *m = NULL;
    mp__init();
    if (__atomic_load_n(&mp__state, __ATOMIC_ACQUIRE) == MP__STATE_OFF)
        goto done;
    m = mp__malloc(sizeof *m);
    if (m == NULL) {
        mp__warn("MP_MEMIT: out of memory; nothing measured");
        goto done;
    }
    int rc = mp__session_start(&m->s, 0, MEMIT_INTERVAL, MP__SAMPLER_UNLESS_HWM,
                               &m->samples);
    if (rc != 0) {
        mp__warn("MP_MEMIT: cannot read memory with the %s backend (%s)",
                 mp__backend_name(), mp_strerror(rc));
        mp__free(m);
        m = NULL;
    }
done:
    errno = saved_errno;
    return m;
}

/*
 * mp__memit_end() - the second half of MP_MEMIT, and its cleanup when the
 * statement leaves the scope: print the line, free the handle, set *mp to
 * NULL.  Nothing happens when *mp is NULL.  Keeps errno.
 */
void mp__memit_end(struct mp__memit **mp)
{
    struct mp__memit *m = *mp;
    if (m == NULL)
        return;
    *mp = NULL;
    int saved_errno = errno;
    int rc = mp__session_end(&m->s, 1);
    if (rc != 0) {
        mp__warn("MP_MEMIT: cannot read memory with the %s backend (%s)",
                 mp__backend_name(), mp_strerror(rc));
    } else {
        const mp_samples *o = &m->samples;
        char line[128];
        int n = snprintf(line, sizeof line,
                         "peak memory: %.2f MiB, increment: %.2f MiB\n",
                         o->peak_mib, o->peak_mib - o->mib[0]);
        if (n > 0 && (size_t)n < sizeof line)
            (void)mp__write_all(STDERR_FILENO, line, (size_t)n, NULL);
    }
    mp_samples_free(&m->samples);
    mp__free(m);
    errno = saved_errno;
}
