/*
 * edits.c - a list of insertions into a text, and the text with them made.
 * rewrite.c never deletes or re-prints the source: every change is text
 * added at an offset, so comments, layout and macros stay as written.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"

void cc_edit_add(cc_edits *ed, size_t off, const char *fmt, ...)
{
    va_list ap;
    char *text;

    if (ed->oom)
        return;
    if (ed->n == ed->cap) {
        size_t cap = ed->cap != 0 ? ed->cap * 2 : 64;
        cc_edit *e = realloc(ed->e, cap * sizeof *e);

        if (e == NULL) {
            ed->oom = 1;
            return;
        }
        ed->e = e;
        ed->cap = cap;
    }
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0) {
        ed->oom = 1;
        va_end(ap);
        return;
    }
    va_end(ap);
    ed->e[ed->n].off = off;
    ed->e[ed->n].seq = ed->n;
    ed->e[ed->n].text = text;
    ed->n++;
}

static int by_place(const void *a, const void *b)
{
    const cc_edit *x = a;
    const cc_edit *y = b;

    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

char *cc_edits_apply(cc_edits *ed, const char *src, size_t len, size_t *outlen)
{
    size_t total = len;
    size_t at = 0;
    size_t i;
    char *out;
    char *p;

    qsort(ed->e, ed->n, sizeof *ed->e, by_place);
    for (i = 0; i < ed->n; i++)
        total += strlen(ed->e[i].text);
    out = malloc(total + 1);
    if (out == NULL)
        return NULL;
    p = out;
    for (i = 0; i < ed->n; i++) {
        size_t off = ed->e[i].off < len ? ed->e[i].off : len;
        size_t n = strlen(ed->e[i].text);

        memcpy(p, src + at, off - at);
        p += off - at;
        at = off;
        memcpy(p, ed->e[i].text, n);
        p += n;
    }
    memcpy(p, src + at, len - at);
    p += len - at;
    *p = '\0';
    *outlen = (size_t)(p - out);
    return out;
}

void cc_edits_free(cc_edits *ed)
{
    for (size_t i = 0; i < ed->n; i++)
        free(ed->e[i].text);
    free(ed->e);
    memset(ed, 0, sizeof *ed);
}
