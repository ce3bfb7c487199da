/*
 * plot_frame.h - the frame of memprof plot's picture in pixels: the
 * margins, the plot area, the axes and their mapping of seconds and MiB
 * to pixels, the band of span bars (bracket mode) or the rows of stacked
 * bars (flame mode).  plot_frame.c measures it; plot_picture.c draws in
 * it.
 */
#ifndef MEMPROF_PLOT_FRAME_H
#define MEMPROF_PLOT_FRAME_H

#include <stddef.h>

#include "plot_axis.h"
#include "plot_data.h"
#include "plot_scene.h"

/* Text sizes of the picture, in pixels. */
#define PLOT_FONT_TITLE 16
#define PLOT_FONT_AXIS 13
#define PLOT_FONT_TICK 12
#define PLOT_FONT_LEGEND 12
#define PLOT_FONT_SMALL 11

#define PLOT_LANE_H 18 /* a lane of the band */

/* A rectangle, for labels and what they must not cover. */
typedef struct plot_box {
    double x0;
    double y0;
    double x1;
    double y1;
} plot_box;

/* Where the parts of the picture go. */
typedef struct plot_frame {
    plot_scene *s; /* its size; where running out of memory is noted */
    const plot_data *d;
    const plot_opts *o;
    double left; /* the plot area */
    double right;
    double top;
    double bottom;
    double axis_y;    /* the time axis: bottom, or below the flame bars */
    double band_top;  /* bracket mode: the band of span bars */
    double flame_top; /* flame mode: the stacked bars */
    double row_h;
    int rows;
    int lanes;
    int *lane;       /* per span: its lane in the band */
    int *labelled;   /* per span: its label shown */
    double *label_x; /* per span: where its label starts */
    plot_axis xa;
    plot_axis ya;
    double xs;        /* pixels per second */
    double ys;        /* pixels per MiB */
    plot_box *placed; /* labels placed in the plot area so far (room for
                         one per curve and span; plot_picture.c fills it) */
    size_t nplaced;
} plot_frame;

/*
 * plot_frame_make() - measure the frame of the picture of d for o in
 * s->width x s->height pixels.  Returns 0, or -ENOMEM (s->oom set, F
 * freed).
 */
int plot_frame_make(plot_frame *F, plot_scene *s, const plot_data *d,
                    const plot_opts *o);

/* plot_frame_free() - free what plot_frame_make() made. */
void plot_frame_free(plot_frame *F);

/* plot_x(), plot_y() - the pixel of t seconds, of mib MiB. */
static inline double plot_x(const plot_frame *F, double t)
{
    return F->left + (t - F->xa.lo) * F->xs;
}

static inline double plot_y(const plot_frame *F, double mib)
{
    return F->bottom - (mib - F->ya.lo) * F->ys;
}

#endif /* MEMPROF_PLOT_FRAME_H */
