/*
 * plot_read.c - one recording streamed into memprof plot's curves.
 *
 * The first pass reads the command line, the FUNC lines and t = 0 (the
 * first reading or span entry, as mprof); without a window it also sums
 * up each curve.  With a window a second pass sums up the readings
 * within it, now that their times from the start are known.  A curve
 * keeps its readings while they are few (the picture is then drawn from
 * every one, as before); past that it keeps only its extents, peak and
 * trend, and a last pass keeps, for each run of readings that fall in
 * one bucket (half a pixel or less), its first, lowest, highest and last:
 * the line drawn through them covers the same pixels as the line through
 * all, the peak is one of them, and the output is bounded by the picture.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot_read.h"

/* What the hooks do in a pass. */
enum {
    REC_FIRST,     /* start, command line, spans, curves named */
    REC_FIRST_SUM, /* the same, and each curve summed up */
    REC_SUM,       /* each curve summed up (a window's second pass) */
    REC_REDUCE     /* the big curves' runs */
};

/* grow() - room for one more of n elements of size in *arr. */
static int grow(void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap != 0 ? 2 * *cap : 64;
    void *p = realloc(*(void **)arr, ncap * size);
    if (p == NULL)
        return -ENOMEM;
    *(void **)arr = p;
    *cap = ncap;
    return 0;
}

/* slot_of() - the slot of pid in r's table: its own, or the empty one. */
static size_t slot_of(const plot_rec *r, long pid)
{
    size_t mask = r->nslots - 1;
    size_t i = ((size_t)pid * (size_t)0x9E3779B97F4A7C15ull >> 16) & mask;
    while (r->slots[i] != 0 && r->curves[r->slots[i] - 1].pid != pid)
        i = (i + 1) & mask;
    return i;
}

/* curve_of() - pid's curve in r, added when new (pid 0 is curves[0]). */
static plot_curve *curve_of(plot_rec *r, long pid)
{
    if (2 * (r->ncurves + 1) > r->nslots) {
        size_t n = r->nslots != 0 ? 2 * r->nslots : 64;
        size_t *slots = calloc(n, sizeof *slots);
        if (slots == NULL)
            return NULL;
        free(r->slots);
        r->slots = slots;
        r->nslots = n;
        for (size_t k = 1; k < r->ncurves; k++)
            r->slots[slot_of(r, r->curves[k].pid)] = k + 1;
    }
    size_t i = slot_of(r, pid);
    if (r->slots[i] == 0) {
        if (grow(&r->curves, r->ncurves, &r->curvecap, sizeof *r->curves))
            return NULL;
        plot_curve *c = &r->curves[r->ncurves];
        memset(c, 0, sizeof *c);
        c->pid = pid;
        c->series = -1;
        r->slots[i] = ++r->ncurves;
    }
    return &r->curves[r->slots[i] - 1];
}

/*
 * sum_up() - one reading (t since the Epoch) into curve c of r, when it
 * lies within the window.  Returns 0 or -ENOMEM.
 */
static int sum_up(plot_rec *r, plot_curve *c, double mib, double t)
{
    if (r->o->window &&
        !(t - r->start >= r->o->xmin && t - r->start <= r->o->xmax))
        return 0;
    c->n++;
    if (c->n == 1 || t < c->tlo)
        c->tlo = t;
    if (c->n == 1 || t > c->thi)
        c->thi = t;
    if (c->n == 1 || mib < c->ylo)
        c->ylo = mib;
    if (c->n == 1 || mib > c->yhi) {
        c->peak = c->n - 1;
        c->yhi = mib;
    }
    double dt = t - c->mt;
    c->mt += dt / (double)c->n;
    double dm = mib - c->mm;
    c->mm += dm / (double)c->n;
    c->stt += dt * (t - c->mt);
    c->stm += dt * (mib - c->mm);
    if (c->big)
        return 0;
    if (c->n > r->keep) {
        c->big = 1;
        free(c->t);
        free(c->mib);
        c->t = NULL;
        c->mib = NULL;
        return 0;
    }
    if (c->n > c->cap) {
        size_t cap = c->cap != 0 ? 2 * c->cap : 64;
        double *nt = realloc(c->t, cap * sizeof *nt);
        if (nt == NULL)
            return -ENOMEM;
        c->t = nt;
        double *nm = realloc(c->mib, cap * sizeof *nm);
        if (nm == NULL)
            return -ENOMEM;
        c->mib = nm;
        c->cap = cap;
    }
    c->t[c->n - 1] = t;
    c->mib[c->n - 1] = mib;
    return 0;
}

/* push_point() - one point (t from start) onto series s. */
static int push_point(plot_series *s, size_t *cap, double t, double mib)
{
    if (s->n == *cap) {
        size_t ncap = *cap != 0 ? 2 * *cap : 256;
        double *nt = realloc(s->t, ncap * sizeof *nt);
        if (nt == NULL)
            return -ENOMEM;
        s->t = nt;
        double *nm = realloc(s->mib, ncap * sizeof *nm);
        if (nm == NULL)
            return -ENOMEM;
        s->mib = nm;
        *cap = ncap;
    }
    s->t[s->n] = t;
    s->mib[s->n] = mib;
    s->n++;
    return 0;
}

/*
 * flush_run() - the current run of c as points of its series: first,
 * lowest and highest in the order they came, last; each reading once.
 */
static int flush_run(plot_rec *r, plot_curve *c)
{
    plot_series *s = &r->d->series[c->series];
    int order[4] = {0, 1, 2, 3};
    if (c->rk[2] < c->rk[1]) {
        order[1] = 2;
        order[2] = 1;
    }
    size_t last = (size_t)-1;
    for (int i = 0; i < 4; i++) {
        int j = order[i];
        if (c->rk[j] == last)
            continue;
        last = c->rk[j];
        if (last == c->peak)
            s->peak = s->n;
        if (push_point(s, &c->ptcap, c->rt[j], c->rm[j]) != 0)
            return -ENOMEM;
    }
    return 0;
}

/*
 * reduce() - one reading (t since the Epoch) into big curve c's runs,
 * when it lies within the window.  Returns 0 or -ENOMEM.
 */
static int reduce(plot_rec *r, plot_curve *c, double mib, double t)
{
    double rel = t - r->start;
    if (!c->big || !(!r->o->window || (rel >= r->o->xmin && rel <= r->o->xmax)))
        return 0;
    size_t k = c->k++;
    double x = floor((rel - r->t0) * r->scale);
    long b = x < 0 ? 0 : x >= (double)r->nbuckets ? r->nbuckets - 1 : (long)x;
    if (b != c->bucket) {
        if (c->bucket >= 0 && flush_run(r, c) != 0)
            return -ENOMEM;
        c->bucket = b;
        for (int i = 0; i < 4; i++) {
            c->rk[i] = k;
            c->rt[i] = rel;
            c->rm[i] = mib;
        }
        return 0;
    }
    if (mib < c->rm[1]) {
        c->rk[1] = k;
        c->rt[1] = rel;
        c->rm[1] = mib;
    }
    if (mib > c->rm[2]) {
        c->rk[2] = k;
        c->rt[2] = rel;
        c->rm[2] = mib;
    }
    c->rk[3] = k;
    c->rt[3] = rel;
    c->rm[3] = mib;
    return 0;
}

/* reading() - a MEM or CHLD reading, as the pass asks. */
static int reading(plot_rec *r, long pid, int mem, double mib, double t)
{
    if (r->pass == REC_FIRST || r->pass == REC_FIRST_SUM) {
        if (mem) {
            r->nmem++;
            if (t < r->start)
                r->start = t;
        }
    }
    plot_curve *c = mem ? &r->curves[0] : curve_of(r, pid);
    if (c == NULL)
        return -ENOMEM;
    if (r->pass == REC_FIRST_SUM || r->pass == REC_SUM)
        return sum_up(r, c, mib, t);
    if (r->pass == REC_REDUCE)
        return reduce(r, c, mib, t);
    return 0;
}

/* on_mem() - the MEM hook. */
static int on_mem(void *ctx, double mib, double t)
{
    return reading(ctx, 0, 1, mib, t);
}

/* on_chld() - the CHLD hook. */
static int on_chld(void *ctx, long pid, double mib, double t)
{
    return reading(ctx, pid, 0, mib, t);
}

/* on_cmdline() - the CMDLINE hook of the first pass: the last wins. */
static int on_cmdline(void *ctx, const char *text)
{
    plot_rec *r = ctx;
    free(r->cmdline);
    r->cmdline = strdup(text);
    return r->cmdline != NULL ? 0 : -ENOMEM;
}

/* on_func() - the FUNC hook of the first pass: the span, kept. */
static int on_func(void *ctx, const mp__dat_span *span)
{
    plot_rec *r = ctx;
    mp__dat *dat = &r->funcs;
    if (span->t0 < r->start)
        r->start = span->t0;
    if (grow(&dat->funcs, dat->nfuncs, &dat->funccap, sizeof *dat->funcs))
        return -ENOMEM;
    mp__dat_span f = *span;
    if ((f.name = strdup(span->name)) == NULL)
        return -ENOMEM;
    dat->funcs[dat->nfuncs++] = f;
    return 0;
}

/*
 * scan() - one pass over r as r->pass says: the whole file the first
 * time, the bytes the first pass read after.  Returns 0 or CLI_ERROR
 * after one line on stderr.
 */
static int scan(plot_rec *r)
{
    char err[PATH_MAX + 128];
    int first = r->pass == REC_FIRST || r->pass == REC_FIRST_SUM;
    mp__dat_sink sink = {r, first ? on_cmdline : NULL, on_mem, on_chld,
                         first ? on_func : NULL};
    mp__dat_info info;
    int rc = first ? 0 : fseek(r->f, 0, SEEK_SET);
    if (rc != 0)
        snprintf(err, sizeof err, "cannot read %s: %s", r->path,
                 strerror(errno));
    else
        rc = mp__dat_scan(r->f, r->path, &sink, first ? -1 : r->bytes, &info,
                          err, sizeof err);
    if (rc != 0) {
        cli_error("%s", err);
        return CLI_ERROR;
    }
    if (first) {
        r->bytes = info.bytes;
        mp__dat_warn(r->path, &info);
    }
    return 0;
}

/* plot_read_close() - see plot_read.h. */
void plot_read_close(plot_rec *r)
{
    if (r->f != NULL)
        fclose(r->f);
    free(r->cmdline);
    mp__dat_free(&r->funcs);
    for (size_t i = 0; i < r->ncurves; i++) {
        free(r->curves[i].t);
        free(r->curves[i].mib);
    }
    free(r->curves);
    free(r->slots);
    memset(r, 0, sizeof *r);
}

/* plot_read_open() - see plot_read.h. */
int plot_read_open(plot_rec *r, const char *path, const plot_opts *o,
                   size_t keep)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->o = o;
    r->keep = keep;
    r->start = INFINITY;
    r->pass = o->window ? REC_FIRST : REC_FIRST_SUM;
    if ((r->f = fopen(path, "re")) == NULL) {
        cli_error("cannot read %s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    if (curve_of(r, 0) == NULL) {
        plot_read_close(r);
        cli_error("out of memory");
        return CLI_ERROR;
    }
    if (scan(r) != 0) {
        plot_read_close(r);
        return CLI_ERROR;
    }
    if (r->nmem < 2) {
        if (r->nmem == 0)
            cli_error("%s has no samples to plot", path);
        else
            cli_error("%s has one sample; nothing to plot over time", path);
        plot_read_close(r);
        return CLI_ERROR;
    }
    return 0;
}

/* plot_read_curves() - see plot_read.h. */
int plot_read_curves(plot_rec *r, plot_data *d, int file)
{
    if (r->o->window) {
        r->pass = REC_SUM;
        if (scan(r) != 0)
            return CLI_ERROR;
    }
    for (size_t i = 0; i < r->ncurves; i++) {
        plot_curve *c = &r->curves[i];
        if (c->n == 0)
            continue;
        plot_series s;
        memset(&s, 0, sizeof s);
        s.file = file;
        s.pid = c->pid;
        s.nread = c->n;
        s.tlo = c->tlo - r->start;
        s.thi = c->thi - r->start;
        s.ylo = c->ylo;
        s.yhi = c->yhi;
        if (!c->big) {
            /* Every reading, its time as before: the same picture. */
            s.t = malloc((c->n + 1) * sizeof *s.t);
            s.mib = malloc((c->n + 1) * sizeof *s.mib);
            if (s.t == NULL || s.mib == NULL) {
                free(s.t);
                free(s.mib);
                return -ENOMEM;
            }
            for (size_t k = 0; k < c->n; k++) {
                s.t[k] = c->t[k] - r->start;
                s.mib[k] = c->mib[k];
            }
            s.n = c->n;
            s.peak = c->peak;
            double mt = 0;
            double mm = 0;
            for (size_t k = 0; k < s.n; k++) {
                mt += s.t[k];
                mm += s.mib[k];
            }
            mt /= (double)s.n;
            mm /= (double)s.n;
            double stt = 0;
            double stm = 0;
            for (size_t k = 0; k < s.n; k++) {
                stt += (s.t[k] - mt) * (s.t[k] - mt);
                stm += (s.t[k] - mt) * (s.mib[k] - mm);
            }
            s.slope = stt > 0 ? stm / stt : 0;
            s.icept = mm - s.slope * mt;
        } else {
            s.slope = c->stt > 0 ? c->stm / c->stt : 0;
            s.icept = c->mm - s.slope * (c->mt - r->start);
        }
        s.color = (int)(d->nseries % PLOT_NCOLORS);
        s.dash = c->pid != 0;
        c->series = (int)d->nseries;
        d->series[d->nseries++] = s;
    }
    return 0;
}

/* plot_read_reduce() - see plot_read.h. */
int plot_read_reduce(plot_rec *r, plot_data *d, long nbuckets)
{
    int any = 0;
    for (size_t i = 0; i < r->ncurves; i++) {
        plot_curve *c = &r->curves[i];
        c->k = 0;
        c->bucket = -1;
        any |= c->big && c->series >= 0;
    }
    if (!any)
        return 0;
    r->pass = REC_REDUCE;
    r->d = d;
    r->t0 = d->tmin;
    r->scale = (double)nbuckets / (d->tmax - d->tmin);
    r->nbuckets = nbuckets;
    if (scan(r) != 0)
        return CLI_ERROR;
    for (size_t i = 0; i < r->ncurves; i++) {
        plot_curve *c = &r->curves[i];
        if (!c->big || c->series < 0)
            continue;
        if (c->k != c->n) {
            cli_error("%s changed while it was read", r->path);
            return CLI_ERROR;
        }
        if (flush_run(r, c) != 0)
            return -ENOMEM;
    }
    return 0;
}
