/*
 * plot_picture.c - the picture of memprof plot composed once, in pixels,
 * as a plot_scene that plot_svg.c and plot_png.c both draw.
 *
 * From top to bottom: the title; in bracket mode a band of labelled bars,
 * one per span, packed in lanes by nesting level (so that no label ever
 * lies on a curve); the plot area with its grid, the curves, trend lines,
 * brackets and peaks; in flame mode the stacked bars by level; the time
 * axis.  The legend stands to the right of the plot area, as in mprof.
 * plot_frame.c measures where each part goes; this file draws them.
 *
 * The plot area's group carries its mapping, so that a reader of the SVG
 * gets the samples back from the points: x = data-x0 + t * data-xscale,
 * y = data-y0 - MiB * data-yscale, t in seconds since the recording's
 * start (data-start on each curve, seconds since the Epoch).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_axis.h"
#include "plot_frame.h"
#include "plot_picture.h"
#include "plot_text.h"

#define TEXT_COLOR 0x222222
#define MUTED_COLOR 0x555555
#define AXIS_COLOR 0x444444
#define GRID_COLOR 0xE3E3E3
#define WHITE 0xFFFFFF

#define MAX_BRACKETS 100 /* more spans: the band only, not the brackets */
#define MARKER_GAP 7     /* pixels between samples for markers to show */

/* crisp() - x on a pixel's middle, so that 1-pixel lines stay sharp. */
static double crisp(double x)
{
    return floor(x) + 0.5;
}

/*
 * clip_segment() - Liang-Barsky: clip the segment (x1, y1)-(x2, y2) to b.
 * Returns whether some of it lies within b; the ends are moved in.
 */
static int clip_segment(double *x1, double *y1, double *x2, double *y2,
                        plot_box b)
{
    double dx = *x2 - *x1;
    double dy = *y2 - *y1;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {*x1 - b.x0, b.x1 - *x1, *y1 - b.y0, b.y1 - *y1};
    double u0 = 0;
    double u1 = 1;
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double u = q[i] / p[i];
        if (p[i] < 0 && u > u0)
            u0 = u;
        else if (p[i] > 0 && u < u1)
            u1 = u;
        if (u0 > u1)
            return 0;
    }
    double ox = *x1;
    double oy = *y1;
    *x1 = ox + u0 * dx;
    *y1 = oy + u0 * dy;
    *x2 = ox + u1 * dx;
    *y2 = oy + u1 * dy;
    return 1;
}

/* hits() - whether the segment meets b grown by margin. */
static int hits(double x1, double y1, double x2, double y2, plot_box b,
                double margin)
{
    plot_box g = {b.x0 - margin, b.y0 - margin, b.x1 + margin, b.y1 + margin};
    return clip_segment(&x1, &y1, &x2, &y2, g);
}

/* overlap() - whether two boxes meet. */
static int overlap(plot_box a, plot_box b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/* ---- drawing ---- */

/* draw_axes() - the grid, the axes, their ticks and titles. */
static void draw_axes(plot_frame *L)
{
    char buf[64];
    plot_scene_group(L->s, "axes", NULL);
    for (int k = 0;; k++) {
        double v = plot_axis_tick(&L->ya, k);
        if (v > L->ya.hi)
            break;
        double y = crisp(plot_y(L, v));
        plot_scene_line(L->s, L->left, y, L->right, y, GRID_COLOR, 1,
                        PLOT_SOLID);
        plot_scene_line(L->s, L->left - 5, y, L->left, y, AXIS_COLOR, 1,
                        PLOT_SOLID);
        plot_format_tick(buf, sizeof buf, &L->ya, v);
        plot_scene_text(L->s, L->left - 8, y + 4, buf, PLOT_FONT_TICK, PLOT_END,
                        TEXT_COLOR, 0);
    }
    for (int k = 0;; k++) {
        double v = plot_axis_tick(&L->xa, k);
        if (v > L->xa.hi)
            break;
        double x = crisp(plot_x(L, v));
        plot_scene_line(L->s, x, L->top, x, L->axis_y, GRID_COLOR, 1,
                        PLOT_SOLID);
        plot_scene_line(L->s, x, L->axis_y, x, L->axis_y + 5, AXIS_COLOR, 1,
                        PLOT_SOLID);
        plot_format_tick(buf, sizeof buf, &L->xa, v);
        plot_scene_text(L->s, x, L->axis_y + 19, buf, PLOT_FONT_TICK,
                        PLOT_MIDDLE, TEXT_COLOR, 0);
    }
    double x = crisp(L->left);
    plot_scene_line(L->s, x, L->top, x, crisp(L->axis_y), AXIS_COLOR, 1,
                    PLOT_SOLID);
    plot_scene_line(L->s, L->left, crisp(L->axis_y), L->right, crisp(L->axis_y),
                    AXIS_COLOR, 1, PLOT_SOLID);
    if (L->rows > 0)
        plot_scene_line(L->s, L->left, crisp(L->bottom), L->right,
                        crisp(L->bottom), AXIS_COLOR, 1, PLOT_SOLID);
    plot_prim *p =
        plot_scene_text(L->s, 18, (L->top + L->bottom) / 2, "Memory used (MiB)",
                        PLOT_FONT_AXIS, PLOT_MIDDLE, TEXT_COLOR, 0);
    if (p != NULL)
        p->vertical = 1;
    plot_scene_text(L->s, (L->left + L->right) / 2, L->s->height - 14,
                    "Time (seconds)", PLOT_FONT_AXIS, PLOT_MIDDLE, TEXT_COLOR,
                    0);
    plot_scene_group_end(L->s);
}

/* markers() - whether the samples of c are far enough apart for dots. */
static double markers(const plot_frame *L, const plot_series *c)
{
    if (c->nread < 2)
        return 3;
    double span = (c->thi - c->tlo) * L->xs;
    return span / (double)(c->nread - 1) >= MARKER_GAP ? 2.2 : 0;
}

/*
 * line_style() - a curve's line: solid for a recording, dashed for a
 * child, in the gaps of the dashes for one with another's very points.
 */
static int line_style(const plot_series *c)
{
    return c->same_as >= 0 ? PLOT_GAPS : c->dash ? PLOT_DASHED : PLOT_SOLID;
}

/* draw_series() - each curve, one point per sample. */
static void draw_series(plot_frame *L)
{
    const plot_data *d = L->d;
    plot_scene_group(
        L->s, "plot",
        plot_scene_format(
            L->s,
            " data-x0=\"%.6f\" data-xscale=\"%.6f\" data-y0=\"%.6f\""
            " data-yscale=\"%.6f\" data-left=\"%.2f\" data-top=\"%.2f\""
            " data-right=\"%.2f\" data-bottom=\"%.2f\"",
            plot_x(L, 0), L->xs, plot_y(L, 0), L->ys, L->left, L->top, L->right,
            L->bottom));
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        plot_prim *p = plot_scene_add(L->s, PLOT_POLYLINE);
        if (p == NULL)
            break;
        p->stroke = plot_palette[c->color];
        p->lw = c->pid != 0 ? 1.6 : 2;
        p->dash = line_style(c);
        p->marker = markers(L, c);
        p->pts = malloc(2 * c->n * sizeof *p->pts);
        if (p->pts == NULL) {
            L->s->oom = 1;
            break;
        }
        for (size_t k = 0; k < c->n; k++) {
            p->pts[2 * k] = plot_x(L, c->t[k]);
            p->pts[2 * k + 1] = plot_y(L, c->mib[k]);
        }
        p->npts = c->n;
        p->cls = plot_scene_format(L->s, "%s", c->pid != 0 ? "child" : "mem");
        p->attrs = plot_scene_format(
            L->s,
            " data-file=\"%d\" data-pid=\"%ld\" data-n=\"%zu\""
            " data-start=\"%.4f\"",
            c->file, c->pid, c->nread, d->files[c->file].start);
    }
}

/* slope_line() - the trend of c, clipped to the plot area, or 0. */
static int slope_line(const plot_frame *L, const plot_series *c, double *x1,
                      double *y1, double *x2, double *y2)
{
    if (c->n < 2)
        return 0;
    double t0 = c->t[0];
    double t1 = c->t[c->n - 1];
    *x1 = plot_x(L, t0);
    *y1 = plot_y(L, c->icept + c->slope * t0);
    *x2 = plot_x(L, t1);
    *y2 = plot_y(L, c->icept + c->slope * t1);
    plot_box area = {L->left, L->top, L->right, L->bottom};
    return clip_segment(x1, y1, x2, y2, area);
}

/* draw_slopes() - -s: each curve's trend line, dashed. */
static void draw_slopes(plot_frame *L)
{
    const plot_data *d = L->d;
    for (size_t i = 0; L->o->slope && i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        double x1, y1, x2, y2;
        if (!slope_line(L, c, &x1, &y1, &x2, &y2))
            continue;
        plot_prim *p = plot_scene_line(
            L->s, x1, y1, x2, y2, plot_palette[c->color], 1.4, PLOT_DOTTED);
        if (p == NULL)
            return;
        p->cls = plot_scene_format(L->s, "slope");
        p->attrs = plot_scene_format(L->s,
                                     " data-file=\"%d\" data-pid=\"%ld\" "
                                     "data-slope=\"%.6f\"",
                                     c->file, c->pid, c->slope);
    }
}

/* span_group() - start the group of span i, which tells what it is. */
static void span_group(plot_frame *L, size_t i)
{
    const plot_span *sp = &L->d->spans[i];
    char *name = plot_scene_escaped(L->s, sp->name);
    plot_scene_group(
        L->s, "func",
        plot_scene_format(
            L->s,
            " data-name=\"%s\" data-level=\"%d\" data-t0=\"%.4f\""
            " data-t1=\"%.4f\" data-mem0=\"%.4f\" data-mem1=\"%.4f\"",
            name != NULL ? name : "", sp->level, sp->t0, sp->t1, sp->mem0,
            sp->mem1));
    free(name);
}

/*
 * draw_brackets() - mprof's brackets: "[" at each span's entry and "]" at
 * its exit, on its readings, in its function's colour; and its bar in the
 * band above the plot area with its label.
 */
static void draw_brackets(plot_frame *L)
{
    const plot_data *d = L->d;
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        uint32_t color = plot_palette[d->funcs[sp->func].color];
        span_group(L, i);
        for (int end = 0; end < 2 && d->nspans <= MAX_BRACKETS; end++) {
            if (end ? sp->cut1 : sp->cut0)
                continue;
            double x = plot_x(L, end ? sp->t1 : sp->t0);
            double y = plot_y(L, end ? sp->mem1 : sp->mem0);
            double h = end ? -5 : 5;
            plot_prim *p = plot_scene_add(L->s, PLOT_POLYLINE);
            double *pts = malloc(8 * sizeof *pts);
            if (p == NULL || pts == NULL) {
                free(pts);
                L->s->oom = 1;
                return;
            }
            double v[8] = {x + h, y - 7, x, y - 7, x, y + 7, x + h, y + 7};
            memcpy(pts, v, sizeof v);
            p->pts = pts;
            p->npts = 4;
            p->stroke = color;
            p->lw = 2;
            p->cls = plot_scene_format(L->s, "bracket");
        }
        double x0 = plot_x(L, sp->t0);
        double x1 = fmax(plot_x(L, sp->t1), x0 + 2);
        double y = L->band_top + L->lane[i] * PLOT_LANE_H;
        double inset = x1 - x0 > 4 ? 1 : 0;
        plot_prim *bar =
            plot_scene_rect(L->s, x0 + inset, y + 11, x1 - x0 - 2 * inset, 5,
                            color, 1, PLOT_NONE);
        if (bar != NULL)
            bar->cls = plot_scene_format(L->s, "bar");
        char label[256];
        if (L->labelled[i])
            plot_scene_label(L->s, L->label_x[i], y + 9,
                             plot_span_label(d, i, label, sizeof label),
                             PLOT_FONT_SMALL, PLOT_START, TEXT_COLOR);
        plot_scene_group_end(L->s);
    }
}

/*
 * draw_flame() - -f: each span a bar from entry to exit in the row of its
 * level, level 0 at the bottom, under the plot area; its name inside it
 * when it fits.
 */
static void draw_flame(plot_frame *L)
{
    const plot_data *d = L->d;
    double bottom = L->flame_top + L->rows * L->row_h;
    char buf[16];
    plot_scene_group(L->s, "levels", NULL);
    for (int r = 0; r < L->rows && L->row_h >= 10; r++) {
        snprintf(buf, sizeof buf, "%d", r);
        plot_scene_text(L->s, L->left - 8,
                        bottom - r * L->row_h - L->row_h / 2 + 4, buf,
                        PLOT_FONT_SMALL, PLOT_END, MUTED_COLOR, 0);
    }
    plot_scene_group_end(L->s);
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        uint32_t color = plot_palette[d->funcs[sp->func].color];
        double x0 = plot_x(L, sp->t0);
        double w = fmax(plot_x(L, sp->t1) - x0, 1);
        double y = bottom - (sp->level + 1) * L->row_h;
        span_group(L, i);
        plot_prim *p = plot_scene_rect(L->s, x0, y + 1, w, L->row_h - 2, color,
                                       0.45, color);
        if (p != NULL)
            p->cls = plot_scene_format(L->s, "bar");
        plot_scene_group_end(L->s);
    }
    /* The names over every bar, so that no bar hides one; of spans of a
       level that overlap (children, threads), the first one's only. */
    plot_scene_group(L->s, "flame-labels", NULL);
    for (size_t i = 0; L->row_h >= 13 && i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        double x0 = plot_x(L, sp->t0);
        double w = plot_x(L, sp->t1) - x0;
        double y = bottom - (sp->level + 1) * L->row_h;
        if (w < 24)
            continue;
        char *fit =
            plot_text_fit(d->funcs[sp->func].label, PLOT_FONT_SMALL, 0, w - 8);
        if (fit == NULL) {
            L->s->oom = 1;
            break;
        }
        double tw = plot_text_width(fit, PLOT_FONT_SMALL, 0);
        plot_box b = {x0 + 4, y + 1, x0 + 4 + tw, y + L->row_h - 1};
        size_t k = 0;
        while (k < L->nplaced && !overlap(b, L->placed[k]))
            k++;
        if (fit[0] != '\0' && k == L->nplaced) {
            plot_scene_label(L->s, x0 + 4, y + L->row_h / 2 + 4, fit,
                             PLOT_FONT_SMALL, PLOT_START, TEXT_COLOR);
            L->placed[L->nplaced++] = b;
        }
        free(fit);
    }
    plot_scene_group_end(L->s);
}

/*
 * free_spot() - whether a label at b stays in the plot area and off every
 * curve, trend line, bracket and label placed before.
 */
static int free_spot(const plot_frame *L, plot_box b)
{
    const plot_data *d = L->d;
    if (b.x0 < L->left + 2 || b.x1 > L->right - 2 || b.y0 < L->top + 2 ||
        b.y1 > L->bottom - 2)
        return 0;
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        for (size_t k = 0; k < c->n; k++) {
            size_t j = k + 1 < c->n ? k + 1 : k;
            if (hits(plot_x(L, c->t[k]), plot_y(L, c->mib[k]),
                     plot_x(L, c->t[j]), plot_y(L, c->mib[j]), b, 3))
                return 0;
        }
        double x1, y1, x2, y2;
        if (L->o->slope && slope_line(L, c, &x1, &y1, &x2, &y2) &&
            hits(x1, y1, x2, y2, b, 2))
            return 0;
    }
    for (size_t i = 0;
         !L->o->flame && d->nspans <= MAX_BRACKETS && i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        plot_box b0 = {plot_x(L, sp->t0) - 1, plot_y(L, sp->mem0) - 8,
                       plot_x(L, sp->t0) + 6, plot_y(L, sp->mem0) + 8};
        plot_box b1 = {plot_x(L, sp->t1) - 6, plot_y(L, sp->mem1) - 8,
                       plot_x(L, sp->t1) + 1, plot_y(L, sp->mem1) + 8};
        if (overlap(b, b0) || overlap(b, b1))
            return 0;
    }
    for (size_t i = 0; i < L->nplaced; i++)
        if (overlap(b, L->placed[i]))
            return 0;
    return 1;
}

/*
 * draw_peaks() - a dot on each recording's largest reading, and "peak
 * 154.1 MiB" beside it where a free spot is found (the legend tells it
 * in any case).
 */
static void draw_peaks(plot_frame *L)
{
    const plot_data *d = L->d;
    char buf[64];
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        if (c->pid != 0)
            continue;
        double px = plot_x(L, c->t[c->peak]);
        double py = plot_y(L, c->mib[c->peak]);
        plot_prim *p = plot_scene_circle(L->s, px, py, 4.5,
                                         plot_palette[c->color], WHITE, 1.5);
        if (p != NULL) {
            p->cls = plot_scene_format(L->s, "peak");
            p->attrs =
                plot_scene_format(L->s, " data-t=\"%.4f\" data-mib=\"%.4f\"",
                                  c->t[c->peak], c->mib[c->peak]);
        }
        plot_format_peak(buf, sizeof buf, c->mib[c->peak]);
        double w = plot_text_width(buf, PLOT_FONT_LEGEND, 0);
        double h = PLOT_FONT_LEGEND;
        /* Above, above to the right, above to the left, right, left,
           below: the first free spot. */
        const double at[6][2] = {
            {px - w / 2, py - 10 - h}, {px + 4, py - 10 - h},
            {px - 4 - w, py - 10 - h}, {px + 9, py - h / 2},
            {px - 9 - w, py - h / 2},  {px - w / 2, py + 10}};
        for (int k = 0; k < 6; k++) {
            plot_box b = {at[k][0], at[k][1], at[k][0] + w, at[k][1] + h};
            if (!free_spot(L, b))
                continue;
            plot_scene_label(L->s, b.x0, b.y0 + 0.8 * h, buf, PLOT_FONT_LEGEND,
                             PLOT_START, TEXT_COLOR);
            L->placed[L->nplaced++] = b;
            break;
        }
    }
    plot_scene_group_end(L->s);
}

/* series_name() - a curve's name in the legend. */
static const char *series_name(const plot_data *d, const plot_series *c,
                               char *buf, size_t size)
{
    if (c->pid != 0) {
        snprintf(buf, size, "child %ld", c->pid);
        return buf;
    }
    const plot_file *f = &d->files[c->file];
    return f->cmdline != NULL && f->cmdline[0] != '\0' ? f->cmdline : f->path;
}

/* legend_text() - a line of the legend, shortened to fit. */
static plot_prim *legend_text(plot_frame *L, double x, double y,
                              const char *str, double size, uint32_t color,
                              int bold)
{
    char *fit = plot_text_fit(str, size, bold, L->s->width - x - 10);
    if (fit == NULL) {
        L->s->oom = 1;
        return NULL;
    }
    plot_prim *p =
        plot_scene_text(L->s, x, y, fit, size, PLOT_START, color, bold);
    free(fit);
    return p;
}

/* The most lines a curve's name takes in the legend. */
#define NAME_LINES 3

/*
 * legend_name() - a curve's name from (x, y) in at most NAME_LINES lines,
 * broken after a space or a path separator where it can
 * (plot_text_break), the last shortened to fit; when draw is 0 only
 * counted.  Returns the lines.
 */
static int legend_name(plot_frame *L, double x, double y, const char *str,
                       int draw)
{
    double width = L->s->width - x - 10;
    int lines = 1;
    for (; lines < NAME_LINES; lines++, y += 15) {
        size_t n = plot_text_break(str, PLOT_FONT_LEGEND, width);
        if (str[n] == '\0')
            break;
        if (draw) {
            char *line = strndup(str, n);
            if (line == NULL) {
                L->s->oom = 1;
                return lines;
            }
            size_t k = strlen(line);
            while (k > 0 && line[k - 1] == ' ')
                line[--k] = '\0';
            plot_scene_text(L->s, x, y, line, PLOT_FONT_LEGEND, PLOT_START,
                            TEXT_COLOR, 0);
            free(line);
        }
        str += n;
    }
    if (draw)
        legend_text(L, x, y, str, PLOT_FONT_LEGEND, TEXT_COLOR, 0);
    return lines;
}

/*
 * draw_legend() - right of the plot area: each curve with its name (the
 * command line or the child), peak and slope, and the curve it has the
 * very points of; then the functions with their colours, calls and
 * durations.  What does not fit is counted in a last line.
 */
static void draw_legend(plot_frame *L)
{
    const plot_data *d = L->d;
    double x = L->right + 24;
    double y = L->top + 8;
    double limit = L->s->height - 12;
    size_t left_out = 0;
    char buf[128];
    char name[32];
    plot_scene_group(L->s, "legend", NULL);
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        const char *what = series_name(d, c, name, sizeof name);
        int names = legend_name(L, x + 32, y, what, 0);
        int lines = names + 1 + (L->o->slope ? 1 : 0) +
                    (c->pid == 0 && d->nfiles > 1 ? 1 : 0) +
                    (c->same_as >= 0 ? 1 : 0);
        if (y + 16 * lines > limit) {
            left_out++;
            continue;
        }
        uint32_t color = plot_palette[c->color];
        plot_scene_line(L->s, x, y - 4, x + 24, y - 4, color,
                        c->pid != 0 ? 1.6 : 2, line_style(c));
        if (markers(L, c) > 0)
            plot_scene_circle(L->s, x + 12, y - 4, 2.5, color, PLOT_NONE, 1);
        legend_name(L, x + 32, y, what, 1);
        y += 15 * names + 1;
        if (c->pid == 0 && d->nfiles > 1) {
            legend_text(L, x + 32, y, d->files[c->file].path, PLOT_FONT_SMALL,
                        MUTED_COLOR, 0);
            y += 15;
        }
        plot_format_peak(buf, sizeof buf, c->mib[c->peak]);
        legend_text(L, x + 32, y, buf, PLOT_FONT_SMALL, MUTED_COLOR, 0);
        y += 15;
        if (c->same_as >= 0) {
            char *note = plot_twin_note(d, c);
            if (note == NULL)
                L->s->oom = 1;
            else
                legend_text(L, x + 32, y, note, PLOT_FONT_SMALL, MUTED_COLOR,
                            0);
            free(note);
            y += 15;
        }
        if (L->o->slope) {
            char slope[48];
            plot_format_slope(slope, sizeof slope, c->slope);
            snprintf(buf, sizeof buf, "slope %s", slope);
            plot_prim *p =
                legend_text(L, x + 32, y, buf, PLOT_FONT_SMALL, MUTED_COLOR, 0);
            if (p != NULL)
                p->cls = plot_scene_format(L->s, "slope-label");
            y += 15;
        }
        y += 10;
    }
    if (d->nfuncs > 0 && y + 36 <= limit) {
        y += 4;
        plot_scene_text(L->s, x, y, "Functions", PLOT_FONT_LEGEND, PLOT_START,
                        TEXT_COLOR, 1);
        y += 18;
    }
    for (size_t i = 0; i < d->nfuncs; i++) {
        const plot_func *f = &d->funcs[i];
        if (y + 30 > limit) {
            left_out += d->nfuncs - i;
            break;
        }
        plot_scene_rect(L->s, x, y - 9, 24, 8, plot_palette[f->color],
                        L->o->flame ? 0.6 : 1, PLOT_NONE);
        snprintf(buf, sizeof buf, " \xC3\x97%zu", f->count);
        char *all = plot_scene_format(L->s, "%s%s", f->name, buf);
        if (all != NULL)
            legend_text(L, x + 32, y, all, PLOT_FONT_SMALL, TEXT_COLOR, 0);
        free(all);
        plot_format_durations(buf, sizeof buf, f);
        plot_prim *p = legend_text(L, x + 32, y + 14, buf, PLOT_FONT_SMALL,
                                   MUTED_COLOR, 0);
        if (p != NULL)
            p->cls = plot_scene_format(L->s, "duration");
        y += 32;
    }
    if (left_out > 0) {
        snprintf(buf, sizeof buf, "\xE2\x80\xA6 and %zu more", left_out);
        plot_scene_text(L->s, x, fmin(y, limit) + 4, buf, PLOT_FONT_SMALL,
                        PLOT_START, MUTED_COLOR, 0);
    }
    plot_scene_group_end(L->s);
}

/* draw_title() - the title, centred, shortened to fit. */
static void draw_title(plot_frame *L)
{
    if (L->d->title == NULL)
        return;
    double W = L->s->width;
    char *fit = plot_text_fit(L->d->title, PLOT_FONT_TITLE, 1, W - 40);
    if (fit == NULL) {
        L->s->oom = 1;
        return;
    }
    plot_prim *p = plot_scene_text(L->s, W / 2, 26, fit, PLOT_FONT_TITLE,
                                   PLOT_MIDDLE, TEXT_COLOR, 1);
    if (p != NULL)
        p->cls = plot_scene_format(L->s, "title");
    free(fit);
}

/* scene_title() - the SVG's <title>: the title, or the files' names. */
static char *scene_title(const plot_data *d)
{
    if (d->title != NULL)
        return strdup(d->title);
    size_t n = sizeof "memory over time:";
    for (size_t i = 0; i < d->nfiles; i++)
        n += strlen(d->files[i].path) + 2;
    char *t = malloc(n);
    if (t == NULL)
        return NULL;
    strcpy(t, "memory over time:");
    for (size_t i = 0; i < d->nfiles; i++) {
        strcat(t, i > 0 ? ", " : " ");
        strcat(t, d->files[i].path);
    }
    return t;
}

/* plot_picture_build() - see plot_picture.h. */
int plot_picture_build(plot_scene *scene, const plot_data *d,
                       const plot_opts *o)
{
    plot_scene_init(scene, o->width, o->height);
    scene->title = scene_title(d);
    plot_frame L;
    if (scene->title == NULL || plot_frame_make(&L, scene, d, o) != 0) {
        plot_scene_free(scene);
        return -ENOMEM;
    }
    plot_scene_rect(scene, 0, 0, scene->width, scene->height, WHITE, 1,
                    PLOT_NONE);
    draw_axes(&L);
    draw_series(&L);
    draw_slopes(&L);
    if (o->flame)
        draw_flame(&L);
    else
        draw_brackets(&L);
    draw_peaks(&L);
    draw_legend(&L);
    draw_title(&L);
    plot_frame_free(&L);
    if (scene->oom) {
        plot_scene_free(scene);
        return -ENOMEM;
    }
    return 0;
}
