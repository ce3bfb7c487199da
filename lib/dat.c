/*
 * dat.c - mprof's .dat format, written by the library (FUNC lines) and by
 * the memprof command (the rest), read by the command:
 *
 *     CMDLINE ./prog arg
 *     MEM 12.345678 1763822000.1234
 *     CHLD 4242 3.500000 1763822000.2234
 *     FUNC basic.my_func 40.4219 1763822000.3000 200.6445 1763822001.4000 0
 *
 * Memory in MiB, times in seconds since the epoch, numbers as
 * memory_profiler 0.61 writes them, so that each side reads the other's.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* put() - snprintf that reports truncation as -ENOSPC. */
static int put(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int put(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size)
        return -ENOSPC;
    return n;
}

/* mp__dat_put_mem() - see internal.h. */
int mp__dat_put_mem(char *buf, size_t size, double mib, double t)
{
    return put(buf, size, "MEM %.6f %.4f\n", mib, t);
}

/* mp__dat_put_chld() - see internal.h. */
int mp__dat_put_chld(char *buf, size_t size, long pid, double mib, double t)
{
    return put(buf, size, "CHLD %ld %.6f %.4f\n", pid, mib, t);
}

/* mp__dat_put_func() - see internal.h. */
int mp__dat_put_func(char *buf, size_t size, const char *name, double mem0,
                     double t0, double mem1, double t1, int level)
{
    return put(buf, size, "FUNC %s %.4f %.4f %.4f %.4f %d\n", name, mem0, t0,
               mem1, t1, level);
}

/*
 * mp__dat_put_cmdline() - mprof's get_cmd_line(): arguments joined by spaces,
 * each that holds a blank or a tab wrapped in single quotes; and, so that
 * the line stays one line (an argument "\nMEM 99999 1" must not forge a
 * reading), a line feed or carriage return written as \n or \r and any
 * other control character but the tab as \xHH.  mprof reads the rest of
 * the line as text, so it shows them as written.
 */
int mp__dat_put_cmdline(char *buf, size_t size, char *const argv[])
{
    size_t n = 0;
    int r = put(buf, size, "CMDLINE ");
    if (r < 0)
        return r;
    n = (size_t)r;
    for (int i = 0; argv[i] != NULL; i++) {
        int quote = strpbrk(argv[i], " \t") != NULL;
        r = put(buf + n, size - n, "%s%s", i > 0 ? " " : "", quote ? "'" : "");
        if (r < 0)
            return r;
        n += (size_t)r;
        for (const unsigned char *p = (const unsigned char *)argv[i]; *p; p++) {
            if (*p == '\n')
                r = put(buf + n, size - n, "\\n");
            else if (*p == '\r')
                r = put(buf + n, size - n, "\\r");
            else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
                r = put(buf + n, size - n, "\\x%02x", *p);
            else
                r = put(buf + n, size - n, "%c", *p);
            if (r < 0)
                return r;
            n += (size_t)r;
        }
        r = put(buf + n, size - n, "%s", quote ? "'" : "");
        if (r < 0)
            return r;
        n += (size_t)r;
    }
    r = put(buf + n, size - n, "\n");
    return r < 0 ? r : (int)(n + 1);
}

/* mp__dat_func_name() - see internal.h. */
int mp__dat_func_name(char *buf, size_t size, const char *file,
                      const char *name)
{
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    int stem =
        dot != NULL && dot != base ? (int)(dot - base) : (int)strlen(base);
    int r = put(buf, size, "%.*s.%s", stem, base, name);
    if (r < 0)
        return r;
    /* A name is one field of a line split on spaces. */
    for (char *p = buf; *p != '\0'; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n')
            *p = '_';
    return r;
}

/* push() - append one element to a growing array. */
static int push(void *arr, size_t *n, size_t *cap, size_t size, const void *elt)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        void *p = realloc(*(void **)arr, ncap * size);
        if (p == NULL)
            return -ENOMEM;
        *(void **)arr = p;
        *cap = ncap;
    }
    memcpy((char *)*(void **)arr + *n * size, elt, size);
    (*n)++;
    return 0;
}

/*
 * number() - one decimal field at *p (after one or more spaces), ending at
 * a space or the end, advancing past it.  What Python's float() reads of
 * what mprof writes: no hexadecimal.
 */
static int number(char **p, double *out)
{
    char *end = NULL;
    if (**p != ' ')
        return -EINVAL;
    while (**p == ' ')
        (*p)++;
    *out = strtod(*p, &end);
    if (end == *p || (*end != ' ' && *end != '\0') ||
        memchr(*p, 'x', (size_t)(end - *p)) != NULL ||
        memchr(*p, 'X', (size_t)(end - *p)) != NULL)
        return -EINVAL;
    *p = end;
    return 0;
}

/* integer() - one integer field at *p in lo..hi, as number(). */
static int integer(char **p, long lo, long hi, long *out)
{
    char *end = NULL;
    if (**p != ' ')
        return -EINVAL;
    while (**p == ' ')
        (*p)++;
    if (**p != '-' && **p != '+' && (**p < '0' || **p > '9'))
        return -EINVAL;
    errno = 0;
    *out = strtol(*p, &end, 10);
    if (end == *p || (*end != ' ' && *end != '\0') || errno != 0 || *out < lo ||
        *out > hi)
        return -EINVAL;
    *p = end;
    return 0;
}

/* line_end() - whether only spaces are left at p. */
static int line_end(const char *p)
{
    return p[strspn(p, " ")] == '\0';
}

/*
 * sane() - whether a memory figure (MiB) and a time (seconds) can be
 * drawn: finite and within MP__DAT_MAX_MIB and MP__DAT_MAX_T.
 */
static int sane(double mib, double t)
{
    return fabs(mib) <= MP__DAT_MAX_MIB && fabs(t) <= MP__DAT_MAX_T;
}

/*
 * The children of a file being read, found by pid in an open-addressing
 * table: slots[] holds an index into dat->children plus one, or 0.
 */
typedef struct child_index {
    size_t *slots;
    size_t nslots; /* a power of two, at least twice the children */
} child_index;

/* slot_of() - the slot of pid in ix: its own, or the empty one to use. */
static size_t slot_of(const child_index *ix, const mp__dat *dat, long pid)
{
    size_t h = (size_t)pid * (size_t)0x9E3779B97F4A7C15ull;
    size_t mask = ix->nslots - 1;
    size_t i = (h >> 16) & mask;
    while (ix->slots[i] != 0 && dat->children[ix->slots[i] - 1].pid != pid)
        i = (i + 1) & mask;
    return i;
}

/*
 * child_of() - the index in dat->children of pid's series, added when
 * new.  Returns 0 or -ENOMEM.
 */
static int child_of(child_index *ix, mp__dat *dat, long pid, size_t *out)
{
    if (2 * (dat->nchildren + 1) > ix->nslots) {
        size_t n = ix->nslots != 0 ? 2 * ix->nslots : 64;
        size_t *slots = calloc(n, sizeof *slots);
        if (slots == NULL)
            return -ENOMEM;
        free(ix->slots);
        ix->slots = slots;
        ix->nslots = n;
        for (size_t c = 0; c < dat->nchildren; c++)
            ix->slots[slot_of(ix, dat, dat->children[c].pid)] = c + 1;
    }
    size_t i = slot_of(ix, dat, pid);
    if (ix->slots[i] == 0) {
        mp__dat_child c = {pid, NULL, 0, 0};
        int r =
            push(&dat->children, &dat->nchildren, &dat->childcap, sizeof c, &c);
        if (r != 0)
            return r;
        ix->slots[i] = dat->nchildren;
    }
    *out = ix->slots[i] - 1;
    return 0;
}

/*
 * parse_line() - one line (no "\n") handed to sink: the kinds mprof
 * writes, its fields separated by spaces.  Returns 0, 1 for a line whose
 * values are out of range (skipped), -EINVAL, or what a hook returned.
 */
static int parse_line(const mp__dat_sink *sink, char *line)
{
    static const char *const kinds[] = {"CMDLINE", "MEM", "CHLD", "FUNC"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i]);
        /* "MEM\t1\t2": mprof cannot read it; neither do we. */
        if (strncmp(line, kinds[i], n) == 0 && line[n] != ' ' &&
            (line[n] == '\0' || isspace((unsigned char)line[n])))
            return -EINVAL;
    }
    size_t klen = strcspn(line, " ");
    if (klen == 0)
        return -EINVAL;
    char *p = line + klen;
    char *kind = line;
    if (strncmp(kind, "CMDLINE ", klen + 1) == 0)
        return sink->cmdline != NULL ? sink->cmdline(sink->ctx, p + 1) : 0;
    if (strncmp(kind, "MEM ", klen + 1) == 0) {
        double mib;
        double t;
        if (number(&p, &mib) != 0 || number(&p, &t) != 0 || !line_end(p))
            return -EINVAL;
        if (!sane(mib, t))
            return 1;
        return sink->mem != NULL ? sink->mem(sink->ctx, mib, t) : 0;
    }
    if (strncmp(kind, "CHLD ", klen + 1) == 0) {
        double mib;
        double t;
        long pid = 0;
        if (integer(&p, LONG_MIN, LONG_MAX, &pid) != 0 ||
            number(&p, &mib) != 0 || number(&p, &t) != 0 || !line_end(p))
            return -EINVAL;
        if (!sane(mib, t))
            return 1;
        return sink->chld != NULL ? sink->chld(sink->ctx, pid, mib, t) : 0;
    }
    if (strncmp(kind, "FUNC ", klen + 1) == 0) {
        mp__dat_span f;
        long level = 0;
        p += strspn(p, " ");
        char *name = p;
        p += strcspn(p, " ");
        size_t nlen = (size_t)(p - name);
        if (nlen == 0 || number(&p, &f.mem0) != 0 || number(&p, &f.t0) != 0 ||
            number(&p, &f.mem1) != 0 || number(&p, &f.t1) != 0)
            return -EINVAL;
        /* The level came later in mprof's history: optional; an int. */
        if (!line_end(p) &&
            (integer(&p, INT_MIN, INT_MAX, &level) != 0 || !line_end(p)))
            return -EINVAL;
        if (!sane(f.mem0, f.t0) || !sane(f.mem1, f.t1))
            return 1;
        f.level = (int)level;
        name[nlen] = '\0';
        f.name = name;
        return sink->func != NULL ? sink->func(sink->ctx, &f) : 0;
    }
    /* mprof skips what it does not know; so do we. */
    return 0;
}

/* mp__dat_scan() - see base.h. */
int mp__dat_scan(FILE *f, const char *path, const mp__dat_sink *sink,
                 long long limit, mp__dat_info *info, char *err, size_t errsize)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int r = 0;
    memset(info, 0, sizeof *info);
    while ((limit < 0 || info->bytes < limit) &&
           (errno = 0, len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (limit >= 0 && len > limit - info->bytes) {
            len = (ssize_t)(limit - info->bytes);
            line[len] = '\0';
        }
        info->bytes += len;
        int whole = len > 0 && line[len - 1] == '\n';
        if (whole)
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        /* A NUL inside the line: not text mprof wrote. */
        r = len == 0 || strlen(line) != (size_t)len ? -EINVAL
                                                    : parse_line(sink, line);
        if (r == 1) {
            if (info->skipped++ == 0)
                info->skipped_line = lineno;
            r = 0;
        }
        if (r == -EINVAL && !whole) {
            /* A last line cut short (a full disk, a kill): left out. */
            info->torn_line = lineno;
            r = 0;
        }
        if (r != 0) {
            if (r == -ENOMEM)
                snprintf(err, errsize, "%s: out of memory", path);
            else if (r == -EINVAL)
                snprintf(err, errsize, "%s:%ld: not a line of a .dat file",
                         path, lineno);
            else
                snprintf(err, errsize, "cannot read %s: %s", path,
                         strerror(-r));
            break;
        }
    }
    /* getline's end: the file's, or an error (out of memory). */
    int stopped = limit >= 0 && info->bytes >= limit;
    if (r == 0 && !stopped && (ferror(f) || !feof(f))) {
        r = errno != 0 ? -errno : -EIO;
        if (r == -ENOMEM)
            snprintf(err, errsize, "%s: out of memory", path);
        else
            snprintf(err, errsize, "cannot read %s: %s", path, strerror(-r));
    }
    free(line);
    return r;
}

/* mp__dat_warn() - see base.h. */
void mp__dat_warn(const char *path, const mp__dat_info *info)
{
    if (info->skipped > 0)
        mp__warn("%s:%ld: %zu line%s with values that are not finite or "
                 "beyond %g skipped",
                 path, info->skipped_line, info->skipped,
                 info->skipped == 1 ? "" : "s", MP__DAT_MAX_MIB);
    if (info->torn_line > 0)
        mp__warn("%s:%ld: the last line is cut short (no newline); left out",
                 path, info->torn_line);
}

/* What mp__dat_read()'s hooks fill: the file and its children by pid. */
typedef struct read_ctx {
    mp__dat *dat;
    child_index ix;
} read_ctx;

/* read_cmdline() - mp__dat_read()'s CMDLINE hook: the last one wins. */
static int read_cmdline(void *ctx, const char *text)
{
    mp__dat *dat = ((read_ctx *)ctx)->dat;
    free(dat->cmdline);
    dat->cmdline = strdup(text);
    return dat->cmdline != NULL ? 0 : -ENOMEM;
}

/* read_mem() - mp__dat_read()'s MEM hook. */
static int read_mem(void *ctx, double mib, double t)
{
    mp__dat *dat = ((read_ctx *)ctx)->dat;
    mp__dat_sample s = {mib, t};
    return push(&dat->mem, &dat->nmem, &dat->memcap, sizeof s, &s);
}

/* read_chld() - mp__dat_read()'s CHLD hook. */
static int read_chld(void *ctx, long pid, double mib, double t)
{
    read_ctx *rc = ctx;
    mp__dat_sample s = {mib, t};
    size_t i = 0;
    int r = child_of(&rc->ix, rc->dat, pid, &i);
    if (r != 0)
        return r;
    mp__dat_child *c = &rc->dat->children[i];
    return push(&c->samples, &c->n, &c->cap, sizeof s, &s);
}

/* read_func() - mp__dat_read()'s FUNC hook: the span, its name copied. */
static int read_func(void *ctx, const mp__dat_span *span)
{
    mp__dat *dat = ((read_ctx *)ctx)->dat;
    mp__dat_span f = *span;
    f.name = strdup(span->name);
    if (f.name == NULL)
        return -ENOMEM;
    int r = push(&dat->funcs, &dat->nfuncs, &dat->funccap, sizeof f, &f);
    if (r != 0)
        free(f.name);
    return r;
}

/* mp__dat_read() - see internal.h. */
int mp__dat_read(const char *path, mp__dat *dat, char *err, size_t errsize)
{
    memset(dat, 0, sizeof *dat);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        int e = errno;
        snprintf(err, errsize, "cannot read %s: %s", path, strerror(e));
        return -e;
    }
    read_ctx ctx = {dat, {NULL, 0}};
    mp__dat_sink sink = {&ctx, read_cmdline, read_mem, read_chld, read_func};
    mp__dat_info info;
    int r = mp__dat_scan(f, path, &sink, -1, &info, err, errsize);
    free(ctx.ix.slots);
    fclose(f);
    if (r != 0) {
        mp__dat_free(dat);
        return r;
    }
    dat->skipped = info.skipped;
    dat->skipped_line = info.skipped_line;
    dat->torn_line = info.torn_line;
    mp__dat_warn(path, &info);
    return 0;
}

/* mp__dat_free() - see internal.h. */
void mp__dat_free(mp__dat *dat)
{
    free(dat->cmdline);
    free(dat->mem);
    for (size_t i = 0; i < dat->nchildren; i++)
        free(dat->children[i].samples);
    free(dat->children);
    for (size_t i = 0; i < dat->nfuncs; i++)
        free(dat->funcs[i].name);
    free(dat->funcs);
    memset(dat, 0, sizeof *dat);
}
