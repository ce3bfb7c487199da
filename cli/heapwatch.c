/*
 * heapwatch.c - memprof run --heap's readings: each process's heap count,
 * read from the file its preload object keeps it in (heap_share.h),
 * mapped read-only once and added up on every sample without a system
 * call.
 *
 * A process is pending until its file appears, then mapped, or recorded
 * with its RSS (after one line on stderr) when no file came within the
 * grace time or its malloc is not the object's.  A mapped file stops
 * being the process's when the process runs execve(2): the new image, if
 * it loads the object, marks the old file replaced as it makes its own;
 * one that does not (a static or setuid program, or LD_PRELOAD cleared)
 * is noticed every CHECK_EVERY samples by the auxiliary vector's
 * AT_RANDOM pointer, which each image has anew: the process is pending
 * again, and its new file is taken only when it names the new image.
 * While a process is pending, its program is looked at (heaprun.c): one
 * that is static or setuid is recorded with its RSS at once.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "heap_share.h"
#include "heaprun.h"

/* How a process is read. */
enum { HW_PENDING, HW_MAPPED, HW_RSS };

/* Samples between two looks at the auxiliary vector of a mapped process. */
#define CHECK_EVERY 10

/* Seconds a process has to make its file before its RSS is recorded. */
#define GRACE 1.0

/* heapwatch_init() - see heaprun.h. */
void heapwatch_init(heapwatch *w, const char *dir)
{
    memset(w, 0, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    w->grace = GRACE;
}

/* find() - pid's entry, added (pending) if new; NULL when out of memory. */
static heapwatch_proc *find(heapwatch *w, long pid)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->procs[i].pid == pid)
            return &w->procs[i];
    if (mp__grow(&w->procs, &w->cap, w->n + 1, sizeof *w->procs) != 0)
        return NULL;
    heapwatch_proc *p = &w->procs[w->n++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->state = HW_PENDING;
    p->since = mp__now_mono();
    return p;
}

/* heapwatch_rss() - see heaprun.h. */
void heapwatch_rss(heapwatch *w, long pid)
{
    heapwatch_proc *p = find(w, pid);
    if (p != NULL)
        p->state = HW_RSS;
}

/* unmap() - forget p's file. */
static void unmap(heapwatch_proc *p)
{
    if (p->map != NULL)
        munmap((void *)p->map, p->size);
    p->map = NULL;
}

/*
 * at_random() - pid's AT_RANDOM from /proc/PID/auxv (opened anew: an open
 * auxv stays the image's it was opened on), or 0 when it cannot be read.
 */
static uint64_t at_random(long pid)
{
    char path[64];
    unsigned long v[128];
    snprintf(path, sizeof path, "/proc/%ld/auxv", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, v, sizeof v);
    close(fd);
    for (ssize_t i = 0; n > 0 && (size_t)(i + 2) * sizeof v[0] <= (size_t)n;
         i += 2) {
        if (v[i] == AT_NULL)
            break;
        if (v[i] == AT_RANDOM)
            return v[i + 1];
    }
    return 0;
}

/* comm() - pid's name from /proc/PID/comm, into buf ("?" if gone). */
static const char *comm(long pid, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        n = snprintf(buf, size, "?");
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

/*
 * try_map() - map DIR/<pid>.heap if it is a whole file of this format
 * written by the image pid runs now.  Returns 0 or -1.
 */
static int try_map(heapwatch *w, heapwatch_proc *p)
{
    char path[PATH_MAX + 32];
    struct stat st;
    snprintf(path, sizeof path, "%s/%ld.heap", w->dir, p->pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    void *m = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(mp__heap_share))
        m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return -1;
    const mp__heap_share *h = m;
    size_t size = (size_t)st.st_size;
    uint64_t now = at_random(p->pid);
    if (h->magic != MP__HEAP_SHARE_MAGIC ||
        h->format != MP__HEAP_SHARE_FORMAT || h->pid != p->pid ||
        h->size != size || h->slot_size < h->live_off + sizeof(long long) ||
        h->slots < sizeof *h || (size - h->slots) / h->slot_size < h->nslots ||
        __atomic_load_n(&h->replaced, __ATOMIC_ACQUIRE) ||
        (now != 0 && h->at_random != now)) {
        munmap(m, size);
        return -1;
    }
    p->map = m;
    p->size = size;
    p->at_random = h->at_random;
    p->samples = 0;
    p->state = HW_MAPPED;
    return 0;
}

/* to_rss() - from now on, p's RSS, after a line that says why. */
static void to_rss(heapwatch_proc *p, const char *why)
{
    char name[64];
    unmap(p);
    p->state = HW_RSS;
    cli_error("PID %ld (%s) %s: no heap count, recording its RSS", p->pid,
              comm(p->pid, name, sizeof name), why);
}

/*
 * sum() - the count of a mapped file: the remainder, then every slot (in
 * that order: see heap_share.h).
 */
static long long sum(const heapwatch_proc *p)
{
    const mp__heap_share *h = (const mp__heap_share *)p->map;
    long long total = __atomic_load_n(&h->rest, __ATOMIC_ACQUIRE);
    const unsigned char *slot = p->map + h->slots + h->live_off;
    for (uint32_t i = 0; i < h->nslots; i++, slot += h->slot_size)
        total += __atomic_load_n((const long long *)(const void *)slot,
                                 __ATOMIC_RELAXED);
    return total;
}

/*
 * still_valid() - whether p's mapped file is still its image's: not
 * replaced, and, every CHECK_EVERY samples, the same AT_RANDOM.
 */
static int still_valid(heapwatch_proc *p)
{
    const mp__heap_share *h = (const mp__heap_share *)p->map;
    if (__atomic_load_n(&h->replaced, __ATOMIC_ACQUIRE))
        return 0;
    if (++p->samples < CHECK_EVERY)
        return 1;
    p->samples = 0;
    uint64_t now = at_random(p->pid);
    return now == 0 || now == p->at_random;
}

/* heapwatch_read() - see heaprun.h. */
long long heapwatch_read(heapwatch *w, mp__proc_reader *r)
{
    heapwatch_proc *p = find(w, r->pid);
    if (p == NULL)
        return mp__proc_read(r);
    p->seen = 1;
    if (p->state == HW_MAPPED && !still_valid(p)) {
        unmap(p);
        p->state = HW_PENDING;
        p->since = mp__now_mono();
    }
    if (p->state == HW_PENDING && try_map(w, p) != 0) {
        char exe[64];
        snprintf(exe, sizeof exe, "/proc/%ld/exe", p->pid);
        const char *why = heaprun_why_not(exe);
        if (why == NULL && mp__now_mono() - p->since < w->grace)
            return -EAGAIN;
        to_rss(p, why != NULL ? why
                              : "did not load the heap object in time "
                                "(statically linked, setuid, or "
                                "LD_PRELOAD cleared?)");
    }
    if (p->state == HW_MAPPED) {
        const mp__heap_share *h = (const mp__heap_share *)p->map;
        if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) ==
            MP__HEAP_SHARE_FOREIGN)
            to_rss(p, "has a malloc of its own, not the heap object's");
        else
            return sum(p);
    }
    return mp__proc_read(r);
}

/* heapwatch_sweep() - see heaprun.h. */
void heapwatch_sweep(heapwatch *w)
{
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (!w->procs[i].seen) {
            unmap(&w->procs[i]);
            continue;
        }
        w->procs[i].seen = 0;
        w->procs[k++] = w->procs[i];
    }
    w->n = k;
}

/* heapwatch_free() - see heaprun.h. */
void heapwatch_free(heapwatch *w)
{
    for (size_t i = 0; i < w->n; i++)
        unmap(&w->procs[i]);
    mp__free(w->procs);
    memset(w, 0, sizeof *w);
}
