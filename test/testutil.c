/*
 * testutil.c - running a program or a shell command and capturing its
 * output, sandboxes, paths and table parsing, for the suites.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "testutil.h"

extern char **environ;

void sandbox_enter(sandbox *sb, const char *tag)
{
    ck_assert_ptr_nonnull(getcwd(sb->home, sizeof sb->home));
    snprintf(sb->memprof, sizeof sb->memprof, "%s/%s/memprof", sb->home,
             test_build_dir());
    snprintf(sb->dir, sizeof sb->dir, "/tmp/mp_%s_XXXXXX", tag);
    ck_assert_ptr_nonnull(mkdtemp(sb->dir));
    ck_assert_int_eq(chdir(sb->dir), 0);
}

void sandbox_leave(sandbox *sb)
{
    ck_assert_int_eq(chdir(sb->home), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sb->dir);
    ck_assert_int_eq(system(cmd), 0);
}

void put_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

void copy_file(const sandbox *sb, const char *rel, const char *name)
{
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/%s", sb->home, rel);
    char *text = read_file(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    put_file(name, text);
    free(text);
}

int file_exists(const char *name)
{
    struct stat st;
    return stat(name, &st) == 0;
}

int test_valgrind(void)
{
    return getenv("MP_TEST_QUICK") != NULL;
}

int figures_hold(void)
{
    const char *v = getenv("MP_TEST_FIGURES");
    return !MP_TEST_TSAN && !(v != NULL && strcmp(v, "0") == 0);
}

const char *test_build_dir(void)
{
    return MP_TEST_BUILD;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096;
    size_t n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        if (len != NULL)
            *len = n;
    }
    return buf;
}

const char *build_path(const char *rel)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", test_build_dir(), rel);
    return buf[i];
}

int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *make_tmpdir(const char *tag)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/mp_%s_XXXXXX", tag);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* append() - add n bytes to a growing buffer. */
static int append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t ncap = *cap ? *cap : 4096;
        while (*len + n + 1 > ncap)
            ncap *= 2;
        char *nb = realloc(*buf, ncap);
        if (nb == NULL)
            return -1;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

/*
 * child_env() - environ without MEMPROF_* (the test process sets its own),
 * with env applied: "NAME=value" sets or replaces NAME, "-NAME" removes it.
 */
static char **child_env(const char *const env[])
{
    size_t n = 0;
    size_t extra = 0;
    while (environ[n] != NULL)
        n++;
    while (env != NULL && env[extra] != NULL)
        extra++;
    char **out = calloc(n + extra + 1, sizeof *out);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int keep = strncmp(environ[i], "MEMPROF_", 8) != 0;
        for (size_t j = 0; j < extra && keep; j++) {
            const char *name = env[j][0] == '-' ? env[j] + 1 : env[j];
            size_t len = strcspn(name, "=");
            keep = !(strncmp(environ[i], name, len) == 0 &&
                     environ[i][len] == '=');
        }
        if (keep)
            out[k++] = environ[i];
    }
    for (size_t j = 0; j < extra; j++)
        if (env[j][0] != '-')
            out[k++] = (char *)env[j];
    return out;
}

int run_capture(const char *const argv[], const char *const env[],
                run_result *res)
{
    memset(res, 0, sizeof *res);
    int po[2];
    int pe[2];
    if (pipe(po) != 0)
        return -1;
    if (pipe(pe) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    char **cenv = child_env(env);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        execve(argv[0], (char *const *)argv, cenv != NULL ? cenv : environ);
        _exit(127);
    }
    free(cenv);
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        return -1;
    }
    size_t ocap = 0;
    size_t ecap = 0;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char buf[65536];
            ssize_t r = read(fds[i].fd, buf, sizeof buf);
            if (r <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                append(&res->out, &res->out_len, &ocap, buf, (size_t)r);
            } else {
                append(&res->err, &res->err_len, &ecap, buf, (size_t)r);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    while (waitpid(pid, &res->status, 0) < 0 && errno == EINTR)
        ;
    if (res->out == NULL)
        append(&res->out, &res->out_len, &ocap, "", 0);
    if (res->err == NULL)
        append(&res->err, &res->err_len, &ecap, "", 0);
    return 0;
}

void run_result_free(run_result *res)
{
    free(res->out);
    free(res->err);
    memset(res, 0, sizeof *res);
}

#define HEADER "Line #    Mem usage    Increment  Occurrences   Line Contents"
#define RULE "============================================================="

/*
 * parse_cell() - a cell starting at p that must read exactly as Python
 * prints it: "{:>12}" of "{:{d+4}.{d}f} MiB", d the decimals it shows.
 * Returns the cell's length or -1; fills value and cell (no padding).
 */
static int parse_cell(const char *p, int width, double *value, char *cell)
{
    int i = 0;
    while (p[i] == ' ')
        i++;
    char *end = NULL;
    *value = strtod(p + i, &end);
    if (end == p + i || strncmp(end, " MiB", 4) != 0)
        return -1;
    int numlen = (int)(end - (p + i));
    const char *dot = memchr(p + i, '.', (size_t)numlen);
    int decimals = dot != NULL ? (int)(end - dot - 1) : 0;
    char want[64];
    char num[40];
    snprintf(num, sizeof num, "%*.*s MiB", decimals + 4, numlen, p + i);
    snprintf(want, sizeof want, "%*s", width, num);
    int len = (int)strlen(want);
    if (strncmp(p, want, (size_t)len) != 0)
        return -1;
    snprintf(cell, 32, "%.*s", numlen + 4, p + i);
    return len;
}

/*
 * parse_row() - one row: "{0:>6} {1:>12} {2:>12}  {3:>10}   {4}".  Checks
 * widths exactly, allowing wider cells only where no padding was left.
 */
static int parse_row(const char *p, const char *eol, table_row *r)
{
    memset(r, 0, sizeof *r);
    int i = 0;
    while (p[i] == ' ' && i < 6)
        i++;
    char *end = NULL;
    r->line = (int)strtol(p + i, &end, 10);
    if (end == p + i || end - p < 6 || *end != ' ')
        return -1;
    const char *q = end + 1;
    static const char blank[] = "                                         ";
    /* 12 + 1 + 12 + 2 + 10 + 3 = 40 blanks for an empty row. */
    if (strncmp(q, blank, 40) == 0 && (q + 40 <= eol)) {
        r->contents = q + 40;
        r->contents_len = (int)(eol - (q + 40));
        return 0;
    }
    int n = parse_cell(q, 12, &r->mem, r->mem_cell);
    if (n < 0 || q[n] != ' ')
        return -1;
    q += n + 1;
    n = parse_cell(q, 12, &r->inc, r->inc_cell);
    if (n < 0 || strncmp(q + n, "  ", 2) != 0)
        return -1;
    q += n + 2;
    int j = 0;
    while (q[j] == ' ')
        j++;
    r->occ = strtoll(q + j, &end, 10);
    if (end == q + j || (end - q < 10) || (end - q > 10 && j > 0) ||
        strncmp(end, "   ", 3) != 0)
        return -1;
    r->recorded = 1;
    r->contents = end + 3;
    r->contents_len = (int)(eol - (end + 3));
    return 0;
}

int parse_tables(const char *text, table *tables, int max)
{
    int n = 0;
    const char *p = text;
    while ((p = strstr(p, "Filename: ")) != NULL) {
        if (n == max)
            return -1;
        table *t = &tables[n];
        memset(t, 0, sizeof *t);
        const char *eol = strchr(p, '\n');
        if (eol == NULL)
            return -1;
        snprintf(t->file, sizeof t->file, "%.*s", (int)(eol - p - 10), p + 10);
        p = eol + 1;
        if (strncmp(p, "\n" HEADER "\n" RULE "\n",
                    sizeof HEADER + sizeof RULE + 1) != 0) {
            fprintf(stderr, "table %s: bad header\n", t->file);
            return -1;
        }
        p += sizeof HEADER + sizeof RULE + 1;
        while (*p != '\n' && *p != '\0') {
            eol = strchr(p, '\n');
            if (eol == NULL || t->nrows == 256)
                return -1;
            if (parse_row(p, eol, &t->rows[t->nrows]) != 0) {
                fprintf(stderr, "table %s: bad row '%.*s'\n", t->file,
                        (int)(eol - p), p);
                return -1;
            }
            t->nrows++;
            p = eol + 1;
        }
        if (strncmp(p, "\n\n", 2) != 0) {
            fprintf(stderr, "table %s: not ended by two empty lines\n",
                    t->file);
            return -1;
        }
        n++;
    }
    return n;
}

const table_row *table_find(const table *t, int line)
{
    for (int i = 0; i < t->nrows; i++)
        if (t->rows[i].line == line)
            return &t->rows[i];
    return NULL;
}

double table_inc_sum(const table *t)
{
    double sum = 0;
    for (int i = 0; i < t->nrows; i++)
        sum += t->rows[i].inc;
    return sum;
}

const table_row *table_find_text(const table *t, const char *text)
{
    size_t len = strlen(text);

    for (int i = 0; i < t->nrows; i++) {
        const table_row *r = &t->rows[i];

        if (r->contents != NULL &&
            memmem(r->contents, (size_t)r->contents_len, text, len) != NULL)
            return r;
    }
    return NULL;
}

const table_row *row_with_at(const table *t, const char *text, const char *file,
                             int line)
{
    const table_row *r = table_find_text(t, text);

    if (r == NULL)
        ck_abort_msg("%s:%d: no row of %s holds '%s'", file, line, t->file,
                     text);
    return r;
}

/* preload_env() - "LD_PRELOAD=<build>/libmemprof-heap.so" (static). */
const char *preload_env(void)
{
    static char buf[600];
    snprintf(buf, sizeof buf, "LD_PRELOAD=%s",
             build_path("libmemprof-heap.so"));
    return buf;
}

/*
 * asan_env() - under AddressSanitizer, its options with the check that
 * its runtime comes first among the libraries turned off: a preloaded
 * object comes before it.  NULL in other builds, which ends an
 * environment list where it is put last.
 */
const char *asan_env(void)
{
    static char buf[1024];
    if (strstr(MP_TEST_SAN, "address") == NULL)
        return NULL;
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(buf, sizeof buf, "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
             old != NULL ? old : "", old != NULL && *old ? ":" : "");
    return buf;
}

/* resize() - *a to n elements of size bytes; 0 or -ENOMEM. */
static int resize(void *a, size_t size, int n)
{
    void *p = realloc(*(void **)a, (size_t)n * size);
    if (p == NULL)
        return -ENOMEM;
    *(void **)a = p;
    return 0;
}

/* The arrays of a rec being read, and their room. */
typedef struct rec_ctx {
    rec *d;
    int memcap;
    int chldcap;
} rec_ctx;

static int rec_mem(void *ctx, double mib, double t)
{
    rec_ctx *c = ctx;
    rec *d = c->d;
    if (d->nmem == c->memcap) {
        int cap = c->memcap > 0 ? 2 * c->memcap : 256;
        if (resize(&d->mem, sizeof *d->mem, cap) != 0 ||
            resize(&d->mem_t, sizeof *d->mem_t, cap) != 0)
            return -ENOMEM;
        c->memcap = cap;
    }
    d->mem[d->nmem] = mib;
    d->mem_t[d->nmem++] = t;
    return 0;
}

static int rec_chld(void *ctx, long pid, double mib, double t)
{
    rec_ctx *c = ctx;
    rec *d = c->d;
    if (d->nchld == c->chldcap) {
        int cap = c->chldcap > 0 ? 2 * c->chldcap : 256;
        if (resize(&d->chld_pid, sizeof *d->chld_pid, cap) != 0 ||
            resize(&d->chld, sizeof *d->chld, cap) != 0 ||
            resize(&d->chld_t, sizeof *d->chld_t, cap) != 0)
            return -ENOMEM;
        c->chldcap = cap;
    }
    d->chld_pid[d->nchld] = pid;
    d->chld[d->nchld] = mib;
    d->chld_t[d->nchld++] = t;
    return 0;
}

rec *rec_load(const char *path)
{
    rec *d = calloc(1, sizeof *d);
    ck_assert_ptr_nonnull(d);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no %s", path);
    rec_ctx c = {d, 0, 0};
    mp__dat_sink sink = {&c, NULL, rec_mem, rec_chld, NULL};
    mp__dat_info info;
    char err[256];
    int rc = mp__dat_scan(f, path, &sink, -1, &info, err, sizeof err);
    fclose(f);
    ck_assert_msg(rc == 0, "%s", err);
    return d;
}

void rec_free(rec *d)
{
    if (d == NULL)
        return;
    free(d->mem);
    free(d->mem_t);
    free(d->chld_pid);
    free(d->chld);
    free(d->chld_t);
    free(d);
}

/* run_memprof() - see testutil.h. */
int run_memprof(const sandbox *sb, run_result *r, ...)
{
    const char *argv[16] = {sb->memprof};
    int n = 1;
    va_list ap;
    va_start(ap, r);
    while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(run_capture(argv, NULL, r), 0);
    ck_assert_msg(WIFEXITED(r->status), "memprof %s %s: status %d", argv[1],
                  n > 2 ? argv[2] : "", r->status);
    return WEXITSTATUS(r->status);
}

/* memory_profiler_present() - see testutil.h. */
int memory_profiler_present(void)
{
    return sh("/usr/bin/python3 -c 'import memory_profiler' "
              ">/dev/null 2>&1") == 0;
}

/* memory_profiler_run() - see testutil.h. */
void memory_profiler_run(const char *script, run_result *py)
{
    const char *argv[] = {"/usr/bin/python3",
                          "-m",
                          "memory_profiler",
                          "--precision",
                          "1",
                          script,
                          NULL};
    ck_assert_int_eq(run_capture(argv, NULL, py), 0);
    ck_assert_msg(py->status == 0, "memory_profiler %s: status %d\n%s", script,
                  py->status, py->err);
}
