/*
 * plot.c - memprof plot: mprof plot's pictures of memory over time, drawn
 * without Python: SVG (no dependency), PNG (cairo) or the terminal.
 *
 * This file reads the command line and the recordings into a plot_data
 * (see plot.h) and hands it to a drawer; it also holds the helpers the
 * drawers share: axes and their ticks, number formats, UTF-8.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "internal.h"
#include "plot.h"

#define DEFAULT_WIDTH 1000
#define DEFAULT_HEIGHT 600
#define DEFAULT_ROWS 20

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

static const char plot_usage[] =
    "usage: memprof plot [N|FILE...] [options]\n"
    "\n"
    "Draw recordings: memory over time, each child's curve, the peak, and\n"
    "the function spans.  N is an index of memprof list (0 the oldest, -1\n"
    "the newest), FILE a .dat file; with neither, the newest recording\n"
    "here.  Several recordings are overlaid, each from its own start.\n"
    "Without -o or --term: in the terminal when standard output is one,\n"
    "otherwise into FILE's name with .svg for .dat, beside it.\n"
    "\n"
    "  -o, --output FILE     write FILE: .svg, or .png (needs cairo)\n"
    "  -t, --title TITLE     the title (default: the command line)\n"
    "  -n, --no-function-ts  do not draw function spans\n"
    "  -f, --flame           spans as stacked bars by nesting level\n"
    "  -s, --slope           a trend line per curve, its slope in MiB/s\n"
    "  -w, --window XMIN,XMAX  only the seconds from XMIN to XMAX\n"
    "  --term                draw in the terminal (UTF-8), also with -o\n"
    "  --width W, --height H  picture size in pixels (1000 x 600)\n"
    "  --columns N, --rows N  terminal size: N columns (the terminal's),\n"
    "                        a chart of N rows (20)\n"
    "  --color[=WHEN]        terminal colours: auto (default), always,\n"
    "                        never; auto honours NO_COLOR\n";

/* The options of memprof plot without a short form. */
enum { OPT_TERM = 256, OPT_WIDTH, OPT_HEIGHT, OPT_COLUMNS, OPT_ROWS, OPT_COLOR };

static const struct option longs[] = {
    {"output", required_argument, NULL, 'o'},
    {"title", required_argument, NULL, 't'},
    {"no-function-ts", no_argument, NULL, 'n'},
    {"flame", no_argument, NULL, 'f'},
    {"slope", no_argument, NULL, 's'},
    {"window", required_argument, NULL, 'w'},
    {"term", no_argument, NULL, OPT_TERM},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The output formats. */
enum { FORMAT_SVG, FORMAT_PNG };

/* A command line, parsed. */
typedef struct args {
    plot_opts o;
    int help;
    char **ops; /* the operands, in order (argv's slots reused) */
    int nops;
} args;

/* ---- helpers shared by the drawers (plot.h) ---- */

/* nice_at_least() - the smallest 1, 2, 2.5 or 5 x 10^k that is >= x. */
static double nice_at_least(double x)
{
    static const double mult[] = {1, 2, 2.5, 5, 10};
    if (!(x > 0) || !isfinite(x))
        return 1;
    double p = pow(10, floor(log10(x)));
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
        if (mult[i] * p >= x * (1 - 1e-9))
            return mult[i] * p;
    return 10 * p;
}

/* plot_axis_make() - see plot.h. */
void plot_axis_make(plot_axis *a, double lo, double hi, int ticks, int exact,
                    double min_step)
{
    if (!(hi > lo)) {
        double pad = fabs(lo) * 0.1 > 0.5 ? fabs(lo) * 0.1 : 0.5;
        lo -= pad;
        hi += pad;
    }
    if (ticks < 1)
        ticks = 1;
    double step = nice_at_least((hi - lo) / ticks);
    if (min_step > 0 && step < min_step)
        step = nice_at_least(min_step);
    a->step = step;
    if (exact) {
        a->lo = lo;
        a->hi = hi;
    } else {
        a->lo = floor(lo / step + 1e-9) * step;
        a->hi = ceil(hi / step - 1e-9) * step;
        if (a->hi <= a->lo)
            a->hi = a->lo + step;
    }
    a->decimals = 0;
    while (a->decimals < 6) {
        double scaled = step * pow(10, a->decimals);
        if (fabs(scaled - round(scaled)) < 1e-6 * scaled)
            break;
        a->decimals++;
    }
}

/* plot_axis_tick() - see plot.h. */
double plot_axis_tick(const plot_axis *a, int k)
{
    double first = ceil(a->lo / a->step - 1e-9);
    double v = (first + k) * a->step;
    if (v > a->hi + a->step * 1e-9)
        return a->hi + a->step;
    return v;
}

/* A slot as plot_pack() sorts them: by lane, then by start. */
typedef struct placed {
    int lane;
    size_t i;
    double x0;
} placed;

/* by_lane() - qsort order of placed slots. */
static int by_lane(const void *pa, const void *pb)
{
    const placed *a = pa;
    const placed *b = pb;
    if (a->lane != b->lane)
        return a->lane < b->lane ? -1 : 1;
    if (a->x0 != b->x0)
        return a->x0 < b->x0 ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * plot_pack() - see plot.h.  Two passes: the bars into lanes, then the
 * labels, left to right in each lane.
 */
int plot_pack(const plot_slot *s, size_t n, int max_lanes, int over_bars,
              int *lane, int *labelled)
{
    double end[64];
    int levels = 0;
    for (size_t i = 0; i < n; i++)
        levels += i == 0 || s[i].level != s[i - 1].level;
    max_lanes = max_lanes > 64 ? 64 : max_lanes < 1 ? 1 : max_lanes;
    int share = levels > 0 && max_lanes / levels > 1 ? max_lanes / levels : 1;
    int lanes = 0;
    int first = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || s[i].level != s[i - 1].level)
            first = lanes < max_lanes ? lanes : max_lanes - 1;
        int at = -1;
        for (int k = first; k < lanes && at < 0; k++)
            if (end[k] <= s[i].x0)
                at = k;
        if (at < 0 && lanes < max_lanes && lanes - first < share) {
            at = lanes++;
            end[at] = -1e300;
        }
        if (at < 0) {
            at = first;
            for (int k = first; k < lanes; k++)
                if (end[k] < end[at])
                    at = k;
        }
        end[at] = s[i].x1 > end[at] ? s[i].x1 : end[at];
        lane[i] = at;
        labelled[i] = 0;
    }
    placed *p = malloc((n + 1) * sizeof *p);
    if (p == NULL)
        return lanes;
    for (size_t i = 0; i < n; i++) {
        p[i].lane = lane[i];
        p[i].i = i;
        p[i].x0 = s[i].x0;
    }
    qsort(p, n, sizeof *p, by_lane);
    double taken = -1e300; /* how far bars and labels reach in the lane */
    for (size_t k = 0; k < n; k++) {
        const plot_slot *sl = &s[p[k].i];
        if (k == 0 || p[k].lane != p[k - 1].lane)
            taken = -1e300;
        int last = k + 1 == n || p[k + 1].lane != p[k].lane;
        double next = last || over_bars ? 1e300 : p[k + 1].x0;
        labelled[p[k].i] = sl->l0 >= taken && sl->l1 <= next;
        double reach = labelled[p[k].i] ? sl->l1 : over_bars ? taken : sl->x1;
        taken = reach > taken ? reach : taken;
    }
    free(p);
    return lanes;
}

/* plot_format_tick() - see plot.h. */
void plot_format_tick(char *buf, size_t size, const plot_axis *a, double v)
{
    if (fabs(v) < a->step * 1e-9)
        v = 0;
    snprintf(buf, size, "%.*f", a->decimals, v);
}

/* plot_format_peak() - see plot.h. */
void plot_format_peak(char *buf, size_t size, double mib)
{
    snprintf(buf, size, "peak %.*f MiB", fabs(mib) < 1 ? 3 : 1, mib);
}

/* plot_format_slope() - see plot.h. */
void plot_format_slope(char *buf, size_t size, double slope)
{
    int decimals = 2;
    if (slope != 0 && fabs(slope) < 0.1) {
        decimals = 1 - (int)floor(log10(fabs(slope)));
        if (decimals > 6)
            decimals = 6;
    }
    if (fabs(slope) < 0.5 * pow(10, -decimals))
        slope = 0;
    snprintf(buf, size, "%+.*f MiB/s", decimals, slope);
}

/* plot_utf8_next() - see plot.h. */
uint32_t plot_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int len = 1;
    if (c == 0)
        return 0;
    if (c >= 0xF0) {
        c = (c & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
            (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
        len = 4;
    } else if (c >= 0xE0) {
        c = (c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        len = 3;
    } else if (c >= 0xC0) {
        c = (c & 0x1F) << 6 | (p[1] & 0x3F);
        len = 2;
    }
    *s += len;
    return c;
}

/* plot_utf8_put() - see plot.h. */
int plot_utf8_put(char *buf, uint32_t c)
{
    if (c < 0x80) {
        buf[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (char)(0xC0 | c >> 6);
        buf[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (char)(0xE0 | c >> 12);
        buf[1] = (char)(0x80 | (c >> 6 & 0x3F));
        buf[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | c >> 18);
    buf[1] = (char)(0x80 | (c >> 12 & 0x3F));
    buf[2] = (char)(0x80 | (c >> 6 & 0x3F));
    buf[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/*
 * utf8_valid() - the length of the valid UTF-8 sequence at p (at most n
 * bytes), or 0: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
static size_t utf8_valid(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return len;
}

/*
 * clean_text() - a malloc'd copy of s that any XML reader and terminal
 * takes: invalid UTF-8 becomes U+FFFD, control characters a space.
 * NULL when out of memory.
 */
static char *clean_text(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1);
    if (out == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid(p + i, n - i);
        if (len == 0) {
            o += (size_t)plot_utf8_put(out + o, 0xFFFD);
            i++;
        } else if (p[i] < 0x20 || p[i] == 0x7F) {
            out[o++] = ' ';
            i++;
        } else {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- the command line ---- */

/* parse_count() - an integer option's value in lo..hi, or CLI_USAGE. */
static int parse_count(const char *name, const char *value, long lo, long hi,
                       int *out)
{
    long v;
    if (mp__parse_int(value, lo, hi, &v) != 0) {
        cli_error("plot: %s needs a whole number from %ld to %ld, not '%s'",
                  name, lo, hi, value);
        return CLI_USAGE;
    }
    *out = (int)v;
    return 0;
}

/* parse_window() - "XMIN,XMAX" into o, or CLI_USAGE. */
static int parse_window(const char *value, plot_opts *o)
{
    char *end = NULL;
    double lo = strtod(value, &end);
    int bad = end == value || *end != ',';
    double hi = 0;
    if (!bad) {
        const char *p = end + 1;
        hi = strtod(p, &end);
        bad = end == p || *end != '\0';
    }
    if (bad || !isfinite(lo) || !isfinite(hi) || !(lo < hi)) {
        cli_error("plot: --window needs two numbers XMIN,XMAX with XMIN < "
                  "XMAX, such as 0,20.5, not '%s'",
                  value);
        return CLI_USAGE;
    }
    o->window = 1;
    o->xmin = lo;
    o->xmax = hi;
    return 0;
}

/* set_option() - option c (a val of longs) with p's value into a. */
static int set_option(args *a, int c, const cli_args *p)
{
    plot_opts *o = &a->o;
    const char *value = p->value;
    switch (c) {
    case 'o':
        o->output = value;
        return 0;
    case 't':
        o->title = value;
        return 0;
    case 'n':
        o->no_funcs = 1;
        return 0;
    case 'f':
        o->flame = 1;
        return 0;
    case 's':
        o->slope = 1;
        return 0;
    case 'w':
        return parse_window(value, o);
    case OPT_TERM:
        o->term = 1;
        return 0;
    case OPT_WIDTH:
        return parse_count("--width", value, 320, 8000, &o->width);
    case OPT_HEIGHT:
        return parse_count("--height", value, 240, 8000, &o->height);
    case OPT_COLUMNS:
        return parse_count("--columns", value, 40, 1000, &o->columns);
    case OPT_ROWS:
        return parse_count("--rows", value, 4, 500, &o->rows);
    case OPT_COLOR:
        if (value == NULL || strcmp(value, "always") == 0)
            o->color = PLOT_COLOR_ALWAYS;
        else if (strcmp(value, "never") == 0)
            o->color = PLOT_COLOR_NEVER;
        else if (strcmp(value, "auto") == 0)
            o->color = PLOT_COLOR_AUTO;
        else
            return cli_args_error(
                p, "--color takes auto, always or never, not '%s'", value);
        return 0;
    default:
        a->help = 1;
        return 0;
    }
}

/*
 * parse_args() - argv (argv[0] is "plot") into *a: options anywhere
 * until "--".  Returns 0, or CLI_USAGE after one line on stderr.
 */
static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    a->o.width = DEFAULT_WIDTH;
    a->o.height = DEFAULT_HEIGHT;
    a->o.color = PLOT_COLOR_AUTO;
    cli_args p;
    cli_args_init(&p, "plot", argc, argv, "o:t:nfsw:h", longs);
    int c;
    while ((c = cli_args_next(&p)) > 0) {
        int rc = set_option(a, c, &p);
        if (rc != 0)
            return rc;
    }
    if (c < 0)
        return CLI_USAGE;
    a->ops = p.ops;
    a->nops = p.nops;
    return 0;
}

/*
 * output_format() - FORMAT_SVG or FORMAT_PNG from name's extension (any
 * case), or -1 after one line on stderr.
 */
static int output_format(const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot != NULL && (slash == NULL || dot > slash)) {
        if (strcasecmp(dot, ".svg") == 0)
            return FORMAT_SVG;
        if (strcasecmp(dot, ".png") == 0)
            return FORMAT_PNG;
    }
    cli_error("plot: cannot tell the format of %s: give -o a name ending in "
              ".svg or .png, or use --term",
              name);
    return -1;
}

/* ---- the recordings ---- */

/*
 * pick_files() - the files the operands name (each file once, as mprof
 * does), or the newest recording.  Returns a malloc'd array of *n
 * malloc'd names, or NULL after one line on stderr.
 */
static char **pick_files(char **ops, int nops, size_t *n)
{
    size_t nprof = 0;
    char **list = NULL;
    int need_list = nops == 0;
    for (int i = 0; i < nops; i++)
        need_list |= cli_is_index(ops[i]);
    if (need_list) {
        list = cli_profiles(&nprof);
        if (list == NULL) {
            cli_error("cannot read the current directory: %s", strerror(errno));
            return NULL;
        }
    }
    if (nops == 0 && nprof == 0) {
        cli_error("no input file found; memprof plot looks for "
                  "mprofile_*.dat files, made by memprof run or mprof run");
        cli_free_list(list);
        return NULL;
    }
    size_t max = nops > 0 ? (size_t)nops : 1;
    char **names = calloc(max + 1, sizeof *names);
    struct stat *seen = calloc(max, sizeof *seen);
    int ok = names != NULL && seen != NULL;
    if (!ok)
        cli_error("out of memory");
    *n = 0;
    for (size_t i = 0; ok && i < max; i++) {
        struct stat st;
        const char *name = nops > 0 ? cli_resolve(ops[i], list, nprof, &st, 0)
                                    : list[nprof - 1];
        if (name == NULL) {
            ok = 0;
            break;
        }
        if (nops > 0) {
            size_t k = 0;
            while (k < *n &&
                   (seen[k].st_dev != st.st_dev || seen[k].st_ino != st.st_ino))
                k++;
            if (k < *n)
                continue;
            seen[*n] = st;
        }
        names[*n] = strdup(name);
        if (names[*n] == NULL) {
            cli_error("out of memory");
            ok = 0;
            break;
        }
        (*n)++;
    }
    free(seen);
    cli_free_list(list);
    if (!ok) {
        cli_free_list(names);
        return NULL;
    }
    return names;
}

/* plot_data_free() - free what build_data() made. */
static void plot_data_free(plot_data *d)
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

/* finite_samples() - how many of the n readings are numbers. */
static size_t finite_samples(const mp__dat_sample *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += isfinite(s[i].mib) && isfinite(s[i].t);
    return k;
}

/* in_window() - whether t (seconds from start) is drawn. */
static int in_window(const plot_opts *o, double t)
{
    return !o->window || (t >= o->xmin && t <= o->xmax);
}

/*
 * add_series() - the readings s[n] of file f (pid 0: its own) that fall
 * within the window, as a new curve of d with its peak and trend.
 * Nothing is added when none does.  Returns 0 or -ENOMEM.
 */
static int add_series(plot_data *d, const plot_opts *o, int f, long pid,
                      const mp__dat_sample *s, size_t n)
{
    plot_series c;
    memset(&c, 0, sizeof c);
    c.file = f;
    c.pid = pid;
    c.t = malloc((n + 1) * sizeof *c.t);
    c.mib = malloc((n + 1) * sizeof *c.mib);
    if (c.t == NULL || c.mib == NULL) {
        free(c.t);
        free(c.mib);
        return -ENOMEM;
    }
    double start = d->files[f].start;
    for (size_t i = 0; i < n; i++) {
        double t = s[i].t - start;
        if (!isfinite(s[i].mib) || !isfinite(t) || !in_window(o, t))
            continue;
        c.t[c.n] = t;
        c.mib[c.n] = s[i].mib;
        if (c.n == 0 || s[i].mib > c.mib[c.peak])
            c.peak = c.n;
        c.n++;
    }
    if (c.n == 0) {
        free(c.t);
        free(c.mib);
        return 0;
    }
    /* The least-squares line, about the means for accuracy. */
    double mt = 0;
    double mm = 0;
    for (size_t i = 0; i < c.n; i++) {
        mt += c.t[i];
        mm += c.mib[i];
    }
    mt /= (double)c.n;
    mm /= (double)c.n;
    double stt = 0;
    double stm = 0;
    for (size_t i = 0; i < c.n; i++) {
        stt += (c.t[i] - mt) * (c.t[i] - mt);
        stm += (c.t[i] - mt) * (c.mib[i] - mm);
    }
    c.slope = stt > 0 ? stm / stt : 0;
    c.icept = mm - c.slope * mt;
    c.color = (int)(d->nseries % PLOT_NCOLORS);
    c.dash = pid != 0;
    d->series[d->nseries++] = c;
    return 0;
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

/*
 * label_funcs() - mprof's function_labels(): each name's last dotted
 * part, or more parts while two names would read the same.
 */
static void label_funcs(plot_data *d)
{
    int *parts = calloc(d->nfuncs, sizeof *parts);
    for (size_t i = 0; i < d->nfuncs; i++) {
        if (parts != NULL)
            parts[i] = 1;
        d->funcs[i].label =
            parts != NULL ? suffix(d->funcs[i].name, 1) : d->funcs[i].name;
    }
    for (int changed = parts != NULL; changed;) {
        changed = 0;
        for (size_t i = 0; i < d->nfuncs; i++) {
            for (size_t k = i + 1; k < d->nfuncs; k++) {
                if (strcmp(d->funcs[i].label, d->funcs[k].label) != 0)
                    continue;
                if (d->funcs[i].label != d->funcs[i].name) {
                    d->funcs[i].label = suffix(d->funcs[i].name, ++parts[i]);
                    changed = 1;
                }
                if (d->funcs[k].label != d->funcs[k].name) {
                    d->funcs[k].label = suffix(d->funcs[k].name, ++parts[k]);
                    changed = 1;
                }
            }
        }
    }
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
 * add_spans() - the FUNC lines of dat (file 0) that meet the window, as
 * spans of d, clipped to it.  Returns 0 or -ENOMEM.
 */
static int add_spans(plot_data *d, const plot_opts *o, const mp__dat *dat)
{
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
        if (!isfinite(s.t0) || !isfinite(s.t1) || !isfinite(s.mem0) ||
            !isfinite(s.mem1))
            continue;
        if (s.t1 < s.t0)
            s.t1 = s.t0;
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
        char *name = clean_text(f->name);
        if (name == NULL)
            return -ENOMEM;
        size_t k = 0;
        while (k < d->nfuncs && strcmp(d->funcs[k].name, name) != 0)
            k++;
        if (k == d->nfuncs) {
            d->funcs[k].name = name;
            d->nfuncs++;
        } else {
            free(name);
        }
        d->funcs[k].count++;
        s.func = (int)k;
        d->spans[d->nspans++] = s;
    }
    for (size_t i = 0; i < d->nspans; i++) {
        d->spans[i].name = d->funcs[d->spans[i].func].name;
        if (d->spans[i].level > d->maxlevel)
            d->maxlevel = d->spans[i].level;
    }
    qsort(d->spans, d->nspans, sizeof *d->spans, by_level);
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
    int first = 1;
    for (size_t s = 0; s < d->nseries; s++) {
        const plot_series *c = &d->series[s];
        for (size_t i = 0; i < c->n; i++) {
            if (first || c->t[i] < d->tmin)
                d->tmin = c->t[i];
            if (first || c->t[i] > d->tmax)
                d->tmax = c->t[i];
            if (first || c->mib[i] < d->ymin)
                d->ymin = c->mib[i];
            if (first || c->mib[i] > d->ymax)
                d->ymax = c->mib[i];
            first = 0;
        }
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
 * read_dat() - path into dat, checked to have readings to draw.
 * Returns 0, or CLI_ERROR after one line on stderr.
 */
static int read_dat(const char *path, mp__dat *dat)
{
    char err[PATH_MAX + 128];
    if (mp__dat_read(path, dat, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_ERROR;
    }
    size_t n = finite_samples(dat->mem, dat->nmem);
    if (n < 2) {
        if (n == 0)
            cli_error("%s has no samples to plot", path);
        else
            cli_error("%s has one sample; nothing to plot over time", path);
        mp__dat_free(dat);
        return CLI_ERROR;
    }
    return 0;
}

/*
 * build_data() - read the files and make d.  Every file is read before
 * anything is drawn.  Returns 0, or CLI_ERROR after one line on stderr.
 */
static int build_data(plot_data *d, const plot_opts *o, char **names,
                      size_t nnames)
{
    memset(d, 0, sizeof *d);
    d->maxlevel = -1;
    mp__dat *dats = calloc(nnames, sizeof *dats);
    d->files = calloc(nnames, sizeof *d->files);
    size_t max = 0;
    int rc = dats != NULL && d->files != NULL ? 0 : -ENOMEM;
    size_t nread = 0;
    for (; rc == 0 && nread < nnames; nread++) {
        if (read_dat(names[nread], &dats[nread]) != 0)
            break;
        max += 1 + dats[nread].nchildren;
    }
    if (rc == 0 && nread < nnames) {
        for (size_t i = 0; i < nread; i++)
            mp__dat_free(&dats[i]);
        free(dats);
        plot_data_free(d);
        return CLI_ERROR;
    }
    d->nfiles = nnames;
    if (rc == 0 && (d->series = calloc(max, sizeof *d->series)) == NULL)
        rc = -ENOMEM;
    for (size_t f = 0; rc == 0 && f < nnames; f++) {
        const mp__dat *dat = &dats[f];
        plot_file *pf = &d->files[f];
        pf->path = names[f];
        if (dat->cmdline != NULL &&
            (pf->cmdline = clean_text(dat->cmdline)) == NULL)
            rc = -ENOMEM;
        /* As mprof: time 0 is the first reading or span entry. */
        pf->start = INFINITY;
        for (size_t i = 0; i < dat->nmem; i++)
            if (isfinite(dat->mem[i].mib) && dat->mem[i].t < pf->start)
                pf->start = dat->mem[i].t;
        for (size_t i = 0; i < dat->nfuncs; i++)
            if (isfinite(dat->funcs[i].t0) && dat->funcs[i].t0 < pf->start)
                pf->start = dat->funcs[i].t0;
        if (rc == 0)
            rc = add_series(d, o, (int)f, 0, dat->mem, dat->nmem);
        for (size_t c = 0; rc == 0 && c < dat->nchildren; c++)
            rc = add_series(d, o, (int)f, dat->children[c].pid,
                            dat->children[c].samples, dat->children[c].n);
    }
    /* As mprof: spans only when one recording is drawn. */
    if (rc == 0 && nnames == 1 && !o->no_funcs)
        rc = add_spans(d, o, &dats[0]);
    const char *title = o->title;
    if (title == NULL && nnames == 1)
        title = d->files[0].cmdline;
    if (title != NULL && title[strspn(title, " \t")] == '\0')
        title = NULL;
    if (rc == 0 && title != NULL && (d->title = clean_text(title)) == NULL)
        rc = -ENOMEM;
    for (size_t i = 0; dats != NULL && i < nnames; i++)
        mp__dat_free(&dats[i]);
    free(dats);
    if (rc != 0) {
        cli_error("out of memory");
        plot_data_free(d);
        return CLI_ERROR;
    }
    if (d->nseries == 0) {
        cli_error("no samples between %g and %g seconds", o->xmin, o->xmax);
        plot_data_free(d);
        return CLI_ERROR;
    }
    color_funcs(d);
    extents(d, o);
    return 0;
}

/* ---- output ---- */

/*
 * write_picture() - the picture of d into path in format, through a
 * temporary file renamed at the end, so that a failure leaves no broken
 * picture.  Returns CLI_OK, or CLI_ERROR after one line on stderr.
 */
static int write_picture(const plot_data *d, const plot_opts *o,
                         const char *path, int format)
{
    plot_scene scene;
    if (plot_scene_build(&scene, d, o) != 0) {
        cli_error("out of memory");
        return CLI_ERROR;
    }
    size_t size = strlen(path) + sizeof ".XXXXXX";
    char *tmp = malloc(size);
    int fd = -1;
    if (tmp != NULL) {
        snprintf(tmp, size, "%s.XXXXXX", path);
        fd = mkstemp(tmp);
    }
    /* mkstemp makes the file 0600; a picture is as readable as others. */
    if (fd >= 0) {
        mode_t mask = umask(0);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask);
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int r = tmp == NULL ? -ENOMEM : f == NULL ? -errno : 0;
    if (f == NULL && fd >= 0)
        close(fd);
    if (r == 0)
        r = format == FORMAT_PNG ? plot_png_write(&scene, f)
                                 : plot_svg_write(&scene, f);
    if (f != NULL && fclose(f) != 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) != 0)
        r = -errno;
    if (r != 0 && fd >= 0)
        unlink(tmp);
    free(tmp);
    plot_scene_free(&scene);
    if (r != 0) {
        cli_error("cannot write %s: %s", path, strerror(-r));
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* default_output() - FILE's name with .svg for its extension; malloc'd. */
static char *default_output(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t stem =
        dot != NULL && dot != base ? (size_t)(dot - file) : strlen(file);
    char *out = malloc(stem + sizeof ".svg");
    if (out != NULL) {
        memcpy(out, file, stem);
        memcpy(out + stem, ".svg", sizeof ".svg");
    }
    return out;
}

/* term_columns() - $COLUMNS, or the terminal's width, or 80. */
static int term_columns(void)
{
    long v;
    const char *env = getenv("COLUMNS");
    if (env != NULL && mp__parse_int(env, 40, 1000, &v) == 0)
        return (int)v;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col < 40 ? 40 : ws.ws_col > 1000 ? 1000 : ws.ws_col;
    return 80;
}

/* use_color() - --color=auto: a terminal, NO_COLOR unset, TERM not dumb. */
static int use_color(void)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && (no == NULL || *no == '\0') &&
           !(term != NULL && strcmp(term, "dumb") == 0);
}

/*
 * cmd_plot() - memprof plot [N|FILE...] [options]: see plot_usage and
 * memprof(1).
 */
int cmd_plot(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(plot_usage, stdout);
        return cli_finish(CLI_OK);
    }
    plot_opts *o = &a.o;
    int format = FORMAT_SVG;
    if (o->output != NULL && (format = output_format(o->output)) < 0)
        return CLI_USAGE;
    if (format == FORMAT_PNG && !PLOT_HAVE_PNG) {
        cli_error("this memprof was built without cairo; PNG is not "
                  "available (use .svg or --term)");
        return CLI_ERROR;
    }
    int to_term = o->term || (o->output == NULL && isatty(STDOUT_FILENO));
    if (o->columns == 0)
        o->columns = term_columns();
    if (o->rows == 0)
        o->rows = DEFAULT_ROWS;
    if (o->color == PLOT_COLOR_AUTO)
        o->color = use_color() ? PLOT_COLOR_ALWAYS : PLOT_COLOR_NEVER;

    size_t n = 0;
    char **names = pick_files(a.ops, a.nops, &n);
    if (names == NULL)
        return CLI_ERROR;
    plot_data d;
    rc = build_data(&d, o, names, n);
    char *out = NULL;
    if (rc == CLI_OK && o->output == NULL && !to_term) {
        out = default_output(names[0]);
        if (out == NULL) {
            cli_error("out of memory");
            rc = CLI_ERROR;
        }
    }
    if (rc == CLI_OK && (o->output != NULL || out != NULL)) {
        rc = write_picture(&d, o, out != NULL ? out : o->output, format);
        if (rc == CLI_OK && out != NULL)
            cli_error("wrote %s (choose with -o, or draw here with --term)",
                      out);
    }
    if (rc == CLI_OK && to_term) {
        if (plot_term_write(&d, o, stdout) != 0) {
            cli_error("out of memory");
            rc = CLI_ERROR;
        } else {
            rc = cli_finish(CLI_OK);
        }
    }
    plot_data_free(&d);
    free(out);
    cli_free_list(names);
    return rc;
}
