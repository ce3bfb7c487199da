/*
 * plot_png.c - a plot_scene painted with cairo into a PNG file.
 *
 * cairo is what GTK, Firefox and Inkscape draw with: maintained, in every
 * distribution, antialiased, with text through fontconfig and FreeType,
 * and a PNG writer of its own, so one library does it all.  Without it at
 * build time this file is empty and plot_png.h's stub says PNG is not there.
 */
#ifdef MEMPROF_HAVE_CAIRO

#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "plot_png.h"

/*
 * fontconfig's FcFini(), which frees what cairo's text made fontconfig
 * load (its configuration, parsed once), so that leak checkers (ASan,
 * valgrind) find nothing left at exit.  Weak: memprof links cairo only,
 * and fontconfig comes with it when cairo draws text with it; when it
 * does not, the pointer is NULL.
 */
extern void FcFini(void) __attribute__((weak));

/* set_color() - c (0xRRGGBB) at alpha as the source. */
static void set_color(cairo_t *cr, uint32_t c, double alpha)
{
    cairo_set_source_rgba(cr, (c >> 16 & 0xFF) / 255.0, (c >> 8 & 0xFF) / 255.0,
                          (c & 0xFF) / 255.0, alpha);
}

/* stroke() - stroke the path with p's stroke, keeping it. */
static void stroke(cairo_t *cr, const plot_prim *p)
{
    static const double dashed[] = {7, 4};
    static const double dotted[] = {2, 3};
    if (p->stroke == PLOT_NONE)
        return;
    set_color(cr, p->stroke, 1);
    cairo_set_line_width(cr, p->lw);
    if (p->dash == PLOT_DASHED)
        cairo_set_dash(cr, dashed, 2, 0);
    else if (p->dash == PLOT_DOTTED)
        cairo_set_dash(cr, dotted, 2, 0);
    else
        cairo_set_dash(cr, NULL, 0, 0);
    cairo_stroke_preserve(cr);
}

/* fill() - fill the path with p's fill, keeping it. */
static void fill(cairo_t *cr, const plot_prim *p)
{
    if (p->fill == PLOT_NONE)
        return;
    set_color(cr, p->fill, p->opacity);
    cairo_fill_preserve(cr);
}

/* draw_text() - a text at its baseline, anchored, maybe turned. */
static void draw_text(cairo_t *cr, const plot_prim *p)
{
    cairo_text_extents_t e;
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           p->bold ? CAIRO_FONT_WEIGHT_BOLD
                                   : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, p->size);
    cairo_text_extents(cr, p->text, &e);
    double dx = p->anchor == PLOT_MIDDLE ? -e.x_advance / 2
                : p->anchor == PLOT_END  ? -e.x_advance
                                         : 0;
    cairo_save(cr);
    cairo_translate(cr, p->x, p->y);
    if (p->vertical)
        cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, dx, 0);
    set_color(cr, p->fill, 1);
    cairo_show_text(cr, p->text);
    cairo_restore(cr);
}

/* draw() - one primitive. */
static void draw(cairo_t *cr, const plot_prim *p)
{
    cairo_new_path(cr);
    switch (p->kind) {
    case PLOT_LINE:
        cairo_move_to(cr, p->x, p->y);
        cairo_line_to(cr, p->x2, p->y2);
        stroke(cr, p);
        break;
    case PLOT_POLYLINE:
        for (size_t i = 0; i < p->npts; i++)
            cairo_line_to(cr, p->pts[2 * i], p->pts[2 * i + 1]);
        stroke(cr, p);
        cairo_new_path(cr);
        for (size_t i = 0; p->marker > 0 && i < p->npts; i++) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, p->pts[2 * i], p->pts[2 * i + 1], p->marker, 0,
                      2 * M_PI);
        }
        if (p->marker > 0) {
            set_color(cr, p->stroke, 1);
            cairo_fill(cr);
        }
        break;
    case PLOT_RECT:
        cairo_rectangle(cr, p->x, p->y, p->x2, p->y2);
        fill(cr, p);
        stroke(cr, p);
        break;
    case PLOT_CIRCLE:
        cairo_arc(cr, p->x, p->y, p->x2, 0, 2 * M_PI);
        fill(cr, p);
        stroke(cr, p);
        break;
    case PLOT_TEXT:
        draw_text(cr, p);
        break;
    default:
        break;
    }
    cairo_new_path(cr);
}

/* write_to() - cairo's writer callback: to a FILE. */
static cairo_status_t write_to(void *closure, const unsigned char *data,
                               unsigned int length)
{
    FILE *f = closure;
    return fwrite(data, 1, length, f) == length ? CAIRO_STATUS_SUCCESS
                                                : CAIRO_STATUS_WRITE_ERROR;
}

/* plot_png_write() - see plot_png.h. */
int plot_png_write(const plot_scene *s, FILE *f)
{
    cairo_surface_t *surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, s->width, s->height);
    cairo_t *cr = cairo_create(surface);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (size_t i = 0; i < s->n; i++)
        draw(cr, &s->prims[i]);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(surface, write_to, f);
    cairo_surface_destroy(surface);
    /* Done with cairo: its caches first, then fontconfig's. */
    cairo_debug_reset_static_data();
    if (FcFini != NULL)
        FcFini();
    if (st == CAIRO_STATUS_NO_MEMORY)
        return -ENOMEM;
    if (st != CAIRO_STATUS_SUCCESS)
        return errno != 0 ? -errno : -EIO;
    if (fflush(f) != 0 || ferror(f))
        return errno != 0 ? -errno : -EIO;
    return 0;
}

#else
/* Without cairo there is nothing here: plot_png.h's stub answers -ENOTSUP. */
typedef int plot_png_unused;
#endif /* MEMPROF_HAVE_CAIRO */
