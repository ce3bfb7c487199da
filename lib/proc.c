/*
 * proc.c - what a reading is (the backend table) and the one reader of
 * /proc for every backend that reads a file, for this process and any
 * other: the hot path's statm, mp_memory_usage(pid)'s and memprof run's.
 *
 * The resident set comes from statm, "size resident shared text lib data
 * dt" in pages, read with one pread(2) on a kept fd: the cheapest way
 * Linux offers to read it, and what memory_profiler's RSS is.  pss and
 * uss come from smaps_rollup (kB), as psutil's memory_full_info(); the
 * kernel walks every mapping for it, which is why rss stays the default.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base.h"

#define INFO(id, name, alias1, alias2, file, what)                             \
    {name, alias1, alias2, file, what},
const mp__backend_info mp__backends[MP__NBACKENDS] = {MP__BACKENDS(INFO)};
#undef INFO

/* mp__backend_parse() - see base.h. */
int mp__backend_parse(const char *name, mp__backend_id *out)
{
    for (int i = 0; i < MP__NBACKENDS; i++) {
        const mp__backend_info *b = &mp__backends[i];
        if (strcmp(name, b->name) == 0 ||
            (b->alias1 != NULL && strcmp(name, b->alias1) == 0) ||
            (b->alias2 != NULL && strcmp(name, b->alias2) == 0)) {
            *out = (mp__backend_id)i;
            return 0;
        }
    }
    return -EINVAL;
}

/* mp__backend_list() - see base.h. */
const char *mp__backend_list(char *buf, size_t size, int files_only,
                             const char *sep, const char *last)
{
    int n = 0;
    for (int i = 0; i < MP__NBACKENDS; i++)
        n += !files_only || mp__backends[i].file != NULL;
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0, k = 0; i < MP__NBACKENDS; i++) {
        if (files_only && mp__backends[i].file == NULL)
            continue;
        const char *join = k == 0 ? "" : k == n - 1 ? last : sep;
        int w =
            snprintf(buf + len, size - len, "%s%s", join, mp__backends[i].name);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
        k++;
    }
    return buf;
}

static long page_size;

/* mp__page_size() - sysconf once; races only store the same value. */
long mp__page_size(void)
{
    long p = __atomic_load_n(&page_size, __ATOMIC_RELAXED);
    if (p <= 0) {
        p = sysconf(_SC_PAGESIZE);
        if (p <= 0)
            p = 4096;
        __atomic_store_n(&page_size, p, __ATOMIC_RELAXED);
    }
    return p;
}

/* is_digit() - one unsigned compare, no locale. */
static inline int is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/*
 * mp__statm_parse() - skip the first field, read the second.  On every
 * MP_LINE, so it is kept to one pass over the few bytes it needs.
 */
long long mp__statm_parse(const char *text, size_t len)
{
    const char *end = text + len;
    const char *p = text;
    while (p < end && is_digit(*p))
        p++;
    if (p == text || p == end || *p != ' ')
        return -EINVAL;
    const char *start = ++p;
    long long pages = 0;
    while (p < end && is_digit(*p) && p - start < 18)
        pages = pages * 10 + (*p++ - '0');
    if (p == start || (p < end && *p != ' ' && *p != '\n'))
        return -EINVAL;
    return pages;
}

/* mp__pread_head() - see base.h. */
ssize_t mp__pread_head(int fd, char *buf, size_t size)
{
    ssize_t n;
    do
        n = pread(fd, buf, size, 0);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

/*
 * field_kb() - the value in kB of the line "name: <n> kB" in text, or -1.
 * name is matched whole: "Pss" does not match "Pss_Anon:".
 */
static long long field_kb(const char *text, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - p) > nlen && memcmp(p, name, nlen) == 0 &&
            p[nlen] == ':') {
            const char *q = p + nlen + 1;
            while (q < eol && (*q == ' ' || *q == '\t'))
                q++;
            long long kb = 0;
            const char *start = q;
            while (q < eol && is_digit(*q) && q - start < 18)
                kb = kb * 10 + (*q++ - '0');
            return q > start ? kb : -1;
        }
        p = eol + 1;
    }
    return -1;
}

/* mp__rollup_parse() - see base.h. */
long long mp__rollup_parse(const char *text, size_t len, mp__backend_id b)
{
    if (b == MP__BACKEND_PSS) {
        long long pss = field_kb(text, len, "Pss");
        return pss >= 0 ? pss * 1024 : -EINVAL;
    }
    long long clean = field_kb(text, len, "Private_Clean");
    long long dirty = field_kb(text, len, "Private_Dirty");
    if (clean < 0 || dirty < 0)
        return -EINVAL;
    return (clean + dirty) * 1024;
}

/* mp__status_hwm() - see base.h: one pread of status (~1.5 KiB). */
long long mp__status_hwm(int fd)
{
    char buf[4096];
    ssize_t n = mp__pread_head(fd, buf, sizeof buf);
    if (n < 0)
        return n;
    long long kb = field_kb(buf, (size_t)n, "VmHWM");
    return kb >= 0 ? kb * 1024 : -EINVAL;
}

/* mp__proc_open() - see base.h.  Close-on-exec: children never inherit. */
int mp__proc_open(mp__proc_reader *r, long pid, mp__backend_id b)
{
    r->pid = pid;
    r->backend = b;
    r->fd = -1;
    const char *file = mp__backends[b].file;
    if (file == NULL)
        return -EINVAL;
    char path[64];
    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/%s", file);
    else
        snprintf(path, sizeof path, "/proc/%ld/%s", pid, file);
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    return r->fd >= 0 ? 0 : -errno;
}

/* mp__proc_close() - see base.h. */
void mp__proc_close(mp__proc_reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

/*
 * read_once() - one pread of r's file, parsed: bytes, or -errno, or
 * -ESRCH for a process without memory (it has ended: a zombie's statm is
 * all zeros, its smaps_rollup empty).  statm is under 100 bytes, a
 * rollup under 1 KiB.
 */
static long long read_once(const mp__proc_reader *r)
{
    char buf[2048];
    ssize_t n = mp__pread_head(
        r->fd, buf, r->backend == MP__BACKEND_RSS ? 128 : sizeof buf);
    if (n <= 0)
        return n < 0 ? n : -ESRCH;
    if (r->backend != MP__BACKEND_RSS)
        return mp__rollup_parse(buf, (size_t)n, r->backend);
    if (buf[0] == '0' && n >= 2 && buf[1] == ' ')
        return -ESRCH;
    long long pages = mp__statm_parse(buf, (size_t)n);
    return pages < 0 ? pages : pages * mp__page_size();
}

/*
 * mp__proc_read() - see base.h.  Another process's file is opened again
 * once before giving up: smaps_rollup stays bound to the memory of the
 * program before an execve(2), and a pid reused by a new descendant has
 * a new file.
 */
long long mp__proc_read(mp__proc_reader *r)
{
    if (r->pid == 0)
        return read_once(r);
    if (r->fd >= 0) {
        long long v = read_once(r);
        if (v >= 0)
            return v;
        mp__proc_close(r);
    }
    if (mp__proc_open(r, r->pid, r->backend) != 0)
        return -ESRCH;
    long long v = read_once(r);
    return v >= 0 ? v : -ESRCH;
}

/* mp__proc_read_kept() - see base.h. */
long long mp__proc_read_kept(const mp__proc_reader *r)
{
    if (r->fd < 0)
        return -ESRCH;
    long long v = read_once(r);
    return v >= 0 ? v : -ESRCH;
}
