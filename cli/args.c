/*
 * args.c - the command-line parser of every subcommand (see args.h):
 * getopt_long reads each option; this file decides what is an operand
 * before getopt sees it, and words the errors.
 *
 * getopt_long runs in its '+' mode, so that it never reorders argv and
 * stops at "-1"; operands are taken here, and parsing goes on after them
 * unless the caller asked to stop at the first one.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"

/* cli_is_index() - see args.h. */
int cli_is_index(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '\0')
        return 0;
    while (*s >= '0' && *s <= '9')
        s++;
    return *s == '\0';
}

/* cli_args_init() - see args.h. */
void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv,
                   const char *shorts, const struct option *longs)
{
    static char *none[] = {(char *)"memprof", NULL};
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    a->longs = longs;
    a->ops = argv + 1;
    a->at = 1;
    for (;; shorts++) {
        if (*shorts == '+')
            a->stop = 1;
        else if (*shorts == ':')
            a->own_missing = 1;
        else if (*shorts == '#')
            a->no_index = 1;
        else
            break;
    }
    snprintf(a->optstring, sizeof a->optstring, "+:%s", shorts);
    /* Forget where an earlier parse stopped: getopt keeps it in statics. */
    opterr = 0;
    optind = 0;
    (void)getopt(1, none, "");
}

/* cli_args_error() - see args.h. */
int cli_args_error(const cli_args *a, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error("%s: %s; see memprof %s --help", a->cmd, msg, a->cmd);
    return CLI_USAGE;
}

/*
 * take_rest() - argv[a->at..] as operands, all of them: after "--", or
 * from the first operand in '+' mode.  Returns 0: the end.
 */
static int take_rest(cli_args *a)
{
    while (a->at < a->argc)
        a->ops[a->nops++] = a->argv[a->at++];
    a->ops[a->nops] = NULL;
    return 0;
}

/*
 * long_name() - a->name = "--NAME" of the long option with val, or "-val"
 * when only its short form has it.
 */
static void long_name(cli_args *a, int val)
{
    for (const struct option *o = a->longs; o->name != NULL; o++) {
        if (o->val == val) {
            snprintf(a->name, sizeof a->name, "--%s", o->name);
            return;
        }
    }
    snprintf(a->name, sizeof a->name, "-%c", val);
}

/*
 * prefix_matches() - how many long options arg ("--w" or "--w=1", up to
 * any '=') is the start of: getopt_long reports unknown and ambiguous
 * options alike, this tells them apart.
 */
static int prefix_matches(const cli_args *a, const char *arg)
{
    size_t len = strcspn(arg + 2, "=");
    int n = 0;
    for (const struct option *o = a->longs; o->name != NULL; o++)
        n += strncmp(o->name, arg + 2, len) == 0;
    return n;
}

/*
 * bad_option() - the line for getopt_long's '?' about arg (the argument
 * it read, is_long when a long option) and -1.
 */
static int bad_option(cli_args *a, const char *arg, int is_long)
{
    if (!is_long) {
        char letter[3] = {'-', (char)optopt, '\0'};
        cli_args_error(a, "unknown option '%s'", letter);
    } else if (optopt != 0) {
        long_name(a, optopt);
        cli_args_error(a, "%s takes no value", a->name);
    } else {
        cli_args_error(a, "%s option '%s'",
                       prefix_matches(a, arg) > 1 ? "ambiguous" : "unknown",
                       arg);
    }
    return -1;
}

/*
 * cli_args_next() - see args.h.  Between options, each argument is looked
 * at here first: "--", an operand (one that does not start with '-', "-"
 * itself, an index unless '#' said there are none) or an option, which
 * getopt_long then reads (a cluster of short options over several calls).
 */
int cli_args_next(cli_args *a)
{
    a->value = NULL;
    a->name[0] = '\0';
    while (!a->mid) {
        if (a->at >= a->argc)
            return take_rest(a);
        const char *arg = a->argv[a->at];
        if (strcmp(arg, "--") == 0) {
            a->at++;
            return take_rest(a);
        }
        if (arg[0] == '-' && arg[1] != '\0' &&
            (a->no_index || !cli_is_index(arg)))
            break;
        if (a->stop)
            return take_rest(a);
        a->ops[a->nops++] = a->argv[a->at++];
    }
    const char *arg = a->argv[a->at];
    int is_long = !a->mid && strncmp(arg, "--", 2) == 0;
    int before = a->at;
    int index = -1;
    optind = a->at;
    int c = getopt_long(a->argc, a->argv, a->optstring, a->longs, &index);
    a->at = optind;
    a->mid = optind == before;
    if (c == -1) /* not reached: arg is an option */
        return take_rest(a);
    if (c == '?')
        return bad_option(a, arg, is_long);
    if (is_long)
        long_name(a, c == ':' ? optopt : c);
    else
        snprintf(a->name, sizeof a->name, "-%c", c == ':' ? optopt : c);
    if (c == ':' && !a->own_missing) {
        cli_args_error(a, "%s needs a value", a->name);
        return -1;
    }
    a->value = optarg;
    return c;
}
