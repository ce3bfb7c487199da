/*
 * plot_scene.c - the primitives a plot_scene is made of, appended in
 * drawing order: lines, polylines, rectangles, circles, texts (labels
 * with their boxes for the tests), and groups with an SVG class and
 * escaped data- attributes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "plot_scene.h"
#include "plot_text.h"

/* A rectangle: where a text's glyphs lie. */
typedef struct box {
    double x0;
    double y0;
    double x1;
    double y1;
} box;

/* plot_scene_init() - see plot_scene.h. */
void plot_scene_init(plot_scene *s, int width, int height)
{
    memset(s, 0, sizeof *s);
    s->width = width;
    s->height = height;
}

/* plot_scene_free() - see plot_scene.h. */
void plot_scene_free(plot_scene *scene)
{
    for (size_t i = 0; i < scene->n; i++) {
        free(scene->prims[i].pts);
        free(scene->prims[i].text);
        free(scene->prims[i].cls);
        free(scene->prims[i].attrs);
    }
    free(scene->prims);
    free(scene->title);
    memset(scene, 0, sizeof *scene);
}

/* plot_scene_add() - see plot_scene.h. */
plot_prim *plot_scene_add(plot_scene *s, int kind)
{
    if (s->oom)
        return NULL;
    if (mp__grow(&s->prims, &s->cap, s->n + 1, sizeof *s->prims) != 0) {
        s->oom = 1;
        return NULL;
    }
    plot_prim *p = &s->prims[s->n++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->stroke = PLOT_NONE;
    p->fill = PLOT_NONE;
    p->opacity = 1;
    p->lw = 1;
    return p;
}

/* plot_scene_format() - see plot_scene.h; NULL (s->oom set) when out of
   memory. */
char *plot_scene_format(plot_scene *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (out == NULL) {
        s->oom = 1;
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* plot_scene_escaped() - see plot_scene.h; NULL (s->oom set) when out of
   memory. */
char *plot_scene_escaped(plot_scene *s, const char *str)
{
    size_t n = 0;
    for (const char *p = str; *p != '\0'; p++)
        n += *p == '&'                 ? 5
             : *p == '"' || *p == '\'' ? 6
             : *p == '<'               ? 4
             : *p == '>'               ? 4
                                       : 1;
    char *out = malloc(n + 1);
    if (out == NULL) {
        s->oom = 1;
        return NULL;
    }
    char *o = out;
    for (const char *p = str; *p != '\0'; p++) {
        const char *rep = *p == '&'    ? "&amp;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&apos;"
                          : *p == '<'  ? "&lt;"
                          : *p == '>'  ? "&gt;"
                                       : NULL;
        if (rep != NULL) {
            size_t k = strlen(rep);
            memcpy(o, rep, k);
            o += k;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* plot_scene_line() - see plot_scene.h. */
plot_prim *plot_scene_line(plot_scene *s, double x1, double y1, double x2,
                           double y2, uint32_t color, double lw, int dash)
{
    plot_prim *p = plot_scene_add(s, PLOT_LINE);
    if (p != NULL) {
        p->x = x1;
        p->y = y1;
        p->x2 = x2;
        p->y2 = y2;
        p->stroke = color;
        p->lw = lw;
        p->dash = dash;
    }
    return p;
}

/* plot_scene_rect() - see plot_scene.h. */
plot_prim *plot_scene_rect(plot_scene *s, double x, double y, double w,
                           double h, uint32_t fill, double opacity,
                           uint32_t stroke)
{
    plot_prim *p = plot_scene_add(s, PLOT_RECT);
    if (p != NULL) {
        p->x = x;
        p->y = y;
        p->x2 = w;
        p->y2 = h;
        p->fill = fill;
        p->opacity = opacity;
        p->stroke = stroke;
    }
    return p;
}

/* plot_scene_circle() - see plot_scene.h. */
plot_prim *plot_scene_circle(plot_scene *s, double x, double y, double r,
                             uint32_t fill, uint32_t stroke, double lw)
{
    plot_prim *p = plot_scene_add(s, PLOT_CIRCLE);
    if (p != NULL) {
        p->x = x;
        p->y = y;
        p->x2 = r;
        p->fill = fill;
        p->stroke = stroke;
        p->lw = lw;
    }
    return p;
}

/* plot_scene_text() - see plot_scene.h. */
plot_prim *plot_scene_text(plot_scene *s, double x, double y, const char *str,
                           double size, int anchor, uint32_t color, int bold)
{
    char *copy = strdup(str);
    plot_prim *p = copy != NULL ? plot_scene_add(s, PLOT_TEXT) : NULL;
    if (p == NULL) {
        free(copy);
        s->oom = 1;
        return NULL;
    }
    p->x = x;
    p->y = y;
    p->text = copy;
    p->size = size;
    p->anchor = anchor;
    p->fill = color;
    p->bold = bold;
    return p;
}

/* text_box() - where a text primitive's glyphs lie, about. */
static box text_box(const plot_prim *p)
{
    double w = plot_text_width(p->text, p->size, p->bold);
    double x0 = p->anchor == PLOT_MIDDLE ? p->x - w / 2
                : p->anchor == PLOT_END  ? p->x - w
                                         : p->x;
    box b = {x0, p->y - 0.8 * p->size, x0 + w, p->y + 0.22 * p->size};
    return b;
}

/* plot_scene_label() - see plot_scene.h. */
plot_prim *plot_scene_label(plot_scene *s, double x, double y, const char *str,
                            double size, int anchor, uint32_t color)
{
    plot_prim *p = plot_scene_text(s, x, y, str, size, anchor, color, 0);
    if (p == NULL)
        return NULL;
    box b = text_box(p);
    p->cls = plot_scene_format(s, "label");
    p->attrs = plot_scene_format(s, " data-box=\"%.2f %.2f %.2f %.2f\"", b.x0,
                                 b.y0, b.x1 - b.x0, b.y1 - b.y0);
    return p;
}

/* plot_scene_group() - see plot_scene.h. */
void plot_scene_group(plot_scene *s, const char *cls, char *attrs)
{
    plot_prim *p = plot_scene_add(s, PLOT_GROUP);
    if (p == NULL) {
        free(attrs);
        return;
    }
    p->cls = plot_scene_format(s, "%s", cls);
    p->attrs = attrs;
}

/* plot_scene_group_end() - see plot_scene.h. */
void plot_scene_group_end(plot_scene *s)
{
    plot_scene_add(s, PLOT_GROUP_END);
}
