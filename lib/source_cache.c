/*
 * source_cache.c - the sources read during one report: each once while
 * they fit in CACHE_BYTES, the least recently used dropped past that.
 */
#include <errno.h>
#include <string.h>

#include "source_cache.h"

#define CACHE_BYTES ((size_t)64 << 20)

/* source_bytes() - about what a loaded source takes. */
static size_t source_bytes(const mp__source *src)
{
    return src->len + (size_t)src->nlines * (sizeof *src->lines + sizeof(int));
}

/*
 * evict() - drop the least recently used source held, but keep: until
 * the sources held fit in CACHE_BYTES or keep is the only one.
 */
static void evict(mp__source_cache *c, const mp__cached *keep)
{
    while (c->bytes > CACHE_BYTES) {
        mp__cached *lru = NULL;
        for (size_t i = 0; i < c->n; i++)
            if (&c->e[i] != keep && c->e[i].held &&
                (lru == NULL || c->e[i].used < lru->used))
                lru = &c->e[i];
        if (lru == NULL)
            return;
        c->bytes -= source_bytes(&lru->src);
        mp__source_free(&lru->src);
        lru->held = 0;
    }
}

/* mp__cache_free() - see source_cache.h. */
void mp__cache_free(mp__source_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        mp__source_free(&c->e[i].src);
    mp__free(c->e);
    memset(c, 0, sizeof *c);
}

/* mp__cached_source() - see source_cache.h. */
const mp__source *mp__cached_source(mp__source_cache *c, const char *file)
{
    mp__cached *e = NULL;
    for (size_t i = 0; i < c->n && e == NULL; i++)
        if (strcmp(c->e[i].file, file) == 0)
            e = &c->e[i];
    if (e != NULL && (e->err != 0 || e->held)) {
        e->used = ++c->clock;
        return e->err == 0 ? &e->src : NULL;
    }
    if (e == NULL) {
        if (mp__grow(&c->e, &c->cap, c->n + 1, sizeof *c->e) != 0)
            return NULL;
        e = &c->e[c->n++];
        memset(e, 0, sizeof *e);
        e->file = file;
        /* A setuid program would read files as its owner for its user. */
        e->err = mp__config.secure
                     ? -EPERM
                     : mp__source_load(&e->src, file, mp__config.source_path);
        if (e->err != 0)
            mp__warn("cannot read %s (%s); showing the recorded statements",
                     file, strerror(-e->err));
    } else {
        /* Evicted: read again; a file that fails now shows statements. */
        if (mp__source_load(&e->src, file, mp__config.source_path) != 0)
            return NULL;
    }
    e->used = ++c->clock;
    if (e->err != 0)
        return NULL;
    e->held = 1;
    c->bytes += source_bytes(&e->src);
    evict(c, e);
    return &e->src;
}
