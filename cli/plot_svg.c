/*
 * plot_svg.c - a plot_scene as an SVG document: self-contained, valid
 * XML, sized in pixels with a viewBox, every text escaped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plot_svg.h"

/* put_escaped() - s as XML character data or attribute text. */
static void put_escaped(FILE *f, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* put_color() - name="#rrggbb", or name="none". */
static void put_color(FILE *f, const char *name, uint32_t c)
{
    if (c == PLOT_NONE)
        fprintf(f, " %s=\"none\"", name);
    else
        fprintf(f, " %s=\"#%06X\"", name, (unsigned)c);
}

/* put_class() - the class and data- attributes of p, if any. */
static void put_class(FILE *f, const plot_prim *p)
{
    if (p->cls != NULL)
        fprintf(f, " class=\"%s\"", p->cls);
    if (p->attrs != NULL)
        fputs(p->attrs, f);
}

/* put_stroke() - stroke, its width and its dashes. */
static void put_stroke(FILE *f, const plot_prim *p)
{
    put_color(f, "stroke", p->stroke);
    if (p->stroke == PLOT_NONE)
        return;
    fprintf(f, " stroke-width=\"%g\"", p->lw);
    if (p->dash == PLOT_DASHED)
        fputs(" stroke-dasharray=\"7 4\"", f);
    else if (p->dash == PLOT_DOTTED)
        fputs(" stroke-dasharray=\"2 3\"", f);
    else if (p->dash == PLOT_GAPS)
        fputs(" stroke-dasharray=\"4 7\" stroke-dashoffset=\"4\"", f);
}

/* put_fill() - fill and its opacity. */
static void put_fill(FILE *f, const plot_prim *p)
{
    put_color(f, "fill", p->fill);
    if (p->fill != PLOT_NONE && p->opacity < 1)
        fprintf(f, " fill-opacity=\"%g\"", p->opacity);
}

/* put_polyline() - the points, one per sample, then the markers. */
static void put_polyline(FILE *f, const plot_prim *p)
{
    fputs("<polyline", f);
    put_class(f, p);
    fputs(" points=\"", f);
    for (size_t i = 0; i < p->npts; i++)
        fprintf(f, "%s%.2f,%.2f", i > 0 ? " " : "", p->pts[2 * i],
                p->pts[2 * i + 1]);
    fputc('"', f);
    fputs(" fill=\"none\"", f);
    put_stroke(f, p);
    fputs(" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n", f);
    if (p->marker <= 0)
        return;
    fputs("<g class=\"markers\"", f);
    put_color(f, "fill", p->stroke);
    fputs(">", f);
    for (size_t i = 0; i < p->npts; i++)
        fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%g\"/>", p->pts[2 * i],
                p->pts[2 * i + 1], p->marker);
    fputs("</g>\n", f);
}

/* put_text() - a text at its baseline, anchored, maybe turned. */
static void put_text(FILE *f, const plot_prim *p)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    fputs("<text", f);
    put_class(f, p);
    fprintf(f, " x=\"%.2f\" y=\"%.2f\" font-size=\"%g\"", p->x, p->y, p->size);
    if (p->anchor != PLOT_START)
        fprintf(f, " text-anchor=\"%s\"", anchors[p->anchor]);
    put_color(f, "fill", p->fill);
    if (p->bold)
        fputs(" font-weight=\"bold\"", f);
    if (p->vertical)
        fprintf(f, " transform=\"rotate(-90 %.2f %.2f)\"", p->x, p->y);
    fputc('>', f);
    put_escaped(f, p->text);
    fputs("</text>\n", f);
}

/* plot_svg_write() - see plot_svg.h. */
int plot_svg_write(const plot_scene *s, FILE *f)
{
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, "
            "Verdana, Arial, Helvetica, sans-serif\">\n<title>",
            s->width, s->height, s->width, s->height);
    put_escaped(f, s->title);
    fputs("</title>\n<desc>Memory over time, drawn by memprof plot "
          "(libmemprof).</desc>\n",
          f);
    for (size_t i = 0; i < s->n; i++) {
        const plot_prim *p = &s->prims[i];
        switch (p->kind) {
        case PLOT_LINE:
            fputs("<line", f);
            put_class(f, p);
            fprintf(f, " x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"", p->x,
                    p->y, p->x2, p->y2);
            put_stroke(f, p);
            fputs("/>\n", f);
            break;
        case PLOT_POLYLINE:
            put_polyline(f, p);
            break;
        case PLOT_RECT:
            fputs("<rect", f);
            put_class(f, p);
            fprintf(f, " x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"",
                    p->x, p->y, p->x2, p->y2);
            put_fill(f, p);
            put_stroke(f, p);
            fputs("/>\n", f);
            break;
        case PLOT_CIRCLE:
            fputs("<circle", f);
            put_class(f, p);
            fprintf(f, " cx=\"%.2f\" cy=\"%.2f\" r=\"%g\"", p->x, p->y, p->x2);
            put_fill(f, p);
            put_stroke(f, p);
            fputs("/>\n", f);
            break;
        case PLOT_TEXT:
            put_text(f, p);
            break;
        case PLOT_GROUP:
            fputs("<g", f);
            put_class(f, p);
            fputs(">\n", f);
            break;
        case PLOT_GROUP_END:
            fputs("</g>\n", f);
            break;
        }
    }
    fputs("</svg>\n", f);
    if (fflush(f) != 0 || ferror(f))
        return errno != 0 ? -errno : -EIO;
    return 0;
}
