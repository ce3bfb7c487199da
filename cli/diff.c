/*
 * diff.c - memprof diff OLD NEW: what changed between two JSON reports
 * or two recordings, as heaptrack_print -d compares two runs.
 *
 * Each input becomes a list of items: the whole run (its largest
 * reading), each profiled function (what its calls left behind, its
 * largest reading) and, for reports, each line (its Increment and its
 * MEMPROF_PEAK Peak).  Items of the two sides are matched by a key that
 * survives edits elsewhere in the file: the file's base name, the
 * function, and the line's text with its blanks squeezed (the k-th line
 * of equal text in a table matches the k-th), never the line number.
 * The rows come out largest growth first; --fail-above turns any growth
 * above it into exit status 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "base.h"
#include "cli.h"
#include "diff.h"
#include "json.h"
#include "memprof.h"

static const char diff_usage[] =
    "usage: memprof diff [--fail-above MIB] [--all] [--json] [-p N] OLD NEW\n"
    "\n"
    "Compare two JSON reports (MEMPROF_FORMAT=json) or two recordings (.dat\n"
    "files, or N, an index of memprof list): per function and line, the\n"
    "change in Increment and Peak, in MiB, largest growth first.  Lines\n"
    "match by their function and text, not their number; a row only in NEW\n"
    "is new, one only in OLD gone.  Exit status: 0, 3 when a row grew by\n"
    "more than --fail-above, 1 for an input that is not a report or a\n"
    "recording, 2 for a bad command line.\n"
    "\n"
    "  --fail-above MIB  exit with status 3 when a row grew by more than MIB\n"
    "                    (entry rows, the baseline, do not count)\n"
    "  -a, --all         show the rows that did not change too\n"
    "  --json            the comparison as JSON\n"
    "  -p, --precision N decimals of the MiB figures, 0..6 (default: NEW's\n"
    "                    MEMPROF_PRECISION, else 1)\n";

/* The kinds of item, in the order rows of equal growth are shown. */
enum { K_RUN, K_FUNC, K_LINE };

/* One thing measured on one side. */
typedef struct item {
    int kind;
    const char *file; /* as the report names it, or NULL */
    const char *func; /* a function or span label, or NULL */
    const char *text; /* a line's contents */
    char *key;        /* what matches it with the other side's */
    size_t ord;       /* among the side's items of equal key */
    size_t seq;       /* where it came in its input */
    int line;
    int entry;
    int has_inc;
    int has_peak;
    double inc;
    double peak;
    long long occ; /* occurrences or spans, or -1 */
} item;

/* One input, read. */
typedef struct side {
    const char *path;
    int is_json;
    json_value doc;
    mp__dat dat;
    const char *backend; /* the report's, or NULL */
    int precision;       /* the report's MEMPROF_PRECISION, or -1 */
    item *items;
    size_t n;
    size_t cap;
} side;

/* A row of the comparison: an item of either side or both. */
typedef struct row {
    const item *old;
    const item *new;
    int has_dinc;
    int has_dpeak;
    double dinc;
    double dpeak;
    double growth; /* the larger change, or -HUGE_VAL */
    int over;      /* grew by more than --fail-above */
} row;

/* ---- Reading the inputs. */

/* add_item() - room for one more item of s, zeroed; NULL: out of memory. */
static item *add_item(side *s)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap != 0 ? 2 * s->cap : 64;
        item *p = realloc(s->items, ncap * sizeof *p);
        if (p == NULL)
            return NULL;
        s->items = p;
        s->cap = ncap;
    }
    item *it = &s->items[s->n];
    memset(it, 0, sizeof *it);
    it->seq = s->n++;
    it->occ = -1;
    return it;
}

/* base_name() - the last component of path. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/*
 * make_key() - "<kind>\x1f<file's base name>\x1f<func>\x1f<n>\x1f<text>",
 * the text with every run of blanks made one space and none at either
 * end, in a new string; NULL when out of memory.
 */
static char *make_key(int kind, const char *file, const char *func, size_t n,
                      const char *text)
{
    const char *b = file != NULL ? base_name(file) : "";
    const char *f = func != NULL ? func : "";
    const char *t = text != NULL ? text : "";
    size_t size = strlen(b) + strlen(f) + strlen(t) + 48;
    char *k = malloc(size);
    if (k == NULL)
        return NULL;
    int len = snprintf(k, size, "%d\x1f%s\x1f%s\x1f%zu\x1f", kind, b, f, n);
    char *w = k + len;
    int blank = 0;
    for (; *t == ' ' || *t == '\t'; t++)
        ;
    for (; *t != '\0'; t++) {
        if (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n') {
            blank = 1;
            continue;
        }
        if (blank)
            *w++ = ' ';
        blank = 0;
        *w++ = *t;
    }
    *w = '\0';
    return k;
}

/* What ordinals() sorts by: the keys, then where each came. */
static char *const *sort_keys;

static int by_key_then_index(const void *a, const void *b)
{
    size_t i = *(const size_t *)a;
    size_t j = *(const size_t *)b;
    int c = strcmp(sort_keys[i], sort_keys[j]);
    return c != 0 ? c : (i > j) - (i < j);
}

/*
 * ordinals() - ord[i]: how many of keys[0..i - 1] equal keys[i].
 * Returns 0 or -ENOMEM.
 */
static int ordinals(char *const *keys, size_t n, size_t *ord)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (idx == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_keys = keys;
    qsort(idx, n, sizeof *idx, by_key_then_index);
    for (size_t k = 0; k < n; k++)
        ord[idx[k]] = k > 0 && strcmp(keys[idx[k]], keys[idx[k - 1]]) == 0
                          ? ord[idx[k - 1]] + 1
                          : 0;
    free(idx);
    return 0;
}

/* number() - v's number into *out when v is one; whether it was. */
static int number(const json_value *v, double *out)
{
    if (v == NULL || v->type != JSON_NUMBER)
        return 0;
    *out = v->number;
    return 1;
}

/* string() - v's string, or NULL when v is not a string. */
static const char *string(const json_value *v)
{
    return v != NULL && v->type == JSON_STRING ? v->string : NULL;
}

/*
 * json_row() - the line item of row r (the j-th of table i) of side s,
 * table number tn among the tables of its name.  Returns 0, or
 * CLI_ERROR after one line.
 */
static int json_row(side *s, const json_value *r, size_t i, size_t j,
                    const char *file, const char *func, size_t tn)
{
    double line;
    double occ;
    item *it;
    const char *text = string(json_get(r, "contents"));
    const json_value *entry = json_get(r, "entry");
    const json_value *peak = json_get(r, "peak_mib");
    const char *bad = NULL;
    if (r->type != JSON_OBJECT)
        bad = "is not an object";
    else if (!number(json_get(r, "line"), &line) || line < 1 ||
             line > INT_MAX || line != floor(line))
        bad = "has no \"line\" of 1 or more";
    else if (!number(json_get(r, "mem_mib"), &(double){0}))
        bad = "has no number \"mem_mib\"";
    else if (text == NULL)
        bad = "has no string \"contents\"";
    else if (entry != NULL && entry->type != JSON_BOOL)
        bad = "has an \"entry\" that is not true or false";
    else if (peak != NULL && peak->type != JSON_NULL &&
             peak->type != JSON_NUMBER)
        bad = "has a \"peak_mib\" that is not a number or null";
    if (bad == NULL && (it = add_item(s)) == NULL) {
        cli_error("out of memory");
        return CLI_ERROR;
    }
    if (bad != NULL) {
        cli_error("%s: tables[%zu].rows[%zu] %s; not a memprof JSON report",
                  s->path, i, j, bad);
        return CLI_ERROR;
    }
    it->kind = K_LINE;
    it->file = file;
    it->func = func;
    it->text = text;
    it->line = (int)line;
    /* Reports before format 1 have no "entry": the MP_PROFILE_FUNC row. */
    it->entry = entry != NULL ? entry->boolean
                              : strstr(text, "MP_PROFILE_FUNC") != NULL;
    it->has_inc = number(json_get(r, "increment_mib"), &it->inc);
    it->has_peak = number(peak, &it->peak);
    if (number(json_get(r, "occurrences"), &occ) && occ >= 0 && occ < 1e18)
        it->occ = (long long)occ;
    it->key = make_key(K_LINE, file, func, tn, text);
    if (it->key == NULL) {
        cli_error("out of memory");
        return CLI_ERROR;
    }
    return 0;
}

/*
 * json_items() - the items of s's report: the run, each function, each
 * line.  Returns 0, or CLI_ERROR after one line.
 */
static int json_items(side *s)
{
    const json_value *doc = &s->doc;
    const json_value *tables = json_get(doc, "tables");
    const json_value *head = json_get(doc, "memprof");
    const json_value *run = json_get(doc, "run");
    double format = 0;
    double precision;
    if (tables == NULL || tables->type != JSON_ARRAY) {
        cli_error("%s: no \"tables\" array; not a memprof JSON report",
                  s->path);
        return CLI_ERROR;
    }
    if (head != NULL &&
        (!number(json_get(head, "format"), &format) || format != 1)) {
        cli_error("%s: \"memprof\" does not say format 1; this memprof "
                  "reads format 1 (memprof(3), JSON)",
                  s->path);
        return CLI_ERROR;
    }
    s->backend = string(json_get(run, "backend"));
    if (number(json_get(run, "precision"), &precision) && precision >= 0 &&
        precision <= 6)
        s->precision = (int)precision;

    /* Tables of the same file and function, numbered in order. */
    size_t nt = tables->n;
    char **tkeys = calloc(nt ? nt : 1, sizeof *tkeys);
    size_t *tord = calloc(nt ? nt : 1, sizeof *tord);
    int rc = tkeys != NULL && tord != NULL ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < nt; i++) {
        const json_value *t = &tables->items[i];
        const char *file = string(json_get(t, "file"));
        const json_value *fn = json_get(t, "function");
        const json_value *rows = json_get(t, "rows");
        if (file == NULL || fn == NULL ||
            (fn->type != JSON_NULL && fn->type != JSON_STRING) ||
            rows == NULL || rows->type != JSON_ARRAY) {
            cli_error("%s: tables[%zu] has no \"file\", \"function\" or "
                      "\"rows\"; not a memprof JSON report",
                      s->path, i);
            rc = CLI_ERROR;
            break;
        }
        tkeys[i] = make_key(K_FUNC, file, fn->string, 0, NULL);
        if (tkeys[i] == NULL)
            rc = -ENOMEM;
    }
    if (rc == 0)
        rc = ordinals(tkeys, nt, tord);

    item *all = NULL;
    double top = -HUGE_VAL;
    if (rc == 0 && (all = add_item(s)) == NULL)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < nt; i++) {
        const json_value *t = &tables->items[i];
        const char *file = string(json_get(t, "file"));
        const char *func = json_get(t, "function")->string;
        const json_value *rows = json_get(t, "rows");
        size_t fi = 0;
        if (func != NULL) {
            item *f = add_item(s);
            if (f == NULL) {
                rc = -ENOMEM;
                break;
            }
            fi = f->seq;
            f->kind = K_FUNC;
            f->file = file;
            f->func = func;
            f->has_inc = 1;
            f->peak = -HUGE_VAL;
            f->key = make_key(K_FUNC, file, func, tord[i], NULL);
            if (f->key == NULL)
                rc = -ENOMEM;
        }
        for (size_t j = 0; rc == 0 && j < rows->n; j++) {
            rc = json_row(s, &rows->items[j], i, j, file, func, tord[i]);
            if (rc != 0)
                break;
            const item *r = &s->items[s->n - 1];
            double mem = 0;
            number(json_get(&rows->items[j], "mem_mib"), &mem);
            if (mem > top)
                top = mem;
            if (func == NULL)
                continue;
            item *f = &s->items[fi];
            if (mem > f->peak)
                f->peak = mem;
            f->has_peak = 1;
            /* Not the entry row's: that is what came before the call. */
            if (!r->entry && r->has_inc)
                f->inc += r->inc;
            if (r->entry && r->occ >= 0)
                f->occ = r->occ;
        }
    }
    if (rc == 0) {
        all = &s->items[0];
        all->kind = K_RUN;
        all->key = make_key(K_RUN, NULL, NULL, 0, NULL);
        double m;
        all->has_peak = number(json_get(run, "max_mem_mib"), &m);
        all->peak = all->has_peak ? m : top;
        all->has_peak |= top > -HUGE_VAL;
        if (all->key == NULL)
            rc = -ENOMEM;
    }
    for (size_t i = 0; tkeys != NULL && i < nt; i++)
        free(tkeys[i]);
    free(tkeys);
    free(tord);
    if (rc == -ENOMEM) {
        cli_error("out of memory");
        return CLI_ERROR;
    }
    return rc;
}

/* A recording's readings sorted by time, with a tree of their maxima. */
typedef struct samples {
    mp__dat_sample *s;
    size_t n;
    double *tree; /* 2n: tree[n + i] = s[i].mib, tree[i] the larger child */
} samples;

static int by_time(const void *a, const void *b)
{
    double x = ((const mp__dat_sample *)a)->t;
    double y = ((const mp__dat_sample *)b)->t;
    return (x > y) - (x < y);
}

/* first_at() - the first of the n sorted samples at time t or later. */
static size_t first_at(const samples *sm, double t, int after)
{
    size_t lo = 0;
    size_t hi = sm->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (after ? sm->s[mid].t <= t : sm->s[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* range_max() - the largest reading at a time in [t0, t1], or -HUGE_VAL. */
static double range_max(const samples *sm, double t0, double t1)
{
    size_t l = first_at(sm, t0, 0) + sm->n;
    size_t r = first_at(sm, t1, 1) + sm->n;
    double m = -HUGE_VAL;
    for (; l < r; l /= 2, r /= 2) {
        if (l & 1)
            m = fmax(m, sm->tree[l++]);
        if (r & 1)
            m = fmax(m, sm->tree[--r]);
    }
    return m;
}

/* What by_label() sorts: spans by name, then by their place in the file. */
static const mp__dat_span *sort_spans;

static int by_label(const void *a, const void *b)
{
    size_t i = *(const size_t *)a;
    size_t j = *(const size_t *)b;
    int c = strcmp(sort_spans[i].name, sort_spans[j].name);
    return c != 0 ? c : (i > j) - (i < j);
}

/*
 * dat_items() - the items of s's recording: the whole run (its largest
 * reading, MEM or at a span's ends) and each span label (FUNC lines: a profiled
 * function or an MP_TIMESTAMP): what its spans left behind, the sum of their
 * end minus start readings, and the largest reading at their ends or within
 * them. Returns 0 or -ENOMEM.
 */
static int dat_items(side *s)
{
    const mp__dat *d = &s->dat;
    samples sm = {NULL, d->nmem, NULL};
    size_t *idx = malloc((d->nfuncs ? d->nfuncs : 1) * sizeof *idx);
    sm.s = malloc((sm.n ? sm.n : 1) * sizeof *sm.s);
    sm.tree = malloc((2 * sm.n + 1) * sizeof *sm.tree);
    item *all = add_item(s);
    int rc = idx && sm.s && sm.tree && all ? 0 : -ENOMEM;
    if (rc == 0) {
        memcpy(sm.s, d->mem, sm.n * sizeof *sm.s);
        qsort(sm.s, sm.n, sizeof *sm.s, by_time);
        for (size_t i = 0; i < sm.n; i++)
            sm.tree[sm.n + i] = sm.s[i].mib;
        for (size_t i = sm.n - 1; i >= 1 && i < sm.n; i--)
            sm.tree[i] = fmax(sm.tree[2 * i], sm.tree[2 * i + 1]);
        all->kind = K_RUN;
        all->has_peak = 1;
        all->peak = -HUGE_VAL;
        for (size_t i = 0; i < sm.n; i++)
            all->peak = fmax(all->peak, sm.s[i].mib);
        for (size_t i = 0; i < d->nfuncs; i++)
            all->peak =
                fmax(all->peak, fmax(d->funcs[i].mem0, d->funcs[i].mem1));
        all->key = make_key(K_RUN, NULL, NULL, 0, NULL);
        if (all->key == NULL)
            rc = -ENOMEM;
        for (size_t i = 0; i < d->nfuncs; i++)
            idx[i] = i;
        sort_spans = d->funcs;
        qsort(idx, d->nfuncs, sizeof *idx, by_label);
    }
    for (size_t k = 0; rc == 0 && k < d->nfuncs;) {
        const char *name = d->funcs[idx[k]].name;
        item *f = add_item(s);
        if (f == NULL) {
            rc = -ENOMEM;
            break;
        }
        f->kind = K_FUNC;
        f->func = name;
        f->has_inc = 1;
        f->has_peak = 1;
        f->peak = -HUGE_VAL;
        f->occ = 0;
        f->seq = idx[k] + 1; /* the order of the first span's end */
        f->key = make_key(K_FUNC, NULL, name, 0, NULL);
        if (f->key == NULL)
            rc = -ENOMEM;
        for (; k < d->nfuncs && strcmp(d->funcs[idx[k]].name, name) == 0; k++) {
            const mp__dat_span *sp = &d->funcs[idx[k]];
            f->inc += sp->mem1 - sp->mem0;
            f->peak = fmax(f->peak, fmax(sp->mem0, sp->mem1));
            f->peak = fmax(f->peak, range_max(&sm, sp->t0, sp->t1));
            f->occ++;
        }
    }
    free(idx);
    free(sm.s);
    free(sm.tree);
    return rc;
}

/* looks_json() - whether the first byte of fd's file, past blanks, is '{'. */
static int looks_json(int fd)
{
    char buf[512];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
                buf[i] != '\r')
                return buf[i] == '{';
    }
    return 0;
}

/*
 * side_read() - read s->path, a JSON report or a recording, into its
 * items.  Returns 0, or CLI_ERROR after one line on stderr.
 */
static int side_read(side *s)
{
    char err[PATH_MAX + 256];
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cli_error("cannot read %s: %s", s->path, strerror(errno));
        return CLI_ERROR;
    }
    s->is_json = looks_json(fd);
    int rc = 0;
    if (s->is_json) {
        char *text = NULL;
        size_t len = 0;
        rc =
            lseek(fd, 0, SEEK_SET) == 0 ? mp__read_fd(fd, &text, &len) : -errno;
        close(fd);
        if (rc != 0) {
            cli_error("cannot read %s: %s", s->path, strerror(-rc));
            return CLI_ERROR;
        }
        rc = json_parse(text, len, &s->doc, err, sizeof err);
        free(text);
        if (rc == -ENOMEM) {
            cli_error("out of memory");
            return CLI_ERROR;
        }
        if (rc != 0) {
            /* Reports appended to one file: a forked child's, mp_report's. */
            int more = strstr(err, "'{' after the end") != NULL;
            cli_error("%s:%s; %s", s->path, err,
                      more ? "two reports in one file? (%p in MEMPROF_OUTPUT "
                             "gives each process its own)"
                           : "not a JSON report");
            return CLI_ERROR;
        }
        return json_items(s);
    }
    close(fd);
    rc = mp__dat_read(s->path, &s->dat, err, sizeof err);
    if (rc == 0 && s->dat.nmem == 0) {
        cli_error("%s has no samples", s->path);
        return CLI_ERROR;
    }
    if (rc == 0)
        rc = dat_items(s);
    if (rc == -ENOMEM)
        cli_error("out of memory");
    else if (rc != 0)
        cli_error("%s", err);
    return rc != 0 ? CLI_ERROR : 0;
}

/* side_free() - free what side_read() made. */
static void side_free(side *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i].key);
    free(s->items);
    json_free(&s->doc);
    mp__dat_free(&s->dat);
}

/* ---- Matching and ordering. */

/* by_match() - items by key, then by their number among equal keys. */
static int by_match(const void *a, const void *b)
{
    const item *x = a;
    const item *y = b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : (x->ord > y->ord) - (x->ord < y->ord);
}

/* by_seq() - items in the order they came. */
static int by_seq(const void *a, const void *b)
{
    const item *x = a;
    const item *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* number_equal_keys() - each item's ord among the items of equal key. */
static int number_equal_keys(side *s)
{
    char **keys = malloc((s->n ? s->n : 1) * sizeof *keys);
    size_t *ord = malloc((s->n ? s->n : 1) * sizeof *ord);
    int rc = keys != NULL && ord != NULL ? 0 : -ENOMEM;
    if (rc == 0) {
        qsort(s->items, s->n, sizeof *s->items, by_seq);
        for (size_t i = 0; i < s->n; i++)
            keys[i] = s->items[i].key;
        rc = ordinals(keys, s->n, ord);
    }
    for (size_t i = 0; rc == 0 && i < s->n; i++)
        s->items[i].ord = ord[i];
    free(keys);
    free(ord);
    if (rc == 0)
        qsort(s->items, s->n, sizeof *s->items, by_match);
    return rc;
}

/*
 * measure() - one measure of a row: compared when both sides have it;
 * for a row of one side only, a local measure (an Increment, a line's
 * Peak) counts from 0, an absolute one (a function's or the run's
 * largest reading) is not compared.
 */
static int measure(int has_old, double old, int has_new, double new, int both,
                   int local, double *d)
{
    if (both) {
        if (!has_old || !has_new)
            return 0;
        *d = new - old;
        return !isnan(*d); /* infinities of sums of huge figures */
    }
    if (!local || (!has_old && !has_new))
        return 0;
    *d = (has_new ? new : 0) - (has_old ? old : 0);
    return !isnan(*d);
}

/* row_fill() - r's changes and growth; over: above limit (< 0: none). */
static void row_fill(row *r, double limit)
{
    const item *o = r->old;
    const item *n = r->new;
    const item *any = n != NULL ? n : o;
    int both = o != NULL && n != NULL;
    r->has_dinc = measure(o && o->has_inc, o ? o->inc : 0, n && n->has_inc,
                          n ? n->inc : 0, both, 1, &r->dinc);
    r->has_dpeak =
        measure(o && o->has_peak, o ? o->peak : 0, n && n->has_peak,
                n ? n->peak : 0, both, any->kind == K_LINE, &r->dpeak);
    r->growth = -HUGE_VAL;
    if (r->has_dinc)
        r->growth = r->dinc;
    if (r->has_dpeak && r->dpeak > r->growth)
        r->growth = r->dpeak;
    r->over = limit >= 0 && !any->entry && r->growth > limit;
}

/* by_growth() - largest growth first, then Increment, kind, place. */
static int by_growth(const void *a, const void *b)
{
    const row *x = a;
    const row *y = b;
    if (x->growth != y->growth)
        return x->growth < y->growth ? 1 : -1;
    double xi = x->has_dinc ? x->dinc : -HUGE_VAL;
    double yi = y->has_dinc ? y->dinc : -HUGE_VAL;
    if (xi != yi)
        return xi < yi ? 1 : -1;
    const item *p = x->new != NULL ? x->new : x->old;
    const item *q = y->new != NULL ? y->new : y->old;
    if (p->kind != q->kind)
        return p->kind - q->kind;
    if ((x->new == NULL) != (y->new == NULL))
        return x->new == NULL ? 1 : -1;
    return (p->seq > q->seq) - (p->seq < q->seq);
}

/*
 * match() - the rows of old and new, their items sorted by by_match():
 * pairs of equal key and number, and the items of one side alone.
 * Returns the rows (malloc'd, *n of them) or NULL.
 */
static row *match(const side *old, const side *new, size_t *n)
{
    row *rows = malloc((old->n + new->n + 1) * sizeof *rows);
    size_t i = 0;
    size_t j = 0;
    *n = 0;
    if (rows == NULL)
        return NULL;
    while (i < old->n || j < new->n) {
        int c = i == old->n   ? 1
                : j == new->n ? -1
                              : by_match(&old->items[i], &new->items[j]);
        row *r = &rows[(*n)++];
        memset(r, 0, sizeof *r);
        if (c <= 0)
            r->old = &old->items[i++];
        if (c >= 0)
            r->new = &new->items[j++];
    }
    return rows;
}

/* ---- Output. */

/* What the output shows. */
typedef struct view {
    const side *old;
    const side *new;
    int precision;
    int all;
    double limit; /* --fail-above, or -1 */
} view;

/*
 * shown() - whether r is printed without --all: it is new or gone, or a
 * change shows at the precision.
 */
static int shown(const view *v, const row *r)
{
    double unit = pow(10, -v->precision) / 2;
    if (v->all || r->old == NULL || r->new == NULL)
        return 1;
    return (r->has_dinc && fabs(r->dinc) >= unit) ||
           (r->has_dpeak && fabs(r->dpeak) >= unit);
}

/* cell() - a figure as the table prints it ("" when absent). */
static const char *cell(char *buf, size_t size, int has, double mib, int p,
                        int sign)
{
    if (!has)
        return "";
    if (sign && fabs(mib) < pow(10, -p) / 2)
        mib = 0; /* no "-0.0" */
    if (sign)
        snprintf(buf, size, "%+.*f MiB", p, mib);
    else
        snprintf(buf, size, "%*.*f MiB", p + 4, p, mib);
    if (sign && mib == 0)
        buf[0] = ' ';
    return buf;
}

/* where() - what r is, as the table's last column says it. */
static void where(FILE *out, const row *r)
{
    const item *it = r->new != NULL ? r->new : r->old;
    if (r->old == NULL)
        fputs("[new] ", out);
    else if (r->new == NULL)
        fputs("[gone] ", out);
    else if (it->entry)
        fputs("[entry] ", out);
    if (it->kind == K_RUN) {
        fputs("the whole run (its largest reading)", out);
    } else if (it->kind == K_FUNC && it->file != NULL) {
        fprintf(out, "%s() in %s", it->func, it->file);
    } else if (it->kind == K_FUNC) {
        fprintf(out, "%s (%lld span%s)", it->func, it->occ,
                it->occ == 1 ? "" : "s");
    } else {
        const char *t = it->text;
        while (*t == ' ' || *t == '\t')
            t++;
        fprintf(out, "%s:%d%s%s: %s", it->file, it->line,
                it->func != NULL ? " " : "", it->func != NULL ? it->func : "",
                t);
    }
}

/* print_table() - the comparison as a table, the n rows in order. */
static void print_table(const view *v, const row *rows, size_t n)
{
    static const char head1[] = "   Increment    Increment    Increment"
                                "         Peak         Peak         Peak";
    static const char head2[] = "         Old          New       Change"
                                "          Old          New       Change"
                                "  Where";
    size_t hidden = 0;
    size_t grew = 0;
    size_t shrank = 0;
    size_t added = 0;
    size_t gone = 0;
    int p = v->precision;
    printf("Old: %s (%s)\nNew: %s (%s)\n\n%s\n%s\n", v->old->path,
           v->old->is_json ? "JSON report" : "recording", v->new->path,
           v->new->is_json ? "JSON report" : "recording", head1, head2);
    for (size_t i = 0; i < sizeof head2 - 1; i++)
        putchar('=');
    putchar('\n');
    for (size_t k = 0; k < n; k++) {
        const row *r = &rows[k];
        const item *o = r->old;
        const item *nw = r->new;
        char c[6][64];
        added += o == NULL;
        gone += nw == NULL;
        if (o != NULL && nw != NULL && r->growth >= pow(10, -p) / 2)
            grew++;
        else if (o != NULL && nw != NULL && shown(v, r) &&
                 ((r->has_dinc && r->dinc < 0) ||
                  (r->has_dpeak && r->dpeak < 0)))
            shrank++;
        if (!shown(v, r)) {
            hidden++;
            continue;
        }
        printf("%12s %12s %12s %12s %12s %12s  ",
               cell(c[0], 64, o && o->has_inc, o ? o->inc : 0, p, 0),
               cell(c[1], 64, nw && nw->has_inc, nw ? nw->inc : 0, p, 0),
               cell(c[2], 64, r->has_dinc, r->dinc, p, 1),
               cell(c[3], 64, o && o->has_peak, o ? o->peak : 0, p, 0),
               cell(c[4], 64, nw && nw->has_peak, nw ? nw->peak : 0, p, 0),
               cell(c[5], 64, r->has_dpeak, r->dpeak, p, 1));
        where(stdout, r);
        putchar('\n');
    }
    printf("\n%zu rows: %zu grew, %zu shrank, %zu new, %zu gone", n, grew,
           shrank, added, gone);
    if (hidden > 0)
        printf("; %zu unchanged not shown (--all shows them)", hidden);
    puts(".");
}

/* json_figure() - "old", "new", "change" of one measure as JSON. */
static void json_figure(FILE *out, const char *name, int has_old, double old,
                        int has_new, double new, int has_d, double d)
{
    fprintf(out, ", \"%s\": {\"old\": ", name);
    has_old ? fprintf(out, "%.6f", old) : fputs("null", out);
    fputs(", \"new\": ", out);
    has_new ? fprintf(out, "%.6f", new) : fputs("null", out);
    fputs(", \"change\": ", out);
    has_d ? fprintf(out, "%.6f", d) : fputs("null", out);
    fputc('}', out);
}

/* print_json() - the comparison as one JSON object, every row. */
static void print_json(const view *v, const row *rows, size_t n, size_t over)
{
    static const char *const kinds[] = {"run", "function", "line"};
    fputs("{\"memprof\": {\"version\": \"" MEMPROF_VERSION "\", "
          "\"format\": 1},\n\"diff\": {\"old\": ",
          stdout);
    mp__json_string(stdout, v->old->path);
    fputs(", \"new\": ", stdout);
    mp__json_string(stdout, v->new->path);
    fputs(", \"fail_above_mib\": ", stdout);
    v->limit >= 0 ? printf("%.6f", v->limit) : fputs("null", stdout);
    printf(", \"over\": %zu,\n\"rows\": [", over);
    for (size_t k = 0; k < n; k++) {
        const row *r = &rows[k];
        const item *o = r->old;
        const item *nw = r->new;
        const item *it = nw != NULL ? nw : o;
        printf("%s\n  {\"kind\": \"%s\", \"status\": \"%s\", \"file\": ",
               k > 0 ? "," : "", kinds[it->kind],
               o == NULL    ? "new"
               : nw == NULL ? "gone"
                            : "both");
        mp__json_string(stdout, it->file);
        fputs(", \"function\": ", stdout);
        mp__json_string(stdout, it->func);
        fputs(", \"contents\": ", stdout);
        mp__json_string(stdout, it->text);
        printf(", \"old_line\": ");
        o != NULL && o->kind == K_LINE ? printf("%d", o->line)
                                       : fputs("null", stdout);
        printf(", \"new_line\": ");
        nw != NULL && nw->kind == K_LINE ? printf("%d", nw->line)
                                         : fputs("null", stdout);
        printf(", \"entry\": %s", it->entry ? "true" : "false");
        json_figure(stdout, "increment_mib", o && o->has_inc, o ? o->inc : 0,
                    nw && nw->has_inc, nw ? nw->inc : 0, r->has_dinc, r->dinc);
        json_figure(stdout, "peak_mib", o && o->has_peak, o ? o->peak : 0,
                    nw && nw->has_peak, nw ? nw->peak : 0, r->has_dpeak,
                    r->dpeak);
        printf(", \"over\": %s}", r->over ? "true" : "false");
    }
    fputs(n > 0 ? "\n]}}\n" : "]}}\n", stdout);
}

/* ---- The command. */

/*
 * parse_mib() - --fail-above's value: a finite number of MiB, 0 or more.
 * Returns 0 or -EINVAL.
 */
static int parse_mib(const char *s, double *out)
{
    char *end = NULL;
    if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t')
        return -EINVAL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0)
        return -EINVAL;
    *out = v;
    return 0;
}

/* cmd_diff() - see diff.h. */
int cmd_diff(int argc, char **argv)
{
    static const struct option longs[] = {
        {"fail-above", required_argument, NULL, 'f'},
        {"all", no_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {"precision", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    view v = {NULL, NULL, -1, 0, -1};
    int json = 0;
    long precision = -1;
    cli_args a;
    int c;
    cli_args_init(&a, "diff", argc, argv, "ap:h", longs);
    while ((c = cli_args_next(&a)) > 0) {
        switch (c) {
        case 'f':
            if (parse_mib(a.value, &v.limit) != 0)
                return cli_args_error(&a,
                                      "%s '%s' is not a number of MiB, 0 or "
                                      "more",
                                      a.name, a.value);
            break;
        case 'a':
            v.all = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'p':
            if (mp__parse_int(a.value, 0, 6, &precision) != 0)
                return cli_args_error(&a, "%s '%s' is not an integer 0..6",
                                      a.name, a.value);
            break;
        case 'h':
            fputs(diff_usage, stdout);
            return cli_finish(CLI_OK);
        }
    }
    if (c < 0)
        return CLI_USAGE;
    if (a.nops != 2)
        return cli_args_error(&a, "%s",
                              a.nops < 2 ? "needs OLD and NEW"
                                         : "takes two inputs, OLD "
                                           "and NEW");

    side s[2];
    memset(s, 0, sizeof s);
    char **list = NULL;
    size_t nlist = 0;
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        struct stat st;
        s[i].precision = -1;
        if (cli_is_index(a.ops[i]) && list == NULL &&
            (list = cli_profiles(&nlist)) == NULL) {
            cli_error("cannot list the recordings here: %s", strerror(errno));
            rc = CLI_ERROR;
            break;
        }
        s[i].path = cli_resolve(a.ops[i], list, nlist, &st, 0);
        rc = s[i].path == NULL ? CLI_ERROR : side_read(&s[i]);
    }
    if (rc == 0 && s[0].is_json != s[1].is_json) {
        cli_error("diff: %s is a %s and %s a %s; compare two of a kind",
                  s[0].path, s[0].is_json ? "JSON report" : "recording",
                  s[1].path, s[1].is_json ? "JSON report" : "recording");
        rc = CLI_USAGE;
    }
    if (rc == 0 && s[0].backend != NULL && s[1].backend != NULL &&
        strcmp(s[0].backend, s[1].backend) != 0)
        cli_error("diff: %s measured %s, %s %s; their figures do not compare",
                  s[0].path, s[0].backend, s[1].path, s[1].backend);
    if (rc == 0 &&
        (number_equal_keys(&s[0]) != 0 || number_equal_keys(&s[1]) != 0)) {
        cli_error("out of memory");
        rc = CLI_ERROR;
    }
    size_t n = 0;
    row *rows = rc == 0 ? match(&s[0], &s[1], &n) : NULL;
    if (rc == 0 && rows == NULL) {
        cli_error("out of memory");
        rc = CLI_ERROR;
    }
    if (rc == 0) {
        size_t over = 0;
        const row *worst = NULL;
        v.old = &s[0];
        v.new = &s[1];
        v.precision = precision >= 0        ? (int)precision
                      : s[1].precision >= 0 ? s[1].precision
                                            : 1;
        for (size_t k = 0; k < n; k++)
            row_fill(&rows[k], v.limit);
        qsort(rows, n, sizeof *rows, by_growth);
        for (size_t k = 0; k < n; k++)
            if (rows[k].over && over++ == 0)
                worst = &rows[k];
        if (json)
            print_json(&v, rows, n, over);
        else
            print_table(&v, rows, n);
        rc = cli_finish(CLI_OK);
        if (rc == CLI_OK && over > 0) {
            char *w = NULL;
            size_t wlen = 0;
            FILE *f = open_memstream(&w, &wlen);
            if (f != NULL) {
                where(f, worst);
                fclose(f);
            }
            cli_error("diff: %zu row%s grew by more than %g MiB, the most "
                      "%+.*f MiB: %s",
                      over, over == 1 ? "" : "s", v.limit, v.precision,
                      worst->growth, w != NULL ? w : "");
            free(w);
            rc = CLI_OVER_BUDGET;
        }
    }
    free(rows);
    cli_free_list(list);
    side_free(&s[0]);
    side_free(&s[1]);
    return rc;
}
