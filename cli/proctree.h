/*
 * proctree.h - the descendants of a process, for memprof run -C/-M and
 * attach: each with a reader of lib/proc.c, kept open while the process
 * is there.  The tree is scanned again at a bounded rate (PROCTREE_RESCAN)
 * and whenever a known descendant is lost; in between, the recorder reads
 * the descendants it knows.
 */
#ifndef MEMPROF_CLI_PROCTREE_H
#define MEMPROF_CLI_PROCTREE_H

#include <stddef.h>

#include "base.h"

/*
 * Seconds between two scans of the tree at most: a descendant is recorded
 * at the latest this long after it starts (and one interval more).
 */
#define PROCTREE_RESCAN 0.1

/* One descendant: its reader, and whether its last reading failed. */
typedef struct proctree_kid {
    mp__proc_reader rd;
    int gone; /* its last reading failed: it ended, not yet reaped */
} proctree_kid;

/*
 * The descendants of a process, with a reader each.  proctree_scan()
 * lists them again; readers of processes still there are kept, and so is
 * what proctree_mark() learnt of them.
 */
typedef struct proctree {
    long root;
    mp__backend_id backend;
    int scan_all;       /* no task/TID/children file: scan /proc */
    proctree_kid *kids; /* the descendants, breadth first */
    size_t nkids;
    size_t cap;
    proctree_kid *old; /* scratch: the previous list during a scan */
    size_t oldcap;
    long *pairs; /* scratch of the /proc scan: pid, parent, ... */
    size_t npairs;
    size_t paircap;
    double scanned; /* mp__now_mono() of the last scan, or < 0: none */
} proctree;

/*
 * proctree_init() - an empty tree for root's descendants.  Uses
 * /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN) when the kernel has
 * it, else a scan of the parent field of every /proc/PID/stat; force_scan
 * asks for the scan regardless (tests use it).
 */
void proctree_init(proctree *t, long root, mp__backend_id b, int force_scan);

/*
 * proctree_scan() - list root's descendants now into t->kids, in
 * breadth-first order, at time now (mp__now_mono()).  Processes that
 * vanish while they are being listed are left out.  Returns 0, or
 * -ENOMEM (t->kids then holds what was found so far, still valid).
 */
int proctree_scan(proctree *t, double now);

/*
 * proctree_due() - whether a scan is due at now, for samples every
 * interval seconds: none yet, or PROCTREE_RESCAN since the last one (on
 * the sample nearest to it).
 */
int proctree_due(const proctree *t, double now, double interval);

/*
 * proctree_mark() - whether reading descendant i worked (ok) this time.
 * Returns 1 when it failed for the first time since it last worked, as
 * the tree should then be scanned again at once: the process ended, and
 * its children now belong elsewhere, or, with pss and uss, it runs a new
 * program, whose file only a reader opened after a scan may read.  A
 * process that ended and stays unreaped asks for no scan after that.
 */
int proctree_mark(proctree *t, size_t i, int ok);

/* proctree_free() - close every reader and free t's arrays. */
void proctree_free(proctree *t);

#endif /* MEMPROF_CLI_PROCTREE_H */
