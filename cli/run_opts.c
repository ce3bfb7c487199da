/*
 * run_opts.c - the options of memprof run and memprof attach: the help
 * text, parsing with getopt_long(3), the defaults, and whether the backend
 * asked for works on this kernel.
 *
 * MEMPROF_TEST_FALLBACK=pidfd,children (for the tests only) makes memprof
 * take the paths of kernels without pidfd_open(2) or without
 * /proc/PID/task/TID/children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"

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

/* run_opts_parse() - see run.h. */
int run_opts_parse(int argc, char **argv, int attach, run_opts *o, int *first)
{
    enum { OPT_BACKEND = 256, OPT_MAX_MIB };
    static const struct option longs[] = {
        {"interval", required_argument, NULL, 'T'},
        {"include-children", no_argument, NULL, 'C'},
        {"multiprocess", no_argument, NULL, 'M'},
        {"exit-code", no_argument, NULL, 'E'},
        {"timeout", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"backend", required_argument, NULL, OPT_BACKEND},
        {"max-mib", required_argument, NULL, OPT_MAX_MIB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = attach ? "attach" : "run";
    memset(o, 0, sizeof *o);
    o->interval = 0.1;
    o->backend = MP__BACKEND_RSS;
    o->backend_name = "rss";
    o->max_mib = -1;
    test_fallbacks(o);
    opterr = 0;
    int c;
    int r = 0;
    while (r == 0 &&
           (c = getopt_long(argc, argv, "+:T:CMEt:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'T':
            r = parse_seconds("-T", optarg, &o->interval);
            break;
        case 'C':
            o->children = 1;
            break;
        case 'M':
            o->multiprocess = 1;
            break;
        case 'E':
            o->exit_code = 1;
            break;
        case 't':
            r = parse_seconds("-t", optarg, &o->timeout);
            break;
        case 'o':
            if (optarg[0] == '\0') {
                cli_error("-o wants a file name");
                r = CLI_USAGE;
            }
            o->output = optarg;
            break;
        case OPT_BACKEND:
            if (mp__backend_parse(optarg, &o->backend) != 0 ||
                mp__backends[o->backend].file == NULL) {
                char names[64];
                cli_error("unknown backend '%s'; use %s", optarg,
                          mp__backend_list(names, sizeof names, 1, ", ",
                                           " or "));
                r = CLI_USAGE;
            }
            o->backend_name = optarg;
            break;
        case OPT_MAX_MIB:
            r = parse_mib(optarg, &o->max_mib);
            o->max_mib_text = optarg;
            break;
        case 'h': {
            char names[64];
            printf(run_usage,
                   mp__backend_list(names, sizeof names, 1, "|", "|"));
            return CLI_OK;
        }
        case ':':
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                cli_error("option '%s' needs a value; see memprof %s --help",
                          argv[optind - 1], cmd);
            else
                cli_error("option '-%c' needs a value; see memprof %s --help",
                          optopt, cmd);
            r = CLI_USAGE;
            break;
        default:
            if (optopt != 0)
                cli_error("unknown option '-%c'; see memprof %s --help", optopt,
                          cmd);
            else
                cli_error("unknown option '%s'; see memprof %s --help",
                          argv[optind - 1], cmd);
            r = CLI_USAGE;
            break;
        }
    }
    *first = optind;
    return r != 0 ? r : -1;
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
