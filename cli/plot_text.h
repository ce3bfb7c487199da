/*
 * plot_text.h - text for memprof plot's pictures: UTF-8 read and
 * written, made safe to show, and measured, shortened and broken to fit
 * a width in pixels.
 */
#ifndef MEMPROF_PLOT_TEXT_H
#define MEMPROF_PLOT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * plot_utf8_next() - the code point at *s, advancing past it; 0 at the
 * end.  s must be valid UTF-8, as plot_text_clean() makes it.
 */
uint32_t plot_utf8_next(const char **s);

/* plot_utf8_put() - c as UTF-8 into buf (4 bytes); returns the length. */
int plot_utf8_put(char *buf, uint32_t c);

/*
 * plot_text_clean() - a malloc'd copy of s that any XML reader and
 * terminal takes: invalid UTF-8 becomes U+FFFD, control characters a
 * space.  NULL when out of memory.
 */
char *plot_text_clean(const char *s);

/*
 * plot_text_width() - the estimated width in pixels of text at size
 * (DejaVu Sans's advances; wide for other fonts).
 */
double plot_text_width(const char *text, double size, int bold);

/*
 * plot_text_fit() - text, or its longest start that fits in width pixels
 * with "…" after it; "" when not even that fits.  malloc'd, NULL when out
 * of memory.
 */
char *plot_text_fit(const char *text, double size, int bold, double width);

/*
 * plot_text_break() - how many bytes of text start a line of at most
 * width pixels: up to the last space or path separator ('/', kept at the
 * line's end) that fits, or as many characters as fit when none does
 * (at least one character).
 */
size_t plot_text_break(const char *text, double size, double width);

#endif /* MEMPROF_PLOT_TEXT_H */
