/*
 * cc.h - memprof-cc, the program behind `memprof cc`: a compiler launcher
 * that compiles a copy of each C source in which every profiled function
 * records a reading after each of its lines (see memprof(1), "cc").
 *
 * main.c reads memprof-cc's own arguments, command.c takes the compiler's
 * command line apart, compile.c runs the compiler on the rewritten copies
 * and rewrite.c (with libclang) writes them, as edits.c's list of
 * insertions into the original text.
 */
#ifndef MP_CC_H
#define MP_CC_H

#include <stddef.h>

/* The functions to profile: the --func patterns (fnmatch globs). */
typedef struct cc_funcs {
    const char **pat;
    size_t n;
} cc_funcs;

/* Insertions into a text, applied in order of offset, then of adding. */
typedef struct cc_edit {
    size_t off;
    size_t seq;
    char *text;
} cc_edit;

typedef struct cc_edits {
    cc_edit *e;
    size_t n;
    size_t cap;
    int oom; /* an insertion could not be stored: the list is incomplete */
} cc_edits;

/* cc_edit_add() - insert the printf-formatted text at off. */
void cc_edit_add(cc_edits *ed, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * cc_edits_apply() - src (len bytes) with ed's insertions made, in a
 * string of *outlen bytes that the caller frees; NULL if out of memory.
 * Sorts ed.
 */
char *cc_edits_apply(cc_edits *ed, const char *src, size_t len, size_t *outlen);

void cc_edits_free(cc_edits *ed);

/* The outcome of rewriting one source. */
enum {
    CC_NOTHING = 0,   /* no function to profile: compile the original */
    CC_REWRITTEN = 1, /* *out holds the copy to compile */
    CC_FAILED = -1    /* the parser could not: why says why */
};

/*
 * cc_rewrite() - parse the C source path, named name to the compiler (for
 * #line and __FILE__), with the compiler flags args[0..nargs), and write
 * into *out (malloc'd, *outlen bytes) the copy in which every profiled
 * function of funcs records its lines.  Returns CC_REWRITTEN, CC_NOTHING,
 * or CC_FAILED with why filled.
 */
int cc_rewrite(const char *path, const char *name, const char *const *args,
               int nargs, const cc_funcs *funcs, char **out, size_t *outlen,
               char *why, size_t whylen);

/*
 * cc_compile() - run the compiler command argv[0..argc) on copies of its C
 * sources in which the functions of funcs record every line (with show:
 * print the copies instead).  Returns the exit status memprof cc ends with.
 */
int cc_compile(const cc_funcs *funcs, int argc, char **argv, int show);

/* cc_read_file() - a whole file, NUL-terminated, malloc'd; NULL on error. */
char *cc_read_file(const char *path, size_t *len);

/* cc_write_file() - make path hold len bytes of buf.  Returns 0 or -1. */
int cc_write_file(const char *path, const char *buf, size_t len);

/* cc_warn() - "memprof cc: " and the message on stderr, one line. */
void cc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* MP_CC_H */
