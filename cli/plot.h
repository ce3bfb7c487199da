/*
 * plot.h - what the files of memprof plot share.
 *
 * plot.c reads the recordings into a plot_data (curves, spans, axes'
 * extents), which two drawers take:
 *
 *   plot_scene.c  lays the picture out once as a list of primitives (lines,
 *                 polylines, rectangles, circles, texts) in pixels, a
 *                 plot_scene, which plot_svg.c writes as SVG text and
 *                 plot_png.c paints with cairo into a PNG file;
 *   plot_term.c   draws the same picture in the terminal's cells.
 */
#ifndef MEMPROF_PLOT_H
#define MEMPROF_PLOT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
    size_t n;     /* readings, at least 1 */
    size_t peak;  /* index of the largest reading (the first of equals) */
    double slope; /* least-squares trend, MiB/s (0 when n < 2) */
    double icept; /* its value at t = 0, MiB */
    int color;    /* index in plot_palette */
    int dash;     /* 0: solid (a recording), 1: dashed (a child) */
} plot_series;

/* A FUNC line: one call of a function, or one MP_TIMESTAMP block. */
typedef struct plot_span {
    const char *name; /* as in the file; points into the plot_func */
    double t0;        /* seconds since start, clipped to the window */
    double t1;
    double mem0; /* MiB at entry and exit */
    double mem1;
    int cut0; /* the entry (cut0) or exit (cut1) lies outside the window */
    int cut1;
    int level; /* nesting level, 0 outermost */
    int func;  /* index in plot_data.funcs */
} plot_span;

/* A span's name, once: its colour and how many spans bear it. */
typedef struct plot_func {
    char *name;        /* valid UTF-8; owned */
    const char *label; /* mprof's function_labels(): its shortest unique
                          dotted suffix, "step" for "grow.step" */
    int color;         /* index in plot_palette */
    size_t count;
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

/* The Okabe-Ito palette, safe for colour-blind readers: 0xRRGGBB. */
#define PLOT_NCOLORS 8
extern const uint32_t plot_palette[PLOT_NCOLORS];

/* An axis: ticks at multiples of step from lo to hi. */
typedef struct plot_axis {
    double lo;
    double hi;
    double step;
    int decimals; /* for the ticks' labels */
} plot_axis;

/*
 * plot_axis_make() - an axis over [lo, hi] with about ticks ticks at
 * steps of 1, 2, 2.5 or 5 times a power of ten.  Unless exact, lo and hi
 * are widened to multiples of the step.  min_step, when positive, is the
 * smallest step allowed (so that labels fit).
 */
void plot_axis_make(plot_axis *a, double lo, double hi, int ticks, int exact,
                    double min_step);

/*
 * plot_axis_tick() - the k-th tick of a (k from 0), or a value above
 * a->hi when there is none.
 */
double plot_axis_tick(const plot_axis *a, int k);

/*
 * A span in a band of lanes, in the drawer's units (pixels or columns):
 * its bar covers [x0, x1), its bar and label with the gap after them
 * [l0, l1).  Spans come sorted by level.
 */
typedef struct plot_slot {
    double x0;
    double x1;
    double l0;
    double l1;
    int level;
} plot_slot;

/*
 * plot_pack() - a lane for each of the n slots, at most max_lanes: outer
 * levels in the first lanes, each level below those of the levels above
 * and given its share of lanes; a bar goes to the first lane of its
 * level where it fits, else to a new lane, else over the lane that ends
 * first.  Then a label shows where it meets no other label of its lane,
 * nor, unless over_bars (labels drawn above the bars), another bar.
 * Fills lane[] and labelled[]; returns the lanes.
 */
int plot_pack(const plot_slot *s, size_t n, int max_lanes, int over_bars,
              int *lane, int *labelled);

/* plot_format_tick() - v with the axis's decimals, never "-0". */
void plot_format_tick(char *buf, size_t size, const plot_axis *a, double v);

/*
 * plot_format_peak() - "peak 154.1 MiB": one decimal, three under 1 MiB.
 */
void plot_format_peak(char *buf, size_t size, double mib);

/*
 * plot_format_slope() - "+2.00 MiB/s": two decimals, more for slopes
 * under 0.1 so that two digits show.
 */
void plot_format_slope(char *buf, size_t size, double slope);

/*
 * plot_utf8_next() - the code point at *s, advancing past it; 0 at the
 * end.  The strings of plot_data are valid UTF-8 (plot.c makes them so).
 */
uint32_t plot_utf8_next(const char **s);

/* plot_utf8_put() - c as UTF-8 into buf (4 bytes); returns the length. */
int plot_utf8_put(char *buf, uint32_t c);

/*
 * plot_scene: the picture as primitives in pixels, y downwards, drawn in
 * order.  Groups carry an SVG class and data- attributes for readers of
 * the SVG (the tests); cairo ignores them.
 */
enum {
    PLOT_LINE,     /* x, y to x2, y2 */
    PLOT_POLYLINE, /* pts[2 * npts]; circles of radius marker at points */
    PLOT_RECT,     /* x, y, width x2, height y2 */
    PLOT_CIRCLE,   /* centre x, y, radius x2 */
    PLOT_TEXT,     /* text at x, y (baseline) */
    PLOT_GROUP,    /* starts a group: cls, attrs */
    PLOT_GROUP_END
};

enum { PLOT_SOLID, PLOT_DASHED, PLOT_DOTTED };
enum { PLOT_START, PLOT_MIDDLE, PLOT_END };

#define PLOT_NONE 0xFFFFFFFFu /* no stroke or no fill */

typedef struct plot_prim {
    int kind;
    uint32_t stroke; /* 0xRRGGBB or PLOT_NONE */
    uint32_t fill;   /* 0xRRGGBB or PLOT_NONE; a text's colour */
    double opacity;  /* of the fill, 0..1 */
    double lw;       /* stroke width */
    int dash;        /* PLOT_SOLID, ... */
    double x;
    double y;
    double x2;
    double y2;
    double *pts; /* owned */
    size_t npts;
    double marker;
    char *text; /* owned, valid UTF-8 */
    double size;
    int anchor; /* PLOT_START, ... */
    int bold;
    int vertical; /* rotated a quarter turn anticlockwise about x, y */
    char *cls;    /* SVG class attribute, or NULL; owned */
    char *attrs;  /* more SVG attributes, " data-x=\"1\"", escaped; owned */
} plot_prim;

typedef struct plot_scene {
    int width;
    int height;
    char *title; /* the SVG's <title>; owned */
    plot_prim *prims;
    size_t n;
    size_t cap;
} plot_scene;

/*
 * plot_scene_build() - lay out the picture of data for opts in
 * opts->width x opts->height pixels.  Returns 0 or -ENOMEM (scene then
 * freed).
 */
int plot_scene_build(plot_scene *scene, const plot_data *data,
                     const plot_opts *opts);

/* plot_scene_free() - free what plot_scene_build() made. */
void plot_scene_free(plot_scene *scene);

/* plot_text_width() - the estimated width in pixels of text at size. */
double plot_text_width(const char *text, double size, int bold);

/* plot_svg_write() - scene as an SVG document to f.  Returns 0 or -errno. */
int plot_svg_write(const plot_scene *scene, FILE *f);

/*
 * plot_png_write() - scene painted into a PNG written to f.  Returns 0,
 * -errno, or -ENOTSUP when memprof was built without cairo.
 */
#ifdef MEMPROF_HAVE_CAIRO
#define PLOT_HAVE_PNG 1
int plot_png_write(const plot_scene *scene, FILE *f);
#else
#define PLOT_HAVE_PNG 0
static inline int plot_png_write(const plot_scene *scene, FILE *f)
{
    (void)scene;
    (void)f;
    return -ENOTSUP;
}
#endif

/*
 * plot_term_write() - the picture in opts->columns terminal cells by
 * opts->rows chart rows, in UTF-8, with ANSI colours when opts->color is
 * PLOT_COLOR_ALWAYS.  Returns 0 or -ENOMEM.
 */
int plot_term_write(const plot_data *data, const plot_opts *opts, FILE *f);

#endif /* MEMPROF_PLOT_H */
