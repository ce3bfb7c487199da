/*
 * proctree.h - the descendants of a process, found again at each sample,
 * for memprof run -C/-M and attach: each with a reader of lib/proc.c,
 * kept open while the process is there.
 */
#ifndef MEMPROF_CLI_PROCTREE_H
#define MEMPROF_CLI_PROCTREE_H

#include <stddef.h>

#include "base.h"

/*
 * The descendants of a process, with a reader each.  proctree_scan()
 * lists them again; readers of processes still there are kept.
 */
typedef struct proctree {
    long root;
    mp__backend_id backend;
    int scan_all;          /* no task/TID/children file: scan /proc */
    mp__proc_reader *kids; /* the descendants, breadth first */
    size_t nkids;
    size_t cap;
    mp__proc_reader *old; /* scratch: the previous list during a scan */
    size_t oldcap;
    long *pairs; /* scratch of the /proc scan: pid, parent, ... */
    size_t npairs;
    size_t paircap;
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
 * breadth-first order.  Processes that vanish while they are being
 * listed are left out.  Returns 0, or -ENOMEM (t->kids then holds what was
 * found so far, still valid).
 */
int proctree_scan(proctree *t);

/* proctree_free() - close every reader and free t's arrays. */
void proctree_free(proctree *t);

#endif /* MEMPROF_CLI_PROCTREE_H */
