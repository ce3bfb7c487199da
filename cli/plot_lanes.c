/*
 * plot_lanes.c - the function spans packed into lanes of bars, outer
 * levels first, and the labels that fit beside their bars: the band of
 * the SVG and PNG pictures and the span rows of the terminal's.
 */
#include <stdlib.h>

#include "plot_lanes.h"

/* A slot as plot_pack() sorts them: by lane, then by start. */
typedef struct placed {
    int lane;
    size_t i;
    double x0;
} placed;

/* by_lane() - qsort order of placed slots. */
static int by_lane(const void *pa, const void *pb)
{
    const placed *a = pa;
    const placed *b = pb;
    if (a->lane != b->lane)
        return a->lane < b->lane ? -1 : 1;
    if (a->x0 != b->x0)
        return a->x0 < b->x0 ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * plot_pack() - see plot_lanes.h.  Two passes: the bars into lanes, then the
 * labels, left to right in each lane.
 */
int plot_pack(const plot_slot *s, size_t n, int max_lanes, int over_bars,
              int *lane, int *labelled)
{
    double end[64];
    int levels = 0;
    for (size_t i = 0; i < n; i++)
        levels += i == 0 || s[i].level != s[i - 1].level;
    max_lanes = max_lanes > 64 ? 64 : max_lanes < 1 ? 1 : max_lanes;
    int share = levels > 0 && max_lanes / levels > 1 ? max_lanes / levels : 1;
    int lanes = 0;
    int first = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || s[i].level != s[i - 1].level)
            first = lanes < max_lanes ? lanes : max_lanes - 1;
        int at = i > 0 && s[i].follow ? lane[i - 1] : -1;
        for (int k = first; k < lanes && at < 0; k++)
            if (end[k] <= s[i].x0)
                at = k;
        if (at < 0 && lanes < max_lanes && lanes - first < share) {
            at = lanes++;
            end[at] = -1e300;
        }
        if (at < 0) {
            at = first;
            for (int k = first; k < lanes; k++)
                if (end[k] < end[at])
                    at = k;
        }
        end[at] = s[i].x1 > end[at] ? s[i].x1 : end[at];
        lane[i] = at;
        labelled[i] = 0;
    }
    placed *p = malloc((n + 1) * sizeof *p);
    if (p == NULL)
        return lanes;
    for (size_t i = 0; i < n; i++) {
        p[i].lane = lane[i];
        p[i].i = i;
        p[i].x0 = s[i].x0;
    }
    qsort(p, n, sizeof *p, by_lane);
    double taken = -1e300; /* how far bars and labels reach in the lane */
    for (size_t k = 0; k < n; k++) {
        const plot_slot *sl = &s[p[k].i];
        if (k == 0 || p[k].lane != p[k - 1].lane)
            taken = -1e300;
        if (sl->follow) {
            if (!over_bars && sl->x1 > taken)
                taken = sl->x1;
            continue;
        }
        size_t after = k + 1;
        while (after < n && p[after].lane == p[k].lane && s[p[after].i].follow)
            after++;
        int last = after == n || p[after].lane != p[k].lane;
        double next = last || over_bars ? 1e300 : p[after].x0;
        labelled[p[k].i] = sl->l0 >= taken && sl->l1 <= next;
        double reach = labelled[p[k].i] ? sl->l1 : over_bars ? taken : sl->x1;
        taken = reach > taken ? reach : taken;
    }
    free(p);
    return lanes;
}
