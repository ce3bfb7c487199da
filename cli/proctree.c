/*
 * proctree.c - the descendants of a process, found again at most every
 * PROCTREE_RESCAN seconds of memprof run -C/-M (and when one is lost),
 * each with its reader (lib/proc.c).  See proctree.h.
 *
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
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "proctree.h"

/* proctree_init() - see proctree.h. */
void proctree_init(proctree *t, long root, mp__backend_id b, int force_scan)
{
    char path[64];
    memset(t, 0, sizeof *t);
    t->root = root;
    t->backend = b;
    t->scanned = -1;
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", root, root);
    t->scan_all = force_scan || access(path, R_OK) != 0;
}

/*
 * add_kid() - append pid to t->kids unless it is the root or already
 * there (a pid reused during a scan could otherwise make a cycle).  Its
 * reader, and whether its last reading failed, are taken over from the
 * previous list when it was there.
 */
static int add_kid(proctree *t, long pid, size_t nold)
{
    if (pid == t->root || pid <= 0)
        return 0;
    for (size_t i = 0; i < t->nkids; i++)
        if (t->kids[i].rd.pid == pid)
            return 0;
    if (mp__grow(&t->kids, &t->cap, t->nkids + 1, sizeof *t->kids) != 0)
        return -ENOMEM;
    proctree_kid k = {{pid, t->backend, -1}, 0};
    for (size_t i = 0; i < nold; i++) {
        if (t->old[i].rd.pid == pid) {
            k = t->old[i];
            t->old[i].rd.fd = -1;
            break;
        }
    }
    t->kids[t->nkids++] = k;
    return 0;
}

/*
 * add_children_file() - add the pids listed in one children file ("12 34
 * "), read in pieces so that a long list needs no large buffer.
 */
static int add_children_file(proctree *t, const char *path, size_t nold)
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
 * each thread has its own children file.  A process of one thread (its
 * task directory's link count is 2 + its threads) has one file, read
 * without listing the directory: a stat(2) instead of four calls.
 */
static int add_children_of(proctree *t, long pid, size_t nold)
{
    char path[96];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    if (stat(path, &st) != 0)
        return 0;
    if (st.st_nlink <= 3) {
        snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", pid, pid);
        return add_children_file(t, path, nold);
    }
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
static int scan_pairs(proctree *t)
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
        if (mp__grow(&t->pairs, &t->paircap, t->npairs + 2, sizeof *t->pairs) !=
            0) {
            r = -ENOMEM;
            break;
        }
        t->pairs[t->npairs++] = strtol(e->d_name, NULL, 10);
        t->pairs[t->npairs++] = parent;
    }
    closedir(d);
    return r;
}

/*
 * proctree_scan() - see proctree.h.  The previous list moves to
 * t->old so that add_kid() can hand its open readers over; the readers
 * of processes no longer listed are closed at the end.
 */
int proctree_scan(proctree *t, double now)
{
    proctree_kid *kids = t->kids;
    size_t cap = t->cap;
    size_t nold = t->nkids;
    t->kids = t->old;
    t->cap = t->oldcap;
    t->old = kids;
    t->oldcap = cap;
    t->nkids = 0;
    t->scanned = now;
    int r = t->scan_all ? scan_pairs(t) : 0;
    for (size_t i = 0; r == 0 && i <= t->nkids; i++) {
        long parent = i == 0 ? t->root : t->kids[i - 1].rd.pid;
        if (!t->scan_all) {
            r = add_children_of(t, parent, nold);
            continue;
        }
        for (size_t j = 0; r == 0 && j < t->npairs; j += 2)
            if (t->pairs[j + 1] == parent)
                r = add_kid(t, t->pairs[j], nold);
    }
    for (size_t i = 0; i < nold; i++)
        mp__proc_close(&t->old[i].rd);
    return r;
}

/*
 * proctree_due() - see proctree.h.  Samples fall on a grid: the scan is
 * due from half an interval before PROCTREE_RESCAN, so that a clock read
 * a little early does not put it off by a whole interval.
 */
int proctree_due(const proctree *t, double now, double interval)
{
    return t->scanned < 0 || now - t->scanned >= PROCTREE_RESCAN - interval / 2;
}

/* proctree_mark() - see proctree.h. */
int proctree_mark(proctree *t, size_t i, int ok)
{
    int first = !ok && !t->kids[i].gone;
    t->kids[i].gone = !ok;
    return first;
}

/* proctree_free() - see proctree.h. */
void proctree_free(proctree *t)
{
    for (size_t i = 0; i < t->nkids; i++)
        mp__proc_close(&t->kids[i].rd);
    mp__free(t->kids);
    mp__free(t->old);
    mp__free(t->pairs);
    memset(t, 0, sizeof *t);
}
