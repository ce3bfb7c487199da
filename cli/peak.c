/*
 * peak.c - memprof peak's reading of one recording: its largest MEM
 * reading (or the largest within a function's spans, --func) and each
 * child's, found while the file streams by, one line held at a time:
 * memory grows with the children and the function's spans, never with
 * the samples.  files.c has the command around it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "cli.h"

/* One child's peak so far. */
typedef struct child_peak {
    long pid;
    double peak;
} child_peak;

/* A span of the function --func names, from its FUNC lines. */
typedef struct span_t {
    double t0;
    double t1;
} span_t;

/* What the scans of one file gather. */
typedef struct peak_ctx {
    const char *func;     /* --func's value, or NULL */
    size_t nmem;          /* MEM readings read */
    double peak;          /* the first, then the largest, of those counted */
    int found;            /* --func: a reading fell within a span */
    child_peak *children; /* in order of first CHLD line */
    size_t nchildren;
    size_t childcap;
    size_t *slots; /* children by pid: an index plus one, or 0 */
    size_t nslots; /* a power of two, at least twice the children */
    span_t *spans;
    size_t nspans;
    size_t spancap;
} peak_ctx;

/* grow() - room for one more of *n elements of size in *arr. */
static int grow(void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap != 0 ? 2 * *cap : 16;
    void *p = realloc(*(void **)arr, ncap * size);
    if (p == NULL)
        return -ENOMEM;
    *(void **)arr = p;
    *cap = ncap;
    return 0;
}

/* slot_of() - the slot of pid in c's table: its own, or the empty one. */
static size_t slot_of(const peak_ctx *c, long pid)
{
    size_t mask = c->nslots - 1;
    size_t i = ((size_t)pid * (size_t)0x9E3779B97F4A7C15ull >> 16) & mask;
    while (c->slots[i] != 0 && c->children[c->slots[i] - 1].pid != pid)
        i = (i + 1) & mask;
    return i;
}

/* on_chld() - the CHLD hook: the child's peak, the child added when new. */
static int on_chld(void *ctx, long pid, double mib, double t)
{
    peak_ctx *c = ctx;
    (void)t;
    if (2 * (c->nchildren + 1) > c->nslots) {
        size_t n = c->nslots != 0 ? 2 * c->nslots : 64;
        size_t *slots = calloc(n, sizeof *slots);
        if (slots == NULL)
            return -ENOMEM;
        free(c->slots);
        c->slots = slots;
        c->nslots = n;
        for (size_t k = 0; k < c->nchildren; k++)
            c->slots[slot_of(c, c->children[k].pid)] = k + 1;
    }
    size_t i = slot_of(c, pid);
    if (c->slots[i] == 0) {
        if (grow(&c->children, c->nchildren, &c->childcap,
                 sizeof *c->children) != 0)
            return -ENOMEM;
        c->children[c->nchildren].pid = pid;
        c->children[c->nchildren].peak = mib;
        c->slots[i] = ++c->nchildren;
    }
    child_peak *ch = &c->children[c->slots[i] - 1];
    if (mib > ch->peak)
        ch->peak = mib;
    return 0;
}

/* on_mem() - the MEM hook without --func: every reading counts. */
static int on_mem(void *ctx, double mib, double t)
{
    peak_ctx *c = ctx;
    (void)t;
    if (c->nmem++ == 0 || mib > c->peak)
        c->peak = mib;
    return 0;
}

/* on_func() - the FUNC hook of --func's first pass: its spans. */
static int on_func(void *ctx, const mp__dat_span *f)
{
    peak_ctx *c = ctx;
    if (strcmp(f->name, c->func) != 0)
        return 0;
    if (grow(&c->spans, c->nspans, &c->spancap, sizeof *c->spans) != 0)
        return -ENOMEM;
    c->spans[c->nspans].t0 = f->t0;
    c->spans[c->nspans].t1 = f->t1;
    c->nspans++;
    return 0;
}

/* count_mem() - the MEM hook of --func's first pass: the readings. */
static int count_mem(void *ctx, double mib, double t)
{
    (void)mib;
    (void)t;
    ((peak_ctx *)ctx)->nmem++;
    return 0;
}

/*
 * func_mem() - the MEM hook of --func's second pass: mprof's
 * filter_mprofile_mem_usage_by_function() and max(): a reading counts
 * when its time lies within one of the function's spans (ends included).
 */
static int func_mem(void *ctx, double mib, double t)
{
    peak_ctx *c = ctx;
    for (size_t k = 0; k < c->nspans; k++) {
        if (t < c->spans[k].t0 || t > c->spans[k].t1)
            continue;
        if (!c->found || mib > c->peak)
            c->peak = mib;
        c->found = 1;
        break;
    }
    return 0;
}

/*
 * scan_file() - c's figures of name: one pass, or with --func a second
 * over the bytes the first read (the spans come after their readings).
 * Returns 0, or CLI_ERROR after one line on stderr.
 */
static int scan_file(const char *name, peak_ctx *c)
{
    char err[PATH_MAX + 128];
    FILE *f = fopen(name, "re");
    if (f == NULL) {
        fflush(stdout);
        cli_error("cannot read %s: %s", name, strerror(errno));
        return CLI_ERROR;
    }
    mp__dat_sink sink = {c, NULL, c->func != NULL ? count_mem : on_mem, on_chld,
                         c->func != NULL ? on_func : NULL};
    mp__dat_info info;
    int r = mp__dat_scan(f, name, &sink, -1, &info, err, sizeof err);
    if (r == 0)
        mp__dat_warn(name, &info);
    if (r == 0 && c->func != NULL && c->nmem > 0 && c->nspans > 0) {
        mp__dat_sink second = {c, NULL, func_mem, NULL, NULL};
        mp__dat_info again;
        if (fseek(f, 0, SEEK_SET) != 0) {
            r = -errno;
            snprintf(err, sizeof err, "cannot read %s: %s", name,
                     strerror(errno));
        } else {
            r = mp__dat_scan(f, name, &second, info.bytes, &again, err,
                             sizeof err);
        }
    }
    fclose(f);
    if (r != 0) {
        fflush(stdout);
        cli_error("%s", err);
        return CLI_ERROR;
    }
    return 0;
}

/* cli_peak_file() - see cli.h. */
int cli_peak_file(const char *name, const char *func)
{
    peak_ctx c;
    memset(&c, 0, sizeof c);
    c.func = func;
    int rc = scan_file(name, &c);
    if (rc == 0 && c.nmem == 0) {
        fflush(stdout);
        cli_error("%s has no samples", name);
        rc = CLI_ERROR;
    }
    if (rc == 0 && func != NULL && !c.found) {
        printf("%s\tNaN MiB\n", name);
    } else if (rc == 0) {
        printf("%s\t%.3f MiB\n", name, c.peak);
        for (size_t k = 0; k < c.nchildren; k++)
            printf("  Child %ld\t\t\t%.3f MiB\n", c.children[k].pid,
                   c.children[k].peak);
    }
    free(c.children);
    free(c.slots);
    free(c.spans);
    return rc == 0 ? CLI_OK : rc;
}
