/*
 * plot_picture.h - memprof plot's picture of a plot_data composed in
 * pixels as a plot_scene, for plot_svg.c and plot_png.c to draw.
 */
#ifndef MEMPROF_PLOT_PICTURE_H
#define MEMPROF_PLOT_PICTURE_H

#include "plot_data.h"
#include "plot_scene.h"

/*
 * plot_picture_build() - lay out and draw the picture of data for opts
 * into scene, opts->width x opts->height pixels.  Returns 0 or -ENOMEM
 * (scene then freed).
 */
int plot_picture_build(plot_scene *scene, const plot_data *data,
                       const plot_opts *opts);

#endif /* MEMPROF_PLOT_PICTURE_H */
