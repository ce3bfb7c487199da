/*
 * source.c - reading source files: loading one, from its recorded path,
 * through MEMPROF_SOURCE_PATH, in the folder the compiler ran in (from
 * the debug information, dwarf.c) or in the executable's folder, split
 * into lines, and the lookups the report makes in what lexer.c found in
 * it when it was loaded.
 *
 * Nothing here is on the hot path; it runs when a report is printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/*
 * open_source() - open path for reading.  Returns an fd, or -errno;
 * a directory is -EISDIR, so that a search goes on to the next candidate.
 */
static int open_source(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return -EISDIR;
    }
    return fd;
}

/*
 * open_joined() - open dir "/" name, the name made in a buffer of its own.
 * Returns an fd, or -errno (-ENOMEM if the name cannot be made).
 */
static int open_joined(const char *dir, size_t dirlen, const char *name)
{
    size_t namelen = strlen(name);
    char *joined = mp__malloc(dirlen + 1 + namelen + 1);
    int fd;

    if (joined == NULL)
        return -ENOMEM;
    memcpy(joined, dir, dirlen);
    joined[dirlen] = '/';
    memcpy(joined + dirlen + 1, name, namelen + 1);
    fd = open_source(joined);
    mp__free(joined);
    return fd;
}

/*
 * open_in_path() - for each non-empty dir of the ':'-separated
 * search_path, try dir/path, then dir/basename(path).  Returns the fd of
 * the first that opens, or -ENOENT if none does; -ENOMEM stops the search.
 */
static int open_in_path(const char *path, const char *search_path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    const char *dir = search_path;

    while (*dir != '\0') {
        size_t dirlen = strcspn(dir, ":");
        int fd = -ENOENT;

        if (dirlen > 0) {
            fd = open_joined(dir, dirlen, path);
            if (fd < 0 && fd != -ENOMEM && base != path && *base != '\0')
                fd = open_joined(dir, dirlen, base);
            if (fd >= 0 || fd == -ENOMEM)
                return fd;
        }
        dir += dirlen;
        if (*dir == ':')
            dir++;
    }
    return -ENOENT;
}

/* What try_unit() looks for, and what it found. */
typedef struct unit_try {
    const char *path; /* the recorded path, relative */
    int named;        /* 1: only units named path; 0: any unit */
    uint64_t last;    /* a hash of the folder tried last, or 0 */
    int fd;           /* what opened, or -ENOENT */
} unit_try;

/* hash() - FNV-1a of s, never 0: tells a folder from the one before. */
static uint64_t hash(const char *s)
{
    uint64_t h = 14695981039346656037u;

    while (*s != '\0')
        h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h != 0 ? h : 1;
}

/*
 * try_unit() - mp__dwarf_units()' callback: open dir/path for a unit of
 * the kind asked for, once per run of units in one folder.  Returns 1,
 * the fd in t->fd, when it opened (or -ENOMEM stops the search).
 */
static int try_unit(const char *name, const char *dir, void *arg)
{
    unit_try *t = arg;

    if (t->named && strcmp(name, t->path) != 0)
        return 0;
    uint64_t h = hash(dir);
    if (h == t->last)
        return 0;
    t->last = h;
    t->fd = open_joined(dir, strlen(dir), t->path);
    return t->fd >= 0 || t->fd == -ENOMEM;
}

/*
 * open_in_comp_dirs() - the relative path in the folder the compiler ran
 * in, as the debug information of the program and of the objects loaded
 * with it gives it: the folders of the units named path first, then
 * every unit's.  Returns an fd, or -ENOENT (-ENOMEM).
 */
static int open_in_comp_dirs(const char *path)
{
    unit_try t = {path, 1, 0, -ENOENT};

    if (mp__dwarf_units(try_unit, &t) != 0)
        return t.fd;
    t.named = 0;
    t.last = 0;
    if (mp__dwarf_units(try_unit, &t) != 0)
        return t.fd;
    return -ENOENT;
}

/*
 * open_in_exe_dir() - the relative path in the folder of the program's
 * executable.  Returns an fd, or -errno.
 */
static int open_in_exe_dir(const char *path)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe);

    if (n <= 0 || (size_t)n >= sizeof exe)
        return -ENOENT;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return -ENOENT;
    return open_joined(exe, (size_t)(slash - exe), path);
}

/*
 * split_lines() - cut src->buf into lines in place: each "\n", and a "\r"
 * right before it, becomes NUL; a "\r" ending the file is dropped too.  A
 * last line without "\n" is a line; an empty file has none.  Fills
 * src->lines and src->nlines.  Returns 0 or -ENOMEM.
 */
static int split_lines(mp__source *src)
{
    char *p = src->buf;
    char *end = src->buf + src->len;
    size_t count = 0;
    int i;

    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));

        count++;
        p = nl != NULL ? nl + 1 : end;
    }
    if (count == 0)
        return 0;
    if (count > (size_t)INT_MAX)
        return -EFBIG;
    src->lines = mp__malloc(count * sizeof *src->lines);
    if (src->lines == NULL)
        return -ENOMEM;
    p = src->buf;
    for (i = 0; i < (int)count; i++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl != NULL ? nl : end;

        src->lines[i] = p;
        if (stop > p && stop[-1] == '\r')
            stop[-1] = '\0';
        *stop = '\0';
        p = stop + 1;
    }
    src->nlines = (int)count;
    return 0;
}

/*
 * mp__source_load() - see internal.h.  On failure *src is zeroed.
 */
int mp__source_load(mp__source *src, const char *path, const char *search_path)
{
    int fd;
    int rc;

    memset(src, 0, sizeof *src);
    if (path == NULL)
        return -EINVAL;
    fd = open_source(path);
    rc = fd;
    if (fd < 0 && search_path != NULL)
        fd = open_in_path(path, search_path);
    if (fd < 0 && fd != -ENOMEM && path[0] != '/')
        fd = open_in_comp_dirs(path);
    if (fd < 0 && fd != -ENOMEM && path[0] != '/')
        fd = open_in_exe_dir(path);
    if (fd == -ENOMEM)
        rc = fd;
    if (fd < 0)
        return rc;
    rc = mp__read_fd(fd, &src->buf, &src->len);
    close(fd);
    if (rc == 0)
        rc = split_lines(src);
    if (rc == 0)
        rc = mp__lex_source(src);
    if (rc < 0)
        mp__source_free(src);
    return rc;
}

/*
 * mp__source_free() - see internal.h.  src may also be NULL; it is left
 * zeroed, so freeing twice is harmless.
 */
void mp__source_free(mp__source *src)
{
    if (src == NULL)
        return;
    mp__free(src->bodies);
    mp__free(src->lambdas);
    mp__free(src->starts);
    mp__free(src->lines);
    mp__free(src->buf);
    memset(src, 0, sizeof *src);
}

/*
 * mp__source_function() - see internal.h.  The bodies do not overlap and
 * are in the order they close, so a binary search finds the first that
 * ends on or after line; when several bodies hold line (one ends and
 * another starts on it), that first to close wins.
 */
int mp__source_function(const mp__source *src, int line, int *first, int *last)
{
    int lo = 0;
    int hi = src->nbodies;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        if (src->bodies[mid].last < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < src->nbodies && src->bodies[lo].first <= line) {
        *first = src->bodies[lo].first;
        *last = src->bodies[lo].last;
        return 0;
    }
    return -ENOENT;
}

/*
 * mp__source_lambda() - see internal.h.  Lambdas nest: of those that hold
 * line, the one that starts last is the innermost.
 */
int mp__source_lambda(const mp__source *src, int line, int *first, int *last)
{
    int best = -1;

    for (int k = 0; k < src->nlambdas; k++) {
        const mp__body *l = &src->lambdas[k];

        if (l->first <= line && line <= l->last &&
            (best < 0 || l->first >= src->lambdas[best].first))
            best = k;
    }
    if (best < 0)
        return -ENOENT;
    *first = src->lambdas[best].first;
    *last = src->lambdas[best].last;
    return 0;
}

/* mp__source_stmt_start() - see internal.h. */
int mp__source_stmt_start(const mp__source *src, int line)
{
    if (line < 1 || line > src->nlines || src->starts == NULL)
        return line;
    return src->starts[line - 1];
}
