/*
 * dump.c - MEMPROF_LEAKS's sites dump (format in heap_hooks.h): what the
 * process has loaded, and each call stack's counts, as text on an fd.
 *
 * Runs at exit or while a report is made, maybe inside a program that
 * has run out of memory: it allocates nothing (no stdio), formats into a
 * buffer on its stack and writes it out when it fills.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"

/* Output gathered on the stack, written out as it fills. */
typedef struct out {
    int fd;
    int err; /* the first write's errno, or 0 */
    size_t n;
    char buf[4096];
} out;

MP__HEAP_FN static void flush(out *o)
{
    size_t done = 0;
    while (done < o->n && o->err == 0) {
        ssize_t w = write(o->fd, o->buf + done, o->n - done);
        if (w < 0 && errno != EINTR)
            o->err = errno;
        else if (w > 0)
            done += (size_t)w;
    }
    o->n = 0;
}

/* put() - printf into o; a line never spans two writes' worth. */
__attribute__((format(printf, 2, 3))) MP__HEAP_FN static void
put(out *o, const char *fmt, ...)
{
    va_list ap;
    int len;

    for (int i = 0; i < 2; i++) {
        va_start(ap, fmt);
        len = vsnprintf(o->buf + o->n, sizeof o->buf - o->n, fmt, ap);
        va_end(ap);
        if (len >= 0 && (size_t)len < sizeof o->buf - o->n) {
            o->n += (size_t)len;
            return;
        }
        flush(o);
    }
    /* Longer than the buffer (a path of PATH_MAX): cut to fit. */
    o->n = sizeof o->buf - 1;
    o->buf[o->n - 1] = '\n';
}

/* module() - dl_iterate_phdr's callback: one module line. */
MP__HEAP_FN static int module(struct dl_phdr_info *info, size_t size, void *arg)
{
    out *o = arg;
    uintptr_t lo = UINTPTR_MAX;
    uintptr_t hi = 0;
    char exe[PATH_MAX];
    const char *path = info->dlpi_name;

    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (info->dlpi_addr + ph->p_vaddr < lo)
            lo = info->dlpi_addr + ph->p_vaddr;
        if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
            hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
    }
    if (lo >= hi)
        return 0;
    if (path == NULL || path[0] == '\0') {
        ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[len > 0 ? len : 0] = '\0';
        path = exe;
    }
    put(o, "module %#lx %#lx %#lx %s\n", (unsigned long)info->dlpi_addr,
        (unsigned long)lo, (unsigned long)hi, path);
    return 0;
}

/* site() - mp__heap_sites_visit()'s callback: one site line. */
MP__HEAP_FN static void site(const mp__heap_site *s, void *arg)
{
    out *o = arg;

    put(o, "%s %llu %llu %lld %lld", s->nframes > 0 ? "site" : "unknown",
        s->made_bytes, s->made_blocks, s->live_bytes, s->live_blocks);
    for (unsigned i = 0; i < s->nframes; i++)
        put(o, " %#lx", (unsigned long)s->frames[i]);
    put(o, "\n");
}

/* mp__heap_dump() - see heap.h. */
MP__HEAP_API int mp__heap_dump(int fd)
{
    int saved = errno;
    out o;

    o.fd = fd;
    o.err = 0;
    o.n = 0;
    put(&o, "memprof-heap-sites %d\npid %ld\nframes %d\n", MP__HEAP_DUMP_FORMAT,
        (long)getpid(), MP__HEAP_FRAMES);
    dl_iterate_phdr(module, &o);
    mp__heap_sites_visit(site, &o);
    put(&o, "end\n");
    flush(&o);
    if (o.err != 0) {
        errno = o.err;
        return -1;
    }
    errno = saved;
    return 0;
}
