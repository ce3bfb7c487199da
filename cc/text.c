/*
 * text.c - a C source as rewrite.c reads it: parsed by libclang with the
 * compiler's flags, its text, where its lines start and which are
 * preprocessor directives, its tokens outside directives and skipped
 * #if blocks, and the offsets and lines of libclang's locations.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

size_t file_off(CXSourceLocation loc)
{
    unsigned off = 0;

    clang_getFileLocation(loc, NULL, NULL, NULL, &off);
    return off;
}

size_t expansion_off(CXSourceLocation loc)
{
    unsigned off = 0;

    clang_getExpansionLocation(loc, NULL, NULL, NULL, &off);
    return off;
}

int in_main(CXSourceLocation loc)
{
    return clang_Location_isFromMainFile(loc) != 0;
}

/* line_of() - the 1-based line of offset off. */
int line_of(const cc_text *w, size_t off)
{
    int lo = 0;
    int hi = w->nlines - 1;

    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;

        if (w->line_at[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo + 1;
}

/* tok_at() - the index of the first token at or after off (nt if none). */
size_t tok_at(const cc_text *w, size_t off)
{
    size_t lo = 0;
    size_t hi = w->nt;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (w->t[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* tok_is() - whether token i exists and is spelled word. */
int tok_is(const cc_text *w, size_t i, const char *word)
{
    size_t n = strlen(word);

    return i < w->nt && w->t[i].end - w->t[i].off == n &&
           memcmp(w->src + w->t[i].off, word, n) == 0;
}

/*
 * tok_close() - the index of the token that closes the bracket at token
 * open ("(", "[" or "{"), counting all three kinds; nt if none.
 */
size_t tok_close(const cc_text *w, size_t open)
{
    int depth = 0;

    for (size_t i = open; i < w->nt; i++) {
        char c = w->src[w->t[i].off];

        if (w->t[i].end - w->t[i].off != 1)
            continue;
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if ((c == ')' || c == ']' || c == '}') && --depth == 0)
            return i;
    }
    return w->nt;
}

/* ident_at() - whether the identifier word is spelled at off. */
int ident_at(const cc_text *w, size_t off, const char *word)
{
    size_t n = strlen(word);
    char after;

    if (off + n > w->len || memcmp(w->src + off, word, n) != 0)
        return 0;
    after = off + n < w->len ? w->src[off + n] : ' ';
    return !(after == '_' || (after >= 'a' && after <= 'z') ||
             (after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9'));
}

/*
 * text_of() - line's text as a C string literal's contents, for the row
 * shown when the source file cannot be read: trimmed, at most 60 bytes.
 */
const char *text_of(const cc_text *w, int line)
{
    static char buf[4 * 60 + 8];
    size_t at = w->line_at[line - 1];
    size_t end = line < w->nlines ? w->line_at[line] : w->len;
    size_t n = 0;
    char *p = buf;

    while (at < end && (w->src[at] == ' ' || w->src[at] == '\t'))
        at++;
    while (end > at && (unsigned char)w->src[end - 1] <= ' ')
        end--;
    if (end - at > 60) {
        end = at + 60;
        while (end > at && ((unsigned char)w->src[end] & 0xc0) == 0x80)
            end--;
    }
    for (size_t i = at; i < end; i++, n++) {
        unsigned char ch = (unsigned char)w->src[i];

        if (ch == '\\' || ch == '"' || ch == '?')
            *p++ = '\\';
        *p++ = ch < ' ' || ch == 0x7f ? ' ' : (char)ch;
    }
    *p = '\0';
    return buf;
}

/* lines() - where each line starts, and which lines are directives. */
static int lines(cc_text *w)
{
    size_t n = 1;
    int in_directive = 0;

    for (size_t i = 0; i < w->len; i++)
        n += w->src[i] == '\n';
    w->line_at = malloc(n * sizeof *w->line_at);
    w->directive = calloc(n, 1);
    if (w->line_at == NULL || w->directive == NULL)
        return -1;
    w->line_at[0] = 0;
    w->nlines = 1;
    for (size_t i = 0; i < w->len; i++)
        if (w->src[i] == '\n')
            w->line_at[w->nlines++] = i + 1;
    for (int l = 0; l < w->nlines; l++) {
        size_t a = w->line_at[l];
        size_t e = l + 1 < w->nlines ? w->line_at[l + 1] : w->len;
        size_t p = a;

        while (p < e && (w->src[p] == ' ' || w->src[p] == '\t'))
            p++;
        if (!in_directive)
            in_directive = p < e && w->src[p] == '#';
        w->directive[l] = (char)in_directive;
        /* A directive goes on while its lines end in a backslash. */
        while (e > a && (w->src[e - 1] == '\n' || w->src[e - 1] == '\r'))
            e--;
        if (in_directive && !(e > a && w->src[e - 1] == '\\'))
            in_directive = 0;
    }
    return 0;
}

/* tokens() - the tokens of the file outside directives and skipped blocks. */
static int tokens(cc_text *w, CXFile file)
{
    CXSourceRange all = clang_getRange(
        clang_getLocationForOffset(w->tu, file, 0),
        clang_getLocationForOffset(w->tu, file, (unsigned)w->len));
    CXSourceRangeList *skipped = clang_getSkippedRanges(w->tu, file);
    CXToken *t = NULL;
    unsigned nt = 0;
    unsigned sk = 0;

    clang_tokenize(w->tu, all, &t, &nt);
    w->t = malloc((nt + 1) * sizeof *w->t);
    if (w->t == NULL) {
        clang_disposeTokens(w->tu, t, nt);
        clang_disposeSourceRangeList(skipped);
        return -1;
    }
    for (unsigned i = 0; i < nt; i++) {
        CXSourceRange r = clang_getTokenExtent(w->tu, t[i]);
        size_t a = file_off(clang_getRangeStart(r));
        size_t e = file_off(clang_getRangeEnd(r));

        if (clang_getTokenKind(t[i]) == CXToken_Comment ||
            w->directive[line_of(w, a) - 1])
            continue;
        while (skipped != NULL && sk < skipped->count &&
               file_off(clang_getRangeEnd(skipped->ranges[sk])) <= a)
            sk++;
        if (skipped != NULL && sk < skipped->count &&
            file_off(clang_getRangeStart(skipped->ranges[sk])) <= a)
            continue;
        w->t[w->nt].off = a;
        w->t[w->nt].end = e;
        w->nt++;
    }
    clang_disposeTokens(w->tu, t, nt);
    clang_disposeSourceRangeList(skipped);
    return 0;
}

/* first_error() - the parse's first error in why; 1 if there is one. */
static int first_error(CXTranslationUnit tu, char *why, size_t whylen)
{
    unsigned n = clang_getNumDiagnostics(tu);

    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        int bad = clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error;

        if (bad) {
            CXString s =
                clang_formatDiagnostic(d, CXDiagnostic_DisplaySourceLocation);

            snprintf(why, whylen, "%s", clang_getCString(s));
            clang_disposeString(s);
        }
        clang_disposeDiagnostic(d);
        if (bad)
            return 1;
    }
    return 0;
}

/* literal() - s as the contents of a C string literal (malloc'd). */
char *literal(const char *s)
{
    char *out = malloc(strlen(s) * 4 + 1);
    char *p = out;

    if (out == NULL)
        return NULL;
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '\\' || ch == '"') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < ' ' || ch == 0x7f) {
            p += sprintf(p, "\\%03o", ch);
        } else {
            *p++ = (char)ch;
        }
    }
    *p = '\0';
    return out;
}

int cc_text_parse(cc_text *x, CXIndex index, const char *path,
                  const char *const *args, int nargs, char *why, size_t whylen)
{
    enum CXErrorCode err;
    CXFile file;
    size_t len = 0;

    memset(x, 0, sizeof *x);
    err = clang_parseTranslationUnit2(
        index, path, args, nargs, NULL, 0,
        CXTranslationUnit_DetailedPreprocessingRecord |
            CXTranslationUnit_KeepGoing,
        &x->tu);
    if (err != CXError_Success || x->tu == NULL) {
        snprintf(why, whylen, "libclang could not parse it (error %d)",
                 (int)err);
        return -1;
    }
    if (first_error(x->tu, why, whylen))
        return -1;
    file = clang_getFile(x->tu, path);
    x->src = file != NULL ? clang_getFileContents(x->tu, file, &len) : NULL;
    x->len = len;
    if (x->src == NULL) {
        snprintf(why, whylen, "libclang did not keep its text");
        return -1;
    }
    if (lines(x) != 0 || tokens(x, file) != 0) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    return 0;
}

void cc_text_free(cc_text *x)
{
    free(x->t);
    free(x->line_at);
    free(x->directive);
    if (x->tu != NULL)
        clang_disposeTranslationUnit(x->tu);
    memset(x, 0, sizeof *x);
}
