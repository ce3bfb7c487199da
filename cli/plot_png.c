/*
 * plot_png.c - a plot_scene painted with cairo into a PNG file.
 *
 * cairo is what GTK, Firefox and Inkscape draw with: maintained, in every
 * distribution, antialiased, with text through fontconfig and FreeType,
 * and a PNG writer of its own, so one library does it all.
 *
 * It is loaded here, with dlopen, the first time a PNG is written, and
 * by nothing else: memprof does not link it (nor pixman, fontconfig and
 * the rest that come with it), so that run, peak and the others start
 * without them, and memprof builds without cairo's headers.  The few
 * types, values and functions used are declared below as cairo.h
 * declares them; cairo keeps its ABI stable within libcairo.so.2.
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_png.h"

/* The library loaded, unless MEMPROF_CAIRO names another. */
#define CAIRO_SONAME "libcairo.so.2"

/* What is used of cairo.h: opaque types, enumerations' values, structs. */
typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;
typedef int cairo_status_t;

enum {
    CAIRO_STATUS_SUCCESS = 0,
    CAIRO_STATUS_NO_MEMORY = 1,
    CAIRO_STATUS_WRITE_ERROR = 11,
    CAIRO_FORMAT_RGB24 = 1,
    CAIRO_LINE_CAP_ROUND = 1,
    CAIRO_LINE_JOIN_ROUND = 1,
    CAIRO_FONT_SLANT_NORMAL = 0,
    CAIRO_FONT_WEIGHT_NORMAL = 0,
    CAIRO_FONT_WEIGHT_BOLD = 1
};

typedef struct {
    double x_bearing;
    double y_bearing;
    double width;
    double height;
    double x_advance;
    double y_advance;
} cairo_text_extents_t;

typedef cairo_status_t (*cairo_write_func_t)(void *closure,
                                             const unsigned char *data,
                                             unsigned int length);

/*
 * The functions used, as XX(return type, name without "cairo_",
 * parameters): the table of pointers and the loader both come from here.
 */
#define CAIRO_FUNCS(XX)                                                        \
    XX(cairo_surface_t *, image_surface_create, (int, int, int))               \
    XX(cairo_status_t, surface_write_to_png_stream,                            \
       (cairo_surface_t *, cairo_write_func_t, void *))                        \
    XX(void, surface_destroy, (cairo_surface_t *))                             \
    XX(cairo_t *, create, (cairo_surface_t *))                                 \
    XX(cairo_status_t, status, (cairo_t *))                                    \
    XX(void, destroy, (cairo_t *))                                             \
    XX(void, save, (cairo_t *))                                                \
    XX(void, restore, (cairo_t *))                                             \
    XX(void, translate, (cairo_t *, double, double))                           \
    XX(void, rotate, (cairo_t *, double))                                      \
    XX(void, set_source_rgba, (cairo_t *, double, double, double, double))     \
    XX(void, set_line_width, (cairo_t *, double))                              \
    XX(void, set_line_join, (cairo_t *, int))                                  \
    XX(void, set_line_cap, (cairo_t *, int))                                   \
    XX(void, set_dash, (cairo_t *, const double *, int, double))               \
    XX(void, new_path, (cairo_t *))                                            \
    XX(void, new_sub_path, (cairo_t *))                                        \
    XX(void, move_to, (cairo_t *, double, double))                             \
    XX(void, line_to, (cairo_t *, double, double))                             \
    XX(void, arc, (cairo_t *, double, double, double, double, double))         \
    XX(void, rectangle, (cairo_t *, double, double, double, double))           \
    XX(void, stroke_preserve, (cairo_t *))                                     \
    XX(void, fill, (cairo_t *))                                                \
    XX(void, fill_preserve, (cairo_t *))                                       \
    XX(void, select_font_face, (cairo_t *, const char *, int, int))            \
    XX(void, set_font_size, (cairo_t *, double))                               \
    XX(void, text_extents, (cairo_t *, const char *, cairo_text_extents_t *))  \
    XX(void, show_text, (cairo_t *, const char *))                             \
    XX(void, debug_reset_static_data, (void))

/*
 * cairo, loaded: a pointer per function, and fontconfig's FcFini() (NULL
 * when cairo does not bring fontconfig), which frees what cairo's text
 * made fontconfig load (its configuration, parsed once), so that leak
 * checkers (ASan, valgrind) find nothing left at exit.
 */
static struct {
#define XX(ret, name, params) ret(*name) params;
    CAIRO_FUNCS(XX)
#undef XX
    void (*fc_fini)(void);
} cairo;

/*
 * load() - *fn (a function pointer, of any type) = the symbol name of
 * handle h.  Returns whether there is one.
 */
static int load(void *h, const char *name, void *fn)
{
    void *sym = dlsym(h, name);
    memcpy(fn, &sym, sizeof sym);
    return sym != NULL;
}

/*
 * plot_png_load() - see plot_png.h.  Tried once; the handle is kept (not
 * closed) for the rest of the run.
 */
int plot_png_load(const char **why)
{
    static int state; /* 0: not tried, 1: loaded, -1: failed */
    static char reason[512];
    if (state == 0) {
        const char *lib = getenv("MEMPROF_CAIRO");
        if (lib == NULL || *lib == '\0')
            lib = CAIRO_SONAME;
        void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
        int ok = h != NULL;
#define XX(ret, name, params) ok = ok && load(h, "cairo_" #name, &cairo.name);
        CAIRO_FUNCS(XX)
#undef XX
        if (ok) {
            load(h, "FcFini", &cairo.fc_fini);
        } else {
            const char *e = dlerror();
            snprintf(reason, sizeof reason, "%s", e != NULL ? e : lib);
            if (h != NULL)
                dlclose(h);
        }
        state = ok ? 1 : -1;
    }
    *why = reason;
    return state == 1 ? 0 : -ENOTSUP;
}

/* set_color() - c (0xRRGGBB) at alpha as the source. */
static void set_color(cairo_t *cr, uint32_t c, double alpha)
{
    cairo.set_source_rgba(cr, (c >> 16 & 0xFF) / 255.0, (c >> 8 & 0xFF) / 255.0,
                          (c & 0xFF) / 255.0, alpha);
}

/* stroke() - stroke the path with p's stroke, keeping it. */
static void stroke(cairo_t *cr, const plot_prim *p)
{
    static const double dashed[] = {7, 4};
    static const double dotted[] = {2, 3};
    static const double gaps[] = {4, 7};
    if (p->stroke == PLOT_NONE)
        return;
    set_color(cr, p->stroke, 1);
    cairo.set_line_width(cr, p->lw);
    if (p->dash == PLOT_DASHED)
        cairo.set_dash(cr, dashed, 2, 0);
    else if (p->dash == PLOT_DOTTED)
        cairo.set_dash(cr, dotted, 2, 0);
    else if (p->dash == PLOT_GAPS)
        cairo.set_dash(cr, gaps, 2, 4);
    else
        cairo.set_dash(cr, NULL, 0, 0);
    cairo.stroke_preserve(cr);
}

/* fill() - fill the path with p's fill, keeping it. */
static void fill(cairo_t *cr, const plot_prim *p)
{
    if (p->fill == PLOT_NONE)
        return;
    set_color(cr, p->fill, p->opacity);
    cairo.fill_preserve(cr);
}

/* draw_text() - a text at its baseline, anchored, maybe turned. */
static void draw_text(cairo_t *cr, const plot_prim *p)
{
    cairo_text_extents_t e;
    cairo.select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           p->bold ? CAIRO_FONT_WEIGHT_BOLD
                                   : CAIRO_FONT_WEIGHT_NORMAL);
    cairo.set_font_size(cr, p->size);
    cairo.text_extents(cr, p->text, &e);
    double dx = p->anchor == PLOT_MIDDLE ? -e.x_advance / 2
                : p->anchor == PLOT_END  ? -e.x_advance
                                         : 0;
    cairo.save(cr);
    cairo.translate(cr, p->x, p->y);
    if (p->vertical)
        cairo.rotate(cr, -M_PI / 2);
    cairo.move_to(cr, dx, 0);
    set_color(cr, p->fill, 1);
    cairo.show_text(cr, p->text);
    cairo.restore(cr);
}

/* draw() - one primitive. */
static void draw(cairo_t *cr, const plot_prim *p)
{
    cairo.new_path(cr);
    switch (p->kind) {
    case PLOT_LINE:
        cairo.move_to(cr, p->x, p->y);
        cairo.line_to(cr, p->x2, p->y2);
        stroke(cr, p);
        break;
    case PLOT_POLYLINE:
        for (size_t i = 0; i < p->npts; i++)
            cairo.line_to(cr, p->pts[2 * i], p->pts[2 * i + 1]);
        stroke(cr, p);
        cairo.new_path(cr);
        for (size_t i = 0; p->marker > 0 && i < p->npts; i++) {
            cairo.new_sub_path(cr);
            cairo.arc(cr, p->pts[2 * i], p->pts[2 * i + 1], p->marker, 0,
                      2 * M_PI);
        }
        if (p->marker > 0) {
            set_color(cr, p->stroke, 1);
            cairo.fill(cr);
        }
        break;
    case PLOT_RECT:
        cairo.rectangle(cr, p->x, p->y, p->x2, p->y2);
        fill(cr, p);
        stroke(cr, p);
        break;
    case PLOT_CIRCLE:
        cairo.arc(cr, p->x, p->y, p->x2, 0, 2 * M_PI);
        fill(cr, p);
        stroke(cr, p);
        break;
    case PLOT_TEXT:
        draw_text(cr, p);
        break;
    default:
        break;
    }
    cairo.new_path(cr);
}

/* Where cairo's writer callback writes, and why it failed (an errno). */
typedef struct png_out {
    FILE *f;
    int err;
} png_out;

/* write_to() - cairo's writer callback: to a FILE, its error kept. */
static cairo_status_t write_to(void *closure, const unsigned char *data,
                               unsigned int length)
{
    png_out *out = closure;
    errno = 0;
    if (fwrite(data, 1, length, out->f) == length)
        return CAIRO_STATUS_SUCCESS;
    if (out->err == 0)
        out->err = errno != 0 ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
}

/* plot_png_write() - see plot_png.h. */
int plot_png_write(const plot_scene *s, FILE *f)
{
    const char *why;
    if (plot_png_load(&why) != 0)
        return -ENOTSUP;
    cairo_surface_t *surface =
        cairo.image_surface_create(CAIRO_FORMAT_RGB24, s->width, s->height);
    cairo_t *cr = cairo.create(surface);
    cairo.set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo.set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (size_t i = 0; i < s->n; i++)
        draw(cr, &s->prims[i]);
    cairo_status_t st = cairo.status(cr);
    cairo.destroy(cr);
    png_out out = {f, 0};
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo.surface_write_to_png_stream(surface, write_to, &out);
    cairo.surface_destroy(surface);
    /* Done with cairo: its caches first, then fontconfig's. */
    cairo.debug_reset_static_data();
    if (cairo.fc_fini != NULL)
        cairo.fc_fini();
    if (st == CAIRO_STATUS_NO_MEMORY)
        return -ENOMEM;
    /* Not errno: whatever cairo and fontconfig last left there. */
    if (st != CAIRO_STATUS_SUCCESS)
        return out.err != 0 ? -out.err : -EIO;
    errno = 0;
    if (fflush(f) != 0 || ferror(f))
        return errno != 0 ? -errno : -EIO;
    return 0;
}
