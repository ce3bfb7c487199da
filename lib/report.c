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
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "leaks.h"
#include "source_cache.h"

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
    int entry;        /* a function's entry row (MP_PROFILE_FUNC) */
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
                       unsigned n, mp__source_cache *cache)
{
    const mp__source *src = mp__cached_source(cache, g->file);
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
        (g->lambdas > 0
             ? mp__source_lambda(src, g->line, &first, &last)
             : mp__source_function(src, g->line, &first, &last)) == 0) {
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
        if (e[k].kind == MP__SITE_FUNC)
            l->entry = 1;
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
                "%s\n    {\"line\": %d, \"entry\": %s, \"mem_mib\": %.6f, "
                "\"increment_mib\": %.6f, ",
                n++ ? "," : "", line, l->entry ? "true" : "false",
                (double)l->max / MP__MIB, (double)l->inc / MP__MIB);
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

/*
 * The time the program started, as the library's constructor saw it
 * before main (a forked child keeps its parent's): the JSON report's
 * "start".
 */
static struct timespec start_time;

__attribute__((constructor)) static void note_start(void)
{
    MP__SAVE_ERRNO(clock_gettime(CLOCK_REALTIME, &start_time));
}

/*
 * json_cmdline() - this process's command line, /proc/self/cmdline, as
 * a JSON array of strings (null when it cannot be read).
 */
static void json_cmdline(FILE *out)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    char *buf = NULL;
    size_t len = 0;
    int r = fd >= 0 ? mp__read_fd(fd, &buf, &len) : -errno;
    if (fd >= 0)
        close(fd);
    if (r != 0) {
        fputs("null", out);
        return;
    }
    fputc('[', out);
    for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
        if (i > 0)
            fputs(", ", out);
        mp__json_string(out, buf + i);
    }
    fputc(']', out);
    mp__free(buf);
}

/*
 * recorded_peak() - the largest reading any line took (the largest Mem
 * usage of every table), in bytes, or -1 when none recorded.  Lock held.
 */
static int64_t recorded_peak(void)
{
    int64_t peak = -1;
    for (unsigned s = 1; s < mp__reg.nslots; s++) {
        mp__row row;
        if (mp__reg.sites[s].text == NULL)
            continue;
        mp__row_merged(s, &row);
        if (row.count > 0 && row.max > peak)
            peak = row.max;
    }
    return peak;
}

/*
 * json_head() - the JSON report up to its tables: which format it is
 * (memprof(3) documents format 1) and what run it describes, peak the
 * recorded_peak().
 */
static void json_head(FILE *out, int64_t peak)
{
    struct tm tm;
    char when[32];
    time_t sec = start_time.tv_sec;

    fputs("{\"memprof\": {\"version\": \"" MEMPROF_VERSION "\", "
          "\"format\": 1},\n\"run\": {\"cmdline\": ",
          out);
    json_cmdline(out);
    fprintf(out,
            ", \"pid\": %ld, \"backend\": \"%s\", \"precision\": %d, "
            "\"unit\": \"MiB\", \"start\": ",
            (long)getpid(), mp__backend_name(),
            __atomic_load_n(&mp__config.precision, __ATOMIC_RELAXED));
    if (sec != 0 && gmtime_r(&sec, &tm) != NULL &&
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm) > 0)
        fprintf(out, "\"%s.%06ldZ\", \"start_unix\": %lld.%06ld", when,
                start_time.tv_nsec / 1000, (long long)sec,
                start_time.tv_nsec / 1000);
    else
        fputs("null, \"start_unix\": null", out);
    if (peak >= 0)
        fprintf(out, ", \"max_mem_mib\": %.6f},\n", (double)peak / MP__MIB);
    else
        fputs(", \"max_mem_mib\": null},\n", out);
    fputs("\"tables\": [", out);
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
    int format = mp__config.format;
    int64_t peak = format == MP__FORMAT_JSON ? recorded_peak() : -1;
    mp__unlock();

    char *text = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    if (r != 0 || (mem = open_memstream(&text, &len)) == NULL) {
        r = -ENOMEM;
        goto out;
    }
    mp__source_cache cache = {0};
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
        json_head(mem, peak);
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
        mp__cache_free(&cache);
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
    mp__cache_free(&cache);
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
