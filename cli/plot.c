/*
 * plot.c - memprof plot: mprof plot's pictures of memory over time, drawn
 * without Python: SVG (no dependency), PNG (cairo, loaded when needed) or
 * the terminal.
 *
 * This file reads the command line, picks the recordings, has
 * plot_data.c read them, and chooses the output: a picture file through
 * plot_picture.c and plot_svg.c or plot_png.c, written whole or not at
 * all, and/or the terminal through plot_term.c.
 *
 *   plot.c             the command: options, recordings, output
 *   plot_data.c        .dat files -> plot_data (curves, spans, colours)
 *   plot_picture.c     plot_data -> plot_scene: axes, curves, spans, legend
 *   plot_frame.c       the picture's margins, axes and mapping to pixels
 *   plot_scene.c       the primitives a scene is made of
 *   plot_svg.c         plot_scene -> SVG
 *   plot_png.c         plot_scene -> PNG, through cairo loaded at run time
 *   plot_term.c        plot_data -> the terminal's cells
 *   plot_axis.c        ticks and number formats, for pixels and cells
 *   plot_lanes.c       spans packed into lanes, for pixels and cells
 *   plot_text.c        UTF-8, text widths and fitting
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "base.h"
#include "plot_data.h"
#include "plot_picture.h"
#include "plot_png.h"
#include "plot_scene.h"
#include "plot_svg.h"
#include "plot_term.h"

#define DEFAULT_WIDTH 1000
#define DEFAULT_HEIGHT 600
#define DEFAULT_ROWS 20

static const char plot_usage[] =
    "usage: memprof plot [N|FILE...] [options]\n"
    "\n"
    "Draw recordings: memory over time, each child's curve, the peak, and\n"
    "the function spans.  N is an index of memprof list (0 the oldest, -1\n"
    "the newest), FILE a .dat file; with neither, the newest recording\n"
    "here.  Several recordings are overlaid, each from its own start.\n"
    "Without -o or --term: in the terminal when standard output is one,\n"
    "otherwise into FILE's name with .svg for .dat, beside it.\n"
    "\n"
    "  -o, --output FILE     write FILE: .svg, or .png (needs cairo)\n"
    "  -t, --title TITLE     the title (default: the command line)\n"
    "  -n, --no-function-ts  do not draw function spans\n"
    "  -f, --flame           spans as stacked bars by nesting level\n"
    "  -s, --slope           a trend line per curve, its slope in MiB/s\n"
    "  -w, --window XMIN,XMAX  only the seconds from XMIN to XMAX\n"
    "  --term                draw in the terminal (UTF-8), also with -o\n"
    "  --width W, --height H  picture size in pixels (1000 x 600)\n"
    "  --columns N, --rows N  terminal size: N columns (the terminal's),\n"
    "                        a chart of N rows (20)\n"
    "  --color[=WHEN]        terminal colours: auto (default), always,\n"
    "                        never; auto honours NO_COLOR\n";

/* The options of memprof plot without a short form. */
enum {
    OPT_TERM = 256,
    OPT_WIDTH,
    OPT_HEIGHT,
    OPT_COLUMNS,
    OPT_ROWS,
    OPT_COLOR
};

static const struct option longs[] = {
    {"output", required_argument, NULL, 'o'},
    {"title", required_argument, NULL, 't'},
    {"no-function-ts", no_argument, NULL, 'n'},
    {"flame", no_argument, NULL, 'f'},
    {"slope", no_argument, NULL, 's'},
    {"window", required_argument, NULL, 'w'},
    {"term", no_argument, NULL, OPT_TERM},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The output formats. */
enum { FORMAT_SVG, FORMAT_PNG };

/* A command line, parsed. */
typedef struct args {
    plot_opts o;
    int help;
    char **ops; /* the operands, in order (argv's slots reused) */
    int nops;
} args;

/* ---- the command line ---- */

/* parse_count() - an integer option's value in lo..hi, or CLI_USAGE. */
static int parse_count(const char *name, const char *value, long lo, long hi,
                       int *out)
{
    long v;
    if (mp__parse_int(value, lo, hi, &v) != 0) {
        cli_error("plot: %s needs a whole number from %ld to %ld, not '%s'",
                  name, lo, hi, value);
        return CLI_USAGE;
    }
    *out = (int)v;
    return 0;
}

/* parse_window() - "XMIN,XMAX" into o, or CLI_USAGE. */
static int parse_window(const char *value, plot_opts *o)
{
    char *end = NULL;
    double lo = strtod(value, &end);
    int bad = end == value || *end != ',';
    double hi = 0;
    if (!bad) {
        const char *p = end + 1;
        hi = strtod(p, &end);
        bad = end == p || *end != '\0';
    }
    /* Beyond the times a recording can hold (MP__DAT_MAX_T): refused. */
    if (bad || !(fabs(lo) <= MP__DAT_MAX_T) || !(fabs(hi) <= MP__DAT_MAX_T) ||
        !(lo < hi)) {
        cli_error("plot: --window needs two numbers XMIN,XMAX with XMIN < "
                  "XMAX, such as 0,20.5, not '%s'",
                  value);
        return CLI_USAGE;
    }
    o->window = 1;
    o->xmin = lo;
    o->xmax = hi;
    return 0;
}

/* set_option() - option c (a val of longs) with p's value into a. */
static int set_option(args *a, int c, const cli_args *p)
{
    plot_opts *o = &a->o;
    const char *value = p->value;
    switch (c) {
    case 'o':
        o->output = value;
        return 0;
    case 't':
        o->title = value;
        return 0;
    case 'n':
        o->no_funcs = 1;
        return 0;
    case 'f':
        o->flame = 1;
        return 0;
    case 's':
        o->slope = 1;
        return 0;
    case 'w':
        return parse_window(value, o);
    case OPT_TERM:
        o->term = 1;
        return 0;
    case OPT_WIDTH:
        return parse_count("--width", value, 320, 8000, &o->width);
    case OPT_HEIGHT:
        return parse_count("--height", value, 240, 8000, &o->height);
    case OPT_COLUMNS:
        return parse_count("--columns", value, 40, 1000, &o->columns);
    case OPT_ROWS:
        return parse_count("--rows", value, 4, 500, &o->rows);
    case OPT_COLOR:
        if (value == NULL || strcmp(value, "always") == 0)
            o->color = PLOT_COLOR_ALWAYS;
        else if (strcmp(value, "never") == 0)
            o->color = PLOT_COLOR_NEVER;
        else if (strcmp(value, "auto") == 0)
            o->color = PLOT_COLOR_AUTO;
        else
            return cli_args_error(
                p, "--color takes auto, always or never, not '%s'", value);
        return 0;
    default:
        a->help = 1;
        return 0;
    }
}

/*
 * parse_args() - argv (argv[0] is "plot") into *a: options anywhere
 * until "--".  Returns 0, or CLI_USAGE after one line on stderr.
 */
static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    a->o.width = DEFAULT_WIDTH;
    a->o.height = DEFAULT_HEIGHT;
    a->o.color = PLOT_COLOR_AUTO;
    cli_args p;
    cli_args_init(&p, "plot", argc, argv, "o:t:nfsw:h", longs);
    int c;
    while ((c = cli_args_next(&p)) > 0) {
        int rc = set_option(a, c, &p);
        if (rc != 0)
            return rc;
    }
    if (c < 0)
        return CLI_USAGE;
    a->ops = p.ops;
    a->nops = p.nops;
    return 0;
}

/*
 * output_format() - FORMAT_SVG or FORMAT_PNG from name's extension (any
 * case), or -1 after one line on stderr.
 */
static int output_format(const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot != NULL && (slash == NULL || dot > slash)) {
        if (strcasecmp(dot, ".svg") == 0)
            return FORMAT_SVG;
        if (strcasecmp(dot, ".png") == 0)
            return FORMAT_PNG;
    }
    cli_error("plot: cannot tell the format of %s: give -o a name ending in "
              ".svg or .png, or use --term",
              name);
    return -1;
}

/* ---- the recordings ---- */

/*
 * pick_files() - the files the operands name (each file once, as mprof
 * does), or the newest recording.  Returns a malloc'd array of *n
 * malloc'd names, or NULL after one line on stderr.
 */
static char **pick_files(char **ops, int nops, size_t *n)
{
    size_t nprof = 0;
    char **list = NULL;
    int need_list = nops == 0;
    for (int i = 0; i < nops; i++)
        need_list |= cli_is_index(ops[i]);
    if (need_list) {
        list = cli_profiles(&nprof);
        if (list == NULL) {
            cli_error("cannot read the current directory: %s", strerror(errno));
            return NULL;
        }
    }
    if (nops == 0 && nprof == 0) {
        cli_error("no input file found; memprof plot looks for "
                  "mprofile_*.dat files, made by memprof run or mprof run");
        cli_free_list(list);
        return NULL;
    }
    size_t max = nops > 0 ? (size_t)nops : 1;
    char **names = calloc(max + 1, sizeof *names);
    struct stat *seen = calloc(max, sizeof *seen);
    int ok = names != NULL && seen != NULL;
    if (!ok)
        cli_error("out of memory");
    *n = 0;
    for (size_t i = 0; ok && i < max; i++) {
        struct stat st;
        const char *name = nops > 0 ? cli_resolve(ops[i], list, nprof, &st, 0)
                                    : list[nprof - 1];
        if (name == NULL) {
            ok = 0;
            break;
        }
        if (nops > 0) {
            size_t k = 0;
            while (k < *n &&
                   (seen[k].st_dev != st.st_dev || seen[k].st_ino != st.st_ino))
                k++;
            if (k < *n)
                continue;
            seen[*n] = st;
        }
        names[*n] = strdup(name);
        if (names[*n] == NULL) {
            cli_error("out of memory");
            ok = 0;
            break;
        }
        (*n)++;
    }
    free(seen);
    cli_free_list(list);
    if (!ok) {
        cli_free_list(names);
        return NULL;
    }
    return names;
}

/* ---- output ---- */

/*
 * write_picture() - the picture of d into path in format, through a
 * temporary file renamed at the end, so that a failure leaves no broken
 * picture.  Returns CLI_OK, or CLI_ERROR after one line on stderr.
 */
static int write_picture(const plot_data *d, const plot_opts *o,
                         const char *path, int format)
{
    plot_scene scene;
    if (plot_picture_build(&scene, d, o) != 0) {
        cli_error("out of memory");
        return CLI_ERROR;
    }
    size_t size = strlen(path) + sizeof ".XXXXXX";
    char *tmp = malloc(size);
    int fd = -1;
    if (tmp != NULL) {
        snprintf(tmp, size, "%s.XXXXXX", path);
        fd = mkstemp(tmp);
    }
    /* mkstemp makes the file 0600; a picture is as readable as others. */
    if (fd >= 0) {
        mode_t mask = umask(0);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask);
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int r = tmp == NULL ? -ENOMEM : f == NULL ? -errno : 0;
    if (f == NULL && fd >= 0)
        close(fd);
    if (r == 0)
        r = format == FORMAT_PNG ? plot_png_write(&scene, f)
                                 : plot_svg_write(&scene, f);
    if (f != NULL && fclose(f) != 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) != 0)
        r = -errno;
    if (r != 0 && fd >= 0)
        unlink(tmp);
    free(tmp);
    plot_scene_free(&scene);
    if (r != 0) {
        cli_error("cannot write %s: %s", path, strerror(-r));
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* default_output() - FILE's name with .svg for its extension; malloc'd. */
static char *default_output(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t stem =
        dot != NULL && dot != base ? (size_t)(dot - file) : strlen(file);
    char *out = malloc(stem + sizeof ".svg");
    if (out != NULL) {
        memcpy(out, file, stem);
        memcpy(out + stem, ".svg", sizeof ".svg");
    }
    return out;
}

/* term_columns() - $COLUMNS, or the terminal's width, or 80. */
static int term_columns(void)
{
    long v;
    const char *env = getenv("COLUMNS");
    if (env != NULL && mp__parse_int(env, 40, 1000, &v) == 0)
        return (int)v;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col < 40 ? 40 : ws.ws_col > 1000 ? 1000 : ws.ws_col;
    return 80;
}

/* use_color() - --color=auto: a terminal, NO_COLOR unset, TERM not dumb. */
static int use_color(void)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && (no == NULL || *no == '\0') &&
           !(term != NULL && strcmp(term, "dumb") == 0);
}

/*
 * cmd_plot() - memprof plot [N|FILE...] [options]: see plot_usage and
 * memprof(1).
 */
int cmd_plot(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(plot_usage, stdout);
        return cli_finish(CLI_OK);
    }
    plot_opts *o = &a.o;
    int format = FORMAT_SVG;
    if (o->output != NULL && (format = output_format(o->output)) < 0)
        return CLI_USAGE;
    const char *why;
    if (format == FORMAT_PNG && plot_png_load(&why) != 0) {
        cli_error("cairo cannot be loaded (%s); PNG is not available (use "
                  ".svg or --term)",
                  why);
        return CLI_ERROR;
    }
    int to_term = o->term || (o->output == NULL && isatty(STDOUT_FILENO));
    if (o->columns == 0)
        o->columns = term_columns();
    if (o->rows == 0)
        o->rows = DEFAULT_ROWS;
    if (o->color == PLOT_COLOR_AUTO)
        o->color = use_color() ? PLOT_COLOR_ALWAYS : PLOT_COLOR_NEVER;

    size_t n = 0;
    char **names = pick_files(a.ops, a.nops, &n);
    if (names == NULL)
        return CLI_ERROR;
    plot_data d;
    rc = plot_data_build(&d, o, names, n);
    char *out = NULL;
    if (rc == CLI_OK && o->output == NULL && !to_term) {
        out = default_output(names[0]);
        if (out == NULL) {
            cli_error("out of memory");
            rc = CLI_ERROR;
        }
    }
    if (rc == CLI_OK && (o->output != NULL || out != NULL)) {
        rc = write_picture(&d, o, out != NULL ? out : o->output, format);
        if (rc == CLI_OK && out != NULL)
            cli_error("wrote %s (choose with -o, or draw here with --term)",
                      out);
    }
    if (rc == CLI_OK && to_term) {
        if (plot_term_write(&d, o, stdout) != 0) {
            cli_error("out of memory");
            rc = CLI_ERROR;
        } else {
            rc = cli_finish(CLI_OK);
        }
    }
    plot_data_free(&d);
    free(out);
    cli_free_list(names);
    return rc;
}
