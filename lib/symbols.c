/*
 * symbols.c - a sites dump's return addresses as function, file and line,
 * with elfutils' libdw (libdwfl: the library eu-addr2line, perf and
 * systemd-coredump use), or as module+offset.
 *
 * libdw is loaded here, with dlopen, when a report is made: libmemprof
 * and the memprof command link nothing but the C library, and build
 * without elfutils' headers.  The few types and functions used are
 * declared below as libdwfl.h and libdw.h declare them; elfutils keeps
 * their ABI stable within libdw.so.1.
 *
 * The modules are the dump's: each file is reported to libdwfl at the
 * load bias it had in the process that made the dump, so that its
 * addresses are that process's, even when the process is gone.  Each
 * address is resolved once.  Debug information is looked for in the file
 * itself, then where -dbgsym packages put it (/usr/lib/debug, by build
 * ID or debug link); libdw asks a debuginfod server as well when
 * DEBUGINFOD_URLS says so, as gdb does.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "symbols.h"

/* The library loaded, unless MEMPROF_LIBDW names another. */
#define LIBDW_SONAME "libdw.so.1"

/* What is used of libdwfl.h and libdw.h. */
typedef struct Dwfl Dwfl;
typedef struct Dwfl_Module Dwfl_Module;
typedef struct Dwarf_Line_s Dwarf_Line;
typedef struct Dwarf_Files_s Dwarf_Files;
typedef uint64_t Dwarf_Addr;

typedef struct {
    void *addr;
    void *cu;
    void *abbrev;
    long int padding__;
} Dwarf_Die;

typedef struct {
    unsigned int code;
    unsigned int form;
    unsigned char *valp;
    void *cu;
} Dwarf_Attribute;

typedef struct {
    int (*find_elf)(Dwfl_Module *, void **, const char *, Dwarf_Addr, char **,
                    void **);
    int (*find_debuginfo)(Dwfl_Module *, void **, const char *, Dwarf_Addr,
                          const char *, const char *, uint32_t, char **);
    int (*section_address)(Dwfl_Module *, void **, const char *, Dwarf_Addr,
                           const char *, uint32_t, const void *, Dwarf_Addr *);
    char **debuginfo_path;
} Dwfl_Callbacks;

enum {
    DW_TAG_inlined_subroutine = 0x1d,
    DW_TAG_subprogram = 0x2e,
    DW_AT_name = 0x03,
    DW_AT_comp_dir = 0x1b,
    DW_AT_call_file = 0x58,
    DW_AT_call_line = 0x59
};

/*
 * The functions used, as XX(return type, name, parameters): the table of
 * pointers and the loader both come from here.
 */
#define LIBDW_FUNCS(XX)                                                        \
    XX(Dwfl *, dwfl_begin, (const Dwfl_Callbacks *))                           \
    XX(void, dwfl_end, (Dwfl *))                                               \
    XX(void, dwfl_report_begin, (Dwfl *))                                      \
    XX(Dwfl_Module *, dwfl_report_elf,                                         \
       (Dwfl *, const char *, const char *, int, Dwarf_Addr, bool))            \
    XX(int, dwfl_report_end,                                                   \
       (Dwfl *,                                                                \
        int (*)(Dwfl_Module *, void *, const char *, Dwarf_Addr, void *),      \
        void *))                                                               \
    XX(const char *, dwfl_module_addrname, (Dwfl_Module *, Dwarf_Addr))        \
    XX(Dwarf_Die *, dwfl_module_nextcu,                                        \
       (Dwfl_Module *, Dwarf_Die *, Dwarf_Addr *))                             \
    XX(int, dwarf_haspc, (Dwarf_Die *, Dwarf_Addr))                            \
    XX(Dwarf_Line *, dwarf_getsrc_die, (Dwarf_Die *, Dwarf_Addr))              \
    XX(const char *, dwarf_linesrc, (Dwarf_Line *, uint64_t *, uint64_t *))    \
    XX(int, dwarf_lineno, (Dwarf_Line *, int *))                               \
    XX(void *, dwfl_module_getdwarf, (Dwfl_Module *, Dwarf_Addr *))            \
    XX(Dwarf_Die *, dwfl_module_addrdie,                                       \
       (Dwfl_Module *, Dwarf_Addr, Dwarf_Addr *))                              \
    XX(int, dwarf_getscopes, (Dwarf_Die *, Dwarf_Addr, Dwarf_Die **))          \
    XX(int, dwarf_tag, (Dwarf_Die *))                                          \
    XX(Dwarf_Attribute *, dwarf_attr_integrate,                                \
       (Dwarf_Die *, unsigned int, Dwarf_Attribute *))                         \
    XX(const char *, dwarf_formstring, (Dwarf_Attribute *))                    \
    XX(Dwarf_Attribute *, dwarf_attr,                                          \
       (Dwarf_Die *, unsigned int, Dwarf_Attribute *))                         \
    XX(int, dwarf_getscopes_die, (Dwarf_Die *, Dwarf_Die **))                  \
    XX(int, dwarf_formudata, (Dwarf_Attribute *, uint64_t *))                  \
    XX(int, dwarf_getsrcfiles, (Dwarf_Die *, Dwarf_Files **, size_t *))        \
    XX(const char *, dwarf_filesrc,                                            \
       (Dwarf_Files *, size_t, uint64_t *, uint64_t *))                        \
    XX(int, dwfl_build_id_find_elf,                                            \
       (Dwfl_Module *, void **, const char *, Dwarf_Addr, char **, void **))   \
    XX(int, dwfl_standard_find_debuginfo,                                      \
       (Dwfl_Module *, void **, const char *, Dwarf_Addr, const char *,        \
        const char *, uint32_t, char **))                                      \
    XX(int, dwfl_offline_section_address,                                      \
       (Dwfl_Module *, void **, const char *, Dwarf_Addr, const char *,        \
        uint32_t, const void *, Dwarf_Addr *))

/* libdw, loaded: a pointer per function. */
static struct {
#define XX(ret, name, params) ret(*name) params;
    LIBDW_FUNCS(XX)
#undef XX
} dw;

static int dw_state; /* 0: not tried, 1: loaded, -1: failed */
static char dw_why[256];

/* One module of the dump. */
typedef struct module {
    unsigned long long bias;
    unsigned long long lo;
    unsigned long long hi;
    char *path;
    Dwfl_Module *mod; /* NULL: libdw could not open it */
    int allocator;
    int unlined; /* a frame of it is shown without a line */
} module;

/* A string made here (a file's full name), kept until the table goes. */
typedef struct made {
    struct made *next;
    char text[];
} made;

/* One resolved address: its frames, the innermost inlined one first. */
typedef struct slot {
    int used;
    unsigned n;
    mp__frame f[MP__INLINED];
} slot;

struct mp__symbols {
    module *mods;
    size_t nmods;
    size_t capmods;
    int sorted;
    Dwfl *dwfl; /* NULL without libdw */
    slot *cache;
    size_t ncache;
    size_t capcache;          /* a power of 2, or 0 */
    Dwfl_Callbacks callbacks; /* libdwfl keeps a pointer to them */
    char *debuginfo_path;     /* NULL: libdwfl's default */
    made *strings;
};

/*
 * load() - *fn (a function pointer, of any type) = the symbol name of
 * handle h.  Returns whether there is one.
 */
static int load(void *h, const char *name, void *fn)
{
    void *sym = dlsym(h, name);
    memcpy(fn, &sym, sizeof sym);
    return sym != NULL;
}

/*
 * dw_load() - libdw's functions, tried once per process; the handle is
 * kept for the rest of the run.  Returns whether they are there.  Not
 * thread-safe: reports are made by one thread at a time (at exit, or by
 * the memprof command).
 */
static int dw_load(void)
{
    if (dw_state == 0) {
        const char *lib = secure_getenv("MEMPROF_LIBDW");
        if (lib == NULL || *lib == '\0')
            lib = LIBDW_SONAME;
        void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
        int ok = h != NULL;
#define XX(ret, name, params) ok = ok && load(h, #name, &dw.name);
        LIBDW_FUNCS(XX)
#undef XX
        if (!ok) {
            const char *e = dlerror();
            snprintf(dw_why, sizeof dw_why, "%s", e != NULL ? e : lib);
            if (h != NULL)
                dlclose(h);
        }
        dw_state = ok ? 1 : -1;
    }
    return dw_state == 1;
}

/* mp__symbols_new() - see symbols.h. */
mp__symbols *mp__symbols_new(void)
{
    return mp__calloc(1, sizeof(mp__symbols));
}

/*
 * is_allocator() - whether path is of the allocator's own code: the C
 * library (strdup, fopen...), libstdc++ (operator new), the heap object,
 * the dynamic loader, a sanitizer's runtime.
 */
static int is_allocator(const char *path)
{
    static const char *const names[] = {
        "libc.so",    "libc-",      "libstdc++.so", "libmemprof-heap.so",
        "ld-linux",   "ld64.so",    "ld-musl",      "libc.musl",
        "libasan.so", "libtsan.so", "libubsan.so"};
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(base, names[i], strlen(names[i])) == 0)
            return 1;
    return 0;
}

/* mp__symbols_module() - see symbols.h. */
int mp__symbols_module(mp__symbols *s, unsigned long long bias,
                       unsigned long long lo, unsigned long long hi,
                       const char *path)
{
    if (mp__grow(&s->mods, &s->capmods, s->nmods + 1, sizeof *s->mods) != 0)
        return -ENOMEM;
    module *m = &s->mods[s->nmods];
    m->path = mp__strdup(path);
    if (m->path == NULL)
        return -ENOMEM;
    m->bias = bias;
    m->lo = lo;
    m->hi = hi;
    m->mod = NULL;
    m->allocator = is_allocator(path);
    m->unlined = 0;
    s->nmods++;
    s->sorted = 0;
    return 0;
}

/* by_lo() - qsort's order of modules: by their first address. */
static int by_lo(const void *a, const void *b)
{
    const module *x = a;
    const module *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * report() - the modules sorted, and given to a new libdwfl session if
 * libdw is there (a file it cannot open is left without: module+offset).
 */
static void report(mp__symbols *s)
{
    if (s->nmods > 0)
        qsort(s->mods, s->nmods, sizeof *s->mods, by_lo);
    s->sorted = 1;
    if (!dw_load())
        return;
    s->callbacks.find_elf = dw.dwfl_build_id_find_elf;
    s->callbacks.find_debuginfo = dw.dwfl_standard_find_debuginfo;
    s->callbacks.section_address = dw.dwfl_offline_section_address;
    s->callbacks.debuginfo_path = &s->debuginfo_path;
    s->dwfl = dw.dwfl_begin(&s->callbacks);
    if (s->dwfl == NULL)
        return;
    dw.dwfl_report_begin(s->dwfl);
    for (size_t i = 0; i < s->nmods; i++) {
        module *m = &s->mods[i];
        if (m->path[0] == '/')
            m->mod = dw.dwfl_report_elf(s->dwfl, m->path, m->path, -1, m->bias,
                                        true);
    }
    dw.dwfl_report_end(s->dwfl, NULL, NULL);
}

/* find_module() - the module whose span holds pc, or NULL. */
static module *find_module(mp__symbols *s, unsigned long long pc)
{
    size_t lo = 0;
    size_t hi = s->nmods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->mods[mid].lo <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || pc >= s->mods[lo - 1].hi)
        return NULL;
    return &s->mods[lo - 1];
}

/*
 * find_cu() - the compilation unit of m that holds address a, and its
 * bias: through .debug_aranges, or, where there is none (clang does not
 * write it), by asking each unit whether its ranges hold a.
 */
static Dwarf_Die *find_cu(Dwfl_Module *m, Dwarf_Addr a, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dw.dwfl_module_addrdie(m, a, bias);
    if (cu != NULL)
        return cu;
    while ((cu = dw.dwfl_module_nextcu(m, cu, bias)) != NULL)
        if (dw.dwarf_haspc(cu, a - *bias) > 0)
            return cu;
    return NULL;
}

/*
 * full_name() - file, named relative to the directory of its compilation
 * unit cu in the debug information (as gcc and clang name the files
 * given to them by a relative path), as a full path kept in s; file
 * itself when it is one already or without memory.
 */
static const char *full_name(mp__symbols *s, Dwarf_Die *cu, const char *file)
{
    Dwarf_Attribute at;
    const char *dir = NULL;
    if (file[0] == '/')
        return file;
    if (dw.dwarf_attr(cu, DW_AT_comp_dir, &at) != NULL)
        dir = dw.dwarf_formstring(&at);
    if (dir == NULL || dir[0] != '/')
        return file;
    size_t n = strlen(dir) + 1 + strlen(file) + 1;
    made *t = mp__malloc(sizeof *t + n);
    if (t == NULL)
        return file;
    snprintf(t->text, n, "%s/%s", dir, file);
    t->next = s->strings;
    s->strings = t;
    return t->text;
}

/* name_of() - a function's name, following its abstract origin. */
static const char *name_of(Dwarf_Die *die)
{
    Dwarf_Attribute at;
    if (dw.dwarf_attr_integrate(die, DW_AT_name, &at) == NULL)
        return NULL;
    return dw.dwarf_formstring(&at);
}

/*
 * call_site() - where the function inlined as die was called: its file
 * (in unit cu's table) and line into *file and *line.  Returns 0 or -1.
 */
static int call_site(Dwarf_Die *cu, Dwarf_Die *die, const char **file,
                     int *line)
{
    Dwarf_Attribute at;
    Dwarf_Files *files;
    size_t nfiles;
    uint64_t idx;
    uint64_t ln;
    if (dw.dwarf_attr(die, DW_AT_call_file, &at) == NULL ||
        dw.dwarf_formudata(&at, &idx) != 0 ||
        dw.dwarf_attr(die, DW_AT_call_line, &at) == NULL ||
        dw.dwarf_formudata(&at, &ln) != 0 ||
        dw.dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
        return -1;
    *file = dw.dwarf_filesrc(files, (size_t)idx, NULL, NULL);
    *line = (int)ln;
    return *file != NULL ? 0 : -1;
}

/*
 * inlined() - the frames at address a (the unit's) of unit cu, as
 * addr2line -i gives them: the innermost function, inlined or not, at
 * the line file:line of the line table, then each function it was
 * inlined into, at the call's line, up to the function of its own.  Into
 * f[0..max), each a copy of proto with its function, file and line.
 * Returns how many (0: no function is known there).
 */
static unsigned inlined(mp__symbols *s, Dwarf_Die *cu, Dwarf_Addr a,
                        const char *file, int line, const mp__frame *proto,
                        mp__frame *f, unsigned max)
{
    Dwarf_Die *scopes = NULL;
    unsigned n = 0;
    int ns = dw.dwarf_getscopes(cu, a, &scopes);
    int i = 0;
    while (n < max && i < ns) {
        int tag = dw.dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine) {
            i++;
            continue;
        }
        f[n] = *proto;
        f[n].function = name_of(&scopes[i]);
        f[n].file = full_name(s, cu, file);
        f[n].line = line;
        n++;
        if (tag == DW_TAG_subprogram ||
            call_site(cu, &scopes[i], &file, &line) != 0)
            break;
        /*
         * The scopes around an inlined instance, not those around its
         * abstract definition that dwarf_getscopes() goes on with.
         */
        Dwarf_Die *outer = NULL;
        int no = dw.dwarf_getscopes_die(&scopes[i], &outer);
        free(scopes); /* libdw's, from malloc */
        scopes = outer;
        ns = no;
        i = 1;
    }
    free(scopes);
    return n;
}

/*
 * resolve() - what is known of pc, worked out: its frames into f (at
 * most MP__INLINED), returns how many (at least 1).
 */
static unsigned resolve(mp__symbols *s, unsigned long long pc, mp__frame *f)
{
    module *m = find_module(s, pc);
    Dwarf_Addr call = pc - 1;
    const char *file = NULL;
    int line = 0;

    memset(f, 0, sizeof *f);
    f->pc = pc;
    if (m == NULL)
        return 1;
    f->module = m->path;
    f->offset = call - m->bias;
    f->allocator = m->allocator;
    if (m->mod == NULL)
        return 1;
    f->function = dw.dwfl_module_addrname(m->mod, call);
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = find_cu(m->mod, call, &bias);
    Dwarf_Line *l = cu != NULL ? dw.dwarf_getsrc_die(cu, call - bias) : NULL;
    if (l != NULL && dw.dwarf_lineno(l, &line) == 0)
        file = dw.dwarf_linesrc(l, NULL, NULL);
    if (file == NULL)
        return 1;
    mp__frame proto = *f;
    unsigned n =
        inlined(s, cu, call - bias, file, line, &proto, f, MP__INLINED);
    if (n == 0) {
        f->file = full_name(s, cu, file);
        f->line = line;
        n = 1;
    }
    return n;
}

/* hash() - where pc's slot starts, in a table of mask + 1 slots. */
static size_t hash(unsigned long long pc, size_t mask)
{
    return (size_t)((pc * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}

/* rehash() - the cache twice as large.  Returns 0 or -ENOMEM. */
static int rehash(mp__symbols *s)
{
    size_t cap = s->capcache ? s->capcache * 2 : 256;
    slot *t = mp__calloc(cap, sizeof *t);
    if (t == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < s->capcache; i++) {
        if (!s->cache[i].used)
            continue;
        size_t j = hash(s->cache[i].f[0].pc, cap - 1);
        while (t[j].used)
            j = (j + 1) & (cap - 1);
        t[j] = s->cache[i];
    }
    mp__free(s->cache);
    s->cache = t;
    s->capcache = cap;
    return 0;
}

/* mp__symbols_find() - see symbols.h.  Without memory, not cached. */
unsigned mp__symbols_find(mp__symbols *s, unsigned long long pc, mp__frame *f)
{
    if (!s->sorted)
        report(s);
    if ((s->ncache + 1) * 2 > s->capcache && rehash(s) != 0)
        return resolve(s, pc, f);
    size_t j = hash(pc, s->capcache - 1);
    while (s->cache[j].used && s->cache[j].f[0].pc != pc)
        j = (j + 1) & (s->capcache - 1);
    if (!s->cache[j].used) {
        s->cache[j].n = resolve(s, pc, s->cache[j].f);
        s->cache[j].used = 1;
        s->ncache++;
    }
    memcpy(f, s->cache[j].f, s->cache[j].n * sizeof *f);
    return s->cache[j].n;
}

/* mp__symbols_shown() - see symbols.h. */
void mp__symbols_shown(mp__symbols *s, const mp__frame *f)
{
    Dwarf_Addr bias;
    if (f->file != NULL || f->module == NULL)
        return;
    module *m = find_module(s, f->pc);
    /* A frame of a file with debug information but not there (the C
       runtime's start, assembly) is no news. */
    if (m != NULL &&
        (m->mod == NULL || dw.dwfl_module_getdwarf(m->mod, &bias) == NULL))
        m->unlined = 1;
}

/* mp__symbols_note() - see symbols.h. */
const char *mp__symbols_note(mp__symbols *s, char *buf, size_t size)
{
    const char *first = NULL;
    size_t others = 0;
    for (size_t i = 0; i < s->nmods; i++) {
        if (!s->mods[i].unlined)
            continue;
        if (first == NULL)
            first = s->mods[i].path;
        else
            others++;
    }
    if (first == NULL)
        return NULL;
    if (dw_state != 1) {
        snprintf(buf, size,
                 "memprof: cannot load libdw (%s): install elfutils' libdw "
                 "(Debian: libdw1); frames shown as module+offset",
                 dw_why);
    } else if (others == 0) {
        snprintf(buf, size,
                 "memprof: no debug information for %s: install its "
                 "-dbgsym package or build with -g; frames shown as "
                 "module+offset",
                 first);
    } else {
        snprintf(buf, size,
                 "memprof: no debug information for %s and %zu other "
                 "module%s: install their -dbgsym packages or build with "
                 "-g; frames shown as module+offset",
                 first, others, others == 1 ? "" : "s");
    }
    return buf;
}

/* mp__symbols_free() - see symbols.h. */
void mp__symbols_free(mp__symbols *s)
{
    if (s == NULL)
        return;
    if (s->dwfl != NULL)
        dw.dwfl_end(s->dwfl);
    for (size_t i = 0; i < s->nmods; i++)
        mp__free(s->mods[i].path);
    mp__free(s->mods);
    mp__free(s->cache);
    while (s->strings != NULL) {
        made *next = s->strings->next;
        mp__free(s->strings);
        s->strings = next;
    }
    mp__free(s);
}
