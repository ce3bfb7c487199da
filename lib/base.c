/*
 * base.c - the helpers that the library and the memprof command share:
 * see base.h.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "real_alloc.h"

/*
 * mp__vwarn() - format the message into one buffer and write it with one
 * write(2), so that lines from several threads or processes never mix.
 * errno is kept.
 */
void mp__vwarn(const char *fmt, va_list ap)
{
    MP__SAVE_ERRNO({
        char buf[1024];
        size_t n = sizeof "memprof: " - 1;
        memcpy(buf, "memprof: ", n);
        int r = vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
        if (r < 0)
            r = 0;
        n += (size_t)r < sizeof buf - n - 1 ? (size_t)r : sizeof buf - n - 2;
        buf[n++] = '\n';
        (void)mp__write_all(STDERR_FILENO, buf, n, NULL);
    });
}

/* mp__warn() - see base.h. */
void mp__warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mp__vwarn(fmt, ap);
    va_end(ap);
}

/*
 * mp__parse_int() - strict decimal: optional sign, digits, nothing else
 * (no blanks), in range.  Keeps errno.
 */
int mp__parse_int(const char *s, long lo, long hi, long *out)
{
    if (s == NULL || *s == '\0')
        return -EINVAL;
    int saved = errno;
    errno = 0;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    int bad = errno != 0 || *end != '\0' || s[0] == ' ' || s[0] == '\t' ||
              s[0] == '\n' || v < lo || v > hi;
    errno = saved;
    if (bad)
        return -EINVAL;
    *out = v;
    return 0;
}

/* mp__write_all() - see base.h. */
int mp__write_all(int fd, const void *buf, size_t n, size_t *done)
{
    const char *p = buf;
    size_t left = n;
    int rc = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = w < 0 ? -errno : -EIO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (done != NULL)
        *done = n - left;
    return rc;
}

/*
 * mp__fd_keep() - see base.h.  The floor is three quarters of the soft
 * descriptor limit, at most 1000: with the usual limit of 1024 that is
 * 768 and up; when every number there is taken, the lowest above 64.
 */
int mp__fd_keep(int fd, mp__fd_id *id)
{
    struct rlimit rl;
    long floor = 1000;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < 1334)
        floor = (long)rl.rlim_cur * 3 / 4;
    if (fd >= 0 && fd < floor) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, (int)floor);
        if (high < 0 && floor > 64)
            high = fcntl(fd, F_DUPFD_CLOEXEC, 64);
        if (high >= 0) {
            close(fd);
            fd = high;
        }
    }
    struct stat st;
    if (id != NULL && fd >= 0 && fstat(fd, &st) == 0) {
        __atomic_store_n(&id->dev, st.st_dev, __ATOMIC_RELAXED);
        __atomic_store_n(&id->ino, st.st_ino, __ATOMIC_RELAXED);
    }
    return fd;
}

/* mp__fd_is() - see base.h: one fstat(2). */
int mp__fd_is(int fd, const mp__fd_id *id)
{
    struct stat st;
    int saved = errno;
    int same = fd >= 0 && fstat(fd, &st) == 0 &&
               st.st_dev == __atomic_load_n(&id->dev, __ATOMIC_RELAXED) &&
               st.st_ino == __atomic_load_n(&id->ino, __ATOMIC_RELAXED);
    errno = saved;
    return same;
}

/*
 * mp__open_out() - see base.h.  O_NONBLOCK makes the open of a FIFO that
 * nobody reads fail (ENXIO) instead of waiting for a reader; it is taken
 * off again for a character device.
 */
int mp__open_out(const char *path, int flags)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | flags,
                  0666);
    if (fd < 0)
        return errno == EMLINK ? -ELOOP : -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
        close(fd);
        return -ENXIO;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

/* mp__warn_out() - see base.h. */
void mp__warn_out(const char *var, const char *path, int code, const char *then)
{
    if (code == -ELOOP)
        mp__warn("%s='%s' is a symbolic link, not followed; %s", var, path,
                 then);
    else if (code == -ENXIO)
        mp__warn("%s='%s' is not a regular file or a character device; %s", var,
                 path, then);
    else
        mp__warn("cannot write %s='%s' (%s); %s", var, path, mp_strerror(code),
                 then);
}

/* mp__read_fd() - see base.h.  A regular file is read in one go. */
int mp__read_fd(int fd, char **bufp, size_t *lenp)
{
    struct stat st;
    size_t cap = 4096;
    size_t len = 0;

    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (unsigned long long)st.st_size < (size_t)-1 / 2)
        cap = (size_t)st.st_size + 1;
    char *buf = mp__malloc(cap);
    if (buf == NULL)
        return -ENOMEM;
    for (;;) {
        if (len + 1 == cap) {
            char *bigger =
                cap < (size_t)-1 / 2 ? mp__realloc(buf, cap * 2) : NULL;
            if (bigger == NULL) {
                mp__free(buf);
                return -ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int rc = -errno;
            mp__free(buf);
            return rc;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *bufp = buf;
    *lenp = len;
    return 0;
}

/*
 * The real allocator is referred to weakly outside the sanitizers, so that
 * a C library without __libc_malloc still links; malloc serves then.
 */
#ifdef MP__SAN
#define HAVE(fn) 1
#else
#pragma weak __libc_malloc
#pragma weak __libc_calloc
#pragma weak __libc_realloc
#pragma weak __libc_free
#define HAVE(fn) (&fn != NULL)
#endif

/* mp__utf8_len() - see base.h. */
int mp__utf8_len(const unsigned char *p, size_t avail)
{
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    int n;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (avail < (size_t)n)
        return 0;
    if (p[0] == 0xe0)
        lo = 0xa0; /* overlong below U+0800 */
    else if (p[0] == 0xed)
        hi = 0x9f; /* the surrogates U+D800..U+DFFF */
    else if (p[0] == 0xf0)
        lo = 0x90; /* overlong below U+10000 */
    else if (p[0] == 0xf4)
        hi = 0x8f; /* above U+10FFFF */
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/*
 * mp__json_string() - see base.h.  Well-formed UTF-8 is copied as it is;
 * every other byte of 0x80 and above is the Latin-1 character of its
 * value, written as an escape (\u00e9 for 0xE9).
 */
void mp__json_string(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        int n;
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else if (*p < 0x80)
            fputc(*p, out);
        else if ((n = mp__utf8_len(p, SIZE_MAX)) == 0)
            fprintf(out, "\\u%04x", *p);
        else {
            fwrite(p, 1, (size_t)n, out);
            p += n - 1;
        }
    }
    fputc('"', out);
}

/* mp__malloc() - see base.h. */
void *mp__malloc(size_t n)
{
    return HAVE(MP__REAL_MALLOC) ? MP__REAL_MALLOC(n) : malloc(n);
}

void *mp__calloc(size_t n, size_t size)
{
    return HAVE(MP__REAL_CALLOC) ? MP__REAL_CALLOC(n, size) : calloc(n, size);
}

void *mp__realloc(void *p, size_t n)
{
    return HAVE(MP__REAL_REALLOC) ? MP__REAL_REALLOC(p, n) : realloc(p, n);
}

void mp__free(void *p)
{
    if (HAVE(MP__REAL_FREE))
        MP__REAL_FREE(p);
    else
        free(p);
}

char *mp__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mp__malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* mp__grow() - see base.h. */
int mp__grow(void *arrp, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > (size_t)-1 / 2 / elem)
            return -ENOMEM;
        ncap *= 2;
    }
    void *p = mp__realloc(*(void **)arrp, ncap * elem);
    if (p == NULL)
        return -ENOMEM;
    memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
    *(void **)arrp = p;
    *cap = ncap;
    return 0;
}

/*
 * mp_strerror() - see memprof.h.  The library's codes are -errno values,
 * so the C library's messages explain them.
 */
const char *mp_strerror(int code)
{
    if (code == 0)
        return "Success";
    if (code < 0 && code > -4096)
        return strerror(-code);
    return "Unknown error code";
}
