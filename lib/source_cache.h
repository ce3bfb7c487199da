/*
 * source_cache.h - the sources one report reads, each read and lexed once
 * while they fit.
 */
#ifndef MP_SOURCE_CACHE_H
#define MP_SOURCE_CACHE_H

#include "internal.h"

/* A source read during one report. */
typedef struct mp__cached {
    const char *file;
    mp__source src;
    int err;            /* 0, or why it could not be read (said once) */
    int held;           /* src is loaded (not evicted) */
    unsigned long used; /* when it was last asked for */
} mp__cached;

/*
 * Sources read during one report: each once while they fit in
 * CACHE_BYTES, so that a program's tables cost one read and lex of each
 * file however their functions interleave; past that, the least recently
 * used goes (and is read again if asked for again).
 */
typedef struct mp__source_cache {
    mp__cached *e;
    size_t n;
    size_t cap;
    size_t bytes; /* what the sources held take, about */
    unsigned long clock;
} mp__source_cache;

/*
 * mp__cached_source() - the source of file, or NULL when it cannot be read
 * (said once per file per report).  Valid until the next call.
 */
const mp__source *mp__cached_source(mp__source_cache *c, const char *file);

/* mp__cache_free() - free every source c holds, and c's list. */
void mp__cache_free(mp__source_cache *c);

#endif
