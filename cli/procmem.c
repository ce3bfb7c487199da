/*
 * procmem.c - the memory of other processes and their descendants, read
 * from /proc for memprof run and attach.  See procmem.h.
 *
 * rss is the second field of statm (pages), as psutil's memory_info().rss;
 * pss and uss come from smaps_rollup (kB), as psutil's memory_full_info().
 * Descendants come from /proc/PID/task/TID/children, one small file per
 * thread, so a sample costs a few reads per process of the tree rather
 * than a read of every process on the system; kernels built without
 * CONFIG_PROC_CHILDREN get the scan of /proc that psutil does.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "procmem.h"

/* procmem_backend_parse() - see procmem.h. */
int procmem_backend_parse(const char *name, procmem_backend *out)
{
    static const char *const names[] = {"rss", "pss", "uss"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (procmem_backend)i;
            return 0;
        }
    }
    return -EINVAL;
}

/* procmem_backend_file() - see procmem.h. */
const char *procmem_backend_file(procmem_backend b)
{
    return b == PROCMEM_RSS ? "statm" : "smaps_rollup";
}

/* procmem_open() - see procmem.h. */
int procmem_open(procmem_reader *r, long pid, procmem_backend b)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/%s", pid, procmem_backend_file(b));
    r->pid = pid;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    return r->fd >= 0 ? 0 : -errno;
}

/* procmem_close() - see procmem.h. */
void procmem_close(procmem_reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

/*
 * rollup_field() - the value in kB of the line "name: N kB" in text, or
 * -1.  name includes its colon, so "Pss:" does not match "Pss_Anon:".
 */
static long long rollup_field(const char *text, const char *end,
                              const char *name)
{
    size_t len = strlen(name);
    for (const char *p = text; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - p) > len && memcmp(p, name, len) == 0) {
            const char *q = p + len;
            while (q < eol && *q == ' ')
                q++;
            long long kb = 0;
            const char *digits = q;
            while (q < eol && isdigit((unsigned char)*q) && q - digits < 18)
                kb = kb * 10 + (*q++ - '0');
            return q > digits ? kb : -1;
        }
        p = eol + 1;
    }
    return -1;
}

/* procmem_parse_rollup() - see procmem.h. */
long long procmem_parse_rollup(const char *text, size_t len, procmem_backend b)
{
    const char *end = text + len;
    if (b == PROCMEM_PSS) {
        long long pss = rollup_field(text, end, "Pss:");
        return pss >= 0 ? pss * 1024 : -EINVAL;
    }
    long long clean = rollup_field(text, end, "Private_Clean:");
    long long dirty = rollup_field(text, end, "Private_Dirty:");
    return clean >= 0 && dirty >= 0 ? (clean + dirty) * 1024 : -EINVAL;
}

/*
 * read_once() - one pread of r's file, parsed.  -ESRCH for an empty read,
 * an error, or the all-zero statm of a process without memory.
 */
static long long read_once(procmem_reader *r, procmem_backend b)
{
    char buf[4096];
    size_t size = b == PROCMEM_RSS ? 128 : sizeof buf;
    ssize_t n;
    do
        n = pread(r->fd, buf, size, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -ESRCH;
    if (b != PROCMEM_RSS) {
        long long bytes = procmem_parse_rollup(buf, (size_t)n, b);
        return bytes >= 0 ? bytes : -ESRCH;
    }
    /* A zombie has no mm: every field of its statm is 0. */
    if (n >= 2 && buf[0] == '0' && buf[1] == ' ')
        return -ESRCH;
    long long pages = mp__statm_parse(buf, (size_t)n);
    return pages >= 0 ? pages * mp__page_size() : -ESRCH;
}

/*
 * procmem_read() - see procmem.h.  The second attempt also covers a pid
 * that was reused by a new descendant: the old fd still names the process
 * that ended.
 */
long long procmem_read(procmem_reader *r, procmem_backend b)
{
    if (r->fd >= 0) {
        long long v = read_once(r, b);
        if (v >= 0)
            return v;
        procmem_close(r);
    }
    if (procmem_open(r, r->pid, b) != 0)
        return -ESRCH;
    return read_once(r, b);
}

/* procmem_tree_init() - see procmem.h. */
void procmem_tree_init(procmem_tree *t, long root, procmem_backend b,
                       int force_scan)
{
    char path[64];
    memset(t, 0, sizeof *t);
    t->root = root;
    t->backend = b;
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", root, root);
    t->scan_all = force_scan || access(path, R_OK) != 0;
}

/*
 * add_kid() - append pid to t->kids unless it is the root or already
 * there (a pid reused during a scan could otherwise make a cycle).  Its
 * reader is taken over from the previous list when it was there.
 */
static int add_kid(procmem_tree *t, long pid, size_t nold)
{
    if (pid == t->root || pid <= 0)
        return 0;
    for (size_t i = 0; i < t->nkids; i++)
        if (t->kids[i].pid == pid)
            return 0;
    if (t->nkids == t->cap) {
        size_t ncap = t->cap != 0 ? t->cap * 2 : 16;
        procmem_reader *p = realloc(t->kids, ncap * sizeof *p);
        if (p == NULL)
            return -ENOMEM;
        t->kids = p;
        t->cap = ncap;
    }
    procmem_reader r = {pid, -1};
    for (size_t i = 0; i < nold; i++) {
        if (t->old[i].pid == pid) {
            r.fd = t->old[i].fd;
            t->old[i].fd = -1;
            break;
        }
    }
    t->kids[t->nkids++] = r;
    return 0;
}

/*
 * add_children_file() - add the pids listed in one children file ("12 34
 * "), read in pieces so that a long list needs no large buffer.
 */
static int add_children_file(procmem_tree *t, const char *path, size_t nold)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[512];
    long pid = 0;
    int in_number = 0;
    int r = 0;
    ssize_t n;
    while (r == 0 && (n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && r == 0; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                pid = pid * 10 + (buf[i] - '0');
                in_number = 1;
            } else if (in_number) {
                r = add_kid(t, pid, nold);
                pid = 0;
                in_number = 0;
            }
        }
    }
    if (r == 0 && in_number)
        r = add_kid(t, pid, nold);
    close(fd);
    return r;
}

/*
 * add_children_of() - the children of pid made by any of its threads:
 * each thread has its own children file.
 */
static int add_children_of(procmem_tree *t, long pid, size_t nold)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    struct dirent *e;
    int r = 0;
    while (r == 0 && (e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        snprintf(path, sizeof path, "/proc/%ld/task/%.20s/children", pid,
                 e->d_name);
        r = add_children_file(t, path, nold);
    }
    closedir(d);
    return r;
}

/*
 * stat_parent() - the parent pid of pid from /proc/PID/stat, or -1.  The
 * name field may hold blanks and parentheses, so the fields are counted
 * from its last ')'.
 */
static long stat_parent(const char *pid)
{
    char path[64];
    char buf[1024];
    snprintf(path, sizeof path, "/proc/%.20s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ' || p[2] == '\0' || p[3] != ' ')
        return -1;
    return strtol(p + 4, NULL, 10);
}

/*
 * scan_pairs() - every process's (pid, parent) into t->pairs.  Returns 0
 * or -ENOMEM; a process that vanishes meanwhile is left out.
 */
static int scan_pairs(procmem_tree *t)
{
    t->npairs = 0;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    struct dirent *e;
    int r = 0;
    while (r == 0 && (e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        long parent = stat_parent(e->d_name);
        if (parent < 0)
            continue;
        if (t->npairs + 2 > t->paircap) {
            size_t ncap = t->paircap != 0 ? t->paircap * 2 : 512;
            long *p = realloc(t->pairs, ncap * sizeof *p);
            if (p == NULL) {
                r = -ENOMEM;
                break;
            }
            t->pairs = p;
            t->paircap = ncap;
        }
        t->pairs[t->npairs++] = strtol(e->d_name, NULL, 10);
        t->pairs[t->npairs++] = parent;
    }
    closedir(d);
    return r;
}

/*
 * procmem_tree_scan() - see procmem.h.  The previous list moves to
 * t->old so that add_kid() can hand its open readers over; the readers
 * of processes no longer listed are closed at the end.
 */
int procmem_tree_scan(procmem_tree *t)
{
    procmem_reader *kids = t->kids;
    size_t cap = t->cap;
    size_t nold = t->nkids;
    t->kids = t->old;
    t->cap = t->oldcap;
    t->old = kids;
    t->oldcap = cap;
    t->nkids = 0;
    int r = t->scan_all ? scan_pairs(t) : 0;
    for (size_t i = 0; r == 0 && i <= t->nkids; i++) {
        long parent = i == 0 ? t->root : t->kids[i - 1].pid;
        if (!t->scan_all) {
            r = add_children_of(t, parent, nold);
            continue;
        }
        for (size_t j = 0; r == 0 && j < t->npairs; j += 2)
            if (t->pairs[j + 1] == parent)
                r = add_kid(t, t->pairs[j], nold);
    }
    for (size_t i = 0; i < nold; i++)
        procmem_close(&t->old[i]);
    return r;
}

/* procmem_tree_free() - see procmem.h. */
void procmem_tree_free(procmem_tree *t)
{
    for (size_t i = 0; i < t->nkids; i++)
        procmem_close(&t->kids[i]);
    free(t->kids);
    free(t->old);
    free(t->pairs);
    memset(t, 0, sizeof *t);
}
