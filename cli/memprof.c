/*
 * memprof.c - the memprof command: records any process's memory over
 * time, as mprof does, into mprof's .dat files.  See memprof(1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "base.h"
#include "memprof.h"

static const char usage[] =
    "usage: memprof <command> [options] [arguments]\n"
    "\n"
    "  run [options] [--] CMD [ARG...]  record CMD's memory over time\n"
    "  attach [options] PID             record a running process\n"
    "  list                             list the recordings here\n"
    "  clean [--dry-run]                remove every recording here\n"
    "  rm [--dry-run] N|FILE...         remove recordings\n"
    "  peak [FILE...] [--func NAME]     print the peak of recordings\n"
    "  plot [FILE...] [options]         draw recordings: SVG, PNG, terminal\n"
    "  cc [--func PATTERN]... COMPILER [ARG...]\n"
    "                                   compile, every line of the profiled\n"
    "                                   functions recording (no MP_LINE)\n"
    "\n"
    "memprof COMMAND --help tells more; memprof --version; man memprof.\n";

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"run", cmd_run},     {"attach", cmd_attach}, {"list", cmd_list},
        {"clean", cmd_clean}, {"rm", cmd_rm},         {"peak", cmd_peak},
        {"plot", cmd_plot},   {"cc", cmd_cc},
    };
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return cli_finish(CLI_OK);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("memprof %s\n", MEMPROF_VERSION);
        return cli_finish(CLI_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_error("'%s' is not a memprof command; see memprof --help", argv[1]);
    return CLI_USAGE;
}
