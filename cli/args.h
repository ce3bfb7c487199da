/*
 * args.h - the one command-line parser of the memprof subcommands:
 * getopt_long underneath, with mprof's argparse habits on top.
 *
 *   - options may follow operands ("memprof plot 0 -o x.svg");
 *   - "-1" (a '-' and digits: an index of memprof list) is an operand;
 *   - an unambiguous start of a long option names it ("--dry");
 *   - "--" ends the options;
 *   - a leading '+' in the short options stops at the first operand,
 *     which with all that follows is then the operands (memprof run's
 *     command);
 *   - a leading '#' makes "-1" an option like any other, unknown unless
 *     the short options name '1' (memprof run and attach take no index).
 *
 * A bad option gets one line on stderr in the subcommand's words,
 * "memprof: plot: unknown option '-x'; see memprof plot --help".
 *
 *     static const struct option longs[] = {
 *         {"output", required_argument, NULL, 'o'},
 *         {"help", no_argument, NULL, 'h'},
 *         {NULL, 0, NULL, 0},
 *     };
 *     cli_args p;
 *     cli_args_init(&p, "plot", argc, argv, "o:h", longs);
 *     int c;
 *     while ((c = cli_args_next(&p)) > 0)
 *         switch (c) { case 'o': out = p.value; break; ... }
 *     if (c < 0)
 *         return CLI_USAGE;
 *     ... p.ops[0 .. p.nops - 1] ...
 */
#ifndef MEMPROF_CLI_ARGS_H
#define MEMPROF_CLI_ARGS_H

#include <getopt.h>

/* A command line being parsed; the fields above "private" are results. */
typedef struct cli_args {
    char **ops;        /* the operands, in order, NULL-terminated */
    int nops;          /* how many */
    const char *value; /* the value of the option just returned, or NULL */
    char name[64];     /* that option as a message names it: "-o", or
                          "--output" in full however it was shortened */

    /* private */
    const char *cmd;
    int argc;
    char **argv;
    const struct option *longs;
    char optstring[64]; /* "+:" and the short options */
    int stop;           /* '+': stop at the first operand */
    int own_missing;    /* ':': the caller words a missing value */
    int no_index;       /* '#': "-1" is an option, not an operand */
    int at;             /* the next argument to look at */
    int mid;            /* inside a cluster of short options ("-nfs") */
} cli_args;

/*
 * cli_args_init() - start parsing argv[1..argc - 1] of subcommand cmd
 * (argv[0] is its name; cmd words the messages).  shorts is getopt's
 * option string ("o:t:nh"), at most 60 characters, optionally led by
 * any of these, in any order:
 *   '+'  stop at the first operand;
 *   ':'  cli_args_next() returns ':' for a missing value, printing
 *        nothing, so that the caller words it;
 *   '#'  no indexes: "-1" is read as an option, not as an operand.
 * longs is getopt_long's table, ending in a zeroed entry; each flag NULL
 * and each val positive, not ':', one val per option (a long option and
 * its short form share the short's letter).
 *
 * The operands are moved to the front of argv[1..] as they are met;
 * argv must stay alive while a is used.  getopt's globals (optind,
 * optarg, opterr, optopt) are used: one parse at a time.
 */
void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv,
                   const char *shorts, const struct option *longs);

/*
 * cli_args_next() - the next option: its val (a->value its value, a->name
 * its name), ':' for a missing value when shorts asked for it (a->name
 * says which option), 0 at the end (a->ops and a->nops are complete), or
 * -1 after one line on stderr: an unknown or ambiguous option, a value
 * given to an option that takes none, or a missing value.  The caller
 * then exits with CLI_USAGE.
 */
int cli_args_next(cli_args *a);

/*
 * cli_args_error() - print "memprof: CMD: <message>; see memprof CMD
 * --help" and return CLI_USAGE: for a bad value of an option.
 */
int cli_args_error(const cli_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * cli_is_index() - whether s is an index of memprof list: digits, after
 * an optional '-'.  "-1" is then an operand, not an option (mprof's
 * main() inserts "--" before such an argument for the same end).
 */
int cli_is_index(const char *s);

#endif /* MEMPROF_CLI_ARGS_H */
