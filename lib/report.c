/*
 * report.c - the table, byte for byte as memory_profiler 0.61 prints it:
 *
 *     Filename: examples/basic.c
 *
 *     Line #    Mem usage    Increment  Occurrences   Line Contents
 *     =============================================================
 *          7     40.4 MiB     40.4 MiB           1       MP_PROFILE_FUNC();
 *
 * Rows use Python's template "{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}",
 * numbers "{:{p+4}.{p}f} MiB"; each table ends with two empty lines.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "leaks.h"

/* The header, in pieces: the optional columns go after Increment. */
#define HEADER_HEAD "Line #    Mem usage    Increment"
#define HEADER_PEAK "         Peak"
#define HEADER_ALLOC "    Allocated       Leaked"
#define HEADER_TAIL "  Occurrences   Line Contents"

/* Which optional columns a report has. */
typedef struct columns {
    int peak;  /* MEMPROF_PEAK */
    int alloc; /* MEMPROF_ALLOC: Allocated and Leaked */
} columns;

/* mp__format_mib() - see internal.h. */
char *mp__format_mib(char *buf, size_t size, double mib, int precision)
{
    snprintf(buf, size, "%*.*f MiB", precision + 4, precision, mib);
    return buf;
}

/* mp__format_row() - see internal.h. */
void mp__format_row(FILE *out, int line, const char *mem, const char *inc,
                    const char *const extra[3], long long occ,
                    const char *contents)
{
    char occs[24] = "";
    if (occ >= 0)
        snprintf(occs, sizeof occs, "%lld", occ);
    fprintf(out, "%6d %12s %12s", line, mem ? mem : "", inc ? inc : "");
    for (int i = 0; i < 3; i++)
        if (extra[i] != NULL)
            fprintf(out, " %12s", extra[i]);
    fprintf(out, "  %10s   %s\n", occs, contents);
}

/* What a table shows for one source line. */
typedef struct line_stat {
    uint64_t count;
    int64_t max;
    int64_t inc;
    int64_t peak;     /* MEMPROF_PEAK: the most a run of it held above */
    int has_peak;     /* ... the reading before it; lines only */
    int64_t alloc;    /* MEMPROF_ALLOC: bytes its runs asked for */
    int64_t leaked;   /* ... not freed yet */
    const char *text; /* the first site's statement, for lost sources */
} line_stat;

/* One table, worked out: what every format prints. */
typedef struct table {
    const mp__group *g;
    const mp__source *src; /* NULL: the statements stand for the lines */
    int first;             /* the lines shown, first..last */
    int last;
    line_stat *ls; /* by line - first */
    int precision;
} table;

/* A source read during one report. */
typedef struct cached {
    const char *file;
    mp__source src;
    int err;            /* 0, or why it could not be read (said once) */
    int held;           /* src is loaded (not evicted) */
    unsigned long used; /* when it was last asked for */
} cached;

/*
 * Sources read during one report: each once while they fit in
 * CACHE_BYTES, so that a program's tables cost one read and lex of each
 * file however their functions interleave; past that, the least recently
 * used goes (and is read again if asked for again).
 */
typedef struct source_cache {
    cached *e;
    size_t n;
    size_t cap;
    size_t bytes; /* what the sources held take, about */
    unsigned long clock;
} source_cache;

#define CACHE_BYTES ((size_t)64 << 20)

/* source_bytes() - about what a loaded source takes. */
static size_t source_bytes(const mp__source *src)
{
    return src->len + (size_t)src->nlines * (sizeof *src->lines + sizeof(int));
}

/*
 * evict() - drop the least recently used source held, but keep: until
 * the sources held fit in CACHE_BYTES or keep is the only one.
 */
static void evict(source_cache *c, const cached *keep)
{
    while (c->bytes > CACHE_BYTES) {
        cached *lru = NULL;
        for (size_t i = 0; i < c->n; i++)
            if (&c->e[i] != keep && c->e[i].held &&
                (lru == NULL || c->e[i].used < lru->used))
                lru = &c->e[i];
        if (lru == NULL)
            return;
        c->bytes -= source_bytes(&lru->src);
        mp__source_free(&lru->src);
        lru->held = 0;
    }
}

/* cache_free() - free every source c holds, and c's list. */
static void cache_free(source_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        mp__source_free(&c->e[i].src);
    mp__free(c->e);
    memset(c, 0, sizeof *c);
}

/*
 * cached_source() - the source of file, or NULL when it cannot be read
 * (said once per file per report).  Valid until the next call.
 */
static const mp__source *cached_source(source_cache *c, const char *file)
{
    cached *e = NULL;
    for (size_t i = 0; i < c->n && e == NULL; i++)
        if (strcmp(c->e[i].file, file) == 0)
            e = &c->e[i];
    if (e != NULL && (e->err != 0 || e->held)) {
        e->used = ++c->clock;
        return e->err == 0 ? &e->src : NULL;
    }
    if (e == NULL) {
        if (mp__grow(&c->e, &c->cap, c->n + 1, sizeof *c->e) != 0)
            return NULL;
        e = &c->e[c->n++];
        memset(e, 0, sizeof *e);
        e->file = file;
        /* A setuid program would read files as its owner for its user. */
        e->err = mp__config.secure
                     ? -EPERM
                     : mp__source_load(&e->src, file, mp__config.source_path);
        if (e->err != 0)
            mp__warn("cannot read %s (%s); showing the recorded statements",
                     file, strerror(-e->err));
    } else {
        /* Evicted: read again; a file that fails now shows statements. */
        if (mp__source_load(&e->src, file, mp__config.source_path) != 0)
            return NULL;
    }
    e->used = ++c->clock;
    if (e->err != 0)
        return NULL;
    e->held = 1;
    c->bytes += source_bytes(&e->src);
    evict(c, e);
    return &e->src;
}

/* What a table needs of one site: a copy, merged over the threads. */
typedef struct entry {
    mp__row row;      /* every thread's, added up */
    const char *text; /* the registry's copy (never freed) */
    int line;
    int kind;
} entry;

/*
 * shown_line() - the line of its group's table where e shows its row
 * (where its statement starts), or 0 when it recorded nothing.
 */
static int shown_line(const entry *e, const mp__source *src)
{
    if (e->row.count == 0)
        return 0;
    return src != NULL ? mp__source_stmt_start(src, e->line) : e->line;
}

/* The site slots of every group, from by_group(). */
typedef struct buckets {
    unsigned *slot;  /* group i's: slot[start[i]] .. slot[start[i + 1] - 1] */
    unsigned *start; /* ngroups + 1 */
} buckets;

/*
 * by_group() - the site slots of each of the first ngroups groups, in
 * slot order, into *b (from mp__malloc; the caller frees both arrays): a
 * counting sort, one pass to count and one to place, so that building
 * the tables reads each slot once.  Lock held.  Returns 0 or -ENOMEM.
 */
static int by_group(buckets *b, unsigned nslots, unsigned ngroups)
{
    const mp__site_copy *sites = mp__reg.sites;
    unsigned *of = mp__calloc(nslots ? nslots : 1, sizeof *of);
    unsigned *next = mp__calloc((size_t)ngroups + 1, sizeof *next);
    b->slot = mp__malloc((nslots ? nslots : 1) * sizeof *b->slot);
    b->start = mp__calloc((size_t)ngroups + 1, sizeof *b->start);
    if (of == NULL || next == NULL || b->slot == NULL || b->start == NULL) {
        mp__free(of);
        mp__free(next);
        mp__free(b->slot);
        mp__free(b->start);
        b->slot = NULL;
        b->start = NULL;
        return -ENOMEM;
    }
    /* of[a group's slot]: its number + 1. */
    for (unsigned i = 0; i < ngroups; i++)
        if (mp__reg.groups[i].slot < nslots)
            of[mp__reg.groups[i].slot] = i + 1;
    for (unsigned s = 1; s < nslots; s++)
        if (sites[s].text != NULL && sites[s].group < nslots &&
            of[sites[s].group] != 0)
            next[of[sites[s].group]]++;
    for (unsigned i = 1; i <= ngroups; i++) {
        next[i] += next[i - 1];
        b->start[i] = next[i];
    }
    for (unsigned s = 1; s < nslots; s++)
        if (sites[s].text != NULL && sites[s].group < nslots &&
            of[sites[s].group] != 0)
            b->slot[next[of[sites[s].group] - 1]++] = s;
    mp__free(of);
    mp__free(next);
    return 0;
}

/*
 * entries() - what the table needs of the n sites at slots, merged over
 * the threads under the lock (taken for this group only), in a new
 * array the caller frees; NULL when out of memory.
 */
static entry *entries(const unsigned *slots, unsigned n)
{
    entry *e = mp__malloc((n ? n : 1) * sizeof *e);
    if (e == NULL)
        return NULL;
    mp__lock();
    for (unsigned k = 0; k < n; k++) {
        const mp__site_copy *site = &mp__reg.sites[slots[k]];
        mp__row_merged(slots[k], &e[k].row);
        e[k].text = site->text;
        e[k].line = site->line;
        e[k].kind = site->kind;
    }
    mp__unlock();
    return e;
}

/*
 * table_build() - work out group g's table from its site slots (n of
 * them, in slot order) into *t.  Returns 1 when the group recorded
 * something, 0 when it did not or memory ran out (said in one line);
 * t->ls is then NULL.
 */
static int table_build(table *t, const mp__group *g, const unsigned *slots,
                       unsigned n, source_cache *cache)
{
    const mp__source *src = cached_source(cache, g->file);
    int lo = 0;
    int hi = 0;
    entry *e = entries(slots, n);

    memset(t, 0, sizeof *t);
    if (e == NULL) {
        mp__warn("out of memory; the table of %s is not printed", g->file);
        return 0;
    }
    /* The lines that recorded, mapped to where their statements start. */
    for (unsigned k = 0; k < n; k++) {
        int line = shown_line(&e[k], src);
        if (line == 0)
            continue;
        if (lo == 0 || line < lo)
            lo = line;
        if (line > hi)
            hi = line;
    }
    if (lo == 0) {
        mp__free(e);
        return 0;
    }

    /* A function shows from its first line to its closing brace. */
    int first = lo;
    int last = hi;
    if (src != NULL && g->is_func &&
        mp__source_function(src, g->line, &first, &last) == 0) {
        if (first > lo)
            first = lo;
        if (last < hi)
            last = hi;
    }
    if (src != NULL && last > src->nlines)
        src = NULL;

    line_stat *ls = mp__calloc((size_t)(last - first + 1), sizeof *ls);
    if (ls == NULL) {
        mp__warn("out of memory; the table of %s is not printed", g->file);
        mp__free(e);
        return 0;
    }
    for (unsigned k = 0; k < n; k++) {
        const mp__row *row = &e[k].row;
        int line = shown_line(&e[k], src);
        if (line == 0)
            continue;
        line_stat *l = &ls[line - first];
        if (l->count == 0 || row->max > l->max)
            l->max = row->max;
        if (e[k].kind == MP__SITE_LINE &&
            (!l->has_peak || row->peak > l->peak)) {
            l->peak = row->peak;
            l->has_peak = 1;
        }
        if (l->text == NULL)
            l->text = e[k].text;
        l->count += row->count;
        l->inc += row->inc;
        l->alloc += row->alloc;
        l->leaked += row->leaked;
    }
    mp__free(e);

    int precision = __atomic_load_n(&mp__config.precision, __ATOMIC_RELAXED);
    if (g->is_func && g->precision >= 0) {
        if (g->precision <= MP__PRECISION_MAX)
            precision = g->precision;
        else
            mp__warn("MP_PROFILE_FUNC_PRECISION(%d) at %s:%d is not 0..%d; "
                     "using %d",
                     g->precision, g->file, g->line, MP__PRECISION_MAX,
                     precision);
    }
    t->g = g;
    t->src = src;
    t->first = first;
    t->last = last;
    t->ls = ls;
    t->precision = precision;
    return 1;
}

/* contents() - the text shown for a line of t (NULL: none). */
static const char *contents(const table *t, int line)
{
    if (t->src != NULL)
        return t->src->lines[line - 1];
    return t->ls[line - t->first].text;
}

/*
 * emit_table() - memprof_profiler's table, with the optional columns of
 * c after Increment: Peak, then Allocated and Leaked.
 */
static void emit_table(FILE *out, const table *t, columns c)
{
    char header[sizeof HEADER_HEAD HEADER_PEAK HEADER_ALLOC HEADER_TAIL];
    char rule[sizeof header];
    snprintf(header, sizeof header, "%s%s%s%s", HEADER_HEAD,
             c.peak ? HEADER_PEAK : "", c.alloc ? HEADER_ALLOC : "",
             HEADER_TAIL);
    size_t width = strlen(header);
    memset(rule, '=', width);
    rule[width] = '\0';
    fprintf(out, "Filename: %s\n\n%s\n%s\n", t->g->file, header, rule);
    for (int line = t->first; line <= t->last; line++) {
        const line_stat *l = &t->ls[line - t->first];
        const char *extra[3] = {c.peak ? "" : NULL, c.alloc ? "" : NULL,
                                c.alloc ? "" : NULL};
        if (l->count == 0) {
            if (t->src != NULL)
                mp__format_row(out, line, NULL, NULL, extra, -1,
                               contents(t, line));
            continue;
        }
        char mem[64];
        char inc[64];
        char pk[64] = "";
        char al[64];
        char lk[64];
        mp__format_mib(mem, sizeof mem, (double)l->max / MP__MIB, t->precision);
        mp__format_mib(inc, sizeof inc, (double)l->inc / MP__MIB, t->precision);
        if (l->has_peak)
            mp__format_mib(pk, sizeof pk, (double)l->peak / MP__MIB,
                           t->precision);
        if (c.peak)
            extra[0] = pk;
        if (c.alloc) {
            extra[1] = mp__format_mib(al, sizeof al, (double)l->alloc / MP__MIB,
                                      t->precision);
            extra[2] = mp__format_mib(
                lk, sizeof lk, (double)l->leaked / MP__MIB, t->precision);
        }
        mp__format_row(out, line, mem, inc, extra, (long long)l->count,
                       contents(t, line));
    }
    fputs("\n\n", out);
}

/*
 * emit_json() - one table as a JSON object: its file, function (null for
 * the lines outside profiled functions) and the rows that recorded.
 */
static void emit_json(FILE *out, const table *t, columns c, int comma)
{
    fputs(comma ? ",\n  {\"file\": " : "\n  {\"file\": ", out);
    mp__json_string(out, t->g->file);
    fputs(", \"function\": ", out);
    if (t->g->is_func)
        mp__json_string(out, t->g->func);
    else
        fputs("null", out);
    fputs(", \"rows\": [", out);
    int n = 0;
    for (int line = t->first; line <= t->last; line++) {
        const line_stat *l = &t->ls[line - t->first];
        if (l->count == 0)
            continue;
        fprintf(out,
                "%s\n    {\"line\": %d, \"mem_mib\": %.6f, "
                "\"increment_mib\": %.6f, ",
                n++ ? "," : "", line, (double)l->max / MP__MIB,
                (double)l->inc / MP__MIB);
        if (c.peak && l->has_peak)
            fprintf(out, "\"peak_mib\": %.6f, ", (double)l->peak / MP__MIB);
        else if (c.peak)
            fputs("\"peak_mib\": null, ", out);
        if (c.alloc)
            fprintf(out, "\"allocated_bytes\": %lld, \"leaked_bytes\": %lld, ",
                    (long long)l->alloc, (long long)l->leaked);
        fprintf(out, "\"occurrences\": %llu, \"contents\": ",
                (unsigned long long)l->count);
        mp__json_string(out, contents(t, line));
        fputc('}', out);
    }
    fputs("\n  ]}", out);
}

/* csv_field() - s as one RFC 4180 field: quoted, quotes doubled. */
static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

/* emit_csv() - the rows of t that recorded, one CSV record each. */
static void emit_csv(FILE *out, const table *t, columns c)
{
    for (int line = t->first; line <= t->last; line++) {
        const line_stat *l = &t->ls[line - t->first];
        if (l->count == 0)
            continue;
        csv_field(out, t->g->file);
        fputc(',', out);
        csv_field(out, t->g->func);
        fprintf(out, ",%d,%.6f,%.6f,", line, (double)l->max / MP__MIB,
                (double)l->inc / MP__MIB);
        if (c.peak && l->has_peak)
            fprintf(out, "%.6f,", (double)l->peak / MP__MIB);
        else if (c.peak)
            fputc(',', out);
        if (c.alloc)
            fprintf(out, "%lld,%lld,", (long long)l->alloc,
                    (long long)l->leaked);
        fprintf(out, "%llu,", (unsigned long long)l->count);
        csv_field(out, contents(t, line));
        fputs("\r\n", out);
    }
}

/* A report larger than this is written in parts of about this size. */
#define CHUNK (256 << 10)

/*
 * chunk_out() - write what *mem holds (the report so far) to out and
 * start a new memory stream in its place.  Returns 0 or -errno (*mem is
 * then NULL).
 */
static int chunk_out(FILE **mem, char **text, size_t *len, FILE *out)
{
    int r = 0;
    /* glibc's memstream gives NULL when its last realloc fails. */
    if (fclose(*mem) != 0 || *text == NULL)
        r = -ENOMEM;
    else if (*len > 0 && fwrite(*text, 1, *len, out) != *len)
        r = errno ? -errno : -EIO;
    free(*text); /* open_memstream's, from malloc */
    *text = NULL;
    *len = 0;
    *mem = r == 0 ? open_memstream(text, len) : NULL;
    if (r == 0 && *mem == NULL)
        r = -ENOMEM;
    return r;
}

/*
 * report_write() - bucket the sites by group under the lock, then build
 * each table (its rows merged under the lock, briefly) and format it
 * without the lock into memory, and write the report with one fwrite, or, when
 * it is larger than CHUNK, in parts of about that size (so the report's
 * memory does not grow with the program's sites).
 */
static int report_write(FILE *out, FILE *leaks)
{
    mp__lock();
    unsigned ngroups = mp__reg.ngroups;
    mp__group *groups = mp__malloc((ngroups ? ngroups : 1) * sizeof *groups);
    buckets b = {NULL, NULL};
    int r = groups != NULL ? by_group(&b, mp__reg.nslots, ngroups) : -ENOMEM;
    if (r == 0 && ngroups > 0)
        memcpy(groups, mp__reg.groups, ngroups * sizeof *groups);
    mp__unlock();

    char *text = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    if (r != 0 || (mem = open_memstream(&text, &len)) == NULL) {
        r = -ENOMEM;
        goto out;
    }
    source_cache cache = {0};
    int format = mp__config.format;
    columns c = {__atomic_load_n(&mp__peak_on, __ATOMIC_RELAXED),
                 __atomic_load_n(&mp__alloc_on, __ATOMIC_RELAXED)};
    int tables = 0;
    if (format == MP__FORMAT_CSV)
        fprintf(mem,
                "file,function,line,mem_mib,increment_mib,%s%s"
                "occurrences,contents\r\n",
                c.peak ? "peak_mib," : "",
                c.alloc ? "allocated_bytes,leaked_bytes," : "");
    if (format == MP__FORMAT_JSON)
        fputs("{\"tables\": [", mem);
    for (unsigned i = 0; i < ngroups; i++) {
        table t;
        if (table_build(&t, &groups[i], b.slot + b.start[i],
                        b.start[i + 1] - b.start[i], &cache)) {
            if (format == MP__FORMAT_JSON)
                emit_json(mem, &t, c, tables > 0);
            else if (format == MP__FORMAT_CSV)
                emit_csv(mem, &t, c);
            else
                emit_table(mem, &t, c);
            tables++;
            mp__free(t.ls);
        }
        if (ftell(mem) >= CHUNK && (r = chunk_out(&mem, &text, &len, out)) != 0)
            break;
    }
    if (r != 0) {
        cache_free(&cache);
        goto out;
    }
    if (format == MP__FORMAT_JSON)
        fputs(tables > 0 ? "\n]" : "]", mem);
    if (leaks != NULL && format != MP__FORMAT_CSV) {
        rewind(leaks);
        if (format == MP__FORMAT_JSON) {
            fputs(",\n\"leaks\": ", mem);
            if (mp__leaks_print(leaks, mem, 1) != 0)
                fputs("null\n", mem);
        } else {
            mp__leaks_print(leaks, mem, 0);
        }
    }
    if (format == MP__FORMAT_JSON)
        fputs("}\n", mem);
    cache_free(&cache);
    /* glibc's memstream gives NULL when its last realloc fails. */
    if (fclose(mem) != 0 || text == NULL) {
        r = -ENOMEM;
        goto out;
    }
    if (len > 0 && (fwrite(text, 1, len, out) != len || fflush(out) != 0))
        r = errno ? -errno : -EIO;
out:
    free(text); /* open_memstream's, from malloc */
    mp__free(b.slot);
    mp__free(b.start);
    mp__free(groups);
    return r;
}

/*
 * mp__report_write() - report_write(), its allocations through the C
 * library (stdio, libdw) marked as the library's own for the heap
 * object: no leak report lists them.
 */
int mp__report_write(FILE *out, FILE *leaks)
{
    mp__backend_heap_quiet(1);
    int r = report_write(out, leaks);
    mp__backend_heap_quiet(0);
    return r;
}

/*
 * The stderr the program started with: noted before main, by a
 * constructor, because a program started with descriptor 2 closed may
 * open a file of its own on it before its first profiled line.  The
 * report goes to descriptor 2 only while it is still that file.
 */
static mp__fd_id stderr_id;
static int stderr_open; /* descriptor 2 was open at start */

__attribute__((constructor)) static void note_stderr(void)
{
    struct stat st;
    MP__SAVE_ERRNO({
        if (fstat(STDERR_FILENO, &st) == 0) {
            stderr_id.dev = st.st_dev;
            stderr_id.ino = st.st_ino;
            stderr_open = 1;
        }
    });
}

/* stderr_is_ours() - whether descriptor 2 is still the starting stderr. */
static int stderr_is_ours(void)
{
    return stderr_open && mp__fd_is(STDERR_FILENO, &stderr_id);
}

/*
 * output_path() - MEMPROF_OUTPUT with %p expanded into buf, or NULL when
 * the report goes to stderr (said once when the name is too long).
 */
static const char *output_path(char *buf, size_t size)
{
    const char *pattern = mp__config.output;
    if (pattern == NULL)
        return NULL;
    if (mp__expand_pid(pattern, (long)getpid(), buf, size) != 0) {
        mp__warn("MEMPROF_OUTPUT='%s' is too long; using stderr", pattern);
        mp__config.output = NULL;
        return NULL;
    }
    return buf;
}

/*
 * mp__output_start() - empty the report file when recording starts, so
 * that every report of this run (the process's, its forked children's,
 * each mp_report(NULL)) can append to it; an unwritable file, a symbolic
 * link, a FIFO is said now and the reports go to stderr.
 */
void mp__output_start(void)
{
    char buf[4096];
    const char *path = output_path(buf, sizeof buf);
    if (path == NULL)
        return;
    int fd = mp__open_out(path, O_CREAT | O_TRUNC);
    if (fd < 0) {
        mp__warn_out("MEMPROF_OUTPUT", path, fd, "using stderr");
        mp__config.output = NULL;
        return;
    }
    close(fd);
}

/*
 * open_destination() - the report file, to append to, or stderr; *path
 * is the file's name (in buf) or NULL.
 */
static FILE *open_destination(char *buf, size_t size, const char **path)
{
    *path = output_path(buf, size);
    if (*path == NULL)
        return stderr;
    int fd = mp__open_out(*path, O_CREAT | O_APPEND);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (f == NULL) {
        int rc = fd >= 0 ? -errno : fd;
        if (fd >= 0)
            close(fd);
        mp__warn_out("MEMPROF_OUTPUT", *path, rc, "using stderr");
        *path = NULL;
        return stderr;
    }
    return f;
}

/*
 * report_to_destination() - the report to MEMPROF_OUTPUT's file or to
 * stderr, never to a descriptor 2 that is not the starting stderr
 * (-EBADF).  When the file cannot take it all (a full disk), the part
 * written is cut off again and the report goes to stderr, with one line.
 * Returns 0 or -errno.
 */
static int report_to_destination(FILE *leaks)
{
    char buf[4096];
    const char *path;
    FILE *f = open_destination(buf, sizeof buf, &path);
    if (f != stderr) {
        struct stat st;
        off_t size0 =
            fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
        int r = mp__report_write(f, leaks);
        if (r != 0 && size0 >= 0)
            (void)!ftruncate(fileno(f), size0);
        fclose(f);
        if (r == 0)
            return 0;
        mp__warn("cannot write the report to MEMPROF_OUTPUT='%s' (%s); "
                 "writing it to stderr",
                 path, mp_strerror(r));
    }
    if (!stderr_is_ours())
        return -EBADF;
    return mp__report_write(stderr, leaks);
}

/*
 * leaks_csv() - with MEMPROF_FORMAT=csv, the leak report as text on
 * stderr (while it is the starting one): CSV has no room for it.
 */
static void leaks_csv(FILE *leaks)
{
    if (leaks == NULL || mp__config.format != MP__FORMAT_CSV ||
        !stderr_is_ours())
        return;
    rewind(leaks);
    mp__leaks_print(leaks, stderr, 0);
}

/*
 * hits() - how many hits were recorded in all, by every site, into *n.
 * Returns 0.
 */
static int hits(uint64_t *n)
{
    mp__lock();
    *n = mp__hits();
    mp__unlock();
    return 0;
}

static int exited;             /* the report at exit has run */
static uint64_t reported_hits; /* hits() when it ran */

/*
 * late_hits() - after every exit handler: records made after the report
 * (in an exit handler registered before the library started, or in a
 * destructor) are not in it; say how many in one line.
 */
__attribute__((destructor)) static void late_hits(void)
{
    MP__SAVE_ERRNO({
        uint64_t now;
        if (!__atomic_load_n(&exited, __ATOMIC_ACQUIRE) || hits(&now) != 0 ||
            now <= reported_hits)
            break;
        uint64_t late = now - reported_hits;
        if (late > 0)
            mp__warn("%llu line hits came after the report at exit and "
                     "are not in it",
                     (unsigned long long)late);
    });
}

/*
 * mp__report_at_exit() - see internal.h: once, from exit(3) or
 * quick_exit(3).
 */
void mp__report_at_exit(void)
{
    if (__atomic_exchange_n(&exited, 1, __ATOMIC_ACQ_REL))
        return;
    MP__SAVE_ERRNO({
        mp__copies_check();
        unsigned long dropped = __atomic_load_n(&mp__dropped, __ATOMIC_RELAXED);
        if (dropped != 0)
            mp__warn("%lu line hits were not recorded (in signal handlers "
                     "that interrupted the library, or out of memory)",
                     dropped);
        if (__atomic_load_n(&mp__state, __ATOMIC_ACQUIRE) != MP__STATE_ON)
            break;
        /* First: what the report allocates is not in the leaks. */
        FILE *leaks = mp__leaks_dump();
        int r = hits(&reported_hits);
        if (r == 0 && reported_hits == 0 && leaks == NULL)
            break;
        if (r != 0) {
            reported_hits = UINT64_MAX; /* unknown: no line about late hits */
            mp__warn("cannot write the report (%s)", mp_strerror(r));
        } else {
            r = report_to_destination(leaks);
            if (r != 0 && r != -EBADF)
                mp__warn("cannot write the report (%s)", mp_strerror(r));
            leaks_csv(leaks);
        }
        if (leaks != NULL)
            fclose(leaks);
    });
}

/* mp_report() - see memprof.h. */
int mp_report(FILE *out)
{
    int r = 0;
    MP__SAVE_ERRNO({
        mp__init();
        if (__atomic_load_n(&mp__state, __ATOMIC_ACQUIRE) != MP__STATE_ON)
            break;
        r = out != NULL ? mp__report_write(out, NULL)
                        : report_to_destination(NULL);
    });
    return r;
}
