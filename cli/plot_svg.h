/* plot_svg.h - a plot_scene written as an SVG document. */
#ifndef MEMPROF_PLOT_SVG_H
#define MEMPROF_PLOT_SVG_H

#include <stdio.h>

#include "plot_scene.h"

/* plot_svg_write() - scene as an SVG document to f.  Returns 0 or -errno. */
int plot_svg_write(const plot_scene *scene, FILE *f);

#endif /* MEMPROF_PLOT_SVG_H */
