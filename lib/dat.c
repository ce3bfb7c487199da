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
#include <stdarg.h>
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
 * each that holds a blank or a tab wrapped in single quotes.
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
        r = put(buf + n, size - n, "%s%s%s%s", i > 0 ? " " : "",
                quote ? "'" : "", argv[i], quote ? "'" : "");
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

/* number() - one strict decimal field at *p, advancing past it. */
static int number(char **p, double *out)
{
    char *end = NULL;
    while (**p == ' ')
        (*p)++;
    *out = strtod(*p, &end);
    if (end == *p || (*end != ' ' && *end != '\0'))
        return -EINVAL;
    *p = end;
    return 0;
}

/* field() - the next space-separated word at *p, NUL-terminated in place. */
static char *field(char **p)
{
    while (**p == ' ')
        (*p)++;
    if (**p == '\0')
        return NULL;
    char *start = *p;
    while (**p != ' ' && **p != '\0')
        (*p)++;
    if (**p == ' ')
        *(*p)++ = '\0';
    return start;
}

/* parse_line() - one line (no "\n") into dat.  Returns 0 or -EINVAL. */
static int parse_line(mp__dat *dat, char *line)
{
    char *p = line;
    char *kind = field(&p);
    if (kind == NULL)
        return -EINVAL;
    if (strcmp(kind, "CMDLINE") == 0) {
        free(dat->cmdline);
        dat->cmdline = strdup(p);
        return dat->cmdline != NULL ? 0 : -ENOMEM;
    }
    if (strcmp(kind, "MEM") == 0) {
        mp__dat_sample s;
        if (number(&p, &s.mib) != 0 || number(&p, &s.t) != 0)
            return -EINVAL;
        return push(&dat->mem, &dat->nmem, &dat->memcap, sizeof s, &s);
    }
    if (strcmp(kind, "CHLD") == 0) {
        char *id = field(&p);
        mp__dat_sample s;
        char *end = NULL;
        long pid = id != NULL ? strtol(id, &end, 10) : 0;
        if (id == NULL || *end != '\0' || number(&p, &s.mib) != 0 ||
            number(&p, &s.t) != 0)
            return -EINVAL;
        size_t i = 0;
        while (i < dat->nchildren && dat->children[i].pid != pid)
            i++;
        if (i == dat->nchildren) {
            mp__dat_child c = {pid, NULL, 0, 0};
            int r = push(&dat->children, &dat->nchildren, &dat->childcap,
                         sizeof c, &c);
            if (r != 0)
                return r;
        }
        mp__dat_child *c = &dat->children[i];
        return push(&c->samples, &c->n, &c->cap, sizeof s, &s);
    }
    if (strcmp(kind, "FUNC") == 0) {
        mp__dat_span f;
        char *name = field(&p);
        double level = 0;
        if (name == NULL || number(&p, &f.mem0) != 0 ||
            number(&p, &f.t0) != 0 || number(&p, &f.mem1) != 0 ||
            number(&p, &f.t1) != 0)
            return -EINVAL;
        /* The level came later in mprof's history: optional. */
        while (*p == ' ')
            p++;
        if (*p != '\0' && number(&p, &level) != 0)
            return -EINVAL;
        f.level = (int)level;
        f.name = strdup(name);
        if (f.name == NULL)
            return -ENOMEM;
        int r = push(&dat->funcs, &dat->nfuncs, &dat->funccap, sizeof f, &f);
        if (r != 0)
            free(f.name);
        return r;
    }
    /* mprof skips what it does not know; so do we. */
    return 0;
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
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int r = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        r = len == 0 ? -EINVAL : parse_line(dat, line);
        if (r != 0) {
            if (r == -ENOMEM)
                snprintf(err, errsize, "%s: out of memory", path);
            else
                snprintf(err, errsize, "%s:%ld: not a line of a .dat file",
                         path, lineno);
            break;
        }
    }
    free(line);
    fclose(f);
    if (r != 0)
        mp__dat_free(dat);
    return r;
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
