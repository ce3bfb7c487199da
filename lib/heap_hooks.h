/*
 * heap_hooks.h - MEMPROF_ALLOC's interface between libmemprof (alloc.c)
 * and the heap archive or preload object (heap/malloc.c), which includes
 * it too: libmemprof's hooks, told of every block made and freed once
 * they are set.
 *
 * Each block made from then on carries a cookie of two words for them:
 * made() fills it (n: the size asked for), freed() reads it before the
 * block goes.  A realloc is the old block freed and a new one made.  The
 * hooks must not allocate from the malloc family.
 */
#ifndef MEMPROF_HEAP_HOOKS_H
#define MEMPROF_HEAP_HOOKS_H

#include <stddef.h>

typedef struct mp__heap_hooks {
    void (*made)(unsigned long long *cookie, size_t n);
    void (*freed)(unsigned long long *cookie, size_t n);
} mp__heap_hooks;

#endif /* MEMPROF_HEAP_HOOKS_H */
