/*
 * plot_text.c - text for memprof plot's pictures: UTF-8 decoded and
 * encoded, cleaned of what XML readers and terminals refuse, measured in
 * pixels with DejaVu Sans's advances, shortened with "…" and broken into
 * lines to fit.
 */
#include <stdlib.h>
#include <string.h>

#include "plot_text.h"

/*
 * Advance widths of DejaVu Sans (the font cairo finds, and the first the
 * SVG asks for), in thousandths of an em, for ' ' to '~'.  Other fonts
 * that the SVG may fall back to are narrower, so estimates err wide.
 */
static const unsigned short advance[95] = {
    318, 401, 460, 838, 636,  950, 780, 275, 390, 390, 500, 838, 318, 361,
    318, 337, 636, 636, 636,  636, 636, 636, 636, 636, 636, 636, 337, 337,
    838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
    295, 656, 557, 863, 748,  787, 603, 787, 695, 635, 611, 732, 684, 989,
    685, 611, 685, 390, 337,  390, 838, 500, 500, 613, 635, 550, 635, 615,
    352, 635, 634, 278, 278,  579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592,  592, 525, 636, 337, 636, 838};

/* plot_utf8_next() - see plot_text.h. */
uint32_t plot_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int len = 1;
    if (c == 0)
        return 0;
    if (c >= 0xF0) {
        c = (c & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
            (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
        len = 4;
    } else if (c >= 0xE0) {
        c = (c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        len = 3;
    } else if (c >= 0xC0) {
        c = (c & 0x1F) << 6 | (p[1] & 0x3F);
        len = 2;
    }
    *s += len;
    return c;
}

/* plot_utf8_put() - see plot_text.h. */
int plot_utf8_put(char *buf, uint32_t c)
{
    if (c < 0x80) {
        buf[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (char)(0xC0 | c >> 6);
        buf[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (char)(0xE0 | c >> 12);
        buf[1] = (char)(0x80 | (c >> 6 & 0x3F));
        buf[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | c >> 18);
    buf[1] = (char)(0x80 | (c >> 12 & 0x3F));
    buf[2] = (char)(0x80 | (c >> 6 & 0x3F));
    buf[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/*
 * utf8_valid() - the length of the valid UTF-8 sequence at p (at most n
 * bytes), or 0: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
static size_t utf8_valid(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return len;
}

/* plot_text_clean() - see plot_text.h. */
char *plot_text_clean(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1);
    if (out == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid(p + i, n - i);
        if (len == 0) {
            o += (size_t)plot_utf8_put(out + o, 0xFFFD);
            i++;
        } else if (p[i] < 0x20 || p[i] == 0x7F) {
            out[o++] = ' ';
            i++;
        } else {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        }
    }
    out[o] = '\0';
    return out;
}

/* plot_text_width() - see plot_text.h. */
double plot_text_width(const char *text, double size, int bold)
{
    double w = 0;
    const char *p = text;
    uint32_t c;
    while ((c = plot_utf8_next(&p)) != 0) {
        if (c >= 32 && c < 127)
            w += advance[c - 32];
        else if (c >= 0x1100 &&
                 (c <= 0x115F || (c >= 0x2E80 && c <= 0xA4CF) ||
                  (c >= 0xAC00 && c <= 0xD7A3) ||
                  (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFF60)))
            w += 1000;
        else
            w += 700;
    }
    return w / 1000 * size * (bold ? 1.09 : 1);
}

/* plot_text_fit() - see plot_text.h. */
char *plot_text_fit(const char *text, double size, int bold, double width)
{
    size_t len = strlen(text);
    char *out = malloc(len + 4);
    if (out == NULL)
        return NULL;
    if (plot_text_width(text, size, bold) <= width) {
        memcpy(out, text, len + 1);
        return out;
    }
    double ell = plot_text_width("\xE2\x80\xA6", size, bold);
    double w = 0;
    const char *p = text;
    const char *end = text;
    uint32_t c;
    while ((c = plot_utf8_next(&p)) != 0) {
        char one[5] = {0};
        plot_utf8_put(one, c);
        w += plot_text_width(one, size, bold);
        if (w + ell > width)
            break;
        end = p;
    }
    /* No lone "…", nor one after a single character. */
    size_t keep = (size_t)(end - text);
    if (keep == 0 || (keep == 1 && len > 1)) {
        out[0] = '\0';
        return out;
    }
    while (keep > 0 && text[keep - 1] == ' ')
        keep--;
    memcpy(out, text, keep);
    memcpy(out + keep, "\xE2\x80\xA6", 4);
    return out;
}

/* plot_text_break() - see plot_text.h. */
size_t plot_text_break(const char *text, double size, double width)
{
    double w = 0;
    const char *p = text;
    size_t fit = 0;
    size_t at = 0; /* the last place to break that fits */
    uint32_t c;
    while ((c = plot_utf8_next(&p)) != 0) {
        char one[5] = {0};
        plot_utf8_put(one, c);
        w += plot_text_width(one, size, 0);
        if (w > width)
            break;
        fit = (size_t)(p - text);
        /* After a space, or after a '/' that another character precedes
           and one that is not a '/' follows ("/usr/" + "lib"). */
        if (c == ' ' || (c == '/' && fit > 1 && *p != '/' && *p != '\0'))
            at = fit;
    }
    if (*p == '\0' && w <= width)
        return fit;
    if (at > 0)
        return at;
    return fit > 0 ? fit : (size_t)(p - text);
}
