/*
 * heaprun.h - memprof run --heap: the command started with the heap
 * object preloaded (heaprun.c), each process's heap count read from the
 * file the object keeps it in (heapwatch.c; format in heap_share.h), and
 * the leak report at the end (heapreport.c).
 */
#ifndef MEMPROF_CLI_HEAPRUN_H
#define MEMPROF_CLI_HEAPRUN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* ---- heapwatch.c: the heap counts of the processes recorded. */

/* One process's count, as far as memprof knows it. */
typedef struct heapwatch_proc {
    long pid;
    int state;                /* HW_PENDING, HW_MAPPED or HW_RSS */
    const unsigned char *map; /* its file, mapped (HW_MAPPED) */
    size_t size;              /* of the mapping */
    double since;             /* mp__now_mono() when pending began */
    uint64_t at_random;       /* the image that writes the file */
    unsigned samples;         /* since the last check for an execve */
    int seen;                 /* read during this sample */
} heapwatch_proc;

/*
 * The files of one run --heap: DIR/<pid>.heap for each process that
 * loaded the heap object.  A process without one within grace seconds
 * (or one memprof knows cannot load it) is recorded with its RSS
 * reader instead, after one line on stderr.
 */
typedef struct heapwatch {
    char dir[PATH_MAX];
    double grace;
    heapwatch_proc *procs;
    size_t n;
    size_t cap;
} heapwatch;

/* heapwatch_init() - no process known yet; the files are in dir. */
void heapwatch_init(heapwatch *w, const char *dir);

/* heapwatch_rss() - record pid's RSS from the start, without a word. */
void heapwatch_rss(heapwatch *w, long pid);

/*
 * heapwatch_read() - the heap bytes of r's process now, read from its
 * file: no system call but every few samples, to notice an execve(2).
 * Without a file yet: -EAGAIN (no reading this time) during the grace
 * time, then, as for a process that cannot count, what mp__proc_read(r)
 * gives.
 */
long long heapwatch_read(heapwatch *w, mp__proc_reader *r);

/* heapwatch_sweep() - forget the processes not read since the last sweep. */
void heapwatch_sweep(heapwatch *w);

/* heapwatch_free() - unmap every file, free the table. */
void heapwatch_free(heapwatch *w);

/* ---- heaprun.c, heapreport.c: the command preloaded, its leak report. */

/* One run --heap: its private directory. */
typedef struct heaprun {
    char dir[PATH_MAX]; /* empty: none made */
    int root_rss;       /* the command cannot load the object: RSS */
} heaprun;

/*
 * heaprun_prepare() - make the directory and put MEMPROF_HEAP_DIR and
 * LD_PRELOAD (the heap object first) into the environment the command
 * will get; say in one line when cmd is statically linked or setuid (it
 * will not load the object: h->root_rss).  Returns 0, or CLI_ERROR after
 * one line.
 */
int heaprun_prepare(heaprun *h, char *const cmd[]);

/*
 * heaprun_report() - the leak reports of the command, root (and, with
 * all, of its descendants) into <dat>.leaks.txt, and .leaks.json with
 * json; one line says where, or why there is none (running: the command
 * was left running).  Returns 0, or CLI_ERROR after one line.
 */
int heaprun_report(const heaprun *h, const char *dat, long root, int running,
                   int all, int json);

/*
 * heaprun_why_not() - why the program at path will not load a preloaded
 * object ("is statically linked"), or NULL when it should or cannot be
 * told.  A script is judged by its interpreter.
 */
const char *heaprun_why_not(const char *path);

/* heaprun_cleanup() - remove the directory and what is in it. */
void heaprun_cleanup(heaprun *h);

#endif /* MEMPROF_CLI_HEAPRUN_H */
