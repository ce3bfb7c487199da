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
 * Both files are kept open, process-wide, opened on first use, at high
 * descriptor numbers.  The program may close them and reuse the numbers:
 * clear_refs's is checked (st_dev, st_ino) before each write, status's
 * when a read fails, and opened again when it is not its file any more
 * (the number, the program's now, is left alone).  A forked child closes
 * them (the kept ones name the parent's /proc/self) and opens its own on
 * its next use; it keeps only the sessions of the thread that forked, as
 * the others' threads do not exist there.
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "internal.h"

/* A kept /proc file: its descriptor (or -1) and the file it was opened on. */
typedef struct kept_file {
    const char *path;
    int flags;
    int fd;
    mp__fd_id id;
} kept_file;

static kept_file clear_file = {"/proc/self/clear_refs", O_WRONLY, -1, {0, 0}};
static kept_file status_file = {"/proc/self/status", O_RDONLY, -1, {0, 0}};
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static mp__hwm_session *sessions; /* open sessions, under lock */
static int nsessions;             /* how many; read without the lock */
static int broken;                /* clear_refs failed: sessions only sample */
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&open_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&open_lock);
    pthread_mutex_unlock(&lock);
}

/* fork_child() - see the top of the file. */
static void fork_child(void)
{
    kept_file *files[2] = {&clear_file, &status_file};
    for (int i = 0; i < 2; i++) {
        int fd = files[i]->fd;
        files[i]->fd = -1;
        if (fd >= 0 && mp__fd_is(fd, &files[i]->id))
            close(fd);
    }
    pthread_mutex_unlock(&open_lock);
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
 * reopen() - open k's file, unless another thread did since fd (k's
 * descriptor that failed a check, or -1) was read; the old number is
 * not closed (it is not k's file).  Returns the descriptor or -errno.
 */
static int reopen(kept_file *k, int fd)
{
    pthread_once(&hooks_once, install_hooks);
    pthread_mutex_lock(&open_lock);
    int cur = __atomic_load_n(&k->fd, __ATOMIC_ACQUIRE);
    if (cur < 0 || (cur == fd && !mp__fd_is(cur, &k->id))) {
        cur = open(k->path, k->flags | O_CLOEXEC);
        cur = cur >= 0 ? mp__fd_keep(cur, &k->id) : -errno;
        __atomic_store_n(&k->fd, cur >= 0 ? cur : -1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&open_lock);
    return cur;
}

/*
 * kept() - k's descriptor, opened on first use; check: make sure first
 * that it is still k's file.  Returns it or -errno.
 */
static int kept(kept_file *k, int check)
{
    int fd = __atomic_load_n(&k->fd, __ATOMIC_ACQUIRE);
    if (fd >= 0 && (!check || mp__fd_is(fd, &k->id)))
        return fd;
    return reopen(k, fd);
}

/* mp__hwm_reset() - see internal.h.  Keeps errno. */
int mp__hwm_reset(void)
{
    int rc;
    MP__SAVE_ERRNO({
        int fd = kept(&clear_file, 1);
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

/*
 * mp__hwm_read() - see internal.h.  Keeps errno.  A failed read (closed:
 * EBADF; another file: no VmHWM) checks the descriptor and reads again
 * through a new one if it was not status any more.
 */
long long mp__hwm_read(void)
{
    long long h;
    MP__SAVE_ERRNO({
        int fd = kept(&status_file, 0);
        h = fd < 0 ? fd : mp__status_hwm(fd);
        if (h < 0 && fd >= 0 && !mp__fd_is(fd, &status_file.id)) {
            fd = reopen(&status_file, fd);
            h = fd < 0 ? fd : mp__status_hwm(fd);
        }
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
