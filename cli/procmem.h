/*
 * procmem.h - the memory of other processes, for memprof run and attach:
 * one process's reading under a backend (rss, pss, uss), and the
 * descendants of a process, found again at each sample.
 *
 * Readers keep their /proc file open and read it with one pread(2), as
 * the library does for its own statm.
 */
#ifndef MEMPROF_CLI_PROCMEM_H
#define MEMPROF_CLI_PROCMEM_H

#include <stddef.h>

/* What a reading counts: memory_profiler's psutil, psutil_pss, psutil_uss. */
typedef enum procmem_backend {
    PROCMEM_RSS, /* resident set: /proc/PID/statm, second field */
    PROCMEM_PSS, /* Pss: of /proc/PID/smaps_rollup */
    PROCMEM_USS  /* Private_Clean + Private_Dirty of smaps_rollup */
} procmem_backend;

/*
 * procmem_backend_parse() - "rss", "pss" or "uss" into *out.  Returns 0,
 * or -EINVAL for any other name.
 */
int procmem_backend_parse(const char *name, procmem_backend *out);

/* procmem_backend_file() - the /proc file a backend reads: "statm", ... */
const char *procmem_backend_file(procmem_backend b);

/*
 * A reader of one process's memory: the pid and a kept fd on its /proc
 * file (-1 when not open).
 */
typedef struct procmem_reader {
    long pid;
    int fd;
} procmem_reader;

/*
 * procmem_open() - open r on pid's file for backend b (close-on-exec).
 * Returns 0 or -errno (-ENOENT: no such process, or, for pss and uss, a
 * kernel without smaps_rollup; -EACCES: not ours to read).
 */
int procmem_open(procmem_reader *r, long pid, procmem_backend b);

/*
 * procmem_read() - the process's memory now, in bytes.  Returns the
 * reading, or -ESRCH when the process has no memory any more (it exited:
 * a zombie's statm reads 0) or cannot be read.  A reader whose process
 * ran execve(2) since it was opened is opened again, once, before giving
 * up: smaps_rollup stays bound to the memory of the old program.
 */
long long procmem_read(procmem_reader *r, procmem_backend b);

/* procmem_close() - close r's fd, if open; r may be reused. */
void procmem_close(procmem_reader *r);

/*
 * procmem_parse_rollup() - from the text of smaps_rollup, the bytes that
 * backend b counts (Pss, or Private_Clean + Private_Dirty).  Returns them,
 * or -EINVAL when the fields are missing.
 */
long long procmem_parse_rollup(const char *text, size_t len, procmem_backend b);

/*
 * The descendants of a process, with a reader each.  procmem_tree_scan()
 * lists them again; readers of processes still there are kept.
 */
typedef struct procmem_tree {
    long root;
    procmem_backend backend;
    int scan_all;         /* no task/TID/children file: scan /proc */
    procmem_reader *kids; /* the descendants, breadth first */
    size_t nkids;
    size_t cap;
    procmem_reader *old; /* scratch: the previous list during a scan */
    size_t oldcap;
    long *pairs; /* scratch of the /proc scan: pid, parent, ... */
    size_t npairs;
    size_t paircap;
} procmem_tree;

/*
 * procmem_tree_init() - an empty tree for root's descendants.  Uses
 * /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN) when the kernel has
 * it, else a scan of the parent field of every /proc/PID/stat; force_scan
 * asks for the scan regardless (tests use it).
 */
void procmem_tree_init(procmem_tree *t, long root, procmem_backend b,
                       int force_scan);

/*
 * procmem_tree_scan() - list root's descendants now into t->kids, in
 * breadth-first order.  Processes that vanish while they are being
 * listed are left out.  Returns 0, or -ENOMEM (t->kids then holds what was
 * found so far, still valid).
 */
int procmem_tree_scan(procmem_tree *t);

/* procmem_tree_free() - close every reader and free t's arrays. */
void procmem_tree_free(procmem_tree *t);

#endif /* MEMPROF_CLI_PROCMEM_H */
