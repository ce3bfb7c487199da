/*
 * diff.h - memprof diff: two JSON reports (MEMPROF_FORMAT=json) or two
 * recordings (.dat) compared per function and line, a memory regression
 * gate for CI (memprof(1), DIFF).
 */
#ifndef MEMPROF_CLI_DIFF_H
#define MEMPROF_CLI_DIFF_H

/*
 * cmd_diff() - memprof diff [options] OLD NEW: the table of changes on
 * stdout (or JSON with --json).  Returns CLI_OK, CLI_OVER_BUDGET when a
 * row grew by more than --fail-above, CLI_USAGE for a bad command line
 * or two inputs of different kinds, CLI_ERROR for an input that cannot
 * be read or is not a report or recording (one line on stderr each).
 */
int cmd_diff(int argc, char **argv);

#endif /* MEMPROF_CLI_DIFF_H */
