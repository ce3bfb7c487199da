/*
 * leaks.c - MEMPROF_LEAKS's report: a sites dump (format 1, heap_hooks.h)
 * read back, its stacks symbolised (symbols.c) and grouped, "Leaked at
 * exit" and "Top allocation sites" printed as text or one JSON object.
 *
 * The reader is strict and bounded, for a dump may be cut short (a full
 * disk, a killed process) or not a dump at all: every line is checked
 * whole, at most LINE_MAX_LEN bytes long, and anything unexpected ends
 * the report with one line on stderr.
 *
 * A stack is shown from its first frame outside the allocator's own code
 * (the C library's strdup or fopen, libstdc++'s operator new, the heap
 * object, the loader), SHOWN frames of it: the function that asked, and
 * enough callers to see past a wrapper or two (xmalloc, a constructor) to
 * the code that decided.  Sites whose shown frames are the same function,
 * file and line merge.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "heap_hooks.h"
#include "leaks.h"
#include "symbols.h"

/* The frames shown per site, and the sites per list in the text. */
#define SHOWN 4
#define TOP 10
/* The most return addresses a dump may keep per site. */
#define MAX_FRAMES 64
/* The longest line read: a module's PATH_MAX path and its numbers. */
#define LINE_MAX_LEN 8192

/* One site line of the dump. */
typedef struct site {
    unsigned long long made_bytes;
    unsigned long long made_blocks;
    long long live_bytes;
    long long live_blocks;
    unsigned nframes;
    size_t first; /* its return addresses: pcs[first..first + nframes) */
} site;

/* The dump, read. */
typedef struct dump {
    unsigned frames;
    site *sites;
    size_t nsites;
    size_t capsites;
    unsigned long long *pcs; /* every site's return addresses, in turn */
    size_t npcs;
    size_t cappcs;
    site unknown; /* nframes 0 */
    mp__symbols *syms;
} dump;

/* One group of sites: the frames shown and the counts summed. */
typedef struct group {
    mp__frame f[SHOWN];
    unsigned n;
    unsigned long long made_bytes;
    unsigned long long made_blocks;
    unsigned long long live_bytes;
    unsigned long long live_blocks;
} group;

/* ---- Reading. */

/*
 * num() - a decimal number at *p (a '-' first when neg may be), then a
 * space or the end of the line; *p moves past it.  Returns 0 or -1.
 */
static int num(const char **p, int neg_ok, long long *sv,
               unsigned long long *uv)
{
    const char *s = *p;
    int neg = 0;
    unsigned long long v = 0;
    if (neg_ok && *s == '-') {
        neg = 1;
        s++;
    }
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (*s != '\0' && (*s != ' ' || s[1] == '\0'))
        return -1;
    if (sv != NULL) {
        if (v > (unsigned long long)LLONG_MAX)
            return -1;
        *sv = neg ? -(long long)v : (long long)v;
    } else {
        *uv = v;
    }
    *p = *s == ' ' ? s + 1 : s;
    return 0;
}

/* unum() - num() for a count that cannot be negative. */
static int unum(const char **p, unsigned long long *v)
{
    return num(p, 0, NULL, v);
}

/* snum() - num() for a count that may be. */
static int snum(const char **p, long long *v)
{
    return num(p, 1, v, NULL);
}

/*
 * hex() - an address at *p: 0x and hexadecimal digits, or 0 alone (as
 * printf's %#lx writes zero), then a space or the end of the line.
 * Returns 0 or -1.
 */
static int hex(const char **p, unsigned long long *v)
{
    const char *s = *p;
    unsigned long long x = 0;
    int digits = 0;
    if (s[0] == '0' && (s[1] == ' ' || s[1] == '\0')) {
        s++;
    } else {
        if (s[0] != '0' || s[1] != 'x')
            return -1;
        for (s += 2;; s++, digits++) {
            int d;
            if (*s >= '0' && *s <= '9')
                d = *s - '0';
            else if (*s >= 'a' && *s <= 'f')
                d = *s - 'a' + 10;
            else
                break;
            if (digits >= 16)
                return -1;
            x = x << 4 | (unsigned)d;
        }
        if (digits == 0)
            return -1;
    }
    if (*s != '\0' && (*s != ' ' || s[1] == '\0'))
        return -1;
    *p = *s == ' ' ? s + 1 : s;
    *v = x;
    return 0;
}

/* counts() - the four counts of a site or unknown line into *s. */
static int counts(const char **p, site *s)
{
    if (unum(p, &s->made_bytes) != 0 || unum(p, &s->made_blocks) != 0 ||
        snum(p, &s->live_bytes) != 0 || snum(p, &s->live_blocks) != 0)
        return -1;
    return 0;
}

/* word() - whether line starts with w and a space; *p past them. */
static int word(const char *line, const char *w, const char **p)
{
    size_t n = strlen(w);
    if (strncmp(line, w, n) != 0 || line[n] != ' ')
        return 0;
    *p = line + n + 1;
    return 1;
}

/*
 * record() - one line of the dump after the first, into d; *seen notes
 * the lines that come once (1 pid, 2 frames, 4 unknown, 8 end).
 * Returns 0, or -1 when the line is not one of format 1.
 */
static int record(dump *d, char *line, unsigned *seen)
{
    const char *p;
    unsigned long long a;
    unsigned long long b;
    unsigned long long c;
    long long pid;

    if (word(line, "pid", &p)) {
        if (*seen & 1 || snum(&p, &pid) != 0 || *p != '\0')
            return -1;
        *seen |= 1;
    } else if (word(line, "frames", &p)) {
        if (*seen & 2 || unum(&p, &a) != 0 || *p != '\0' || a == 0 ||
            a > MAX_FRAMES)
            return -1;
        d->frames = (unsigned)a;
        *seen |= 2;
    } else if (word(line, "module", &p)) {
        size_t len = strlen(line);
        if (line[len - 1] == ' ') /* an empty PATH */
            line[len - 1] = '\0';
        if (hex(&p, &a) != 0 || hex(&p, &b) != 0 || hex(&p, &c) != 0 || b >= c)
            return -1;
        if (mp__symbols_module(d->syms, a, b, c, p) != 0)
            return -2;
    } else if (word(line, "site", &p)) {
        if (!(*seen & 2))
            return -1;
        if (mp__grow(&d->sites, &d->capsites, d->nsites + 1,
                     sizeof *d->sites) != 0)
            return -2;
        site *s = &d->sites[d->nsites];
        if (counts(&p, s) != 0)
            return -1;
        if (mp__grow(&d->pcs, &d->cappcs, d->npcs + d->frames,
                     sizeof *d->pcs) != 0)
            return -2;
        s->first = d->npcs;
        for (s->nframes = 0; *p != '\0'; s->nframes++)
            if (s->nframes == d->frames ||
                hex(&p, &d->pcs[s->first + s->nframes]) != 0)
                return -1;
        if (s->nframes == 0)
            return -1;
        d->npcs += s->nframes;
        d->nsites++;
    } else if (word(line, "unknown", &p)) {
        if (*seen & 4 || counts(&p, &d->unknown) != 0 || *p != '\0')
            return -1;
        *seen |= 4;
    } else if (strcmp(line, "end") == 0) {
        *seen |= 8;
    } else {
        return -1;
    }
    return 0;
}

/*
 * read_dump() - all of f into d.  Returns 0, or -1 after one line on
 * stderr.
 */
static int read_dump(FILE *f, dump *d)
{
    char *line = mp__malloc(LINE_MAX_LEN);
    unsigned seen = 0;
    unsigned long n = 0;
    int r = 0;
    if (line == NULL) {
        mp__warn("cannot read the sites dump: out of memory");
        return -1;
    }
    while (r == 0 && fgets(line, LINE_MAX_LEN, f) != NULL) {
        size_t len = strlen(line);
        n++;
        if (seen & 8) {
            mp__warn("the sites dump goes on after its end line (line %lu)", n);
            mp__free(line);
            return -1;
        }
        if (len == 0 || line[len - 1] != '\n') {
            /* At the end of the file, cut short; else too long or a NUL. */
            r = feof(f) && len + 1 < LINE_MAX_LEN ? -3 : -1;
            break;
        }
        line[len - 1] = '\0';
        if (n == 1) {
            const char *p;
            unsigned long long v;
            if (!word(line, "memprof-heap-sites", &p) || unum(&p, &v) != 0 ||
                *p != '\0') {
                mp__warn("not a sites dump of memprof's heap object "
                         "(MEMPROF_LEAKS)");
                mp__free(line);
                return -1;
            }
            if (v != MP__HEAP_DUMP_FORMAT) {
                mp__warn("the sites dump is of format %llu; this memprof "
                         "reads format %d",
                         v, MP__HEAP_DUMP_FORMAT);
                mp__free(line);
                return -1;
            }
            continue;
        }
        r = record(d, line, &seen);
    }
    mp__free(line);
    if (r == -2) {
        mp__warn("cannot read the sites dump: out of memory");
        return -1;
    }
    if (r == -1) {
        mp__warn("the sites dump's line %lu is not one of format %d", n,
                 MP__HEAP_DUMP_FORMAT);
        return -1;
    }
    if (n == 0) {
        mp__warn("the sites dump is empty");
        return -1;
    }
    if (!(seen & 8) || !(seen & 2)) {
        mp__warn("the sites dump is cut short (%s)",
                 ferror(f) ? "a read failed" : "no end line");
        return -1;
    }
    return 0;
}

/* ---- Grouping. */

/* str_cmp() - strcmp with NULL first. */
static int str_cmp(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

/*
 * frame_cmp() - an order of frames in which those shown alike are equal:
 * same function, file and line, or, without a line, same module and
 * offset.
 */
static int frame_cmp(const mp__frame *a, const mp__frame *b)
{
    int c = str_cmp(a->function, b->function);
    if (c == 0)
        c = str_cmp(a->file, b->file);
    if (c != 0)
        return c;
    if (a->file != NULL)
        return (a->line > b->line) - (a->line < b->line);
    c = str_cmp(a->module, b->module);
    if (c == 0 && a->module == NULL)
        return (a->pc > b->pc) - (a->pc < b->pc);
    if (c == 0)
        return (a->offset > b->offset) - (a->offset < b->offset);
    return c;
}

/* group_cmp() - qsort's order of groups: by their frames. */
static int group_cmp(const void *x, const void *y)
{
    const group *a = x;
    const group *b = y;
    for (unsigned i = 0; i < a->n && i < b->n; i++) {
        int c = frame_cmp(&a->f[i], &b->f[i]);
        if (c != 0)
            return c;
    }
    return (a->n > b->n) - (a->n < b->n);
}

/* by_live() - most bytes leaked first (then blocks, then frames). */
static int by_live(const void *x, const void *y)
{
    const group *a = x;
    const group *b = y;
    if (a->live_bytes != b->live_bytes)
        return a->live_bytes < b->live_bytes ? 1 : -1;
    if (a->live_blocks != b->live_blocks)
        return a->live_blocks < b->live_blocks ? 1 : -1;
    return group_cmp(x, y);
}

/* by_made() - most bytes asked for first (then blocks, then frames). */
static int by_made(const void *x, const void *y)
{
    const group *a = x;
    const group *b = y;
    if (a->made_bytes != b->made_bytes)
        return a->made_bytes < b->made_bytes ? 1 : -1;
    if (a->made_blocks != b->made_blocks)
        return a->made_blocks < b->made_blocks ? 1 : -1;
    return group_cmp(x, y);
}

/* positive() - a live count as shown: a negative one counts as none. */
static unsigned long long positive(long long v)
{
    return v > 0 ? (unsigned long long)v : 0;
}

/*
 * take() - the first SHOWN frames of site s into g, an address where
 * calls were inlined giving a frame for each function; with skip, those
 * of the allocator's own code at the start left out.
 */
static void take(dump *d, const site *s, group *g, int skip)
{
    mp__frame at[MP__INLINED];
    g->n = 0;
    for (unsigned i = 0; i < s->nframes && g->n < SHOWN; i++) {
        unsigned k = mp__symbols_find(d->syms, d->pcs[s->first + i], at);
        for (unsigned j = 0; j < k && g->n < SHOWN; j++) {
            if (skip && at[j].allocator)
                continue;
            skip = 0;
            g->f[g->n++] = at[j];
        }
    }
}

/*
 * make_group() - site s as a group: its frames symbolised, the
 * allocator's own skipped (all kept when all are).
 */
static void make_group(dump *d, const site *s, group *g)
{
    take(d, s, g, 1);
    if (g->n == 0)
        take(d, s, g, 0);
    g->made_bytes = s->made_bytes;
    g->made_blocks = s->made_blocks;
    g->live_bytes = positive(s->live_bytes);
    g->live_blocks = positive(s->live_blocks);
}

/*
 * group_sites() - d's sites as groups, merged, into *out (from
 * mp__malloc; *n of them).  Returns 0 or -ENOMEM.
 */
static int group_sites(dump *d, group **out, size_t *n)
{
    group *g = mp__malloc((d->nsites ? d->nsites : 1) * sizeof *g);
    size_t k = 0;
    if (g == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < d->nsites; i++)
        make_group(d, &d->sites[i], &g[i]);
    qsort(g, d->nsites, sizeof *g, group_cmp);
    for (size_t i = 0; i < d->nsites; i++) {
        if (k > 0 && group_cmp(&g[k - 1], &g[i]) == 0) {
            g[k - 1].made_bytes += g[i].made_bytes;
            g[k - 1].made_blocks += g[i].made_blocks;
            g[k - 1].live_bytes += g[i].live_bytes;
            g[k - 1].live_blocks += g[i].live_blocks;
        } else {
            g[k++] = g[i];
        }
    }
    *out = g;
    *n = k;
    return 0;
}

/* ---- Text. */

/*
 * human() - bytes in B, KiB, MiB or GiB with one decimal (B: none), the
 * unit chosen after rounding ("1.0 MiB", never "1024.0 KiB").
 */
static const char *human(unsigned long long bytes, char *buf, size_t size)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = -1;
    if (bytes < 1024) {
        snprintf(buf, size, "%llu B", bytes);
        return buf;
    }
    do {
        v /= 1024;
        u++;
    } while (u < 3 && v >= 1023.95);
    snprintf(buf, size, "%.1f %s", v, units[u]);
    return buf;
}

/* thousands() - v in decimal with a comma between groups of three. */
static const char *thousands(unsigned long long v, char *buf, size_t size)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", v);
    size_t k = 0;
    for (int i = 0; i < n && k + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
    return buf;
}

/* base_name() - the last component of path. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/*
 * label() - f as the text shows it: "fill (src/phases.c:35)" (the file
 * relative to cwd when beneath it, else as the debug information names
 * it), "fill (prog+0x1234)" or "prog+0x1234" without a line, the address
 * outside any module.
 */
static const char *label(const mp__frame *f, const char *cwd, char *buf,
                         size_t size)
{
    const char *fn = f->function != NULL ? f->function : "??";
    size_t n = strlen(cwd);
    if (f->file != NULL) {
        const char *file = f->file;
        if (n > 1 && strncmp(file, cwd, n) == 0 && file[n] == '/')
            file += n + 1;
        snprintf(buf, size, "%s (%s:%d)", fn, file, f->line);
    } else if (f->module != NULL && f->function != NULL) {
        snprintf(buf, size, "%s (%s+0x%llx)", fn, base_name(f->module),
                 f->offset);
    } else if (f->module != NULL) {
        snprintf(buf, size, "%s+0x%llx", base_name(f->module), f->offset);
    } else {
        snprintf(buf, size, "0x%llx", f->pc);
    }
    return buf;
}

/* A list of the text: its rows' bytes and blocks. */
typedef struct list {
    const char *title;
    int leaked; /* the list of leaks: its rows count live blocks */
    unsigned long long bytes;
    unsigned long long blocks;
    unsigned long long unknown_bytes;
    unsigned long long unknown_blocks;
} list;

/* row_bytes() - what a row of l shows of g. */
static unsigned long long row_bytes(const list *l, const group *g)
{
    return l->leaked ? g->live_bytes : g->made_bytes;
}

/* row_blocks() - the blocks a row of l shows of g. */
static unsigned long long row_blocks(const list *l, const group *g)
{
    return l->leaked ? g->live_blocks : g->made_blocks;
}

/* print_counts() - a row's size and count, padded to the list's widths. */
static void print_counts(FILE *out, unsigned long long bytes,
                         unsigned long long blocks, int wsize, int wblocks)
{
    char a[32];
    char b[32];
    fprintf(out, "  %*s  %*s %-6s  ", wsize, human(bytes, a, sizeof a), wblocks,
            thousands(blocks, b, sizeof b), blocks == 1 ? "block" : "blocks");
}

/*
 * print_list() - l's title and its first TOP rows of g (n of them,
 * sorted), then how many more, then the blocks of no stack.
 */
static void print_list(FILE *out, const list *l, const group *g, size_t n,
                       mp__symbols *syms, const char *cwd)
{
    char a[32];
    char b[32];
    char buf[8192];
    int wsize = 0;
    int wblocks = 0;
    size_t shown = n < TOP ? n : TOP;
    int unknown = l->unknown_blocks > 0 || l->unknown_bytes > 0;

    if (l->blocks == 0 && l->bytes == 0) {
        fprintf(out, "%s: nothing (0 blocks)\n", l->title);
        return;
    }
    fprintf(out, "%s: %s in %s %s\n", l->title, human(l->bytes, a, sizeof a),
            thousands(l->blocks, b, sizeof b),
            l->blocks == 1 ? "block" : "blocks");
    for (size_t i = 0; i < shown + (size_t)unknown; i++) {
        unsigned long long bytes =
            i < shown ? row_bytes(l, &g[i]) : l->unknown_bytes;
        unsigned long long blocks =
            i < shown ? row_blocks(l, &g[i]) : l->unknown_blocks;
        int w = (int)strlen(human(bytes, a, sizeof a));
        wsize = w > wsize ? w : wsize;
        w = (int)strlen(thousands(blocks, b, sizeof b));
        wblocks = w > wblocks ? w : wblocks;
    }
    for (size_t i = 0; i < shown; i++) {
        print_counts(out, row_bytes(l, &g[i]), row_blocks(l, &g[i]), wsize,
                     wblocks);
        for (unsigned j = 0; j < g[i].n; j++) {
            mp__symbols_shown(syms, &g[i].f[j]);
            if (j > 0)
                fprintf(out, "%*s<- ", 2 + wsize + 2 + wblocks + 1 + 6 + 2, "");
            fputs(label(&g[i].f[j], cwd, buf, sizeof buf), out);
            if (j == 0 && !l->leaked && g[i].live_blocks > 0)
                fprintf(out, "  (leaked: %s in %s %s)",
                        human(g[i].live_bytes, a, sizeof a),
                        thousands(g[i].live_blocks, b, sizeof b),
                        g[i].live_blocks == 1 ? "block" : "blocks");
            fputc('\n', out);
        }
    }
    if (n > shown) {
        unsigned long long rest = 0;
        for (size_t i = shown; i < n; i++)
            rest += row_bytes(l, &g[i]);
        fprintf(out, "  ... and %s more site%s (%s)\n",
                thousands(n - shown, b, sizeof b), n - shown == 1 ? "" : "s",
                human(rest, a, sizeof a));
    }
    if (unknown) {
        print_counts(out, l->unknown_bytes, l->unknown_blocks, wsize, wblocks);
        fputs("(no stack kept: no room in the table of stacks)\n", out);
    }
}

/* ---- JSON. */

/*
 * json_frame() - one frame as an object: function, file and line null
 * when unknown, module and offset null outside any module.
 */
static void json_frame(FILE *out, const mp__frame *f)
{
    fputs("{\"function\": ", out);
    mp__json_string(out, f->function);
    fputs(", \"file\": ", out);
    mp__json_string(out, f->file);
    if (f->file != NULL)
        fprintf(out, ", \"line\": %d", f->line);
    else
        fputs(", \"line\": null", out);
    fputs(", \"module\": ", out);
    mp__json_string(out, f->module);
    if (f->module != NULL)
        fprintf(out, ", \"offset\": \"0x%llx\"", f->offset);
    else
        fputs(", \"offset\": null", out);
    fprintf(out, ", \"address\": \"0x%llx\"}", f->pc);
}

/* json_list() - a list's totals and all its sites. */
static void json_list(FILE *out, const list *l, const group *g, size_t n)
{
    fprintf(out, "{\"bytes\": %llu, \"blocks\": %llu, \"sites\": [", l->bytes,
            l->blocks);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s\n  {\"bytes\": %llu, \"blocks\": %llu, ",
                i > 0 ? "," : "", row_bytes(l, &g[i]), row_blocks(l, &g[i]));
        if (l->leaked)
            fprintf(out,
                    "\"allocated_bytes\": %llu, "
                    "\"allocated_blocks\": %llu, ",
                    g[i].made_bytes, g[i].made_blocks);
        else
            fprintf(out, "\"leaked_bytes\": %llu, \"leaked_blocks\": %llu, ",
                    g[i].live_bytes, g[i].live_blocks);
        fputs("\"frames\": [", out);
        for (unsigned j = 0; j < g[i].n; j++) {
            fputs(j > 0 ? ", " : "", out);
            json_frame(out, &g[i].f[j]);
        }
        fputs("]}", out);
    }
    fprintf(out, "], \"unknown\": {\"bytes\": %llu, \"blocks\": %llu}}",
            l->unknown_bytes, l->unknown_blocks);
}

/* ---- The report. */

/*
 * report() - d's groups g (n of them), the leaked first, as text or
 * JSON.  Returns 0 or -ENOMEM.
 */
static int report(dump *d, group *g, size_t n, FILE *out, int json)
{
    list leaked = {"Leaked at exit",
                   1,
                   0,
                   0,
                   positive(d->unknown.live_bytes),
                   positive(d->unknown.live_blocks)};
    list made = {"Top allocation sites", 0, 0, 0, d->unknown.made_bytes,
                 d->unknown.made_blocks};
    group *live = mp__malloc((n ? n : 1) * sizeof *live);
    size_t nlive = 0;
    char cwd[4096];
    char note[8192];

    if (live == NULL)
        return -ENOMEM;
    if (getcwd(cwd, sizeof cwd) == NULL)
        cwd[0] = '\0';
    leaked.bytes = leaked.unknown_bytes;
    leaked.blocks = leaked.unknown_blocks;
    made.bytes = made.unknown_bytes;
    made.blocks = made.unknown_blocks;
    for (size_t i = 0; i < n; i++) {
        made.bytes += g[i].made_bytes;
        made.blocks += g[i].made_blocks;
        if (g[i].live_bytes == 0 && g[i].live_blocks == 0)
            continue;
        leaked.bytes += g[i].live_bytes;
        leaked.blocks += g[i].live_blocks;
        live[nlive++] = g[i];
    }
    qsort(live, nlive, sizeof *live, by_live);
    qsort(g, n, sizeof *g, by_made);
    if (json) {
        /* Every frame shown, for the note. */
        for (size_t i = 0; i < n; i++)
            for (unsigned j = 0; j < g[i].n; j++)
                mp__symbols_shown(d->syms, &g[i].f[j]);
        fputs("{\"leaked\": ", out);
        json_list(out, &leaked, live, nlive);
        fputs(",\n\"allocated\": ", out);
        json_list(out, &made, g, n);
        fputs(",\n\"note\": ", out);
        mp__json_string(out, mp__symbols_note(d->syms, note, sizeof note));
        fputs("}\n", out);
    } else {
        print_list(out, &leaked, live, nlive, d->syms, cwd);
        print_list(out, &made, g, n, d->syms, cwd);
        const char *s = mp__symbols_note(d->syms, note, sizeof note);
        if (s != NULL)
            fprintf(out, "%s\n", s);
    }
    mp__free(live);
    return 0;
}

/* mp__leaks_print() - see leaks.h. */
int mp__leaks_print(FILE *f, FILE *out, int json)
{
    dump d;
    group *g = NULL;
    size_t n = 0;
    int r = -1;

    memset(&d, 0, sizeof d);
    d.syms = mp__symbols_new();
    if (d.syms == NULL) {
        mp__warn("cannot make the leak report: out of memory");
        return -1;
    }
    if (read_dump(f, &d) != 0)
        goto out;
    if (group_sites(&d, &g, &n) != 0 || report(&d, g, n, out, json) != 0) {
        mp__warn("cannot make the leak report: out of memory");
        goto out;
    }
    if (fflush(out) != 0 || ferror(out)) {
        mp__warn("cannot write the leak report (%s)", strerror(errno));
        goto out;
    }
    r = 0;
out:
    mp__free(g);
    mp__free(d.sites);
    mp__free(d.pcs);
    mp__symbols_free(d.syms);
    return r;
}
