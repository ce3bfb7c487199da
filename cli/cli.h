/*
 * cli.h - what the files of the memprof command share.
 *
 * The command is mprof's counterpart: same subcommands, flags, defaults
 * and files.  Messages for the user go to stderr as one line each,
 * "memprof: ...".
 */
#ifndef MEMPROF_CLI_H
#define MEMPROF_CLI_H

#include <stddef.h>

#include "base.h"

/* Exit statuses of the command (memprof(1), EXIT STATUS). */
enum {
    CLI_OK = 0,
    CLI_ERROR = 1,       /* a file, a pid, a .dat: something went wrong */
    CLI_USAGE = 2,       /* a bad flag or argument */
    CLI_OVER_BUDGET = 3, /* run/attach: the peak exceeded --max-mib */
    CLI_NOEXEC = 126,    /* run: the command exists but cannot be run */
    CLI_NOTFOUND = 127   /* run: the command was not found */
};

/* cli_error() - print "memprof: <message>\n" on stderr: base.h's line. */
#define cli_error(...) mp__warn(__VA_ARGS__)

/* The subcommands: each gets argv from its own name on. */
int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_peak(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_cc(int argc, char **argv);

/*
 * cli_peak_file() - memprof peak's lines for the recording name, as mprof
 * prints them: "{name}\t{peak:.3f} MiB", the peak over the samples taken
 * while func ran when func is not NULL ("NaN" when none was), then, without
 * func, "  Child {pid}\t\t\t{peak:.3f} MiB" for each child.  Streams the
 * file: memory grows with its children and func's spans, not its samples.
 * Returns CLI_OK, or CLI_ERROR after one line on stderr.
 */
int cli_peak_file(const char *name, const char *func);

/*
 * cli_profiles() - the mprofile_??????????????.dat files of the current
 * directory, sorted by name (so oldest first), as mprof lists them.
 * Returns a NULL-terminated malloc'd array of malloc'd names (free with
 * cli_free_list), and their count in *n; NULL, errno set, when the
 * directory cannot be read or memory runs out.
 */
char **cli_profiles(size_t *n);
void cli_free_list(char **list);

/*
 * cli_finish() - flush stdout and turn a failed write (a full disk, a
 * closed pipe) into one line and CLI_ERROR; otherwise return rc.
 */
int cli_finish(int rc);

/*
 * cli_resolve() - the file that operand op names: an index into list (n
 * names from cli_profiles(); negative counts from the end) or a file
 * name.  Returns it and fills *st, or NULL after one line on stderr.
 * For rm (for_rm) the line says that nothing was removed.
 */
struct stat;
const char *cli_resolve(const char *op, char **list, size_t n, struct stat *st,
                        int for_rm);

#endif /* MEMPROF_CLI_H */
