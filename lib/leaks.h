/*
 * leaks.h - MEMPROF_LEAKS's report: a sites dump (heap_hooks.h) read
 * back, symbolised and printed.  Used by libmemprof at exit and by the
 * memprof command for run --heap, so it depends on nothing of the
 * profiler's state.
 */
#ifndef MEMPROF_LEAKS_H
#define MEMPROF_LEAKS_H

#include <stdio.h>

/*
 * mp__leaks_print() - read the dump from dump, symbolise its stacks and
 * print "Leaked at exit" and "Top allocation sites" to out, as text or,
 * with json, as one JSON object.  Returns 0, or -1 after one line on
 * stderr (a dump cut short or of another format).
 */
int mp__leaks_print(FILE *dump, FILE *out, int json);

#endif /* MEMPROF_LEAKS_H */
