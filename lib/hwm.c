/*
 * hwm.c - the kernel's high-water mark of the resident set (VmHWM in
 * /proc/self/status), the one owner of everything that resets or reads
 * it: MEMPROF_PEAK's per-line peaks and the measurements of
 * mp_memory_usage_call() and MP_MEMIT (sessions).
 *
 * Writing "5" to /proc/self/clear_refs sets VmHWM to the current resident
 * set (CONFIG_PROC_PAGE_MONITOR).  VmHWM is one per process, so whoever
 * resets it first lets the sessions still open take in the mark that the
 * reset cuts off (mp__hwm_fold): each session still gets the peak of its
 * own span, however they overlap.
 *
 * Both files are kept open, process-wide, opened on first use.  A forked
 * child closes them (the kept ones name the parent's /proc/self) and opens
 * its own on its next use; it keeps only the sessions of the thread that
 * forked, as the others' threads do not exist there.
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "internal.h"

static int clear_fd = -1;  /* /proc/self/clear_refs, or -1 */
static int status_fd = -1; /* /proc/self/status, or -1 */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static mp__hwm_session *sessions; /* open sessions, under lock */
static int nsessions;             /* how many; read without the lock */
static int broken;                /* clear_refs failed: sessions only sample */
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
    pthread_mutex_lock(&lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&lock);
}

/* fork_child() - see the top of the file. */
static void fork_child(void)
{
    int fds[2] = {clear_fd, status_fd};
    clear_fd = -1;
    status_fd = -1;
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    mp__hwm_session **pp = &sessions;
    while (*pp != NULL) {
        if (pthread_equal((*pp)->owner, pthread_self())) {
            pp = &(*pp)->next;
        } else {
            *pp = (*pp)->next;
            __atomic_sub_fetch(&nsessions, 1, __ATOMIC_RELAXED);
        }
    }
    pthread_mutex_unlock(&lock);
}

static void install_hooks(void)
{
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/*
 * kept() - the fd kept in *slot, opening path on first use.  Racing
 * threads keep one of theirs and close the other.  Returns it or -errno.
 */
static int kept(int *slot, const char *path, int flags)
{
    int fd = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (fd >= 0)
        return fd;
    pthread_once(&hooks_once, install_hooks);
    fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int old = -1;
    if (!__atomic_compare_exchange_n(slot, &old, fd, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        close(fd);
        fd = old;
    }
    return fd;
}

/* mp__hwm_reset() - see internal.h.  Keeps errno. */
int mp__hwm_reset(void)
{
    int rc;
    MP__SAVE_ERRNO({
        int fd = kept(&clear_fd, "/proc/self/clear_refs", O_WRONLY);
        ssize_t w = -1;
        if (fd >= 0) {
            do
                w = write(fd, "5", 1);
            while (w < 0 && errno == EINTR);
        }
        rc = fd < 0 ? fd : w == 1 ? 0 : w < 0 ? -errno : -EIO;
    });
    return rc;
}

/* mp__hwm_read() - see internal.h.  Keeps errno. */
long long mp__hwm_read(void)
{
    long long h;
    MP__SAVE_ERRNO({
        int fd = kept(&status_fd, "/proc/self/status", O_RDONLY);
        h = fd < 0 ? fd : mp__status_hwm(fd);
    });
    return h;
}

/* fold() - mp__hwm_fold() with the lock held. */
static void fold(void)
{
    if (sessions == NULL)
        return;
    long long h = mp__hwm_read();
    for (mp__hwm_session *o = sessions; o != NULL; o = o->next) {
        if (h < 0)
            o->lost = 1;
        else if (h > o->seen)
            o->seen = h;
    }
}

/* mp__hwm_fold() - see internal.h: one atomic load when no session is open. */
void mp__hwm_fold(void)
{
    if (__atomic_load_n(&nsessions, __ATOMIC_ACQUIRE) == 0)
        return;
    pthread_mutex_lock(&lock);
    fold();
    pthread_mutex_unlock(&lock);
}

/*
 * mp__hwm_claim() - see internal.h.  If clear_refs cannot be written here
 * (no CONFIG_PROC_PAGE_MONITOR, a container's policy), it is never tried
 * again for sessions.
 */
int mp__hwm_claim(mp__hwm_session *s)
{
    s->on = 0;
    if (__atomic_load_n(&broken, __ATOMIC_RELAXED))
        return -EACCES;
    pthread_once(&hooks_once, install_hooks);
    pthread_mutex_lock(&lock);
    fold();
    int rc = mp__hwm_reset();
    if (rc == 0) {
        s->on = 1;
        s->lost = 0;
        s->seen = 0;
        s->owner = pthread_self();
        s->next = sessions;
        sessions = s;
        __atomic_add_fetch(&nsessions, 1, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&broken, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* mp__hwm_release() - see internal.h. */
long long mp__hwm_release(mp__hwm_session *s)
{
    if (!s->on)
        return -1;
    s->on = 0;
    pthread_mutex_lock(&lock);
    long long h = mp__hwm_read();
    for (mp__hwm_session **pp = &sessions; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            __atomic_sub_fetch(&nsessions, 1, __ATOMIC_RELEASE);
            break;
        }
    }
    int lost = s->lost;
    long long seen = s->seen;
    pthread_mutex_unlock(&lock);
    if (h < 0 || lost)
        return -1;
    return h > seen ? h : seen;
}
