/*
 * plot_axis.c - the axes of memprof plot's pictures: ticks at steps of 1,
 * 2, 2.5 or 5 times a power of ten, spaced so that their labels fit, and
 * the number formats of ticks, peaks and slopes.
 */
#include <math.h>
#include <stdio.h>

#include "plot_axis.h"

/* nice_at_least() - the smallest 1, 2, 2.5 or 5 x 10^k that is >= x. */
static double nice_at_least(double x)
{
    static const double mult[] = {1, 2, 2.5, 5, 10};
    if (!(x > 0) || !isfinite(x))
        return 1;
    double p = pow(10, floor(log10(x)));
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
        if (mult[i] * p >= x * (1 - 1e-9))
            return mult[i] * p;
    return 10 * p;
}

/* plot_axis_make() - see plot_axis.h. */
void plot_axis_make(plot_axis *a, double lo, double hi, int ticks, int exact,
                    double min_step)
{
    /* Less than the files' precision apart (or one point): one span. */
    if (!(hi - lo >= fmax(1e-6, 1e-9 * fmax(fabs(lo), fabs(hi))))) {
        double pad = fabs(lo) * 0.1 > 0.5 ? fabs(lo) * 0.1 : 0.5;
        lo -= pad;
        hi += pad;
    }
    if (ticks < 1)
        ticks = 1;
    double step = nice_at_least((hi - lo) / ticks);
    if (min_step > 0 && step < min_step)
        step = nice_at_least(min_step);
    a->step = step;
    if (exact) {
        a->lo = lo;
        a->hi = hi;
    } else {
        a->lo = floor(lo / step + 1e-9) * step;
        a->hi = ceil(hi / step - 1e-9) * step;
        if (a->hi <= a->lo)
            a->hi = a->lo + step;
    }
    a->decimals = 0;
    while (a->decimals < 6) {
        double scaled = step * pow(10, a->decimals);
        if (fabs(scaled - round(scaled)) < 1e-6 * scaled)
            break;
        a->decimals++;
    }
}

/* plot_axis_tick() - see plot_axis.h. */
double plot_axis_tick(const plot_axis *a, int k)
{
    if (k > PLOT_AXIS_MAX_TICKS)
        return a->hi + a->step;
    double first = ceil(a->lo / a->step - 1e-9);
    double v = (first + k) * a->step;
    if (v > a->hi + a->step * 1e-9)
        return a->hi + a->step;
    return v;
}

/* plot_format_tick() - see plot_axis.h. */
void plot_format_tick(char *buf, size_t size, const plot_axis *a, double v)
{
    if (fabs(v) < a->step * 1e-9)
        v = 0;
    snprintf(buf, size, "%.*f", a->decimals, v);
}

/* plot_format_peak() - see plot_axis.h. */
void plot_format_peak(char *buf, size_t size, double mib)
{
    snprintf(buf, size, "peak %.*f MiB", fabs(mib) < 1 ? 3 : 1, mib);
}

/* plot_format_slope() - see plot_axis.h. */
void plot_format_slope(char *buf, size_t size, double slope)
{
    int decimals = 2;
    if (slope != 0 && fabs(slope) < 0.1) {
        decimals = 1 - (int)floor(log10(fabs(slope)));
        if (decimals > 6)
            decimals = 6;
    }
    if (fabs(slope) < 0.5 * pow(10, -decimals))
        slope = 0;
    snprintf(buf, size, "%+.*f MiB/s", decimals, slope);
}
