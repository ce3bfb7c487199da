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

/*
 * MEMPROF_LEAKS: the sites dump.  The heap archive or preload object
 * records the call stack of every block made once mp__heap_leaks_start()
 * was called, and mp__heap_dump(fd) writes what it knows as text, which
 * libmemprof (at exit, MEMPROF_LEAKS=1) and memprof run --heap read back,
 * symbolise and print.  Format 1, one record per line, fields separated by
 * one space; counts are decimal, addresses hexadecimal with 0x:
 *
 *   memprof-heap-sites 1
 *   pid PID
 *   frames N                   at most N return addresses per site
 *   module BIAS LO HI PATH     one per loaded ELF object (dl_iterate_phdr):
 *                              BIAS its load bias, [LO, HI) the span of its
 *                              PT_LOAD segments, PATH the rest of the line
 *                              (the main program's is /proc/self/exe's
 *                              target; may be empty or "[vdso]"-like)
 *   site MADE_BYTES MADE_BLOCKS LIVE_BYTES LIVE_BLOCKS PC0 PC1 ...
 *                              one per distinct call stack: the bytes and
 *                              blocks asked for there in all, those not
 *                              freed at the dump, and the return addresses,
 *                              innermost first: PC0 returns into the
 *                              function that called malloc, calloc,
 *                              realloc... (symbolise PC - 1, the call)
 *   unknown MADE_BYTES MADE_BLOCKS LIVE_BYTES LIVE_BLOCKS
 *                              blocks made while no stack could be kept
 *                              (no memory for the table), all together
 *   end                        the last line: without it the dump was cut
 *
 * A realloc is its old block freed and a new one made, at the stack of
 * the realloc.  Sites whose blocks were all freed are still listed (Top
 * allocation sites).
 */
#define MP__HEAP_DUMP_FORMAT 1
#define MP__HEAP_FRAMES 8

#endif /* MEMPROF_HEAP_HOOKS_H */
