/*
 * plot_read.h - memprof plot's reading of one recording, streamed: its
 * command line, start and FUNC lines, and its curves (its own and each
 * child's) reduced to what a picture of the given resolution can show,
 * without ever holding all of its readings.  plot_data.c drives it.
 */
#ifndef MEMPROF_PLOT_READ_H
#define MEMPROF_PLOT_READ_H

#include <stdio.h>

#include "base.h"
#include "plot_data.h"

/* One curve of a recording as it streams by (times since the Epoch). */
typedef struct plot_curve {
    long pid;    /* 0: the recording's MEM curve */
    size_t n;    /* readings within the window */
    double *t;   /* all of them while n <= keep, then NULL; owned */
    double *mib; /* owned */
    size_t cap;
    int big;    /* n passed keep: the points come from plot_read_reduce() */
    double tlo; /* extents */
    double thi;
    double ylo;
    double yhi;
    size_t peak; /* the largest reading's rank (the first of equals) */
    double mt;   /* running means and co-moments (Welford) */
    double mm;
    double stt;
    double stm;
    int series;   /* index in plot_data.series, or -1 */
    size_t k;     /* plot_read_reduce(): rank of the next reading */
    long bucket;  /* the current run's bucket, or -1 */
    size_t rk[4]; /* the run's first, lowest, highest, last: ranks */
    double rt[4]; /* times from start */
    double rm[4]; /* MiB */
    size_t ptcap; /* room in the series' points */
} plot_curve;

/* One recording as it is read. */
typedef struct plot_rec {
    const char *path;
    FILE *f;
    long long bytes; /* read by the first pass; later passes stop there */
    const plot_opts *o;
    size_t keep;        /* readings a curve keeps before it is reduced */
    int pass;           /* what the hooks do: a REC_* of plot_read.c */
    double start;       /* seconds since the Epoch of t = 0 */
    size_t nmem;        /* MEM readings */
    char *cmdline;      /* the last CMDLINE, or NULL; owned */
    mp__dat funcs;      /* its FUNC lines (funcs.funcs) only */
    plot_curve *curves; /* [0] MEM, then children by first CHLD line */
    size_t ncurves;
    size_t curvecap;
    size_t *slots; /* curves by pid: an index plus one, or 0 */
    size_t nslots;
    plot_data *d; /* plot_read_reduce(): where the points go */
    double t0;    /* the first bucket's start, seconds from start */
    double scale; /* buckets per second */
    long nbuckets;
} plot_rec;

/*
 * plot_read_open() - open path and read it whole once: its command line,
 * start and FUNC lines, and (without a window) its curves; checked to
 * have two readings at least.  keep: readings a curve keeps before it is
 * reduced.  Returns 0, or CLI_ERROR after one line on stderr (r then
 * closed).
 */
int plot_read_open(plot_rec *r, const char *path, const plot_opts *o,
                   size_t keep);

/*
 * plot_read_curves() - r's curves (with a window, read again now that
 * the start is known) as series of d for file index file: the points of
 * those that kept them, the peak, trend and extents of all.  Returns 0,
 * -ENOMEM, or CLI_ERROR after one line on stderr.
 */
int plot_read_curves(plot_rec *r, plot_data *d, int file);

/*
 * plot_read_reduce() - when a curve of r is big, read r again and give
 * each big curve's series, per run of readings that falls in one of
 * nbuckets buckets over d's time extents, its first, lowest, highest and
 * last reading, the peak among them.  Returns 0, -ENOMEM, or CLI_ERROR
 * after one line on stderr.
 */
int plot_read_reduce(plot_rec *r, plot_data *d, long nbuckets);

/* plot_read_close() - free and close what plot_read_open() made. */
void plot_read_close(plot_rec *r);

#endif /* MEMPROF_PLOT_READ_H */
