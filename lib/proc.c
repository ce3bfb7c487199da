/*
 * proc.c - readers of /proc.
 *
 * The resident set comes from /proc/self/statm, "size resident shared text
 * lib data dt" in pages, read with one pread(2) on a kept fd: the cheapest
 * way Linux offers to read it, and what memory_profiler's RSS is.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

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

/* mp__statm_open() - close-on-exec, so exec'd children never inherit it. */
int mp__statm_open(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
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

/* mp__pread_head() - see internal.h. */
ssize_t mp__pread_head(int fd, char *buf, size_t size)
{
    ssize_t n;
    do
        n = pread(fd, buf, size, 0);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

/*
 * mp__statm_rss() - statm is under 100 bytes; a 128-byte buffer takes it
 * whole in one call.
 */
long long mp__statm_rss(int fd)
{
    char buf[128];
    ssize_t n = mp__pread_head(fd, buf, sizeof buf);
    if (n < 0)
        return n;
    long long pages = mp__statm_parse(buf, (size_t)n);
    if (pages < 0)
        return pages;
    return pages * mp__page_size();
}

/*
 * field_kb() - the value in kB of the line "name: <n> kB" in text, or -1.
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
            while (q < eol && is_digit(*q))
                kb = kb * 10 + (*q++ - '0');
            return q > start ? kb : -1;
        }
        p = eol + 1;
    }
    return -1;
}

/* mp__smaps_rollup_parse() - see internal.h. */
long long mp__smaps_rollup_parse(const char *text, size_t len, int which)
{
    if (which == 0) {
        long long pss = field_kb(text, len, "Pss");
        return pss >= 0 ? pss * 1024 : -EINVAL;
    }
    long long clean = field_kb(text, len, "Private_Clean");
    long long dirty = field_kb(text, len, "Private_Dirty");
    if (clean < 0 || dirty < 0)
        return -EINVAL;
    return (clean + dirty) * 1024;
}

/* mp__status_hwm() - see internal.h: one pread of status (~1.5 KiB). */
long long mp__status_hwm(int fd)
{
    char buf[4096];
    ssize_t n = mp__pread_head(fd, buf, sizeof buf);
    if (n < 0)
        return n;
    long long kb = field_kb(buf, (size_t)n, "VmHWM");
    return kb >= 0 ? kb * 1024 : -EINVAL;
}
