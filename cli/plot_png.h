/*
 * plot_png.h - a plot_scene painted into a PNG file by cairo, which
 * plot_png.c loads at run time (libcairo.so.2, or the library that
 * MEMPROF_CAIRO names) when the first PNG is asked for.
 */
#ifndef MEMPROF_PLOT_PNG_H
#define MEMPROF_PLOT_PNG_H

#include <stdio.h>

#include "plot_scene.h"

/*
 * plot_png_load() - load cairo, once.  Returns 0, or -ENOTSUP with *why
 * (static text, dlerror()'s) saying why it cannot be loaded.
 */
int plot_png_load(const char **why);

/*
 * plot_png_write() - scene painted into a PNG written to f.  Returns 0,
 * -errno, or -ENOTSUP when cairo cannot be loaded.
 */
int plot_png_write(const plot_scene *scene, FILE *f);

#endif /* MEMPROF_PLOT_PNG_H */
