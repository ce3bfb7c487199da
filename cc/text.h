/*
 * text.h - a C source as the rewriter reads it (text.c).
 */
#ifndef MP_CC_TEXT_H
#define MP_CC_TEXT_H

#include <clang-c/Index.h>
#include <stddef.h>

/* A token of the parse that is not in a directive or a skipped block. */
typedef struct tok {
    size_t off;
    size_t end;
} tok;

typedef struct cc_text {
    CXTranslationUnit tu;
    const char *src; /* the text, libclang's copy */
    size_t len;
    size_t *line_at; /* offset where each line (1-based, index - 1) starts */
    int nlines;
    char *directive; /* per line: part of a preprocessor directive */
    tok *t;
    size_t nt;
} cc_text;

/*
 * cc_text_parse() - parse the C source path with the compiler flags
 * args[0..nargs) into *x.  Returns 0, or -1 with why filled (the parse's
 * first error, or what else failed).  cc_text_free() frees it either way.
 */
int cc_text_parse(cc_text *x, CXIndex index, const char *path,
                  const char *const *args, int nargs, char *why, size_t whylen);
void cc_text_free(cc_text *x);

/* Offsets in the file: of a location, of its macro's expansion. */
size_t file_off(CXSourceLocation loc);
size_t expansion_off(CXSourceLocation loc);

/* in_main() - whether loc is in the source's text (not a macro's). */
int in_main(CXSourceLocation loc);

/* line_of() - the 1-based line of offset off. */
int line_of(const cc_text *w, size_t off);

/* tok_at() - the index of the first token at or after off (nt if none). */
size_t tok_at(const cc_text *w, size_t off);

/* tok_is() - whether token i exists and is spelled word. */
int tok_is(const cc_text *w, size_t i, const char *word);

/*
 * tok_close() - the index of the token that closes the bracket at token
 * open ("(", "[" or "{"), counting all three kinds; nt if none.
 */
size_t tok_close(const cc_text *w, size_t open);

/* ident_at() - whether the identifier word is spelled at off. */
int ident_at(const cc_text *w, size_t off, const char *word);

/*
 * text_of() - line's text as a C string literal's contents, for the row
 * shown when the source file cannot be read: trimmed, at most 60 bytes.
 * In a static buffer, which the next call reuses.
 */
const char *text_of(const cc_text *w, int line);

/* literal() - s as the contents of a C string literal (malloc'd). */
char *literal(const char *s);

#endif /* MP_CC_TEXT_H */
