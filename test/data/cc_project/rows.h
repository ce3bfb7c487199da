/*
 * rows.h - a small project that memprof cc builds as any other: grow.c's
 * grow_rows is profiled by name (--func or MEMPROF_CC_FUNCS), tally.c's
 * tally by MP_PROFILE_FUNC(), and main.c has nothing to profile.
 */
#ifndef ROWS_H
#define ROWS_H

#include <stddef.h>

char **grow_rows(int n, size_t size);
long tally(char **rows, int n, size_t size);
void free_rows(char **rows, int n);

#endif /* ROWS_H */
