/*
 * plot_lanes.h - the function spans of memprof plot's pictures packed
 * into lanes of bars, with the labels that fit; in any unit (pixels or
 * terminal columns).
 */
#ifndef MEMPROF_PLOT_LANES_H
#define MEMPROF_PLOT_LANES_H

#include <stddef.h>

/*
 * A span in a band of lanes, in the drawer's units: its bar covers
 * [x0, x1), its bar and label with the gap after them [l0, l1).  Spans
 * come sorted by level.
 */
typedef struct plot_slot {
    double x0;
    double x1;
    double l0;
    double l1;
    int level;
    int follow; /* goes on the slot before's run (plot_span.run): into
                   its lane, and never labelled; the run's first slot's
                   label box covers the run */
} plot_slot;

/*
 * plot_pack() - a lane for each of the n slots, at most max_lanes: outer
 * levels in the first lanes, each level below those of the levels above
 * and given its share of lanes; a bar goes to the first lane of its
 * level where it fits, else to a new lane, else over the lane that ends
 * first; a slot that follows the one before goes into its lane.  Then a
 * label shows where it meets no other label of its lane, nor, unless
 * over_bars (labels drawn above the bars), another run's bar.
 * Fills lane[] and labelled[]; returns the lanes.
 */
int plot_pack(const plot_slot *s, size_t n, int max_lanes, int over_bars,
              int *lane, int *labelled);

#endif /* MEMPROF_PLOT_LANES_H */
