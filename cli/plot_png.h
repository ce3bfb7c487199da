/* plot_png.h - a plot_scene painted into a PNG file by cairo. */
#ifndef MEMPROF_PLOT_PNG_H
#define MEMPROF_PLOT_PNG_H

#include <errno.h>
#include <stdio.h>

#include "plot_scene.h"

/*
 * plot_png_write() - scene painted into a PNG written to f.  Returns 0,
 * -errno, or -ENOTSUP when memprof was built without cairo.
 */
#ifdef MEMPROF_HAVE_CAIRO
#define PLOT_HAVE_PNG 1
int plot_png_write(const plot_scene *scene, FILE *f);
#else
#define PLOT_HAVE_PNG 0
static inline int plot_png_write(const plot_scene *scene, FILE *f)
{
    (void)scene;
    (void)f;
    return -ENOTSUP;
}
#endif

#endif /* MEMPROF_PLOT_PNG_H */
