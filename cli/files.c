/*
 * files.c - memprof list, clean, rm and peak: the recordings of the
 * current directory, listed, removed and read as mprof 0.61 does, with
 * the same lines on stdout so that scripts written for mprof read ours.
 *
 * Where mprof ends with a Python traceback (an index out of range, a file
 * without samples) memprof prints one line and exits 1; where mprof
 * removes some files and then fails, memprof checks every argument first
 * and removes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "base.h"

/* "mprofile_" + 14 digits (YYYYMMDDhhmmss) + ".dat" */
#define PROFILE_PREFIX "mprofile_"
#define PROFILE_DIGITS 14
#define PROFILE_LEN (sizeof PROFILE_PREFIX - 1 + PROFILE_DIGITS + 4)

/* A command line, parsed. */
typedef struct args {
    int help; /* --help or -h */
    int dry_run;
    const char *func; /* --func's value, or NULL */
    char **ops;       /* the operands, in order (argv's slots reused) */
    int nops;
} args;

/* A file that rm, clean or peak will act on. */
typedef struct target {
    const char *name; /* as given, or a profile's name */
    dev_t dev;
    ino_t ino;
} target;

static const char list_usage[] =
    "usage: memprof list\n"
    "\n"
    "Print the recordings of the current directory, the files\n"
    "mprofile_YYYYMMDDhhmmss.dat, oldest first, each with the index that\n"
    "memprof rm and memprof peak accept (0 the oldest, -1 the newest) and\n"
    "its date:\n"
    "\n"
    "  0 mprofile_20261123011923.dat 01:19:23 23/11/2026\n";

static const char clean_usage[] =
    "usage: memprof clean [--dry-run]\n"
    "\n"
    "Remove every recording (mprofile_YYYYMMDDhhmmss.dat, and its _ts.dat\n"
    "companion) of the current directory, each named on standard output.\n"
    "A symbolic link is removed, not what it points to.\n"
    "\n"
    "  --dry-run   print the files that would be removed; remove nothing\n";

static const char rm_usage[] =
    "usage: memprof rm [--dry-run] N|FILE...\n"
    "\n"
    "Remove recordings.  N is an index of memprof list (0 the oldest, -1 the\n"
    "newest), FILE the name of a .dat file of the current directory (a\n"
    "symbolic link is removed, not what it points to).  If one of them does\n"
    "not exist or is not such a file, nothing is removed.  Each file\n"
    "removed is named on standard output.\n"
    "\n"
    "  --dry-run   print the files that would be removed; remove nothing\n";

static const char peak_usage[] =
    "usage: memprof peak [N|FILE...] [--func NAME]\n"
    "\n"
    "Print the peak memory of each recording, and of each child process it\n"
    "recorded, in MiB.  N is an index of memprof list (0 the oldest, -1 the\n"
    "newest), FILE a .dat file; with neither, the newest recording here.\n"
    "\n"
    "  --func NAME  the peak over the samples taken while NAME ran (a name\n"
    "               of the file's FUNC lines, such as basic.my_func); NaN\n"
    "               when the file has no such span or no sample within it\n";

/* The options of the subcommands: each takes --help and -h, and... */
enum { OPT_DRY_RUN = 256, OPT_FUNC };

/* ...list nothing else, clean and rm --dry-run, peak --func NAME. */
static const struct option list_longs[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const struct option remove_longs[] = {
    {"help", no_argument, NULL, 'h'},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {NULL, 0, NULL, 0},
};
static const struct option peak_longs[] = {
    {"help", no_argument, NULL, 'h'},
    {"func", required_argument, NULL, OPT_FUNC},
    {NULL, 0, NULL, 0},
};

/*
 * parse_args() - argv of subcommand cmd (argv[0] is its name) into *a,
 * with the options of longs, anywhere on the line until "--".  Returns 0,
 * or CLI_USAGE after one line on stderr.
 */
static int parse_args(int argc, char **argv, const char *cmd,
                      const struct option *longs, args *a)
{
    cli_args p;
    memset(a, 0, sizeof *a);
    cli_args_init(&p, cmd, argc, argv, ":h", longs);
    int c;
    while ((c = cli_args_next(&p)) > 0) {
        switch (c) {
        case 'h':
            a->help = 1;
            break;
        case OPT_DRY_RUN:
            a->dry_run = 1;
            break;
        case OPT_FUNC:
        case ':': /* only --func takes a value */
            if (p.value == NULL || *p.value == '\0')
                return cli_args_error(&p, "--func needs a function name");
            a->func = p.value;
            break;
        }
    }
    if (c < 0)
        return CLI_USAGE;
    a->ops = p.ops;
    a->nops = p.nops;
    return 0;
}

/*
 * cli_finish() - flush stdout and turn a failed write (a full disk, a closed
 * pipe) into one line and CLI_ERROR; otherwise return rc.
 */
int cli_finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output: %s", strerror(errno));
        return CLI_ERROR;
    }
    return rc;
}

/* is_profile_name() - whether name is mprofile_ + 14 digits + .dat. */
static int is_profile_name(const char *name)
{
    if (strlen(name) != PROFILE_LEN ||
        strncmp(name, PROFILE_PREFIX, sizeof PROFILE_PREFIX - 1) != 0 ||
        strcmp(name + PROFILE_LEN - 4, ".dat") != 0)
        return 0;
    for (size_t i = 0; i < PROFILE_DIGITS; i++) {
        char c = name[sizeof PROFILE_PREFIX - 1 + i];
        if (c < '0' || c > '9')
            return 0;
    }
    return 1;
}

/* by_name() - qsort order of names: bytes, so digits sort as dates. */
static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * cli_profiles() - see cli.h.  Only names of 14 digits count, where
 * mprof's glob would take any 14 characters, and only regular files (or
 * links to them).  NULL also when the directory cannot be read, errno
 * telling why.
 */
char **cli_profiles(size_t *n)
{
    *n = 0;
    DIR *dir = opendir(".");
    if (dir == NULL)
        return NULL;
    size_t cap = 0;
    char **list = NULL;
    int err = mp__grow(&list, &cap, 1, sizeof *list); /* 0 or -errno */
    struct dirent *e;
    while (err == 0 && (errno = 0, e = readdir(dir)) != NULL) {
        struct stat st;
        if (!is_profile_name(e->d_name) || stat(e->d_name, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        err = mp__grow(&list, &cap, *n + 2, sizeof *list);
        if (err == 0 && (list[*n] = strdup(e->d_name)) == NULL)
            err = -ENOMEM;
        if (err == 0)
            (*n)++;
    }
    if (err == 0)
        err = -errno; /* readdir's end: 0, or why it stopped */
    closedir(dir);
    if (err != 0) {
        if (list != NULL)
            list[*n] = NULL;
        cli_free_list(list);
        *n = 0;
        errno = -err;
        return NULL;
    }
    list[*n] = NULL;
    qsort(list, *n, sizeof *list, by_name);
    return list;
}

/* cli_free_list() - see cli.h; list may be NULL. */
void cli_free_list(char **list)
{
    if (list == NULL)
        return;
    for (char **p = list; *p != NULL; p++)
        free(*p);
    free(list);
}

/* profiles() - cli_profiles(), or NULL after one line on stderr. */
static char **profiles(size_t *n)
{
    char **list = cli_profiles(n);
    if (list == NULL)
        cli_error("cannot read the current directory: %s", strerror(errno));
    return list;
}

/*
 * cmd_list() - memprof list: each recording of the current directory as
 * mprof prints it, "0 mprofile_20261123011923.dat 01:19:23 23/11/2026".
 * Unlike mprof it does not list the legacy mprofile_*_ts.dat files, to
 * which no index refers.
 */
int cmd_list(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, "list", list_longs, &a);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(list_usage, stdout);
        return cli_finish(CLI_OK);
    }
    if (a.nops > 0) {
        cli_error("list takes no arguments; see memprof list --help");
        return CLI_USAGE;
    }
    size_t n;
    char **list = profiles(&n);
    if (list == NULL)
        return CLI_ERROR;
    for (size_t i = 0; i < n; i++) {
        const char *ts = list[i] + sizeof PROFILE_PREFIX - 1;
        printf("%zu %s %.2s:%.2s:%.2s %.2s/%.2s/%.4s\n", i, list[i], ts + 8,
               ts + 10, ts + 12, ts + 6, ts + 4, ts);
    }
    cli_free_list(list);
    return cli_finish(CLI_OK);
}

/*
 * add_target() - append name to t[*n] unless the same file is there
 * already (by device and inode, so "0" and its file name count once).
 */
static void add_target(target *t, size_t *n, const char *name,
                       const struct stat *st)
{
    for (size_t i = 0; i < *n; i++)
        if (t[i].dev == st->st_dev && t[i].ino == st->st_ino)
            return;
    t[*n].name = name;
    t[*n].dev = st->st_dev;
    t[*n].ino = st->st_ino;
    (*n)++;
}

/*
 * cli_resolve() - the file that operand op names: an index into list (n
 * names; negative counts from the end) or a file name.  Returns it and
 * fills *st, or NULL after one line on stderr.  For rm (for_rm) the line
 * says that nothing was removed.
 */
const char *cli_resolve(const char *op, char **list, size_t n, struct stat *st,
                        int for_rm)
{
    const char *tail = for_rm ? "; nothing removed" : "";
    const char *name = op;
    if (cli_is_index(op)) {
        errno = 0;
        long i = strtol(op, NULL, 10);
        if (errno == 0 && i < 0)
            i += (long)n;
        if (errno != 0 || i < 0 || (size_t)i >= n) {
            if (n == 0)
                cli_error("no recording %s: there is none here%s", op, tail);
            else
                cli_error("no recording %s: there are %zu here (0..%zu, or "
                          "-%zu..-1)%s",
                          op, n, n - 1, n, tail);
            return NULL;
        }
        name = list[i];
    }
    if (stat(name, st) != 0) {
        cli_error("cannot %s %s: %s%s", for_rm ? "remove" : "read", name,
                  strerror(errno), tail);
        return NULL;
    }
    if (S_ISDIR(st->st_mode)) {
        cli_error("%s is a directory%s", name, tail);
        return NULL;
    }
    if (!S_ISREG(st->st_mode)) {
        cli_error("%s is not a regular file%s", name, tail);
        return NULL;
    }
    return name;
}

/*
 * rm_operand() - the file that rm's operand op names: an index (see
 * cli_resolve()) or the name of a .dat file of the current directory
 * ("./" allowed), never a path elsewhere.  A symbolic link is the link
 * itself: rm removes the link, never what it points to.  Returns the name
 * and fills *st, or NULL after one line on stderr.
 */
static const char *rm_operand(const char *op, char **list, size_t n,
                              struct stat *st)
{
    if (cli_is_index(op))
        return cli_resolve(op, list, n, st, 1);
    const char *name = op;
    while (strncmp(name, "./", 2) == 0)
        name += 2 + strspn(name + 2, "/");
    size_t len = strlen(name);
    if (strchr(name, '/') != NULL || len <= 4 ||
        strcmp(name + len - 4, ".dat") != 0) {
        cli_error("rm removes .dat files of the current directory only, not "
                  "%s; nothing removed",
                  op);
        return NULL;
    }
    if (lstat(name, st) != 0) {
        cli_error("cannot remove %s: %s; nothing removed", name,
                  strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st->st_mode)) {
        cli_error("%s is a directory; nothing removed", name);
        return NULL;
    }
    if (!S_ISREG(st->st_mode) && !S_ISLNK(st->st_mode)) {
        cli_error("%s is not a regular file; nothing removed", name);
        return NULL;
    }
    return name;
}

/*
 * add_companions() - mprof's get_profile_filenames(): for each file
 * "x.dat" of t, in reverse order, add "x_ts.dat" if it is a file (the
 * timestamps of older mprof versions).  The names are malloc'd into
 * owned[*nowned].  Returns 0 or -ENOMEM.
 */
static int add_companions(target *t, size_t *n, char **owned, size_t *nowned)
{
    for (size_t k = *n; k-- > 0;) {
        const char *name = t[k].name;
        const char *base = strrchr(name, '/');
        base = base != NULL ? base + 1 : name;
        while (*base == '.')
            base++;
        const char *dot = strrchr(base, '.');
        size_t stem = dot != NULL ? (size_t)(dot - name) : strlen(name);
        const char *ext = name + stem;
        size_t size = strlen(name) + sizeof "_ts";
        char *ts = malloc(size);
        if (ts == NULL)
            return -ENOMEM;
        snprintf(ts, size, "%.*s_ts%s", (int)stem, name, ext);
        struct stat st;
        if (lstat(ts, &st) != 0 ||
            (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))) {
            free(ts);
            continue;
        }
        owned[(*nowned)++] = ts;
        add_target(t, n, ts, &st);
    }
    return 0;
}

/*
 * remove_all() - print mprof's "Files to be removed: " and the names, or
 * remove them, each named on stdout ("removed x.dat") as it goes: each
 * failure one line, the others still removed.
 */
static int remove_all(const target *t, size_t n, int dry_run)
{
    int rc = CLI_OK;
    if (dry_run) {
        fputs("Files to be removed: \n", stdout);
        for (size_t i = 0; i < n; i++)
            printf("%s\n", t[i].name);
        return cli_finish(rc);
    }
    for (size_t i = 0; i < n; i++) {
        if (unlink(t[i].name) != 0) {
            cli_error("cannot remove %s: %s", t[i].name, strerror(errno));
            rc = CLI_ERROR;
        } else {
            printf("removed %s\n", t[i].name);
        }
    }
    return cli_finish(rc);
}

/*
 * remove_files() - clean and rm: resolve ops (NULL: every recording),
 * all of them before anything is removed, then remove them and their
 * companions.
 */
static int remove_files(char **ops, int nops, int dry_run)
{
    size_t n;
    char **list = profiles(&n);
    if (list == NULL)
        return CLI_ERROR;
    size_t max = (ops != NULL ? (size_t)nops : n);
    target *t = malloc((2 * max + 1) * sizeof *t);
    char **owned = malloc((max + 1) * sizeof *owned);
    size_t nt = 0;
    size_t nowned = 0;
    int rc = CLI_OK;
    if (t == NULL || owned == NULL) {
        cli_error("out of memory");
        rc = CLI_ERROR;
    }
    for (size_t i = 0; rc == CLI_OK && i < max; i++) {
        struct stat st;
        const char *name = ops != NULL ? rm_operand(ops[i], list, n, &st)
                                       : cli_resolve(list[i], list, n, &st, 1);
        if (name == NULL)
            rc = CLI_ERROR;
        else
            add_target(t, &nt, name, &st);
    }
    if (rc == CLI_OK && add_companions(t, &nt, owned, &nowned) != 0) {
        cli_error("out of memory");
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK)
        rc = remove_all(t, nt, dry_run);
    for (size_t i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    free(t);
    cli_free_list(list);
    return rc;
}

/* cmd_clean() - memprof clean [--dry-run]: remove every recording here. */
int cmd_clean(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, "clean", remove_longs, &a);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(clean_usage, stdout);
        return cli_finish(CLI_OK);
    }
    if (a.nops > 0) {
        cli_error("clean takes no arguments; see memprof clean --help");
        return CLI_USAGE;
    }
    return remove_files(NULL, 0, a.dry_run);
}

/*
 * cmd_rm() - memprof rm [--dry-run] N|FILE...: remove the recordings
 * named, once each, after checking that every one exists.
 */
int cmd_rm(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, "rm", remove_longs, &a);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(rm_usage, stdout);
        return cli_finish(CLI_OK);
    }
    if (a.nops == 0) {
        cli_error("rm needs a recording: a number or a file name");
        return CLI_USAGE;
    }
    return remove_files(a.ops, a.nops, a.dry_run);
}

/*
 * cmd_peak() - memprof peak [N|FILE...] [--func NAME]: the peak of each
 * file named (each file once), or of the newest recording.  A file that
 * cannot be read, is malformed or has no samples gets one line on stderr;
 * the others are still printed, and the exit status is then 1.
 */
int cmd_peak(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, "peak", peak_longs, &a);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(peak_usage, stdout);
        return cli_finish(CLI_OK);
    }
    size_t n;
    char **list = profiles(&n);
    if (list == NULL)
        return CLI_ERROR;
    if (a.nops == 0) {
        if (n == 0) {
            cli_error("no input file found; memprof peak looks for "
                      "mprofile_*.dat files, made by memprof run or mprof "
                      "run");
            cli_free_list(list);
            return CLI_ERROR;
        }
        puts("Using last profile data.");
        rc = cli_peak_file(list[n - 1], a.func);
        cli_free_list(list);
        return cli_finish(rc);
    }
    target *t = malloc((size_t)a.nops * sizeof *t);
    size_t nt = 0;
    if (t == NULL) {
        cli_error("out of memory");
        cli_free_list(list);
        return CLI_ERROR;
    }
    for (int i = 0; i < a.nops; i++) {
        struct stat st;
        fflush(stdout);
        const char *name = cli_resolve(a.ops[i], list, n, &st, 0);
        if (name == NULL) {
            rc = CLI_ERROR;
            continue;
        }
        size_t before = nt;
        add_target(t, &nt, name, &st);
        if (nt > before && cli_peak_file(name, a.func) != CLI_OK)
            rc = CLI_ERROR;
    }
    free(t);
    cli_free_list(list);
    return cli_finish(rc);
}
