/*
 * plot_scene.h - a picture as a list of primitives in pixels (lines,
 * polylines, rectangles, circles, texts, groups), made by plot_picture.c
 * and drawn by plot_svg.c (SVG text) and plot_png.c (cairo).
 *
 * The functions that add a primitive never fail: when memory runs out
 * they set scene->oom, add nothing and return NULL, so that a builder
 * checks once at the end.
 */
#ifndef MEMPROF_PLOT_SCENE_H
#define MEMPROF_PLOT_SCENE_H

#include <stddef.h>
#include <stdint.h>

/*
 * plot_scene: the picture as primitives in pixels, y downwards, drawn in
 * order.  Groups carry an SVG class and data- attributes for readers of
 * the SVG (the tests); cairo ignores them.
 */
enum {
    PLOT_LINE,     /* x, y to x2, y2 */
    PLOT_POLYLINE, /* pts[2 * npts]; circles of radius marker at points */
    PLOT_RECT,     /* x, y, width x2, height y2 */
    PLOT_CIRCLE,   /* centre x, y, radius x2 */
    PLOT_TEXT,     /* text at x, y (baseline) */
    PLOT_GROUP,    /* starts a group: cls, attrs */
    PLOT_GROUP_END
};

/*
 * Line styles.  PLOT_GAPS draws in the gaps of PLOT_DASHED, so that a
 * curve drawn over another with the same points leaves both seen.
 */
enum { PLOT_SOLID, PLOT_DASHED, PLOT_DOTTED, PLOT_GAPS };
enum { PLOT_START, PLOT_MIDDLE, PLOT_END };

#define PLOT_NONE 0xFFFFFFFFu /* no stroke or no fill */

typedef struct plot_prim {
    int kind;
    uint32_t stroke; /* 0xRRGGBB or PLOT_NONE */
    uint32_t fill;   /* 0xRRGGBB or PLOT_NONE; a text's colour */
    double opacity;  /* of the fill, 0..1 */
    double lw;       /* stroke width */
    int dash;        /* PLOT_SOLID, ... */
    double x;
    double y;
    double x2;
    double y2;
    double *pts; /* owned */
    size_t npts;
    double marker;
    char *text; /* owned, valid UTF-8 */
    double size;
    int anchor; /* PLOT_START, ... */
    int bold;
    int vertical; /* rotated a quarter turn anticlockwise about x, y */
    char *cls;    /* SVG class attribute, or NULL; owned */
    char *attrs;  /* more SVG attributes, " data-x=\"1\"", escaped; owned */
} plot_prim;

typedef struct plot_scene {
    int width;
    int height;
    char *title; /* the SVG's <title>; owned */
    plot_prim *prims;
    size_t n;
    size_t cap;
    int oom; /* an allocation failed: the scene is incomplete */
} plot_scene;

/* plot_scene_init() - an empty scene of width x height pixels. */
void plot_scene_init(plot_scene *s, int width, int height);

/* plot_scene_free() - free a scene's primitives and title. */
void plot_scene_free(plot_scene *s);

/* plot_scene_add() - a new primitive of kind, with no stroke and no fill. */
plot_prim *plot_scene_add(plot_scene *s, int kind);

/* plot_scene_line() - a line from (x1, y1) to (x2, y2). */
plot_prim *plot_scene_line(plot_scene *s, double x1, double y1, double x2,
                           double y2, uint32_t color, double lw, int dash);

/* plot_scene_rect() - a rectangle filled with fill at opacity, or outlined. */
plot_prim *plot_scene_rect(plot_scene *s, double x, double y, double w,
                           double h, uint32_t fill, double opacity,
                           uint32_t stroke);

/* plot_scene_circle() - a dot of radius r. */
plot_prim *plot_scene_circle(plot_scene *s, double x, double y, double r,
                             uint32_t fill, uint32_t stroke, double lw);

/* plot_scene_text() - str (copied) at (x, y), its baseline. */
plot_prim *plot_scene_text(plot_scene *s, double x, double y, const char *str,
                           double size, int anchor, uint32_t color, int bold);

/*
 * plot_scene_label() - plot_scene_text() of class "label" that tells its
 * box in a data-box attribute, for the tests that check that labels stay
 * off the curves.
 */
plot_prim *plot_scene_label(plot_scene *s, double x, double y, const char *str,
                            double size, int anchor, uint32_t color);

/* plot_scene_group() - start a group of class cls, attributes attrs (owned). */
void plot_scene_group(plot_scene *s, const char *cls, char *attrs);

/* plot_scene_group_end() - end the innermost group. */
void plot_scene_group_end(plot_scene *s);

/* plot_scene_format() - a malloc'd printf for a class or attributes. */
char *plot_scene_format(plot_scene *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* plot_scene_escaped() - str escaped for an XML attribute, malloc'd. */
char *plot_scene_escaped(plot_scene *s, const char *str);

#endif /* MEMPROF_PLOT_SCENE_H */
