/*
 * run_opts.c - the options of memprof run and memprof attach: the help
 * text, parsing with cli_args (args.h), the defaults, and whether the backend
 * asked for works on this kernel.
 *
 * MEMPROF_TEST_FALLBACK=pidfd,children (for the tests only) makes memprof
 * take the paths of kernels without pidfd_open(2) or without
 * /proc/PID/task/TID/children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "run.h"

/* The options that have no short form: past any character. */
enum { OPT_BACKEND = 256, OPT_MAX_MIB, OPT_HEAP, OPT_JSON };

/* The longest interval or timeout: its nanoseconds stay far from overflow. */
#define MAX_SECONDS 1e8

/* The help; %s is the backends that read a /proc file: "rss|pss|uss". */
static const char run_usage[] =
    "usage: memprof run [options] [--] CMD [ARG...]\n"
    "       memprof attach [options] PID\n"
    "\n"
    "Record the memory of CMD (run) or of a running process (attach) over\n"
    "time, into an mprof .dat file.\n"
    "\n"
    "  -T, --interval SEC       sample every SEC seconds (0.1)\n"
    "  -C, --include-children   MEM counts every descendant too\n"
    "  -M, --multiprocess       a CHLD line per descendant and sample\n"
    "  -E, --exit-code          run: exit with CMD's exit status\n"
    "  -t, --timeout SEC        stop recording after SEC seconds\n"
    "                           (attach: 3600); the process keeps running\n"
    "  -o, --output FILE        append to FILE (mprofile_<date>.dat)\n"
    "      --backend %s  what a reading counts (rss)\n"
    "      --max-mib N          exit 3 when the peak exceeds N MiB\n"
    "      --heap               run: MEM is the heap CMD holds from malloc\n"
    "                           (the heap object preloaded), and its leak\n"
    "                           report is written beside the recording\n"
    "      --json               run --heap: the leak report in JSON too\n"
    "      --help               print this and exit\n";

/*
 * parse_seconds() - all of s as a number of seconds in (0, MAX_SECONDS].
 * Returns 0, or CLI_USAGE after one line naming the option.
 */
static int parse_seconds(const char *opt, const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0) {
        cli_error("%s wants a positive number of seconds, not '%s'", opt, s);
        return CLI_USAGE;
    }
    if (v > MAX_SECONDS) {
        cli_error("%s %s is too long; at most %g s", opt, s, MAX_SECONDS);
        return CLI_USAGE;
    }
    *out = v;
    return 0;
}

/* parse_mib() - all of s as a number of MiB >= 0, or CLI_USAGE. */
static int parse_mib(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < 0) {
        cli_error("--max-mib wants a number of MiB, not '%s'", s);
        return CLI_USAGE;
    }
    *out = v;
    return 0;
}

/* test_fallbacks() - MEMPROF_TEST_FALLBACK: see the top of this file. */
static void test_fallbacks(run_opts *o)
{
    const char *v = getenv("MEMPROF_TEST_FALLBACK");
    if (v == NULL)
        return;
    o->no_pidfd = strstr(v, "pidfd") != NULL;
    o->no_children_file = strstr(v, "children") != NULL;
}

/*
 * set_option() - option c of run or attach (p its value and name) into
 * *o.  Returns 0, or CLI_USAGE after one line.
 */
static int set_option(run_opts *o, int c, const cli_args *p)
{
    switch (c) {
    case 'T':
        return parse_seconds("-T", p->value, &o->interval);
    case 'C':
        o->children = 1;
        return 0;
    case 'M':
        o->multiprocess = 1;
        return 0;
    case 'E':
        o->exit_code = 1;
        return 0;
    case 't':
        return parse_seconds("-t", p->value, &o->timeout);
    case 'o':
        o->output = p->value;
        if (p->value[0] == '\0') {
            cli_error("-o wants a file name");
            return CLI_USAGE;
        }
        return 0;
    case OPT_BACKEND:
        o->backend_name = p->value;
        if (mp__backend_parse(p->value, &o->backend) != 0 ||
            mp__backends[o->backend].file == NULL) {
            char names[64];
            cli_error("unknown backend '%s'; use %s", p->value,
                      mp__backend_list(names, sizeof names, 1, ", ", " or "));
            return CLI_USAGE;
        }
        return 0;
    case OPT_HEAP:
        o->heap = 1;
        return 0;
    case OPT_JSON:
        o->json = 1;
        return 0;
    case OPT_MAX_MIB:
        o->max_mib_text = p->value;
        return parse_mib(p->value, &o->max_mib);
    case ':':
        return cli_args_error(p, "option '%s' needs a value", p->name);
    }
    return 0;
}

/*
 * run_opts_parse() - see run.h.  "+" stops at the first operand (run's
 * command and its arguments are the command's), "#" makes "-1" an unknown
 * option rather than an index of memprof list.
 */
int run_opts_parse(int argc, char **argv, int attach, run_opts *o, char ***ops,
                   int *nops)
{
    static const struct option longs[] = {
        {"interval", required_argument, NULL, 'T'},
        {"include-children", no_argument, NULL, 'C'},
        {"multiprocess", no_argument, NULL, 'M'},
        {"exit-code", no_argument, NULL, 'E'},
        {"timeout", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"backend", required_argument, NULL, OPT_BACKEND},
        {"max-mib", required_argument, NULL, OPT_MAX_MIB},
        {"heap", no_argument, NULL, OPT_HEAP},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->interval = 0.1;
    o->backend = MP__BACKEND_RSS;
    o->backend_name = "rss";
    o->max_mib = -1;
    test_fallbacks(o);
    cli_args p;
    cli_args_init(&p, attach ? "attach" : "run", argc, argv, "+:#T:CMEt:o:h",
                  longs);
    int c;
    while ((c = cli_args_next(&p)) > 0) {
        if (c == 'h') {
            char names[64];
            printf(run_usage,
                   mp__backend_list(names, sizeof names, 1, "|", "|"));
            return cli_finish(CLI_OK);
        }
        int r = set_option(o, c, &p);
        if (r != 0)
            return r;
    }
    if (c < 0)
        return CLI_USAGE;
    if (attach && (o->heap || o->json)) {
        cli_error("attach: %s works with memprof run only: the heap object "
                  "must be loaded when the program starts",
                  o->heap ? "--heap" : "--json");
        return CLI_USAGE;
    }
    if (o->json && !o->heap) {
        cli_error("run: --json is the leak report's, which needs --heap");
        return CLI_USAGE;
    }
    *ops = p.ops;
    *nops = p.nops;
    return -1;
}

/* run_opts_check_backend() - see run.h. */
int run_opts_check_backend(const run_opts *o)
{
    if (o->backend == MP__BACKEND_RSS)
        return 0;
    mp__proc_reader r;
    int e = mp__proc_open(&r, (long)getpid(), o->backend);
    if (e == 0 && mp__proc_read(&r) < 0)
        e = -ENODATA;
    mp__proc_close(&r);
    if (e == 0)
        return 0;
    cli_error("--backend %s needs /proc/PID/%s (Linux 4.14): %s",
              o->backend_name, mp__backends[o->backend].file, strerror(-e));
    return CLI_ERROR;
}
