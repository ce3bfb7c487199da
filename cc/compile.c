/*
 * compile.c - running the compiler on the rewritten copies: each C source
 * with a function to profile is rewritten into a directory of its own
 * under a temporary one (same base name, so that the compiler names its
 * outputs as it would), the compiler runs with the copies in place of the
 * sources, and whatever it writes that names a copy (dependency files) is
 * made to name the original.  If the compiler rejects a copy, the original
 * command runs instead: memprof cc never breaks a build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc.h"
#include "command.h"
#include "deps.h"

#ifndef MP_CC_LIBDIR
#define MP_CC_LIBDIR "/usr/local/lib"
#endif
#ifndef MP_CC_INCLUDEDIR
#define MP_CC_INCLUDEDIR "/usr/local/include"
#endif
#ifndef MP_CC_BUILD_INCLUDEDIR
#define MP_CC_BUILD_INCLUDEDIR MP_CC_INCLUDEDIR
#endif

/* One source of the command and what became of it. */
typedef struct source {
    int arg;       /* its index in argv */
    char *copy;    /* the rewritten copy's path, or NULL */
    char *dir;     /* the copy's directory */
    char why[512]; /* why it could not be rewritten, or "" */
} source;

typedef struct run {
    cc_command cmd;
    source *src;
    int nsrc;
    char tmp[PATH_MAX]; /* the temporary directory, or "" */
    char libdir[PATH_MAX];
    char includedir[PATH_MAX];
} run;

void cc_warn(const char *fmt, ...)
{
    char line[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "memprof cc: %s\n", line);
}

/* ---- Where the library is ------------------------------------------- */

/*
 * locate() - the library and header memprof-cc goes with: the build
 * directory it was built in (libmemprof.a beside it), or where it was
 * installed.
 */
static void locate(run *r)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    struct stat st;

    snprintf(r->libdir, sizeof r->libdir, "%s", MP_CC_LIBDIR);
    snprintf(r->includedir, sizeof r->includedir, "%s", MP_CC_INCLUDEDIR);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    char lib[PATH_MAX + 16];
    snprintf(lib, sizeof lib, "%s/libmemprof.a", exe);
    if (stat(lib, &st) == 0) {
        snprintf(r->libdir, sizeof r->libdir, "%s", exe);
        snprintf(r->includedir, sizeof r->includedir, "%s",
                 MP_CC_BUILD_INCLUDEDIR);
    }
}

/* ---- Rewriting ------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

/* dir_of() - the directory part of path ("." when it has none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/*
 * wanted() - whether path may hold a function to profile, from its text
 * alone, so that the parser runs only where it can find one: the text
 * names MP_PROFILE_FUNC, or the part of a --func pattern before its
 * first wildcard (all of a plain name).  A pattern that starts with a
 * wildcard, or whose fixed start is shorter than 3, finds it anywhere.
 */
static int wanted(const char *path, const cc_funcs *funcs)
{
    size_t len;
    char *text = cc_read_file(path, &len);
    int yes;

    if (text == NULL)
        return 0; /* the compiler says why it cannot read it */
    yes = memmem(text, len, "MP_PROFILE_FUNC", 15) != NULL;
    for (size_t i = 0; !yes && i < funcs->n; i++) {
        const char *pat = funcs->pat[i];
        size_t fixed = strcspn(pat, "*?[\\");

        yes = fixed < 3 || memmem(text, len, pat, fixed) != NULL;
    }
    free(text);
    return yes;
}

/* same_time() - give copy the original's times: __TIMESTAMP__ is its. */
static int same_time(const char *original, const char *copy)
{
    struct stat st;
    struct timespec t[2];

    if (stat(original, &st) != 0)
        return -1;
    t[0] = st.st_atim;
    t[1] = st.st_mtim;
    return utimensat(AT_FDCWD, copy, t, 0);
}

/* rewrite_all() - the copies of the sources that have something to profile. */
static int rewrite_all(run *r, const cc_funcs *funcs, int show)
{
    cc_command *cmd = &r->cmd;
    const char **args = malloc(((size_t)cmd->nparse + 4) * sizeof *args);
    int nargs = 0;

    if (args == NULL)
        return -1;
    for (int i = 0; i < cmd->nparse; i++)
        args[nargs++] = cmd->parse[i];
    args[nargs++] = "-idirafter";
    args[nargs++] = r->includedir;

    for (int i = 0; i < r->nsrc; i++) {
        source *s = &r->src[i];
        const char *path = cmd->argv[s->arg];
        char *out = NULL;
        size_t outlen = 0;

        if (!wanted(path, funcs))
            continue;
        int rc = cc_rewrite(path, path, args, nargs, funcs, &out, &outlen,
                            s->why, sizeof s->why);
        if (rc != CC_REWRITTEN) {
            if (rc == CC_NOTHING)
                s->why[0] = '\0';
            continue;
        }
        if (show) {
            fwrite(out, 1, outlen, stdout);
            free(out);
            continue;
        }
        if (r->tmp[0] == '\0') {
            const char *t = getenv("TMPDIR");

            snprintf(r->tmp, sizeof r->tmp, "%s/memprof-cc.XXXXXX",
                     t != NULL && *t != '\0' ? t : "/tmp");
            if (mkdtemp(r->tmp) == NULL) {
                snprintf(s->why, sizeof s->why,
                         "cannot make a temporary directory: %s",
                         strerror(errno));
                r->tmp[0] = '\0';
                free(out);
                continue;
            }
        }
        if (asprintf(&s->dir, "%s/%d", r->tmp, i) < 0) {
            s->dir = NULL;
            free(out);
            continue;
        }
        if (asprintf(&s->copy, "%s/%s", s->dir, base_name(path)) < 0)
            s->copy = NULL;
        if (s->copy == NULL || mkdir(s->dir, 0700) != 0 ||
            cc_write_file(s->copy, out, outlen) != 0 ||
            same_time(path, s->copy) != 0) {
            snprintf(s->why, sizeof s->why, "cannot write its copy: %s",
                     strerror(errno));
            free(s->copy);
            s->copy = NULL;
        }
        free(out);
    }
    free(args);
    return 0;
}

/* ---- Running the compiler -------------------------------------------- */

/*
 * build_argv() - the command to run: the compiler's arguments with the
 * copies in place of their sources (copies set) or as given, the header's
 * and the sources' directories for the copies, and the library when the
 * command links: the archive (-l:libmemprof.a), so that the program runs
 * without a loader path to the shared library.
 */
static char **build_argv(const run *r, int copies)
{
    static char iquote[] = "-iquote";
    static char idirafter[] = "-idirafter";
    static char lmemprof[] = "-l:libmemprof.a";
    static char lpthread[] = "-lpthread";
    const cc_command *cmd = &r->cmd;
    char **av =
        calloc((size_t)cmd->argc + (size_t)r->nsrc * 4 + 16, sizeof *av);
    int n = 0;

    if (av == NULL)
        return NULL;
    av[n++] = cmd->argv[0];
    for (int i = 0; copies && i < r->nsrc; i++) {
        const source *s = &r->src[i];
        char *map;

        if (s->copy == NULL)
            continue;
        /* "#include "x.h"" looks beside the original first, as it would. */
        av[n++] = iquote;
        av[n++] = dir_of(cmd->argv[s->arg]);
        /* Debug information names the original's directory. */
        if (asprintf(&map, "-fdebug-prefix-map=%s=%s", s->dir, av[n - 1]) >= 0)
            av[n++] = map;
    }
    /* memprof.h is found without a -I, after every other directory. */
    if (r->nsrc > 0) {
        av[n++] = idirafter;
        av[n++] = (char *)r->includedir;
    }
    for (int i = 1; i < cmd->argc; i++) {
        av[n] = cmd->argv[i];
        for (int k = 0; copies && k < r->nsrc; k++)
            if (r->src[k].arg == i && r->src[k].copy != NULL)
                av[n] = r->src[k].copy;
        n++;
    }
    if (cmd->links) {
        char *l;

        if (asprintf(&l, "-L%s", r->libdir) >= 0)
            av[n++] = l;
        av[n++] = lmemprof;
        av[n++] = lpthread;
    }
    av[n] = NULL;
    return av;
}

/* What a compiler run wrote on one of its outputs. */
typedef struct captured {
    char *buf;
    size_t len;
    size_t cap;
} captured;

/* take() - read what fd has into c; 0 at its end (or on error), else 1. */
static int take(int fd, captured *c)
{
    if (c->len + 4096 > c->cap) {
        size_t cap = c->cap * 2 + 8192;
        char *grown = realloc(c->buf, cap);

        if (grown == NULL)
            return 0;
        c->buf = grown;
        c->cap = cap;
    }
    ssize_t got = read(fd, c->buf + c->len, c->cap - c->len);
    if (got < 0 && errno == EINTR)
        return 1;
    if (got <= 0)
        return 0;
    c->len += (size_t)got;
    return 1;
}

/*
 * spawn() - run av and wait; with out set, what it writes on standard
 * output and error goes into out[0] and out[1] instead, to be shown only
 * if this run is the one that counts.  Returns its wait status, or -1.
 */
static int spawn(char **av, captured *out)
{
    int fd[2][2] = {{-1, -1}, {-1, -1}};
    int status = -1;
    pid_t pid;

    if (out != NULL &&
        (pipe2(fd[0], O_CLOEXEC) != 0 || pipe2(fd[1], O_CLOEXEC) != 0))
        goto fail;
    pid = fork();
    if (pid < 0)
        goto fail;
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        if (out != NULL && (dup2(fd[0][1], 1) < 0 || dup2(fd[1][1], 2) < 0))
            _exit(127);
        execvp(av[0], av);
        cc_warn("cannot run %s: %s", av[0], strerror(errno));
        _exit(127);
    }
    if (out != NULL) {
        struct pollfd p[2] = {{fd[0][0], POLLIN, 0}, {fd[1][0], POLLIN, 0}};
        int open = 2;

        close(fd[0][1]);
        close(fd[1][1]);
        fd[0][1] = fd[1][1] = -1;
        while (open > 0) {
            if (poll(p, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            for (int i = 0; i < 2; i++)
                if (p[i].fd >= 0 && p[i].revents != 0 &&
                    !take(p[i].fd, &out[i])) {
                    p[i].fd = -1;
                    open--;
                }
        }
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            status = -1;
            break;
        }
fail:
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            if (fd[i][j] >= 0)
                close(fd[i][j]);
    return status;
}

/* ---- After the compiler ---------------------------------------------- */

/* clean() - remove the copies and their directories. */
static void clean(run *r)
{
    for (int i = 0; i < r->nsrc; i++) {
        if (r->src[i].copy != NULL)
            unlink(r->src[i].copy);
        if (r->src[i].dir != NULL)
            rmdir(r->src[i].dir);
        free(r->src[i].copy);
        free(r->src[i].dir);
    }
    if (r->tmp[0] != '\0')
        rmdir(r->tmp);
}

/* exit_code() - the exit status a wait status stands for. */
static int exit_code(int status)
{
    if (status < 0)
        return 127;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

int cc_compile(const cc_funcs *funcs, int argc, char **argv, int show)
{
    run r;
    int copies = 0;
    int status;
    captured out[2];
    char **av;

    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof out);
    if (cc_command_read(&r.cmd, argc, argv) != 0) {
        cc_warn("out of memory");
        return 1;
    }
    locate(&r);
    r.src = calloc((size_t)r.cmd.nsources + 1, sizeof *r.src);
    if (r.src == NULL) {
        cc_warn("out of memory");
        return 1;
    }
    for (int i = 1; i < argc; i++)
        if (r.cmd.kind[i] == CC_ARG_SOURCE)
            r.src[r.nsrc++].arg = i;
    if (!r.cmd.preprocess && rewrite_all(&r, funcs, show) != 0) {
        cc_warn("out of memory");
        return 1;
    }
    if (show) {
        for (int i = 0; i < r.nsrc; i++)
            if (r.src[i].why[0] != '\0')
                cc_warn("%s: %s", argv[r.src[i].arg], r.src[i].why);
        return 0;
    }
    for (int i = 0; i < r.nsrc; i++)
        copies += r.src[i].copy != NULL;

    /* As system() does: ^C and ^\ are for the compiler. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    av = build_argv(&r, copies > 0);
    if (av == NULL) {
        cc_warn("out of memory");
        clean(&r);
        return 1;
    }
    status = spawn(av, copies > 0 ? out : NULL);
    if (copies > 0 && status != 0 &&
        !(WIFSIGNALED(status) &&
          (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGQUIT))) {
        /* The copies failed: the originals decide, and speak. */
        free(out[0].buf);
        free(out[1].buf);
        memset(out, 0, sizeof out);
        av = build_argv(&r, 0);
        status = av != NULL ? spawn(av, NULL) : -1;
        for (int i = 0; status == 0 && i < r.nsrc; i++)
            if (r.src[i].copy != NULL)
                snprintf(r.src[i].why, sizeof r.src[i].why,
                         "the compiler rejected its rewritten copy");
        copies = 0;
    }
    /* What the run that counts said, as it said it. */
    if (out[0].len > 0) {
        fwrite(out[0].buf, 1, out[0].len, stdout);
        fflush(stdout);
    }
    if (out[1].len > 0)
        fwrite(out[1].buf, 1, out[1].len, stderr);
    free(out[0].buf);
    free(out[1].buf);
    if (status == 0) {
        for (int i = 0; copies > 0 && r.cmd.deps && i < r.nsrc; i++)
            if (r.src[i].copy != NULL)
                cc_fix_deps(&r.cmd, r.src[i].arg, r.src[i].copy);
        for (int i = 0; i < r.nsrc; i++)
            if (r.src[i].why[0] != '\0')
                cc_warn("%s: %s; compiled without line profiling",
                        argv[r.src[i].arg], r.src[i].why);
    }
    clean(&r);
    if (status < 0) {
        cc_warn("cannot run %s: %s", argv[0], strerror(errno));
        return 127;
    }
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status));
    }
    return exit_code(status);
}
