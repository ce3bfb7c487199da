/*
 * plot_axis.h - the axes of memprof plot's pictures, in any unit (pixels
 * or terminal cells): ticks at round steps, and the number formats of
 * ticks, peaks and slopes.
 */
#ifndef MEMPROF_PLOT_AXIS_H
#define MEMPROF_PLOT_AXIS_H

#include <stddef.h>

/* The most ticks an axis has, whatever its range. */
#define PLOT_AXIS_MAX_TICKS 1000

/* An axis: ticks at multiples of step from lo to hi. */
typedef struct plot_axis {
    double lo;
    double hi;
    double step;
    int decimals; /* for the ticks' labels */
} plot_axis;

/*
 * plot_axis_make() - an axis over [lo, hi] with about ticks ticks at
 * steps of 1, 2, 2.5 or 5 times a power of ten.  Unless exact, lo and hi
 * are widened to multiples of the step.  min_step, when positive, is the
 * smallest step allowed (so that labels fit).
 */
void plot_axis_make(plot_axis *a, double lo, double hi, int ticks, int exact,
                    double min_step);

/*
 * plot_axis_tick() - the k-th tick of a (k from 0), or a value above
 * a->hi when there is none.
 */
double plot_axis_tick(const plot_axis *a, int k);

/* plot_format_tick() - v with the axis's decimals, never "-0". */
void plot_format_tick(char *buf, size_t size, const plot_axis *a, double v);

/*
 * plot_format_peak() - "peak 154.1 MiB": one decimal, three under 1 MiB.
 */
void plot_format_peak(char *buf, size_t size, double mib);

/*
 * plot_format_slope() - "+2.00 MiB/s": two decimals, more for slopes
 * under 0.1 so that two digits show.
 */
void plot_format_slope(char *buf, size_t size, double slope);

#endif /* MEMPROF_PLOT_AXIS_H */
