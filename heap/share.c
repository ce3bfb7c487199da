/*
 * share.c - memprof run --heap: the counter's area (heap.h) kept in a
 * file that memprof maps too (format and life cycle in heap_share.h).
 * Built into the preload object only.
 *
 * The file is made under a temporary name, filled to its full size (so
 * that no store into it can fault later on a full file system), mapped
 * where memprof cannot see it yet, filled with the area's slots read one
 * by one with atomic loads, and moved over the area with mremap(2), which
 * replaces the area's pages at once.  A count made by another thread
 * between its slot's copy and the move would be lost: at start-up the
 * program's threads have not started, and in a forked child there is no
 * other thread.  Then the file takes its name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap.h"

#define area mp__heap_pool_area

/* The directory of MEMPROF_HEAP_DIR, kept: the environment may change. */
static char dir_path[PATH_MAX];

/* What the header says of the count (heap_share.h). */
static unsigned share_state;

/* mp__heap_share_path() - see heap.h. */
MP__HEAP_FN int mp__heap_share_path(char *buf, size_t size, const char *suffix)
{
    int n = snprintf(buf, size, "%s/%ld%s", dir_path, (long)getpid(), suffix);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* write_all() - all n bytes of buf to fd.  Returns 0 or -errno. */
MP__HEAP_FN static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * fill() - the area as it is now into m, the new file's mapping (only
 * page-aligned: reached by offsets, not as an mp__heap_area), with a new
 * header: each count read with an atomic load, so that none is torn.
 */
MP__HEAP_FN static void fill(void *m)
{
    mp__heap_share *h = m;
    mp__heap_slot *pool =
        (mp__heap_slot *)((char *)m + offsetof(mp__heap_area, pool));
    memset(h, 0, sizeof *h);
    h->magic = MP__HEAP_SHARE_MAGIC;
    h->format = MP__HEAP_SHARE_FORMAT;
    h->state = share_state;
    h->pid = getpid();
    h->at_random = (uint64_t)getauxval(AT_RANDOM);
    h->size = sizeof area;
    h->nslots = MP__HEAP_POOL;
    h->slots = offsetof(mp__heap_area, pool);
    h->slot_size = sizeof(mp__heap_slot);
    h->live_off = offsetof(mp__heap_slot, live);
    for (size_t i = 0; i < MP__HEAP_POOL; i++) {
        memcpy(&pool[i], &area.pool[i], sizeof pool[i]);
        pool[i].live = MP__HEAP_LOAD(area.pool[i].live);
    }
    h->rest = MP__HEAP_LOAD(area.head.rest);
}

/*
 * share() - the area into a new file named DIR/<pid>.heap, mapped over
 * the area.  A file of that name already there (the image before an
 * execve) is marked replaced once the new one has its name.  Returns 0
 * or -errno, the area as it was.
 */
MP__HEAP_FN static int share(void)
{
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    if (mp__heap_share_path(path, sizeof path, ".heap") != 0 ||
        mp__heap_share_path(tmp, sizeof tmp, ".heap.tmp") != 0)
        return -ENAMETOOLONG;
    int fd =
        open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -errno;
    /* Real blocks for every page: a store never meets a full disk. */
    int e = write_all(fd, &area, sizeof area);
    void *m = MAP_FAILED;
    if (e == 0) {
        m = mmap(NULL, sizeof area, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED)
            e = -errno;
    }
    if (e == 0) {
        fill(m);
        if (mremap(m, sizeof area, sizeof area, MREMAP_MAYMOVE | MREMAP_FIXED,
                   &area) == MAP_FAILED) {
            e = -errno;
            munmap(m, sizeof area);
        }
    }
    close(fd);
    if (e != 0) {
        unlink(tmp);
        return e;
    }
    MP__HEAP_STORE(mp__heap_shared, 1);
    int old = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (rename(tmp, path) != 0)
        unlink(tmp);
    if (old >= 0) {
        uint32_t one = 1;
        ssize_t w =
            pwrite(old, &one, sizeof one, offsetof(mp__heap_share, replaced));
        (void)w;
        close(old);
    }
    return 0;
}

/* mp__heap_share_start() - see heap.h. */
MP__HEAP_FN int mp__heap_share_start(const char *dir, unsigned state)
{
    if (strlen(dir) >= sizeof dir_path)
        return -ENAMETOOLONG;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || MP__HEAP_AREA_ALIGN % page != 0)
        return -EINVAL;
    strcpy(dir_path, dir);
    share_state = state;
    MP__HEAP_STORE(mp__heap_shared, 1);
    if (!mp__heap_pool_only()) {
        MP__HEAP_STORE(mp__heap_shared, 0);
        return -EMLINK;
    }
    int e = share();
    if (e != 0)
        MP__HEAP_STORE(mp__heap_shared, 0);
    return e;
}

/*
 * mp__heap_share_fork() - see heap.h.  If its file cannot be made, the
 * child moves its area to private pages, so that the parent's file stays
 * the parent's; memprof, finding no file for the child, records its RSS.
 */
MP__HEAP_FN void mp__heap_share_fork(void)
{
    if (!MP__HEAP_LOAD(mp__heap_shared))
        return;
    int saved = errno;
    if (share() != 0) {
        void *m = mmap(NULL, sizeof area, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
            memcpy(m, &area, sizeof area);
            if (mremap(m, sizeof area, sizeof area,
                       MREMAP_MAYMOVE | MREMAP_FIXED, &area) == MAP_FAILED)
                munmap(m, sizeof area);
        }
    }
    errno = saved;
}
