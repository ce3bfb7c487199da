/*
 * plot_scene.c - the picture of memprof plot laid out once, in pixels, as
 * a list of primitives that plot_svg.c and plot_png.c both draw.
 *
 * From top to bottom: the title; in bracket mode a band of labelled bars,
 * one per span, packed in lanes by nesting level (so that no label ever
 * lies on a curve); the plot area with its grid, the curves, trend lines,
 * brackets and peaks; in flame mode the stacked bars by level; the time
 * axis.  The legend stands to the right of the plot area, as in mprof.
 *
 * The plot area's group carries its mapping, so that a reader of the SVG
 * gets the samples back from the points: x = data-x0 + t * data-xscale,
 * y = data-y0 - MiB * data-yscale, t in seconds since the recording's
 * start (data-start on each curve, seconds since the Epoch).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define TEXT_COLOR 0x222222
#define MUTED_COLOR 0x555555
#define AXIS_COLOR 0x444444
#define GRID_COLOR 0xE3E3E3
#define WHITE 0xFFFFFF

#define FONT_TITLE 16
#define FONT_AXIS 13
#define FONT_TICK 12
#define FONT_LEGEND 12
#define FONT_SMALL 11

#define LANE_H 18 /* a lane of the band */
#define MAX_LANES 8
#define MAX_BRACKETS 100 /* more spans: the band only, not the brackets */
#define MARKER_GAP 7     /* pixels between samples for markers to show */

/*
 * Advance widths of DejaVu Sans (the font cairo finds, and the first the
 * SVG asks for), in thousandths of an em, for ' ' to '~'.  Other fonts
 * that the SVG may fall back to are narrower, so estimates err wide.
 */
static const unsigned short advance[95] = {
    318, 401, 460, 838, 636,  950, 780, 275, 390, 390, 500, 838, 318, 361,
    318, 337, 636, 636, 636,  636, 636, 636, 636, 636, 636, 636, 337, 337,
    838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
    295, 656, 557, 863, 748,  787, 603, 787, 695, 635, 611, 732, 684, 989,
    685, 611, 685, 390, 337,  390, 838, 500, 500, 613, 635, 550, 635, 615,
    352, 635, 634, 278, 278,  579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592,  592, 525, 636, 337, 636, 838};

/* A rectangle, for labels and what they must not cover. */
typedef struct box {
    double x0;
    double y0;
    double x1;
    double y1;
} box;

/* What the layout works with. */
typedef struct layout {
    plot_scene *s;
    const plot_data *d;
    const plot_opts *o;
    int oom;
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
    double xs;   /* pixels per second */
    double ys;   /* pixels per MiB */
    box *placed; /* labels placed in the plot area */
    size_t nplaced;
} layout;

/* plot_text_width() - see plot.h. */
double plot_text_width(const char *text, double size, int bold)
{
    double w = 0;
    const char *p = text;
    uint32_t c;
    while ((c = plot_utf8_next(&p)) != 0) {
        if (c >= 32 && c < 127)
            w += advance[c - 32];
        else if (c >= 0x1100 &&
                 (c <= 0x115F || (c >= 0x2E80 && c <= 0xA4CF) ||
                  (c >= 0xAC00 && c <= 0xD7A3) ||
                  (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFF60)))
            w += 1000;
        else
            w += 700;
    }
    return w / 1000 * size * (bold ? 1.09 : 1);
}

/*
 * fit_text() - text, or its longest start that fits in width pixels with
 * "…" after it; "" when not even that fits.  malloc'd, NULL when out of
 * memory.
 */
static char *fit_text(const char *text, double size, int bold, double width)
{
    size_t len = strlen(text);
    char *out = malloc(len + 4);
    if (out == NULL)
        return NULL;
    if (plot_text_width(text, size, bold) <= width) {
        memcpy(out, text, len + 1);
        return out;
    }
    double ell = plot_text_width("\xE2\x80\xA6", size, bold);
    double w = 0;
    const char *p = text;
    const char *end = text;
    uint32_t c;
    while ((c = plot_utf8_next(&p)) != 0) {
        char one[5] = {0};
        plot_utf8_put(one, c);
        w += plot_text_width(one, size, bold);
        if (w + ell > width)
            break;
        end = p;
    }
    /* No lone "…", nor one after a single character. */
    size_t keep = (size_t)(end - text);
    if (keep == 0 || (keep == 1 && len > 1)) {
        out[0] = '\0';
        return out;
    }
    while (keep > 0 && text[keep - 1] == ' ')
        keep--;
    memcpy(out, text, keep);
    memcpy(out + keep, "\xE2\x80\xA6", 4);
    return out;
}

/* ---- primitives ---- */

/* add() - a new primitive of kind, with no stroke and no fill. */
static plot_prim *add(layout *L, int kind)
{
    plot_scene *s = L->s;
    if (L->oom)
        return NULL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        plot_prim *p = realloc(s->prims, cap * sizeof *p);
        if (p == NULL) {
            L->oom = 1;
            return NULL;
        }
        s->prims = p;
        s->cap = cap;
    }
    plot_prim *p = &s->prims[s->n++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->stroke = PLOT_NONE;
    p->fill = PLOT_NONE;
    p->opacity = 1;
    p->lw = 1;
    return p;
}

/* format() - a malloc'd printf, or NULL (L->oom set). */
static char *format(layout *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *format(layout *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (out == NULL) {
        L->oom = 1;
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* escaped() - s escaped for an XML attribute, malloc'd, or NULL. */
static char *escaped(layout *L, const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p != '\0'; p++)
        n += *p == '&'                 ? 5
             : *p == '"' || *p == '\'' ? 6
             : *p == '<'               ? 4
             : *p == '>'               ? 4
                                       : 1;
    char *out = malloc(n + 1);
    if (out == NULL) {
        L->oom = 1;
        return NULL;
    }
    char *o = out;
    for (const char *p = s; *p != '\0'; p++) {
        const char *rep = *p == '&'    ? "&amp;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&apos;"
                          : *p == '<'  ? "&lt;"
                          : *p == '>'  ? "&gt;"
                                       : NULL;
        if (rep != NULL) {
            size_t k = strlen(rep);
            memcpy(o, rep, k);
            o += k;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* line() - a line from (x1, y1) to (x2, y2). */
static plot_prim *line(layout *L, double x1, double y1, double x2, double y2,
                       uint32_t color, double lw, int dash)
{
    plot_prim *p = add(L, PLOT_LINE);
    if (p != NULL) {
        p->x = x1;
        p->y = y1;
        p->x2 = x2;
        p->y2 = y2;
        p->stroke = color;
        p->lw = lw;
        p->dash = dash;
    }
    return p;
}

/* rect() - a rectangle filled with fill at opacity, or outlined. */
static plot_prim *rect(layout *L, double x, double y, double w, double h,
                       uint32_t fill, double opacity, uint32_t stroke)
{
    plot_prim *p = add(L, PLOT_RECT);
    if (p != NULL) {
        p->x = x;
        p->y = y;
        p->x2 = w;
        p->y2 = h;
        p->fill = fill;
        p->opacity = opacity;
        p->stroke = stroke;
    }
    return p;
}

/* circle() - a dot. */
static plot_prim *circle(layout *L, double x, double y, double r, uint32_t fill,
                         uint32_t stroke, double lw)
{
    plot_prim *p = add(L, PLOT_CIRCLE);
    if (p != NULL) {
        p->x = x;
        p->y = y;
        p->x2 = r;
        p->fill = fill;
        p->stroke = stroke;
        p->lw = lw;
    }
    return p;
}

/* text() - str at (x, y), its baseline; str is copied. */
static plot_prim *text(layout *L, double x, double y, const char *str,
                       double size, int anchor, uint32_t color, int bold)
{
    char *copy = strdup(str);
    plot_prim *p = copy != NULL ? add(L, PLOT_TEXT) : NULL;
    if (p == NULL) {
        free(copy);
        L->oom = 1;
        return NULL;
    }
    p->x = x;
    p->y = y;
    p->text = copy;
    p->size = size;
    p->anchor = anchor;
    p->fill = color;
    p->bold = bold;
    return p;
}

/* text_box() - where a text primitive's glyphs lie, about. */
static box text_box(const plot_prim *p)
{
    double w = plot_text_width(p->text, p->size, p->bold);
    double x0 = p->anchor == PLOT_MIDDLE ? p->x - w / 2
                : p->anchor == PLOT_END  ? p->x - w
                                         : p->x;
    box b = {x0, p->y - 0.8 * p->size, x0 + w, p->y + 0.22 * p->size};
    return b;
}

/*
 * label() - text() that tells its box in a data-box attribute, for the
 * tests that check that labels stay off the curves.
 */
static plot_prim *label(layout *L, double x, double y, const char *str,
                        double size, int anchor, uint32_t color)
{
    plot_prim *p = text(L, x, y, str, size, anchor, color, 0);
    if (p == NULL)
        return NULL;
    box b = text_box(p);
    p->cls = format(L, "label");
    p->attrs = format(L, " data-box=\"%.2f %.2f %.2f %.2f\"", b.x0, b.y0,
                      b.x1 - b.x0, b.y1 - b.y0);
    return p;
}

/* group() - start a group of class cls with attributes attrs (owned). */
static void group(layout *L, const char *cls, char *attrs)
{
    plot_prim *p = add(L, PLOT_GROUP);
    if (p == NULL) {
        free(attrs);
        return;
    }
    p->cls = format(L, "%s", cls);
    p->attrs = attrs;
}

/* group_end() - end the innermost group. */
static void group_end(layout *L)
{
    add(L, PLOT_GROUP_END);
}

/* crisp() - x on a pixel's middle, so that 1-pixel lines stay sharp. */
static double crisp(double x)
{
    return floor(x) + 0.5;
}

/* ---- geometry ---- */

/* X(), Y() - the pixel of t seconds and of mib MiB. */
static double X(const layout *L, double t)
{
    return L->left + (t - L->xa.lo) * L->xs;
}

static double Y(const layout *L, double mib)
{
    return L->bottom - (mib - L->ya.lo) * L->ys;
}

/*
 * clip_segment() - Liang-Barsky: clip the segment (x1, y1)-(x2, y2) to b.
 * Returns whether some of it lies within b; the ends are moved in.
 */
static int clip_segment(double *x1, double *y1, double *x2, double *y2, box b)
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
static int hits(double x1, double y1, double x2, double y2, box b,
                double margin)
{
    box g = {b.x0 - margin, b.y0 - margin, b.x1 + margin, b.y1 + margin};
    return clip_segment(&x1, &y1, &x2, &y2, g);
}

/* overlap() - whether two boxes meet. */
static int overlap(box a, box b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/* ---- layout ---- */

/* y_range() - the memory axis's range: from 0 when 0 is near. */
static void y_range(const plot_data *d, double *lo, double *hi)
{
    *lo = d->ymin;
    *hi = d->ymax;
    if (*lo >= 0 && *lo <= 0.5 * (*hi - *lo))
        *lo = 0;
}

/* y_axis() - the memory axis for a plot area ph pixels high. */
static void y_axis(layout *L, double ph)
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
static void x_axis(layout *L)
{
    const plot_data *d = L->d;
    double pw = L->right - L->left;
    int ticks = (int)(pw / 100);
    double min_step = 0;
    for (int tries = 0; tries < 12; tries++) {
        plot_axis_make(&L->xa, d->tmin, d->tmax, ticks < 2 ? 2 : ticks,
                       L->o->window, min_step);
        L->xs = pw / (L->xa.hi - L->xa.lo);
        double need = widest_tick(&L->xa, FONT_TICK) + 16;
        if (L->xa.step * L->xs >= need)
            break;
        min_step = L->xa.step * 1.001;
    }
}

/*
 * pack_band() - bracket mode: each span's lane in the band and whether
 * its label shows (plot_pack); bars may touch, as each is drawn a pixel
 * short at both ends, and labels keep 8 pixels from what follows.
 */
static void pack_band(layout *L)
{
    const plot_data *d = L->d;
    plot_slot *slots = calloc(d->nspans + 1, sizeof *slots);
    if (slots == NULL) {
        L->oom = 1;
        return;
    }
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        double x0 = X(L, sp->t0);
        double x1 = fmax(X(L, sp->t1), x0 + 2);
        double tw = plot_text_width(d->funcs[sp->func].label, FONT_SMALL, 0);
        double tx = x0 + tw > L->right ? fmax(L->left, L->right - tw) : x0;
        plot_slot sl = {x0, x1, fmin(x0, tx), fmax(x1, tx + tw + 8), sp->level};
        slots[i] = sl;
        L->label_x[i] = tx;
    }
    L->lanes = plot_pack(slots, d->nspans, MAX_LANES, 1, L->lane, L->labelled);
    free(slots);
}

/*
 * frame() - the margins, the axes and the mapping.  Two passes: the
 * memory axis's labels set the left margin, which sets the time axis,
 * which sets the band, which sets the plot area's height and so the
 * memory axis.
 */
static void frame(layout *L)
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
        double band_h = L->lanes > 0 ? L->lanes * LANE_H + 8 : 0;
        L->band_top = title_h;
        L->top = title_h + band_h + 8;
        L->bottom = H - bottom_margin - flame_h;
        L->axis_y = H - bottom_margin;
        L->flame_top = L->bottom + 10;
        y_axis(L, L->bottom - L->top);
        L->ys = (L->bottom - L->top) / (L->ya.hi - L->ya.lo);
        /* Room above the highest peak for its label. */
        for (int k = 0; k < 3 && Y(L, d->ymax) - L->top < 26; k++) {
            L->ya.hi += L->ya.step;
            L->ys = (L->bottom - L->top) / (L->ya.hi - L->ya.lo);
        }
        double need = 26 + 8 + widest_tick(&L->ya, FONT_TICK) + 10;
        if (need <= left)
            break;
        left = need;
    }
}

/* ---- drawing ---- */

/* draw_axes() - the grid, the axes, their ticks and titles. */
static void draw_axes(layout *L)
{
    char buf[64];
    group(L, "axes", NULL);
    for (int k = 0;; k++) {
        double v = plot_axis_tick(&L->ya, k);
        if (v > L->ya.hi)
            break;
        double y = crisp(Y(L, v));
        line(L, L->left, y, L->right, y, GRID_COLOR, 1, PLOT_SOLID);
        line(L, L->left - 5, y, L->left, y, AXIS_COLOR, 1, PLOT_SOLID);
        plot_format_tick(buf, sizeof buf, &L->ya, v);
        text(L, L->left - 8, y + 4, buf, FONT_TICK, PLOT_END, TEXT_COLOR, 0);
    }
    for (int k = 0;; k++) {
        double v = plot_axis_tick(&L->xa, k);
        if (v > L->xa.hi)
            break;
        double x = crisp(X(L, v));
        line(L, x, L->top, x, L->axis_y, GRID_COLOR, 1, PLOT_SOLID);
        line(L, x, L->axis_y, x, L->axis_y + 5, AXIS_COLOR, 1, PLOT_SOLID);
        plot_format_tick(buf, sizeof buf, &L->xa, v);
        text(L, x, L->axis_y + 19, buf, FONT_TICK, PLOT_MIDDLE, TEXT_COLOR, 0);
    }
    double x = crisp(L->left);
    line(L, x, L->top, x, crisp(L->axis_y), AXIS_COLOR, 1, PLOT_SOLID);
    line(L, L->left, crisp(L->axis_y), L->right, crisp(L->axis_y), AXIS_COLOR,
         1, PLOT_SOLID);
    if (L->rows > 0)
        line(L, L->left, crisp(L->bottom), L->right, crisp(L->bottom),
             AXIS_COLOR, 1, PLOT_SOLID);
    plot_prim *p = text(L, 18, (L->top + L->bottom) / 2, "Memory used (MiB)",
                        FONT_AXIS, PLOT_MIDDLE, TEXT_COLOR, 0);
    if (p != NULL)
        p->vertical = 1;
    text(L, (L->left + L->right) / 2, L->s->height - 14, "Time (seconds)",
         FONT_AXIS, PLOT_MIDDLE, TEXT_COLOR, 0);
    group_end(L);
}

/* markers() - whether the samples of c are far enough apart for dots. */
static double markers(const layout *L, const plot_series *c)
{
    if (c->n < 2)
        return 3;
    double span = (c->t[c->n - 1] - c->t[0]) * L->xs;
    return span / (double)(c->n - 1) >= MARKER_GAP ? 2.2 : 0;
}

/* draw_series() - each curve, one point per sample. */
static void draw_series(layout *L)
{
    const plot_data *d = L->d;
    group(L, "plot",
          format(L,
                 " data-x0=\"%.6f\" data-xscale=\"%.6f\" data-y0=\"%.6f\""
                 " data-yscale=\"%.6f\" data-left=\"%.2f\" data-top=\"%.2f\""
                 " data-right=\"%.2f\" data-bottom=\"%.2f\"",
                 X(L, 0), L->xs, Y(L, 0), L->ys, L->left, L->top, L->right,
                 L->bottom));
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        plot_prim *p = add(L, PLOT_POLYLINE);
        if (p == NULL)
            break;
        p->stroke = plot_palette[c->color];
        p->lw = c->pid != 0 ? 1.6 : 2;
        p->dash = c->dash ? PLOT_DASHED : PLOT_SOLID;
        p->marker = markers(L, c);
        p->pts = malloc(2 * c->n * sizeof *p->pts);
        if (p->pts == NULL) {
            L->oom = 1;
            break;
        }
        for (size_t k = 0; k < c->n; k++) {
            p->pts[2 * k] = X(L, c->t[k]);
            p->pts[2 * k + 1] = Y(L, c->mib[k]);
        }
        p->npts = c->n;
        p->cls = format(L, "%s", c->pid != 0 ? "child" : "mem");
        p->attrs = format(L,
                          " data-file=\"%d\" data-pid=\"%ld\" data-n=\"%zu\""
                          " data-start=\"%.4f\"",
                          c->file, c->pid, c->n, d->files[c->file].start);
    }
}

/* slope_line() - the trend of c, clipped to the plot area, or 0. */
static int slope_line(const layout *L, const plot_series *c, double *x1,
                      double *y1, double *x2, double *y2)
{
    if (c->n < 2)
        return 0;
    double t0 = c->t[0];
    double t1 = c->t[c->n - 1];
    *x1 = X(L, t0);
    *y1 = Y(L, c->icept + c->slope * t0);
    *x2 = X(L, t1);
    *y2 = Y(L, c->icept + c->slope * t1);
    box area = {L->left, L->top, L->right, L->bottom};
    return clip_segment(x1, y1, x2, y2, area);
}

/* draw_slopes() - -s: each curve's trend line, dashed. */
static void draw_slopes(layout *L)
{
    const plot_data *d = L->d;
    for (size_t i = 0; L->o->slope && i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        double x1, y1, x2, y2;
        if (!slope_line(L, c, &x1, &y1, &x2, &y2))
            continue;
        plot_prim *p =
            line(L, x1, y1, x2, y2, plot_palette[c->color], 1.4, PLOT_DOTTED);
        if (p == NULL)
            return;
        p->cls = format(L, "slope");
        p->attrs = format(L,
                          " data-file=\"%d\" data-pid=\"%ld\" "
                          "data-slope=\"%.6f\"",
                          c->file, c->pid, c->slope);
    }
}

/* span_group() - start the group of span i, which tells what it is. */
static void span_group(layout *L, size_t i)
{
    const plot_span *sp = &L->d->spans[i];
    char *name = escaped(L, sp->name);
    group(L, "func",
          format(L,
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
static void draw_brackets(layout *L)
{
    const plot_data *d = L->d;
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        uint32_t color = plot_palette[d->funcs[sp->func].color];
        span_group(L, i);
        for (int end = 0; end < 2 && d->nspans <= MAX_BRACKETS; end++) {
            if (end ? sp->cut1 : sp->cut0)
                continue;
            double x = X(L, end ? sp->t1 : sp->t0);
            double y = Y(L, end ? sp->mem1 : sp->mem0);
            double h = end ? -5 : 5;
            plot_prim *p = add(L, PLOT_POLYLINE);
            double *pts = malloc(8 * sizeof *pts);
            if (p == NULL || pts == NULL) {
                free(pts);
                L->oom = 1;
                return;
            }
            double v[8] = {x + h, y - 7, x, y - 7, x, y + 7, x + h, y + 7};
            memcpy(pts, v, sizeof v);
            p->pts = pts;
            p->npts = 4;
            p->stroke = color;
            p->lw = 2;
            p->cls = format(L, "bracket");
        }
        double x0 = X(L, sp->t0);
        double x1 = fmax(X(L, sp->t1), x0 + 2);
        double y = L->band_top + L->lane[i] * LANE_H;
        double inset = x1 - x0 > 4 ? 1 : 0;
        plot_prim *bar = rect(L, x0 + inset, y + 11, x1 - x0 - 2 * inset, 5,
                              color, 1, PLOT_NONE);
        if (bar != NULL)
            bar->cls = format(L, "bar");
        if (L->labelled[i])
            label(L, L->label_x[i], y + 9, d->funcs[sp->func].label, FONT_SMALL,
                  PLOT_START, TEXT_COLOR);
        group_end(L);
    }
}

/*
 * draw_flame() - -f: each span a bar from entry to exit in the row of its
 * level, level 0 at the bottom, under the plot area; its name inside it
 * when it fits.
 */
static void draw_flame(layout *L)
{
    const plot_data *d = L->d;
    double bottom = L->flame_top + L->rows * L->row_h;
    char buf[16];
    group(L, "levels", NULL);
    for (int r = 0; r < L->rows && L->row_h >= 10; r++) {
        snprintf(buf, sizeof buf, "%d", r);
        text(L, L->left - 8, bottom - r * L->row_h - L->row_h / 2 + 4, buf,
             FONT_SMALL, PLOT_END, MUTED_COLOR, 0);
    }
    group_end(L);
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        uint32_t color = plot_palette[d->funcs[sp->func].color];
        double x0 = X(L, sp->t0);
        double w = fmax(X(L, sp->t1) - x0, 1);
        double y = bottom - (sp->level + 1) * L->row_h;
        span_group(L, i);
        plot_prim *p = rect(L, x0, y + 1, w, L->row_h - 2, color, 0.45, color);
        if (p != NULL)
            p->cls = format(L, "bar");
        group_end(L);
    }
    /* The names over every bar, so that no bar hides one; of spans of a
       level that overlap (children, threads), the first one's only. */
    group(L, "flame-labels", NULL);
    for (size_t i = 0; L->row_h >= 13 && i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        double x0 = X(L, sp->t0);
        double w = X(L, sp->t1) - x0;
        double y = bottom - (sp->level + 1) * L->row_h;
        if (w < 24)
            continue;
        char *fit = fit_text(d->funcs[sp->func].label, FONT_SMALL, 0, w - 8);
        if (fit == NULL) {
            L->oom = 1;
            break;
        }
        double tw = plot_text_width(fit, FONT_SMALL, 0);
        box b = {x0 + 4, y + 1, x0 + 4 + tw, y + L->row_h - 1};
        size_t k = 0;
        while (k < L->nplaced && !overlap(b, L->placed[k]))
            k++;
        if (fit[0] != '\0' && k == L->nplaced) {
            label(L, x0 + 4, y + L->row_h / 2 + 4, fit, FONT_SMALL, PLOT_START,
                  TEXT_COLOR);
            L->placed[L->nplaced++] = b;
        }
        free(fit);
    }
    group_end(L);
}

/*
 * free_spot() - whether a label at b stays in the plot area and off every
 * curve, trend line, bracket and label placed before.
 */
static int free_spot(const layout *L, box b)
{
    const plot_data *d = L->d;
    if (b.x0 < L->left + 2 || b.x1 > L->right - 2 || b.y0 < L->top + 2 ||
        b.y1 > L->bottom - 2)
        return 0;
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        for (size_t k = 0; k < c->n; k++) {
            size_t j = k + 1 < c->n ? k + 1 : k;
            if (hits(X(L, c->t[k]), Y(L, c->mib[k]), X(L, c->t[j]),
                     Y(L, c->mib[j]), b, 3))
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
        box b0 = {X(L, sp->t0) - 1, Y(L, sp->mem0) - 8, X(L, sp->t0) + 6,
                  Y(L, sp->mem0) + 8};
        box b1 = {X(L, sp->t1) - 6, Y(L, sp->mem1) - 8, X(L, sp->t1) + 1,
                  Y(L, sp->mem1) + 8};
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
static void draw_peaks(layout *L)
{
    const plot_data *d = L->d;
    char buf[64];
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        if (c->pid != 0)
            continue;
        double px = X(L, c->t[c->peak]);
        double py = Y(L, c->mib[c->peak]);
        plot_prim *p =
            circle(L, px, py, 4.5, plot_palette[c->color], WHITE, 1.5);
        if (p != NULL) {
            p->cls = format(L, "peak");
            p->attrs = format(L, " data-t=\"%.4f\" data-mib=\"%.4f\"",
                              c->t[c->peak], c->mib[c->peak]);
        }
        plot_format_peak(buf, sizeof buf, c->mib[c->peak]);
        double w = plot_text_width(buf, FONT_LEGEND, 0);
        double h = FONT_LEGEND;
        /* Above, above to the right, above to the left, right, left,
           below: the first free spot. */
        const double at[6][2] = {
            {px - w / 2, py - 10 - h}, {px + 4, py - 10 - h},
            {px - 4 - w, py - 10 - h}, {px + 9, py - h / 2},
            {px - 9 - w, py - h / 2},  {px - w / 2, py + 10}};
        for (int k = 0; k < 6; k++) {
            box b = {at[k][0], at[k][1], at[k][0] + w, at[k][1] + h};
            if (!free_spot(L, b))
                continue;
            label(L, b.x0, b.y0 + 0.8 * h, buf, FONT_LEGEND, PLOT_START,
                  TEXT_COLOR);
            L->placed[L->nplaced++] = b;
            break;
        }
    }
    group_end(L);
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
static plot_prim *legend_text(layout *L, double x, double y, const char *str,
                              double size, uint32_t color, int bold)
{
    char *fit = fit_text(str, size, bold, L->s->width - x - 10);
    if (fit == NULL) {
        L->oom = 1;
        return NULL;
    }
    plot_prim *p = text(L, x, y, fit, size, PLOT_START, color, bold);
    free(fit);
    return p;
}

/*
 * break_at() - how many bytes of text start a line of at most width
 * pixels: up to the last space that fits, or as many characters as fit
 * when no space does (at least one character).
 */
static size_t break_at(const char *text, double size, double width)
{
    double w = 0;
    const char *p = text;
    size_t fit = 0;
    size_t space = 0;
    uint32_t c;
    while ((c = plot_utf8_next(&p)) != 0) {
        char one[5] = {0};
        plot_utf8_put(one, c);
        w += plot_text_width(one, size, 0);
        if (w > width)
            break;
        fit = (size_t)(p - text);
        if (c == ' ')
            space = fit;
    }
    if (*p == '\0' && w <= width)
        return fit;
    if (space > 0)
        return space;
    return fit > 0 ? fit : (size_t)(p - text);
}

/*
 * legend_name() - a curve's name from (x, y) in at most two lines, broken
 * at a space where it can, the second shortened to fit; when draw is 0
 * only counted.  Returns the lines.
 */
static int legend_name(layout *L, double x, double y, const char *str, int draw)
{
    double width = L->s->width - x - 10;
    size_t n = break_at(str, FONT_LEGEND, width);
    if (str[n] == '\0') {
        if (draw)
            legend_text(L, x, y, str, FONT_LEGEND, TEXT_COLOR, 0);
        return 1;
    }
    if (draw) {
        char *first = strndup(str, n);
        if (first == NULL) {
            L->oom = 1;
            return 2;
        }
        size_t k = strlen(first);
        while (k > 0 && first[k - 1] == ' ')
            first[--k] = '\0';
        text(L, x, y, first, FONT_LEGEND, PLOT_START, TEXT_COLOR, 0);
        legend_text(L, x, y + 15, str + n, FONT_LEGEND, TEXT_COLOR, 0);
        free(first);
    }
    return 2;
}

/*
 * draw_legend() - right of the plot area: each curve with its name (the
 * command line or the child), peak and slope; then the functions with
 * their colours.  What does not fit is counted in a last line.
 */
static void draw_legend(layout *L)
{
    const plot_data *d = L->d;
    double x = L->right + 24;
    double y = L->top + 8;
    double limit = L->s->height - 12;
    size_t left_out = 0;
    char buf[128];
    char name[32];
    group(L, "legend", NULL);
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        const char *what = series_name(d, c, name, sizeof name);
        int names = legend_name(L, x + 32, y, what, 0);
        int lines = names + 1 + (L->o->slope ? 1 : 0) +
                    (c->pid == 0 && d->nfiles > 1 ? 1 : 0);
        if (y + 16 * lines > limit) {
            left_out++;
            continue;
        }
        uint32_t color = plot_palette[c->color];
        line(L, x, y - 4, x + 24, y - 4, color, c->pid != 0 ? 1.6 : 2,
             c->dash ? PLOT_DASHED : PLOT_SOLID);
        if (markers(L, c) > 0)
            circle(L, x + 12, y - 4, 2.5, color, PLOT_NONE, 1);
        legend_name(L, x + 32, y, what, 1);
        y += 15 * names + 1;
        if (c->pid == 0 && d->nfiles > 1) {
            legend_text(L, x + 32, y, d->files[c->file].path, FONT_SMALL,
                        MUTED_COLOR, 0);
            y += 15;
        }
        plot_format_peak(buf, sizeof buf, c->mib[c->peak]);
        legend_text(L, x + 32, y, buf, FONT_SMALL, MUTED_COLOR, 0);
        y += 15;
        if (L->o->slope) {
            char slope[48];
            plot_format_slope(slope, sizeof slope, c->slope);
            snprintf(buf, sizeof buf, "slope %s", slope);
            plot_prim *p =
                legend_text(L, x + 32, y, buf, FONT_SMALL, MUTED_COLOR, 0);
            if (p != NULL)
                p->cls = format(L, "slope-label");
            y += 15;
        }
        y += 10;
    }
    if (d->nfuncs > 0 && y + 36 <= limit) {
        y += 4;
        text(L, x, y, "Functions", FONT_LEGEND, PLOT_START, TEXT_COLOR, 1);
        y += 18;
    }
    for (size_t i = 0; i < d->nfuncs; i++) {
        if (y + 16 > limit) {
            left_out += d->nfuncs - i;
            break;
        }
        rect(L, x, y - 9, 24, 8, plot_palette[d->funcs[i].color],
             L->o->flame ? 0.6 : 1, PLOT_NONE);
        snprintf(buf, sizeof buf, " \xC3\x97%zu", d->funcs[i].count);
        char *all = format(L, "%s%s", d->funcs[i].name, buf);
        if (all != NULL)
            legend_text(L, x + 32, y, all, FONT_SMALL, TEXT_COLOR, 0);
        free(all);
        y += 16;
    }
    if (left_out > 0) {
        snprintf(buf, sizeof buf, "\xE2\x80\xA6 and %zu more", left_out);
        text(L, x, fmin(y, limit) + 4, buf, FONT_SMALL, PLOT_START, MUTED_COLOR,
             0);
    }
    group_end(L);
}

/* draw_title() - the title, centred, shortened to fit. */
static void draw_title(layout *L)
{
    if (L->d->title == NULL)
        return;
    double W = L->s->width;
    char *fit = fit_text(L->d->title, FONT_TITLE, 1, W - 40);
    if (fit == NULL) {
        L->oom = 1;
        return;
    }
    plot_prim *p =
        text(L, W / 2, 26, fit, FONT_TITLE, PLOT_MIDDLE, TEXT_COLOR, 1);
    if (p != NULL)
        p->cls = format(L, "title");
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

/* plot_scene_build() - see plot.h. */
int plot_scene_build(plot_scene *scene, const plot_data *d, const plot_opts *o)
{
    memset(scene, 0, sizeof *scene);
    scene->width = o->width;
    scene->height = o->height;
    layout L;
    memset(&L, 0, sizeof L);
    L.s = scene;
    L.d = d;
    L.o = o;
    size_t n = d->nspans + 1;
    L.lane = calloc(n, sizeof *L.lane);
    L.labelled = calloc(n, sizeof *L.labelled);
    L.label_x = calloc(n, sizeof *L.label_x);
    L.placed = calloc(d->nseries + d->nspans + 1, sizeof *L.placed);
    scene->title = scene_title(d);
    L.oom = L.lane == NULL || L.labelled == NULL || L.label_x == NULL ||
            L.placed == NULL || scene->title == NULL;
    if (!L.oom) {
        frame(&L);
        rect(&L, 0, 0, scene->width, scene->height, WHITE, 1, PLOT_NONE);
        draw_axes(&L);
        draw_series(&L);
        draw_slopes(&L);
        if (L.o->flame)
            draw_flame(&L);
        else
            draw_brackets(&L);
        draw_peaks(&L);
        draw_legend(&L);
        draw_title(&L);
    }
    free(L.lane);
    free(L.labelled);
    free(L.label_x);
    free(L.placed);
    if (L.oom) {
        plot_scene_free(scene);
        return -ENOMEM;
    }
    return 0;
}

/* plot_scene_free() - see plot.h. */
void plot_scene_free(plot_scene *scene)
{
    for (size_t i = 0; i < scene->n; i++) {
        free(scene->prims[i].pts);
        free(scene->prims[i].text);
        free(scene->prims[i].cls);
        free(scene->prims[i].attrs);
    }
    free(scene->prims);
    free(scene->title);
    memset(scene, 0, sizeof *scene);
}
