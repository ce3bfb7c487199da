/* plot_term.h - memprof plot --term: the picture in the terminal's cells. */
#ifndef MEMPROF_PLOT_TERM_H
#define MEMPROF_PLOT_TERM_H

#include <stdio.h>

#include "plot_data.h"

/*
 * plot_term_write() - the picture of data in opts->columns terminal cells
 * by opts->rows chart rows, in UTF-8, with ANSI colours when opts->color
 * is PLOT_COLOR_ALWAYS.  Returns 0 or -ENOMEM.
 */
int plot_term_write(const plot_data *data, const plot_opts *opts, FILE *f);

#endif /* MEMPROF_PLOT_TERM_H */
