/*
 * plot_data.c - memprof plot's recordings read into a plot_data: each
 * .dat file's readings as curves (its own and its children's) within the
 * window, with peaks and trends; one recording's FUNC lines as spans with
 * mprof's short labels; a colour for each; the extents of what is drawn.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base.h"
#include "plot_data.h"
#include "plot_read.h"
#include "plot_text.h"

/* The Okabe-Ito palette, safe for colour-blind readers: 0xRRGGBB. */
const uint32_t plot_palette[PLOT_NCOLORS] = {
    0x0072B2, /* blue */
    0xE69F00, /* orange */
    0x009E73, /* bluish green */
    0xD55E00, /* vermillion */
    0xCC79A7, /* reddish purple */
    0x56B4E9, /* sky blue */
    0xF0E442, /* yellow */
    0x000000, /* black */
};

/* plot_span_label() - see plot_data.h. */
const char *plot_span_label(const plot_data *d, size_t i, char *buf,
                            size_t size)
{
    const plot_span *sp = &d->spans[i];
    const char *label = d->funcs[sp->func].label;
    if (sp->run <= 1)
        return label;
    int n = snprintf(buf, size, "%s \xC3\x97%d", label, sp->run);
    /* Never cut inside a character: too long, the label alone. */
    return n >= 0 && (size_t)n < size ? buf : label;
}

/* plot_format_durations() - see plot_data.h. */
void plot_format_durations(char *buf, size_t size, const plot_func *f)
{
    if (f->count > 1)
        snprintf(buf, size, "%.3fs total, longest %.3fs", f->total, f->longest);
    else
        snprintf(buf, size, "%.3fs", f->total);
}

/* plot_twin_note() - see plot_data.h. */
char *plot_twin_note(const plot_data *d, const plot_series *c)
{
    if (c->same_as < 0)
        return NULL;
    const plot_series *e = &d->series[c->same_as];
    char *path = plot_text_clean(d->files[e->file].path);
    if (path == NULL)
        return NULL;
    size_t size = strlen(path) + 64;
    char *note = malloc(size);
    if (note != NULL && e->pid == 0)
        snprintf(note, size, "same as %s", path);
    else if (note != NULL && e->file != c->file)
        snprintf(note, size, "same as child %ld of %s", e->pid, path);
    else if (note != NULL)
        snprintf(note, size, "same as child %ld", e->pid);
    free(path);
    return note;
}

/*
 * find_twins() - plot_series.same_as: each curve with the very points of
 * an earlier one (as reduced for drawing, and as many readings) names
 * the first such.
 */
static void find_twins(plot_data *d)
{
    for (size_t i = 0; i < d->nseries; i++) {
        plot_series *c = &d->series[i];
        c->same_as = -1;
        for (size_t j = 0; j < i && c->same_as < 0; j++) {
            const plot_series *e = &d->series[j];
            if (e->same_as < 0 && e->n == c->n && e->nread == c->nread &&
                memcmp(e->t, c->t, c->n * sizeof *c->t) == 0 &&
                memcmp(e->mib, c->mib, c->n * sizeof *c->mib) == 0)
                c->same_as = (int)j;
        }
    }
}

/* plot_data_free() - see plot_data.h. */
void plot_data_free(plot_data *d)
{
    for (size_t i = 0; i < d->nfiles; i++)
        free(d->files[i].cmdline);
    free(d->files);
    for (size_t i = 0; i < d->nseries; i++) {
        free(d->series[i].t);
        free(d->series[i].mib);
    }
    free(d->series);
    free(d->spans);
    for (size_t i = 0; i < d->nfuncs; i++)
        free(d->funcs[i].name);
    free(d->funcs);
    free(d->title);
    memset(d, 0, sizeof *d);
}

/* suffix() - the last k dotted parts of name ("b.c" for "a.b.c", 2). */
static const char *suffix(const char *name, int k)
{
    const char *p = name + strlen(name);
    while (p > name) {
        if (p[-1] == '.' && --k == 0)
            return p;
        p--;
    }
    return name;
}

/* A name or label and the index it belongs to, for sorting. */
typedef struct keyed {
    const char *key;
    size_t i;
} keyed;

/* by_key() - qsort order of keyed: the keys, then the indices. */
static int by_key(const void *pa, const void *pb)
{
    const keyed *a = pa;
    const keyed *b = pb;
    int c = strcmp(a->key, b->key);
    if (c != 0)
        return c;
    return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * The most dotted parts a label grows to: beyond, names that still read
 * the same keep their whole name (no readable label is that long).
 */
#define MAX_LABEL_PARTS 64

/*
 * label_funcs() - mprof's function_labels(): each name's last dotted
 * part; the names whose labels read the same all take one part more, and
 * again, until every label is unique.  Each round sorts the labels:
 * O(n log n) a round, at most MAX_LABEL_PARTS rounds.
 */
static void label_funcs(plot_data *d)
{
    int *parts = calloc(d->nfuncs + 1, sizeof *parts);
    keyed *k = calloc(d->nfuncs + 1, sizeof *k);
    for (size_t i = 0; i < d->nfuncs; i++) {
        if (parts != NULL)
            parts[i] = 1;
        d->funcs[i].label = parts != NULL && k != NULL
                                ? suffix(d->funcs[i].name, 1)
                                : d->funcs[i].name;
    }
    for (int round = 0, changed = parts != NULL && k != NULL; changed;
         round++) {
        changed = 0;
        for (size_t i = 0; i < d->nfuncs; i++) {
            k[i].key = d->funcs[i].label;
            k[i].i = i;
        }
        qsort(k, d->nfuncs, sizeof *k, by_key);
        for (size_t a = 0, b; a < d->nfuncs; a = b) {
            for (b = a + 1; b < d->nfuncs && strcmp(k[a].key, k[b].key) == 0;)
                b++;
            for (size_t j = a; b - a > 1 && j < b; j++) {
                plot_func *f = &d->funcs[k[j].i];
                if (f->label == f->name)
                    continue;
                f->label = round < MAX_LABEL_PARTS
                               ? suffix(f->name, ++parts[k[j].i])
                               : f->name;
                changed = 1;
            }
        }
    }
    free(k);
    free(parts);
}

/* by_level() - qsort order of spans: level, then entry, then exit. */
static int by_level(const void *pa, const void *pb)
{
    const plot_span *a = pa;
    const plot_span *b = pb;
    if (a->level != b->level)
        return a->level < b->level ? -1 : 1;
    if (a->t0 != b->t0)
        return a->t0 < b->t0 ? -1 : 1;
    if (a->t1 != b->t1)
        return a->t1 > b->t1 ? -1 : 1;
    return 0;
}

/*
 * find_runs() - the runs of spans (plot_span.run): sorted by level and
 * entry, a span continues the run before it when it has the same level
 * and function and starts where or after the previous one ends.
 */
static void find_runs(plot_data *d)
{
    size_t lead = 0;
    for (size_t i = 1; i < d->nspans; i++) {
        const plot_span *p = &d->spans[i - 1];
        plot_span *s = &d->spans[i];
        if (s->level == p->level && s->func == p->func && s->t0 >= p->t1) {
            s->run = 0;
            d->spans[lead].run++;
        } else {
            lead = i;
        }
    }
}

/*
 * add_spans() - the FUNC lines of dat (file 0) that meet the window, as
 * spans of d, clipped to it.  Returns 0 or -ENOMEM.
 */
static int add_spans(plot_data *d, const plot_opts *o, const mp__dat *dat)
{
    size_t folded = 0;
    double start = d->files[0].start;
    d->spans = calloc(dat->nfuncs + 1, sizeof *d->spans);
    d->funcs = calloc(dat->nfuncs + 1, sizeof *d->funcs);
    if (d->spans == NULL || d->funcs == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < dat->nfuncs; i++) {
        const mp__dat_span *f = &dat->funcs[i];
        plot_span s;
        memset(&s, 0, sizeof s);
        s.t0 = f->t0 - start;
        s.t1 = f->t1 - start;
        s.mem0 = f->mem0;
        s.mem1 = f->mem1;
        s.level = f->level < 0 ? 0 : f->level;
        s.run = 1;
        if (s.level > PLOT_MAX_LEVEL) {
            s.level = PLOT_MAX_LEVEL;
            folded++;
        }
        if (!isfinite(s.t0) || !isfinite(s.t1) || !isfinite(s.mem0) ||
            !isfinite(s.mem1))
            continue;
        if (s.t1 < s.t0)
            s.t1 = s.t0;
        s.dur = s.t1 - s.t0;
        if (o->window) {
            /* Spans that only touch the window are left out. */
            if (s.t0 > o->xmax || s.t1 < o->xmin ||
                (s.t1 > s.t0 && (s.t1 <= o->xmin || s.t0 >= o->xmax)))
                continue;
            s.cut0 = s.t0 < o->xmin;
            s.cut1 = s.t1 > o->xmax;
            s.t0 = s.cut0 ? o->xmin : s.t0;
            s.t1 = s.cut1 ? o->xmax : s.t1;
        }
        /* Each span's own name for now, in funcs[nspans]. */
        char *name = plot_text_clean(f->name);
        if (name == NULL) {
            for (size_t k = 0; k < d->nspans; k++)
                free(d->funcs[k].name);
            return -ENOMEM;
        }
        d->funcs[d->nspans].name = name;
        d->spans[d->nspans++] = s;
    }
    /* One func per name, in order of first appearance: sorted by name. */
    keyed *k = calloc(d->nspans + 1, sizeof *k);
    size_t *first = calloc(d->nspans + 1, sizeof *first);
    if (k == NULL || first == NULL) {
        free(k);
        free(first);
        for (size_t i = 0; i < d->nspans; i++)
            free(d->funcs[i].name);
        return -ENOMEM;
    }
    for (size_t i = 0; i < d->nspans; i++) {
        k[i].key = d->funcs[i].name;
        k[i].i = i;
    }
    qsort(k, d->nspans, sizeof *k, by_key);
    for (size_t a = 0, b; a < d->nspans; a = b) {
        for (b = a; b < d->nspans && strcmp(k[a].key, k[b].key) == 0; b++)
            first[k[b].i] = k[a].i;
    }
    free(k);
    /* first[i] <= i: funcs[] is rebuilt in place, front to back. */
    size_t *func_of = first;
    for (size_t i = 0; i < d->nspans; i++) {
        size_t lead = first[i];
        char *name = d->funcs[i].name;
        d->funcs[i].name = NULL;
        size_t f;
        if (lead == i) {
            f = d->nfuncs++;
            d->funcs[f].name = name;
        } else {
            f = func_of[lead];
            free(name);
        }
        func_of[i] = f;
        d->funcs[f].count++;
        d->funcs[f].total += d->spans[i].dur;
        if (d->spans[i].dur > d->funcs[f].longest)
            d->funcs[f].longest = d->spans[i].dur;
        d->spans[i].func = (int)f;
    }
    free(first);
    for (size_t i = 0; i < d->nspans; i++) {
        d->spans[i].name = d->funcs[d->spans[i].func].name;
        if (d->spans[i].level > d->maxlevel)
            d->maxlevel = d->spans[i].level;
    }
    if (folded > 0)
        cli_error("%s: %zu span%s deeper than level %d drawn at level %d",
                  d->files[0].path, folded, folded == 1 ? "" : "s",
                  PLOT_MAX_LEVEL, PLOT_MAX_LEVEL);
    qsort(d->spans, d->nspans, sizeof *d->spans, by_level);
    find_runs(d);
    label_funcs(d);
    return 0;
}

/*
 * color_funcs() - a colour per function name, cycling through the
 * palette without black (labels are read on the bars) and without the
 * curves' colours while at least three remain; orange first, yellow
 * late: it reads worst on white.
 */
static void color_funcs(plot_data *d)
{
    static const int order[] = {1, 2, 3, 4, 5, 6, 0};
    enum { NORDER = sizeof order / sizeof order[0] };
    int pick[NORDER];
    int n = 0;
    for (int i = 0; i < NORDER; i++) {
        int used = 0;
        for (size_t s = 0; s < d->nseries; s++)
            used |= d->series[s].color == order[i];
        if (!used)
            pick[n++] = order[i];
    }
    if (n < 3) {
        memcpy(pick, order, sizeof order);
        n = NORDER;
    }
    for (size_t i = 0; i < d->nfuncs; i++)
        d->funcs[i].color = pick[i % (size_t)n];
}

/* extents() - the ranges of time and memory of what is drawn. */
static void extents(plot_data *d, const plot_opts *o)
{
    for (size_t s = 0; s < d->nseries; s++) {
        const plot_series *c = &d->series[s];
        int first = s == 0;
        if (first || c->tlo < d->tmin)
            d->tmin = c->tlo;
        if (first || c->thi > d->tmax)
            d->tmax = c->thi;
        if (first || c->ylo < d->ymin)
            d->ymin = c->ylo;
        if (first || c->yhi > d->ymax)
            d->ymax = c->yhi;
    }
    for (size_t i = 0; i < d->nspans; i++) {
        const plot_span *s = &d->spans[i];
        d->tmin = s->t0 < d->tmin ? s->t0 : d->tmin;
        d->tmax = s->t1 > d->tmax ? s->t1 : d->tmax;
        if (o->flame)
            continue;
        /* The brackets stand at the spans' own readings. */
        double lo = s->mem0 < s->mem1 ? s->mem0 : s->mem1;
        double hi = s->mem0 < s->mem1 ? s->mem1 : s->mem0;
        d->ymin = lo < d->ymin ? lo : d->ymin;
        d->ymax = hi > d->ymax ? hi : d->ymax;
    }
    if (o->window) {
        d->tmin = o->xmin;
        d->tmax = o->xmax;
    } else if (d->tmin > 0) {
        d->tmin = 0;
    }
    /* Readings all at one instant: a second to draw them in. */
    if (!o->window && d->tmax <= d->tmin)
        d->tmax = d->tmin + 1;
}

/*
 * resolution() - the buckets a reduced curve has over the time drawn:
 * two per pixel of the picture's width or per braille dot of the
 * terminal's (two per column), whichever is finer, so that a bucket is
 * never wider than half of one.
 */
static long resolution(const plot_opts *o)
{
    long px = o->width;
    long dots = 2L * o->columns;
    return 2 * (px > dots ? px : dots);
}

/* plot_data_build() - see plot_data.h. */
int plot_data_build(plot_data *d, const plot_opts *o, char **names,
                    size_t nnames)
{
    memset(d, 0, sizeof *d);
    d->maxlevel = -1;
    long buckets = resolution(o);
    plot_rec *recs = calloc(nnames, sizeof *recs);
    d->files = calloc(nnames, sizeof *d->files);
    if (recs == NULL || d->files == NULL) {
        free(recs);
        plot_data_free(d);
        cli_error("out of memory");
        return CLI_ERROR;
    }
    size_t max = 0;
    size_t nread = 0;
    for (; nread < nnames; nread++) {
        if (plot_read_open(&recs[nread], names[nread], o, (size_t)buckets) != 0)
            break;
        max += recs[nread].ncurves;
    }
    int rc = nread < nnames ? CLI_ERROR : 0;
    d->nfiles = nnames;
    if (rc == 0 && (d->series = calloc(max, sizeof *d->series)) == NULL)
        rc = -ENOMEM;
    for (size_t f = 0; rc == 0 && f < nnames; f++) {
        plot_file *pf = &d->files[f];
        pf->path = names[f];
        pf->start = recs[f].start;
        if (recs[f].cmdline != NULL &&
            (pf->cmdline = plot_text_clean(recs[f].cmdline)) == NULL)
            rc = -ENOMEM;
        if (rc == 0)
            rc = plot_read_curves(&recs[f], d, (int)f);
    }
    /* As mprof: spans only when one recording is drawn. */
    if (rc == 0 && nnames == 1 && !o->no_funcs)
        rc = add_spans(d, o, &recs[0].funcs);
    const char *title = o->title;
    if (rc == 0 && title == NULL && nnames == 1)
        title = d->files[0].cmdline;
    if (title != NULL && title[strspn(title, " \t")] == '\0')
        title = NULL;
    if (rc == 0 && title != NULL && (d->title = plot_text_clean(title)) == NULL)
        rc = -ENOMEM;
    if (rc == 0 && d->nseries == 0) {
        cli_error("no samples between %g and %g seconds", o->xmin, o->xmax);
        rc = CLI_ERROR;
    }
    if (rc == 0) {
        color_funcs(d);
        extents(d, o);
    }
    for (size_t f = 0; rc == 0 && f < nnames; f++)
        rc = plot_read_reduce(&recs[f], d, buckets);
    if (rc == 0)
        find_twins(d);
    for (size_t i = 0; i < nread; i++)
        plot_read_close(&recs[i]);
    free(recs);
    if (rc == -ENOMEM)
        cli_error("out of memory");
    if (rc != 0) {
        plot_data_free(d);
        return CLI_ERROR;
    }
    return 0;
}
