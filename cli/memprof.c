/*
 * memprof.c - the memprof command: records any process's memory over
 * time, as mprof does, into mprof's .dat files.  See memprof(1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
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
    "  diff [options] OLD NEW           compare two reports or recordings\n"
    "  cc [--func PATTERN]... COMPILER [ARG...]\n"
    "                                   compile, every line of the profiled\n"
    "                                   functions recording (no MP_LINE)\n"
    "  help [COMMAND]                   print COMMAND's help, or this\n"
    "\n"
    "  -h, --help                       print this and exit\n"
    "  -V, --version                    print the version and exit\n"
    "\n"
    "memprof help COMMAND tells more; man memprof.\n";

/*
 * help_args() - memprof help [COMMAND] (argv from "help" on).  With
 * COMMAND: cmd[1] = COMMAND, making cmd "memprof COMMAND --help" for
 * main() to run, so that the help is the command's own; returns -1.
 * Without (or with help, -h, --help): the usage above on stdout, and its
 * exit status.  A second operand: one line, CLI_USAGE.  An unknown
 * COMMAND is main()'s to report, as for "memprof COMMAND".
 */
static int help_args(int argc, char **argv, char **cmd)
{
    if (argc > 2) {
        cli_error("help takes one command; '%s' is one too many; "
                  "see memprof --help",
                  argv[2]);
        return CLI_USAGE;
    }
    if (argc < 2 || strcmp(argv[1], "help") == 0 ||
        strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return cli_finish(CLI_OK);
    }
    cmd[1] = argv[1];
    return -1;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"run", cmd_run},     {"attach", cmd_attach}, {"list", cmd_list},
        {"clean", cmd_clean}, {"rm", cmd_rm},         {"peak", cmd_peak},
        {"plot", cmd_plot},   {"cc", cmd_cc},         {"diff", cmd_diff},
    };
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return cli_finish(CLI_OK);
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("memprof %s\n", MEMPROF_VERSION);
        return cli_finish(CLI_OK);
    }
    char *help_cmd[] = {argv[0], NULL, (char *)"--help", NULL};
    if (strcmp(argv[1], "help") == 0) {
        int rc = help_args(argc - 1, argv + 1, help_cmd);
        if (rc >= 0)
            return rc;
        argc = 3;
        argv = help_cmd;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_error("'%s' is not a memprof command; see memprof --help", argv[1]);
    return CLI_USAGE;
}
