/*
 * plot_term.c - memprof plot --term: the picture in the terminal's cells,
 * for SSH sessions and CI logs.
 *
 *   - the title, centred over the chart;
 *   - the chart: each curve drawn with braille dots (2 x 4 per cell),
 *     each in its own colour and line style (solid, dashed, dotted,
 *     dash-dot) so that it reads without colour too; trend lines sparse;
 *     the peak labelled where there is room;
 *   - the axes: MiB on the left, seconds below;
 *   - the function spans as rows of labelled bars of box-drawing lines
 *     under the time axis: packed in lanes, or with -f one row per
 *     level, level 0 at the bottom;
 *   - the legend.
 *
 * Everything is UTF-8; colours are ANSI 256-colour codes, near the
 * Okabe-Ito palette, only when asked (plot.c decides).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_axis.h"
#include "plot_lanes.h"
#include "plot_term.h"
#include "plot_text.h"

#define MAX_LANES 6

/* The palette in the xterm 256 colours; black is the terminal's own. */
static const int ansi[PLOT_NCOLORS] = {32, 214, 36, 166, 175, 74, 227, -1};

/* Line styles: which dots of a line are drawn, by their count along it. */
enum { STYLE_SOLID, STYLE_DASHED, STYLE_DOTTED, STYLE_DASHDOT, STYLE_TREND };

/* One cell: a character, or braille dots, and a colour (or -1). */
typedef struct cell {
    uint32_t ch;
    unsigned char dots;
    short color;
} cell;

/* The picture being drawn, and where its parts are. */
typedef struct canvas {
    int w;
    int h;
    cell *c;
    int gutter;    /* the chart's first column */
    int cw;        /* the chart's columns */
    int ch;        /* the chart's rows */
    int chart_top; /* the chart's first row */
    plot_axis xa;
    plot_axis ya;
} canvas;

/* at() - the cell at (x, y), or NULL outside. */
static cell *at(canvas *cv, int x, int y)
{
    if (x < 0 || y < 0 || x >= cv->w || y >= cv->h)
        return NULL;
    return &cv->c[(size_t)y * (size_t)cv->w + (size_t)x];
}

/* put_char() - c at (x, y) in color. */
static void put_char(canvas *cv, int x, int y, uint32_t c, int color)
{
    cell *p = at(cv, x, y);
    if (p != NULL) {
        p->ch = c;
        p->dots = 0;
        p->color = (short)color;
    }
}

/* length() - the cells that s takes: one per code point. */
static int length(const char *s)
{
    int n = 0;
    while (plot_utf8_next(&s) != 0)
        n++;
    return n;
}

/*
 * put_text() - s from (x, y), at most max cells of it (then ending in
 * "…").  Returns the cells written.
 */
static int put_text(canvas *cv, int x, int y, const char *s, int max, int color)
{
    int n = length(s);
    int k = 0;
    uint32_t c;
    while (k < max && (c = plot_utf8_next(&s)) != 0) {
        if (n > max && k == max - 1)
            c = 0x2026;
        put_char(cv, x + k++, y, c, color);
    }
    return k;
}

/* free_cells() - whether cells x..x+n-1 of row y hold nothing. */
static int free_cells(canvas *cv, int x, int y, int n)
{
    for (int i = 0; i < n; i++) {
        cell *p = at(cv, x + i, y);
        if (p == NULL || p->ch != 0 || p->dots != 0)
            return 0;
    }
    return 1;
}

/* dot_x(), dot_y() - the braille dot of t seconds, of mib MiB. */
static int dot_x(const canvas *cv, double t)
{
    double f = (t - cv->xa.lo) / (cv->xa.hi - cv->xa.lo);
    return (int)lround(f * (2 * cv->cw - 1));
}

static int dot_y(const canvas *cv, double mib)
{
    double f = (cv->ya.hi - mib) / (cv->ya.hi - cv->ya.lo);
    return (int)lround(f * (4 * cv->ch - 1));
}

/* col() - the column of t seconds. */
static int col(const canvas *cv, double t)
{
    return cv->gutter + dot_x(cv, t) / 2;
}

/* style_on() - whether the k-th dot of a line of style is drawn. */
static int style_on(int style, int k)
{
    switch (style) {
    case STYLE_DASHED:
        return k % 6 < 4;
    case STYLE_DOTTED:
        return k % 2 == 0;
    case STYLE_DASHDOT:
        return k % 8 < 4 || k % 8 == 6;
    case STYLE_TREND:
        return k % 4 == 0;
    default:
        return 1;
    }
}

/* set_dot() - the braille dot (x, y) of the chart, in color. */
static void set_dot(canvas *cv, int x, int y, int color)
{
    static const unsigned char bit[4][2] = {
        {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    if (x < 0 || y < 0 || x >= 2 * cv->cw || y >= 4 * cv->ch)
        return;
    cell *p = at(cv, cv->gutter + x / 2, cv->chart_top + y / 4);
    if (p == NULL || p->ch != 0)
        return;
    p->dots |= bit[y % 4][x % 2];
    p->color = (short)color;
}

/*
 * dots_line() - Bresenham from (x0, y0) to (x1, y1) in style, the dot
 * count going on from *k; the first dot left out when skip_first.
 */
static void dots_line(canvas *cv, int x0, int y0, int x1, int y1, int style,
                      int color, int *k, int skip_first)
{
    int dx = abs(x1 - x0);
    int dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1;
    int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (int first = 1;; first = 0) {
        if (!(first && skip_first)) {
            if (style_on(style, *k))
                set_dot(cv, x0, y0, color);
            (*k)++;
        }
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

/* series_style() - a curve's line style: by its place, so each differs. */
static int series_style(size_t i)
{
    return (int)(i % 4);
}

/* color_of() - a palette index as an ANSI colour, or -1 without colour. */
static int color_of(const plot_opts *o, int palette)
{
    return o->color == PLOT_COLOR_ALWAYS ? ansi[palette] : -1;
}

/*
 * make_axes() - the axes and the chart's place: the memory axis with
 * ticks at least two rows apart, the gutter for its labels, the time
 * axis with labels two columns apart.
 */
static void make_axes(canvas *cv, const plot_data *d, const plot_opts *o)
{
    double lo = d->ymin;
    double hi = d->ymax;
    if (lo >= 0 && lo <= 0.5 * (hi - lo))
        lo = 0;
    double min_step = 0;
    for (int tries = 0; tries < 12; tries++) {
        plot_axis_make(&cv->ya, lo, hi, cv->ch * 2 / 5 < 2 ? 2 : cv->ch * 2 / 5,
                       0, min_step);
        if (d->ymin >= 0 && cv->ya.lo < 0)
            cv->ya.lo = 0;
        double rows = cv->ya.step / (cv->ya.hi - cv->ya.lo) * cv->ch;
        if (rows >= 2)
            break;
        min_step = cv->ya.step * 1.001;
    }
    int yw = 0;
    char buf[64];
    for (int k = 0;; k++) {
        double v = plot_axis_tick(&cv->ya, k);
        if (v > cv->ya.hi)
            break;
        plot_format_tick(buf, sizeof buf, &cv->ya, v);
        int n = (int)strlen(buf);
        yw = n > yw ? n : yw;
    }
    cv->gutter = yw + 2;
    cv->cw = cv->w - cv->gutter - 2;
    min_step = 0;
    for (int tries = 0; tries < 12; tries++) {
        plot_axis_make(&cv->xa, d->tmin, d->tmax, cv->cw / 10, o->window,
                       min_step);
        int xw = 0;
        for (int k = 0;; k++) {
            double v = plot_axis_tick(&cv->xa, k);
            if (v > cv->xa.hi)
                break;
            plot_format_tick(buf, sizeof buf, &cv->xa, v);
            int n = (int)strlen(buf);
            xw = n > xw ? n : xw;
        }
        double cols = cv->xa.step / (cv->xa.hi - cv->xa.lo) * cv->cw;
        if (cols >= xw + 2)
            break;
        min_step = cv->xa.step * 1.001;
    }
}

/* draw_axes() - tick labels, the axis lines, "MiB" and "s". */
static void draw_axes(canvas *cv)
{
    char buf[64];
    int top = cv->chart_top;
    int axis = top + cv->ch;
    put_text(cv, 0, top - 1, "MiB", 3, -1);
    for (int y = top; y < axis; y++)
        put_char(cv, cv->gutter - 1, y, 0x2502, -1);
    for (int k = 0;; k++) {
        double v = plot_axis_tick(&cv->ya, k);
        if (v > cv->ya.hi)
            break;
        int y = top + dot_y(cv, v) / 4;
        plot_format_tick(buf, sizeof buf, &cv->ya, v);
        int n = (int)strlen(buf);
        put_text(cv, cv->gutter - 2 - n, y, buf, n, -1);
        put_char(cv, cv->gutter - 1, y, 0x2524, -1);
    }
    put_char(cv, cv->gutter - 1, axis, 0x2514, -1);
    for (int x = 0; x < cv->cw; x++)
        put_char(cv, cv->gutter + x, axis, 0x2500, -1);
    put_text(cv, cv->gutter + cv->cw + 1, axis, "s", 1, -1);
    int next = 0; /* the first column free for a label */
    for (int k = 0;; k++) {
        double v = plot_axis_tick(&cv->xa, k);
        if (v > cv->xa.hi)
            break;
        int x = col(cv, v);
        put_char(cv, x, axis, 0x252C, -1);
        plot_format_tick(buf, sizeof buf, &cv->xa, v);
        int n = (int)strlen(buf);
        int start = x - n / 2;
        start = start < next ? next : start;
        start = start + n > cv->w ? cv->w - n : start;
        put_text(cv, start, axis + 1, buf, n, -1);
        next = start + n + 1;
    }
}

/* draw_curves() - trend lines, then each curve over them. */
static void draw_curves(canvas *cv, const plot_data *d, const plot_opts *o)
{
    for (size_t i = 0; o->slope && i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        if (c->n < 2)
            continue;
        double t0 = c->t[0];
        double t1 = c->t[c->n - 1];
        int k = 0;
        dots_line(cv, dot_x(cv, t0), dot_y(cv, c->icept + c->slope * t0),
                  dot_x(cv, t1), dot_y(cv, c->icept + c->slope * t1),
                  STYLE_TREND, color_of(o, c->color), &k, 0);
    }
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        int k = 0;
        int px = dot_x(cv, c->t[0]);
        int py = dot_y(cv, c->mib[0]);
        dots_line(cv, px, py, px, py, STYLE_SOLID, color_of(o, c->color), &k,
                  0);
        for (size_t j = 1; j < c->n; j++) {
            int x = dot_x(cv, c->t[j]);
            int y = dot_y(cv, c->mib[j]);
            dots_line(cv, px, py, x, y, series_style(i), color_of(o, c->color),
                      &k, 1);
            px = x;
            py = y;
        }
    }
}

/*
 * draw_peaks() - "peak 154.1 MiB" by each recording's largest reading:
 * above it, beside it or below it, wherever the cells are free.
 */
static void draw_peaks(canvas *cv, const plot_data *d)
{
    char buf[64];
    for (size_t i = 0; i < d->nseries; i++) {
        const plot_series *c = &d->series[i];
        if (c->pid != 0)
            continue;
        plot_format_peak(buf, sizeof buf, c->mib[c->peak]);
        int n = (int)strlen(buf);
        int x = col(cv, c->t[c->peak]);
        int y = cv->chart_top + dot_y(cv, c->mib[c->peak]) / 4;
        int lo = cv->gutter;
        int hi = cv->gutter + cv->cw - n;
        int mid = x - n / 2 < lo ? lo : x - n / 2 > hi ? hi : x - n / 2;
        const int spot[4][2] = {
            {mid, y - 1}, {x + 2, y}, {x - 1 - n, y}, {mid, y + 1}};
        for (int k = 0; k < 4; k++) {
            int sx = spot[k][0];
            int sy = spot[k][1];
            if (sx < lo || sx > hi || sy < cv->chart_top ||
                sy >= cv->chart_top + cv->ch)
                continue;
            if (!free_cells(cv, sx - 1, sy, n + 2))
                continue;
            put_text(cv, sx, sy, buf, n, -1);
            break;
        }
    }
}

/* draw_bar() - a span's bar over columns c0..c1 of row y: "├────┤". */
static void draw_bar(canvas *cv, int c0, int c1, int y, int color)
{
    if (c1 == c0) {
        put_char(cv, c0, y, 0x2502, color);
    } else {
        put_char(cv, c0, y, 0x251C, color);
        for (int x = c0 + 1; x < c1; x++)
            put_char(cv, x, y, 0x2500, color);
        put_char(cv, c1, y, 0x2524, color);
    }
}

/*
 * draw_label() - the label of the bars over columns c0..c1 of row y (a
 * span's, or a run's): inside, "├─name─┤", when it fits, else after
 * them.
 */
static void draw_label(canvas *cv, int c0, int c1, int y, const char *name,
                       int color)
{
    int n = length(name);
    if (n <= c1 - c0 - 1)
        put_text(cv, c0 + 1, y, name, n, color);
    else if (c1 + 2 + n <= cv->w)
        put_text(cv, c1 + 2, y, name, n, color);
}

/*
 * bar_cols() - the columns of a span's bar: those its time covers, so
 * that a span that starts where another ends starts a column after it.
 */
static void bar_cols(const canvas *cv, const plot_span *sp, int *c0, int *c1)
{
    double w = cv->xa.hi - cv->xa.lo;
    int a = (int)lround((sp->t0 - cv->xa.lo) / w * cv->cw);
    int b = (int)lround((sp->t1 - cv->xa.lo) / w * cv->cw) - 1;
    a = a < 0 ? 0 : a >= cv->cw ? cv->cw - 1 : a;
    b = b < a ? a : b >= cv->cw ? cv->cw - 1 : b;
    *c0 = cv->gutter + a;
    *c1 = cv->gutter + b;
}

/*
 * run_end() - *end = the last column of span i's bars: of the run's last
 * span when it leads a run (plot_span.run), else of its own.
 */
static void run_end(const canvas *cv, const plot_data *d, size_t i, int *end)
{
    const plot_span *sp = &d->spans[i];
    int c0;
    bar_cols(cv, sp->run > 1 ? sp + sp->run - 1 : sp, &c0, end);
}

/*
 * span_rows() - how many rows the spans take (-ENOMEM when out of
 * memory), and, when lane and labelled are not NULL, each span's row and
 * whether its label shows: packed in lanes as in the SVG's band, outer
 * levels above; or with -f one row per level, level 0 at the bottom.
 */
static int span_rows(const canvas *cv, const plot_data *d, const plot_opts *o,
                     int *lane, int *labelled)
{
    if (d->nspans == 0)
        return 0;
    if (o->flame) {
        for (size_t i = 0; lane != NULL && i < d->nspans; i++) {
            lane[i] = d->maxlevel - d->spans[i].level;
            labelled[i] = 1;
        }
        return d->maxlevel + 1;
    }
    plot_slot *slots = calloc(d->nspans, sizeof *slots);
    int *own_lane = lane != NULL ? NULL : calloc(d->nspans, sizeof *lane);
    int *own_labelled =
        lane != NULL ? NULL : calloc(d->nspans, sizeof *labelled);
    if (lane == NULL) {
        lane = own_lane;
        labelled = own_labelled;
    }
    int lanes = -1;
    if (slots != NULL && lane != NULL && labelled != NULL) {
        char label[256];
        for (size_t i = 0; i < d->nspans; i++) {
            const plot_span *sp = &d->spans[i];
            int c0;
            int c1;
            int end;
            bar_cols(cv, sp, &c0, &c1);
            run_end(cv, d, i, &end);
            int n = length(plot_span_label(d, i, label, sizeof label));
            /* Inside the bars when it fits, else after them and a space. */
            int l1 = n <= end - c0 - 1 ? end + 1 : end + 2 + n + 1;
            plot_slot sl = {c0,        c1 + 1,      c0, l1 > cv->w ? 1e9 : l1,
                            sp->level, sp->run == 0};
            slots[i] = sl;
        }
        lanes = plot_pack(slots, d->nspans, MAX_LANES, 0, lane, labelled);
    }
    free(slots);
    free(own_lane);
    free(own_labelled);
    return lanes;
}

/* draw_spans() - the spans' rows from row top. */
static int draw_spans(canvas *cv, const plot_data *d, const plot_opts *o,
                      int top)
{
    int *lane = calloc(d->nspans + 1, sizeof *lane);
    int *labelled = calloc(d->nspans + 1, sizeof *labelled);
    if (lane == NULL || labelled == NULL) {
        free(lane);
        free(labelled);
        return -ENOMEM;
    }
    int rows = span_rows(cv, d, o, lane, labelled);
    if (rows < 0) {
        free(lane);
        free(labelled);
        return -ENOMEM;
    }
    for (int r = 0; o->flame && r < rows; r++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", rows - 1 - r);
        int n = (int)strlen(buf);
        put_text(cv, cv->gutter - 2 - n, top + r, buf, n, -1);
    }
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *sp = &d->spans[i];
        const plot_func *f = &d->funcs[sp->func];
        int c0;
        int c1;
        bar_cols(cv, sp, &c0, &c1);
        int color = color_of(o, f->color);
        draw_bar(cv, c0, c1, top + lane[i], color);
        /* Flame rows: the label inside only, shortened to fit. */
        if (o->flame && c1 - c0 - 1 >= 2)
            put_text(cv, c0 + 1, top + lane[i], f->label, c1 - c0 - 1, color);
    }
    /* The band's labels over every bar, so that a run's bars that
       follow do not cover its label. */
    char label[256];
    for (size_t i = 0; !o->flame && i < d->nspans; i++) {
        int c0;
        int c1;
        int end;
        if (!labelled[i])
            continue;
        bar_cols(cv, &d->spans[i], &c0, &c1);
        run_end(cv, d, i, &end);
        draw_label(cv, c0, end, top + lane[i],
                   plot_span_label(d, i, label, sizeof label),
                   color_of(o, d->funcs[d->spans[i].func].color));
    }
    free(lane);
    free(labelled);
    return 0;
}

/* swatch() - a curve's line style in n cells from (x, y), or a bar. */
static void swatch(canvas *cv, int x, int y, int style, int color)
{
    for (int i = 0; i < 4; i++) {
        unsigned char dots = 0;
        if (style_on(style, 2 * i))
            dots |= 0x02;
        if (style_on(style, 2 * i + 1))
            dots |= 0x10;
        cell *p = at(cv, x + i, y);
        if (p != NULL) {
            p->ch = 0;
            p->dots = dots != 0 ? dots : 0;
            p->color = (short)color;
            if (dots == 0)
                p->ch = ' ';
        }
    }
}

/*
 * func_tail() - what follows a function's name in the legend: " ×3,
 * 1.600s total, longest 0.080s".  Returns its length in columns.
 */
static int func_tail(const plot_func *f, char *buf, size_t size)
{
    char dur[96];
    plot_format_durations(dur, sizeof dur, f);
    snprintf(buf, size, " \xC3\x97%zu, %s", f->count, dur);
    return length(buf);
}

/* legend_rows() - the rows the legend takes at width w. */
static int legend_rows(const plot_data *d, int w)
{
    int rows = (int)d->nseries;
    int x = w;
    char tail[128];
    for (size_t i = 0; i < d->nfuncs; i++) {
        const plot_func *f = &d->funcs[i];
        int n = 2 + 1 + length(f->name) + func_tail(f, tail, sizeof tail) + 2;
        if (x + n > w) {
            rows++;
            x = 0;
        }
        x += n;
    }
    return rows;
}

/* draw_legend() - a row per curve, then the functions, from row top. */
static void draw_legend(canvas *cv, const plot_data *d, const plot_opts *o,
                        int top)
{
    char tail[128];
    char name[32];
    int y = top;
    for (size_t i = 0; i < d->nseries; i++, y++) {
        const plot_series *c = &d->series[i];
        swatch(cv, 0, y, series_style(i), color_of(o, c->color));
        const char *label = name;
        if (c->pid != 0)
            snprintf(name, sizeof name, "child %ld", c->pid);
        else if (d->files[c->file].cmdline != NULL)
            label = d->files[c->file].cmdline;
        else
            label = d->files[c->file].path;
        char peak[48];
        plot_format_peak(peak, sizeof peak, c->mib[c->peak]);
        int n = snprintf(tail, sizeof tail, "  %s", peak);
        if (o->slope) {
            char s[48];
            plot_format_slope(s, sizeof s, c->slope);
            snprintf(tail + n, sizeof tail - (size_t)n, "  slope %s", s);
        }
        char *note = plot_twin_note(d, c);
        int room = cv->w - 5 - length(tail) - (note ? 2 + length(note) : 0);
        int k = put_text(cv, 5, y, label, room < 8 ? 8 : room, -1);
        k += put_text(cv, 5 + k, y, tail, cv->w - 5 - k, -1);
        if (note != NULL) {
            k += put_text(cv, 5 + k, y, "  ", cv->w - 5 - k, -1);
            put_text(cv, 5 + k, y, note, cv->w - 5 - k, -1);
        }
        free(note);
    }
    int x = cv->w;
    y--;
    for (size_t i = 0; i < d->nfuncs; i++) {
        const plot_func *f = &d->funcs[i];
        int n = 2 + 1 + length(f->name) + func_tail(f, tail, sizeof tail) + 2;
        if (x + n > cv->w) {
            y++;
            x = 0;
        }
        put_char(cv, x, y, 0x2501, color_of(o, f->color));
        put_char(cv, x + 1, y, 0x2501, color_of(o, f->color));
        int k = put_text(cv, x + 3, y, f->name, cv->w - x - 3, -1);
        put_text(cv, x + 3 + k, y, tail, cv->w - x - 3 - k, -1);
        x += n;
    }
}

/* emit() - the canvas to f, row by row, colours as SGR codes. */
static void emit(const canvas *cv, FILE *f)
{
    for (int y = 0; y < cv->h; y++) {
        int last = cv->w - 1;
        while (last >= 0) {
            const cell *p = &cv->c[(size_t)y * (size_t)cv->w + (size_t)last];
            if ((p->ch != 0 && p->ch != ' ') || p->dots != 0)
                break;
            last--;
        }
        int color = -1;
        for (int x = 0; x <= last; x++) {
            const cell *p = &cv->c[(size_t)y * (size_t)cv->w + (size_t)x];
            int want = p->ch == 0 && p->dots == 0 ? color : p->color;
            if (want != color) {
                if (want < 0)
                    fputs("\033[0m", f);
                else
                    fprintf(f, "\033[38;5;%dm", want);
                color = want;
            }
            char buf[4];
            uint32_t c = p->ch != 0     ? p->ch
                         : p->dots != 0 ? 0x2800u + p->dots
                                        : ' ';
            fwrite(buf, 1, (size_t)plot_utf8_put(buf, c), f);
        }
        if (color >= 0)
            fputs("\033[0m", f);
        fputc('\n', f);
    }
}

/* plot_term_write() - see plot_term.h. */
int plot_term_write(const plot_data *d, const plot_opts *o, FILE *f)
{
    canvas cv;
    memset(&cv, 0, sizeof cv);
    cv.w = o->columns;
    cv.ch = o->rows;
    make_axes(&cv, d, o);
    int title = d->title != NULL;
    cv.chart_top = title + 1;
    int spans = span_rows(&cv, d, o, NULL, NULL);
    if (spans < 0)
        return -ENOMEM;
    int spans_top = cv.chart_top + cv.ch + 2;
    int legend_top = spans_top + spans + (spans > 0);
    cv.h = legend_top + legend_rows(d, cv.w);
    cv.c = calloc((size_t)cv.w * (size_t)cv.h, sizeof *cv.c);
    if (cv.c == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < (size_t)cv.w * (size_t)cv.h; i++)
        cv.c[i].color = -1;
    if (title) {
        int n = length(d->title);
        int x = cv.gutter + (cv.cw - n) / 2;
        x = x < 0 ? 0 : x;
        put_text(&cv, x, 0, d->title, cv.w - x, -1);
    }
    draw_axes(&cv);
    draw_curves(&cv, d, o);
    draw_peaks(&cv, d);
    if (spans > 0 && draw_spans(&cv, d, o, spans_top) != 0) {
        free(cv.c);
        return -ENOMEM;
    }
    draw_legend(&cv, d, o, legend_top);
    emit(&cv, f);
    free(cv.c);
    return 0;
}
