/*
 * plot_data.h - what memprof plot draws: the options asked on the command
 * line and the recordings read into curves, spans and extents, in seconds
 * and MiB, with the colours chosen; the same for every drawer (plot_term.c
 * in cells, plot_picture.c in pixels).
 */
#ifndef MEMPROF_PLOT_DATA_H
#define MEMPROF_PLOT_DATA_H

#include <stddef.h>
#include <stdint.h>

/* --color=WHEN, for the terminal. */
enum { PLOT_COLOR_AUTO, PLOT_COLOR_ALWAYS, PLOT_COLOR_NEVER };

/* What the command line asks. */
typedef struct plot_opts {
    const char *output; /* -o FILE, or NULL */
    const char *title;  /* -t TITLE, or NULL */
    int no_funcs;       /* -n: no function spans */
    int flame;          /* -f: spans as stacked bars by level */
    int slope;          /* -s: a trend line per curve */
    int window;         /* -w given: only [xmin, xmax] */
    double xmin;
    double xmax;
    int term;    /* --term */
    int width;   /* --width, pixels */
    int height;  /* --height, pixels */
    int columns; /* --columns, or 0: the terminal's */
    int rows;    /* --rows: the chart's rows in the terminal */
    int color;   /* PLOT_COLOR_*, resolved to ALWAYS or NEVER by plot.c */
} plot_opts;

/* One recording named on the command line. */
typedef struct plot_file {
    const char *path;
    char *cmdline; /* CMDLINE, as valid UTF-8, or NULL; owned */
    double start;  /* seconds since the Epoch of t = 0 */
} plot_file;

/*
 * One curve: a recording's MEM readings, or one child's CHLD readings,
 * those within the window, one point per reading, in the file's order.
 */
typedef struct plot_series {
    int file;     /* index in plot_data.files */
    long pid;     /* the child's pid, or 0 for the recording's own curve */
    double *t;    /* seconds since the recording's start; owned */
    double *mib;  /* owned */
    size_t n;     /* points: the readings, or fewer (see nread) */
    size_t nread; /* readings within the window, at least 1; more than
                     n when there were more than the picture can show:
                     then each run of readings within half a pixel (or
                     half a terminal dot) keeps its first, lowest,
                     highest and last */
    size_t peak;  /* index of the largest reading (the first of equals) */
    double tlo;   /* the extents of the readings (all of them) */
    double thi;
    double ylo;
    double yhi;
    double slope; /* least-squares trend, MiB/s (0 when n < 2) */
    double icept; /* its value at t = 0, MiB */
    int color;    /* index in plot_palette */
    int dash;     /* 0: solid (a recording), 1: dashed (a child) */
    int same_as;  /* the index of an earlier curve with the very same
                     points (two children that did the same), which
                     this one would hide: drawn in its gaps, and named in
                     the legend; or -1 */
} plot_series;

/* A FUNC line: one call of a function, or one MP_TIMESTAMP block. */
typedef struct plot_span {
    const char *name; /* as in the file; points into the plot_func */
    double t0;        /* seconds since start, clipped to the window */
    double t1;
    double mem0; /* MiB at entry and exit */
    double mem1;
    double dur; /* seconds from entry to exit (the whole call's) */
    int cut0;   /* the entry (cut0) or exit (cut1) lies outside the window */
    int cut1;
    int level; /* nesting level, 0 outermost */
    int func;  /* index in plot_data.funcs */
    int run;   /* of a run of spans of one function at one level, each
                  starting after the one before ends, and no other span
                  of that level between (a function called in a loop):
                  how many, on its first span; 0 on the others; 1 on a
                  span alone */
} plot_span;

/* A span's name, once: its colour and how many spans bear it. */
typedef struct plot_func {
    char *name;        /* valid UTF-8; owned */
    const char *label; /* mprof's function_labels(): its shortest unique
                          dotted suffix, "step" for "grow.step" */
    int color;         /* index in plot_palette */
    size_t count;
    double total;   /* seconds: the calls' durations, summed (whole calls,
                       also of those the window cuts) */
    double longest; /* seconds: the longest call */
} plot_func;

/* Everything to draw, in seconds and MiB. */
typedef struct plot_data {
    plot_file *files;
    size_t nfiles;
    plot_series *series; /* each recording's curve, then its children's */
    size_t nseries;
    plot_span *spans; /* sorted by level, then by entry */
    size_t nspans;
    plot_func *funcs; /* in order of first appearance */
    size_t nfuncs;
    double tmin; /* extents of what is drawn: readings and spans */
    double tmax;
    double ymin;
    double ymax;
    int maxlevel; /* the deepest span's level, or -1 without spans */
    char *title;  /* -t, or the only recording's command line, or NULL */
} plot_data;

/*
 * The deepest nesting level drawn: spans deeper than this (a recursion, a
 * hostile file) are drawn at this level, so that every output keeps its
 * size whatever the file says.
 */
#define PLOT_MAX_LEVEL 15

/* The Okabe-Ito palette, safe for colour-blind readers: 0xRRGGBB. */
#define PLOT_NCOLORS 8
extern const uint32_t plot_palette[PLOT_NCOLORS];

/*
 * plot_data_build() - read the files names[nnames] (every one before
 * anything is drawn; each streams by two or three times, never held
 * whole) and make d for opts: the curves within the window,
 * the spans (one recording only, unless opts->no_funcs), the title, the
 * colours and the extents.  d->files[].path points into names.  Returns
 * 0, or CLI_ERROR after one line on stderr (d then empty).
 */
int plot_data_build(plot_data *d, const plot_opts *o, char **names,
                    size_t nnames);

/*
 * plot_span_label() - span i's label in the band: its function's label,
 * with " ×N" after it on the first span of a run of N > 1 (written once
 * over the run), made in buf; the label alone when that does not fit in
 * size bytes.  Returns buf or the label.
 */
const char *plot_span_label(const plot_data *d, size_t i, char *buf,
                            size_t size);

/*
 * plot_format_durations() - the time func's calls took, as mprof's
 * legend tells each call's ("%.3fs"): "2.200s" for one call,
 * "1.600s total, longest 0.080s" for more.
 */
void plot_format_durations(char *buf, size_t size, const plot_func *f);

/*
 * plot_twin_note() - for a curve with another's very points
 * (plot_series.same_as), its note in the legend: "same as child 4242"
 * ("... of FILE" when that child is another recording's), or "same as
 * FILE" for a recording; malloc'd, valid UTF-8.  NULL for
 * another curve, or when out of memory.
 */
char *plot_twin_note(const plot_data *d, const plot_series *c);

/* plot_data_free() - free what plot_data_build() made. */
void plot_data_free(plot_data *d);

#endif /* MEMPROF_PLOT_DATA_H */
