/*
 * plot_frame.c - the frame of memprof plot's picture measured in pixels:
 * the title's height, the legend's width, the memory axis (its labels set
 * the left margin), the time axis (its labels set the step), the band of
 * span bars packed in lanes above the plot area or the rows of flame bars
 * below it, and the mapping of seconds and MiB to pixels.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_frame.h"
#include "plot_lanes.h"
#include "plot_text.h"

#define MAX_LANES 8

/* y_range() - the memory axis's range: from 0 when 0 is near. */
static void y_range(const plot_data *d, double *lo, double *hi)
{
    *lo = d->ymin;
    *hi = d->ymax;
    if (*lo >= 0 && *lo <= 0.5 * (*hi - *lo))
        *lo = 0;
}

/* y_axis() - the memory axis for a plot area ph pixels high. */
static void y_axis(plot_frame *L, double ph)
{
    double lo;
    double hi;
    y_range(L->d, &lo, &hi);
    int ticks = (int)(ph / 50);
    plot_axis_make(&L->ya, lo, hi, ticks < 3 ? 3 : ticks, 0, 0);
    if (L->d->ymin >= 0 && L->ya.lo < 0)
        L->ya.lo = 0;
}

/* widest_tick() - the widest label of axis a, in pixels. */
static double widest_tick(const plot_axis *a, double size)
{
    double w = 0;
    for (int k = 0; k < 1000; k++) {
        double v = plot_axis_tick(a, k);
        if (v > a->hi)
            break;
        char buf[64];
        plot_format_tick(buf, sizeof buf, a, v);
        double tw = plot_text_width(buf, size, 0);
        w = tw > w ? tw : w;
    }
    return w;
}

/* x_axis() - the time axis over the plot area's width, labels apart. */
static void x_axis(plot_frame *L)
{
    const plot_data *d = L->d;
    double pw = L->right - L->left;
    int ticks = (int)(pw / 100);
    double min_step = 0;
    for (int tries = 0; tries < 12; tries++) {
        plot_axis_make(&L->xa, d->tmin, d->tmax, ticks < 2 ? 2 : ticks,
                       L->o->window, min_step);
        L->xs = pw / (L->xa.hi - L->xa.lo);
        double need = widest_tick(&L->xa, PLOT_FONT_TICK) + 16;
        if (L->xa.step * L->xs >= need)
            break;
        min_step = L->xa.step * 1.001;
    }
}

/*
 * pack_band() - bracket mode: each span's lane in the band and whether
 * its label shows (plot_pack); bars may touch, as each is drawn a pixel
 * short at both ends, and labels keep 8 pixels from what follows.  A run
 * of calls (plot_span.run) keeps to one lane, labelled once.
 */
static void pack_band(plot_frame *L)
{
    const plot_data *d = L->d;
    plot_slot *slots = calloc(d->nspans + 1, sizeof *slots);
    if (slots == NULL) {
        L->s->oom = 1;
        return;
    }
    char label[256];
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        double x0 = plot_x(L, sp->t0);
        double x1 = fmax(plot_x(L, sp->t1), x0 + 2);
        /* A run's label stands once, at its start, over the run. */
        double end = sp->run > 1 ? plot_x(L, sp[sp->run - 1].t1) : x1;
        const char *text = plot_span_label(d, i, label, sizeof label);
        double tw = plot_text_width(text, PLOT_FONT_SMALL, 0);
        double tx = x0 + tw > L->right ? fmax(L->left, L->right - tw) : x0;
        plot_slot sl = {x0,           x1,
                        fmin(x0, tx), fmax(end, tx + tw + 8),
                        sp->level,    sp->run == 0};
        slots[i] = sl;
        L->label_x[i] = tx;
    }
    L->lanes = plot_pack(slots, d->nspans, MAX_LANES, 1, L->lane, L->labelled);
    free(slots);
}

/*
 * measure() - the margins, the axes and the mapping.  Two passes: the
 * memory axis's labels set the left margin, which sets the time axis,
 * which sets the band, which sets the plot area's height and so the
 * memory axis.
 */
static void measure(plot_frame *L)
{
    const plot_data *d = L->d;
    const plot_opts *o = L->o;
    double W = L->s->width;
    double H = L->s->height;
    double title_h = d->title != NULL ? 38 : 14;
    double legend_w = fmin(fmax(W * 0.24, 170), 300);
    double bottom_margin = 58;
    L->rows = o->flame && d->nspans > 0 ? d->maxlevel + 1 : 0;
    double flame_h = 0;
    if (L->rows > 0) {
        double room = 0.35 * (H - title_h - bottom_margin);
        L->row_h = fmin(18, room / L->rows);
        L->row_h = fmax(L->row_h, 3);
        flame_h = L->rows * L->row_h + 10;
    }
    double left = 70;
    L->right = W - legend_w - 24;
    for (int pass = 0; pass < 2; pass++) {
        L->left = left;
        x_axis(L);
        L->lanes = 0;
        if (!o->flame && d->nspans > 0)
            pack_band(L);
        double band_h = L->lanes > 0 ? L->lanes * PLOT_LANE_H + 8 : 0;
        L->band_top = title_h;
        L->top = title_h + band_h + 8;
        L->bottom = H - bottom_margin - flame_h;
        L->axis_y = H - bottom_margin;
        L->flame_top = L->bottom + 10;
        y_axis(L, L->bottom - L->top);
        L->ys = (L->bottom - L->top) / (L->ya.hi - L->ya.lo);
        /* Room above the highest peak for its label. */
        for (int k = 0; k < 3 && plot_y(L, d->ymax) - L->top < 26; k++) {
            L->ya.hi += L->ya.step;
            L->ys = (L->bottom - L->top) / (L->ya.hi - L->ya.lo);
        }
        double need = 26 + 8 + widest_tick(&L->ya, PLOT_FONT_TICK) + 10;
        if (need <= left)
            break;
        left = need;
    }
}

/* plot_frame_make() - see plot_frame.h. */
int plot_frame_make(plot_frame *F, plot_scene *s, const plot_data *d,
                    const plot_opts *o)
{
    memset(F, 0, sizeof *F);
    F->s = s;
    F->d = d;
    F->o = o;
    size_t n = d->nspans + 1;
    F->lane = calloc(n, sizeof *F->lane);
    F->labelled = calloc(n, sizeof *F->labelled);
    F->label_x = calloc(n, sizeof *F->label_x);
    F->placed = calloc(d->nseries + d->nspans + 1, sizeof *F->placed);
    if (F->lane == NULL || F->labelled == NULL || F->label_x == NULL ||
        F->placed == NULL)
        s->oom = 1;
    if (!s->oom)
        measure(F);
    if (s->oom) {
        plot_frame_free(F);
        return -ENOMEM;
    }
    return 0;
}

/* plot_frame_free() - see plot_frame.h. */
void plot_frame_free(plot_frame *F)
{
    free(F->lane);
    free(F->labelled);
    free(F->label_x);
    free(F->placed);
    F->lane = NULL;
    F->labelled = NULL;
    F->label_x = NULL;
    F->placed = NULL;
}
