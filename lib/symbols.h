/*
 * symbols.h - return addresses of another moment of a process (a sites
 * dump's) turned into function, file and line with elfutils' libdw,
 * loaded at run time; module+offset where it cannot say more.  For the
 * leak report (leaks.c); depends on nothing of the profiler's state.
 */
#ifndef MEMPROF_SYMBOLS_H
#define MEMPROF_SYMBOLS_H

#include <stddef.h>

/* What is known of one return address. */
typedef struct mp__frame {
    unsigned long long pc;     /* the return address, as dumped */
    const char *function;      /* NULL: unknown */
    const char *file;          /* NULL: no line information */
    int line;                  /* with file */
    const char *module;        /* its module's path, NULL: in none */
    unsigned long long offset; /* of the call (pc - 1) in the module's
                                  file, as addr2line -e module takes it */
    int allocator;             /* in the allocator's own code (C library,
                                  libstdc++, the heap object, the loader) */
} mp__frame;

typedef struct mp__symbols mp__symbols;

/*
 * mp__symbols_new() - an empty table of modules, with libdw loaded if it
 * can be (once per process; MEMPROF_LIBDW names another library than
 * libdw.so.1, a missing one to test the fallback).  NULL without memory.
 */
mp__symbols *mp__symbols_new(void);

/*
 * mp__symbols_module() - a module of the dump: loaded at bias, spanning
 * [lo, hi), from path.  Returns 0 or -ENOMEM.
 */
int mp__symbols_module(mp__symbols *s, unsigned long long bias,
                       unsigned long long lo, unsigned long long hi,
                       const char *path);

/* The most frames one address gives: the function and those inlined. */
#define MP__INLINED 4

/*
 * mp__symbols_find() - what is known of pc, into f[0..MP__INLINED):
 * where the call was inlined, the function inlined innermost first, then
 * each it was inlined into, the last the function of its own.  Returns
 * how many (at least 1).  Resolved once per address and cached.  The
 * strings live as long as s.
 */
unsigned mp__symbols_find(mp__symbols *s, unsigned long long pc, mp__frame *f);

/*
 * mp__symbols_shown() - f is printed: if it has no line and its module
 * no debug information (or libdw is not there), the module counts for
 * the note.
 */
void mp__symbols_shown(mp__symbols *s, const mp__frame *f);

/*
 * mp__symbols_note() - the one note the report carries about the frames
 * shown without a line (NULL: none): libdw could not be loaded, or which
 * modules have no debug information.  Into buf, of size bytes.
 */
const char *mp__symbols_note(mp__symbols *s, char *buf, size_t size);

/* mp__symbols_free() - s and all it holds. */
void mp__symbols_free(mp__symbols *s);

#endif /* MEMPROF_SYMBOLS_H */
