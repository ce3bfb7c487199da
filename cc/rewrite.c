/*
 * rewrite.c - the copy of a C source in which every profiled function
 * records its lines, as memory_profiler's line events: libclang parses the
 * source with the compiler's flags, and the copy is the original text with
 * insertions at the places the parse reports.  Nothing is re-printed.
 *
 * What is inserted (the macros are memprof.h's, MP__CC_*):
 *   - a statement records after it, on its first line; several on one
 *     line record once, after the last;
 *   - return, break, continue and goto record before they jump (a return
 *     once its value is evaluated: the frame records it as it closes);
 *   - if, while, for, do-while and switch record at each evaluation of
 *     their condition, which is evaluated once;
 *   - a control statement written on one line is one statement: it
 *     records after it, and a jump that leaves it records before jumping;
 *   - an unbraced body gets braces; a statement from a macro belongs to
 *     the line of the invocation; MP_LINE and its kin record themselves.
 * The copy starts with #line 1 "name" and never adds a line break inside
 * the original's lines, so __LINE__, __FILE__ and diagnostics stay the
 * original's.
 */
#define _GNU_SOURCE
#include <clang-c/Index.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "text.h"

typedef struct rw {
    cc_text x; /* the source as parsed */
    cc_edits ed;
    const cc_funcs *funcs;
    char *name_lit; /* the name given to the compiler, as in a literal */
    int profiled;   /* functions profiled so far */
    /* The function being rewritten: the site of each of its lines. */
    int first;     /* its first line */
    int *site_of;  /* per line from first: the site's index, or -1 */
    int nlines_fn; /* how many lines site_of covers */
    int *lines_of; /* per site: its line */
    int nsites;
} rw;

/* The statements of a compound statement or of a control statement. */
typedef struct kids {
    CXCursor *c;
    size_t n;
    size_t cap;
    int oom;
} kids;

/* ---- The statements -------------------------------------------------- */

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent,
                                       CXClientData data)
{
    kids *k = data;

    (void)parent;
    if (k->n == k->cap) {
        size_t cap = k->cap != 0 ? k->cap * 2 : 16;
        CXCursor *grown = realloc(k->c, cap * sizeof *grown);

        if (grown == NULL) {
            k->oom = 1;
            return CXChildVisit_Break;
        }
        k->c = grown;
        k->cap = cap;
    }
    k->c[k->n++] = c;
    return CXChildVisit_Continue;
}

static kids children(rw *w, CXCursor c)
{
    kids k = {NULL, 0, 0, 0};

    clang_visitChildren(c, collect, &k);
    if (k.oom)
        w->ed.oom = 1;
    return k;
}

static enum CXCursorKind kind_of(CXCursor c)
{
    return clang_getCursorKind(c);
}

static int is_control(enum CXCursorKind k)
{
    return k == CXCursor_IfStmt || k == CXCursor_WhileStmt ||
           k == CXCursor_ForStmt || k == CXCursor_DoStmt ||
           k == CXCursor_SwitchStmt;
}

static int is_label(enum CXCursorKind k)
{
    return k == CXCursor_LabelStmt || k == CXCursor_CaseStmt ||
           k == CXCursor_DefaultStmt;
}

/*
 * A statement as the rewriter sees it: where it starts and ends in the
 * file (its ';' included), its first line, whether it comes from a macro,
 * and which macro when it is one of memprof.h's.
 */
typedef struct unit {
    CXCursor c;    /* the statement (past its labels) */
    size_t start;  /* where text can go before it */
    size_t end;    /* just after it */
    size_t mstart; /* from a macro: the invocation's start */
    int line;
    int macro;
    int own; /* MP_LINE, MP_RETURN, ...: it records itself */
} unit;

static const char *const own_macros[] = {"MP_LINE", "MP_RETURN",
                                         "MP_RETURN_VOID", "MP_PROFILE_FUNC",
                                         "MP_PROFILE_FUNC_PRECISION"};

/*
 * invocation_end() - just after the macro invocation at off: its closing
 * parenthesis, or its name for an object-like one.
 */
static size_t invocation_end(const rw *w, size_t off)
{
    size_t i = tok_at(&w->x, off);
    size_t close;

    if (i >= w->x.nt)
        return off;
    if (tok_is(&w->x, i + 1, "(") &&
        (close = tok_close(&w->x, i + 1)) < w->x.nt)
        return w->x.t[close].end;
    return w->x.t[i].end;
}

/* unit_of() - c (a statement, not a label) as a unit. */
static unit unit_of(const rw *w, CXCursor c)
{
    CXSourceRange r = clang_getCursorExtent(c);
    CXSourceLocation s = clang_getRangeStart(r);
    unit u;
    size_t i;

    memset(&u, 0, sizeof u);
    u.c = c;
    u.macro = !in_main(s);
    if (u.macro) {
        u.mstart = expansion_off(s);
        u.start = u.mstart;
        u.end = invocation_end(w, u.mstart);
        if (file_off(clang_getRangeEnd(r)) > u.end)
            u.end = file_off(clang_getRangeEnd(r));
        for (size_t m = 0; m < sizeof own_macros / sizeof own_macros[0]; m++)
            u.own |= ident_at(&w->x, u.mstart, own_macros[m]);
    } else {
        u.start = file_off(s);
        u.end = file_off(clang_getRangeEnd(r));
    }
    i = tok_at(&w->x, u.end);
    if (kind_of(c) != CXCursor_CompoundStmt && tok_is(&w->x, i, ";"))
        u.end = w->x.t[i].end;
    u.line = line_of(&w->x, u.start);
    return u;
}

/* inner() - c past its labels ("case 1:", "out:"); 0 if none follows. */
static int inner(rw *w, CXCursor c, CXCursor *out)
{
    while (is_label(kind_of(c))) {
        kids k = children(w, c);

        if (k.n == 0) {
            free(k.c);
            return 0;
        }
        c = k.c[k.n - 1];
        free(k.c);
    }
    *out = c;
    return 1;
}

/* ---- What is inserted ------------------------------------------------ */

/*
 * site() - the index of line's site in the function's array, made on
 * first use: one site per line, whatever records on it.
 */
static int site(rw *w, int line)
{
    int i = line - w->first;

    if (i < 0 || i >= w->nlines_fn) {
        w->ed.oom = 1; /* cannot happen: a line outside the function */
        return 0;
    }
    if (w->site_of[i] < 0) {
        w->site_of[i] = w->nsites;
        w->lines_of[w->nsites++] = line;
    }
    return w->site_of[i];
}

/*
 * record_after() - a reading after the statement that ends at off; after
 * a declaration, the reading is a declaration too (C89 wants every
 * declaration of a block before its first statement).
 */
static void record_after(rw *w, size_t off, int line, int decl)
{
    if (decl)
        cc_edit_add(&w->ed, off, " MP__CC_DECL(%d)", site(w, line));
    else
        cc_edit_add(&w->ed, off, " MP__CC_LINE(%d);", site(w, line));
}

static void record_before(rw *w, size_t off, int line, int ret)
{
    cc_edit_add(&w->ed, off, "MP__CC_%s(%d); ", ret ? "RET" : "LINE",
                site(w, line));
}

/*
 * wrap_cond() - make the condition between the parentheses at tokens
 * open and close record its line after it is evaluated.
 */
static void wrap_cond(rw *w, size_t open, size_t close, int line)
{
    int k = site(w, line);

    cc_edit_add(&w->ed, w->x.t[open].end, "MP__CC_IF(%d)(", k);
    cc_edit_add(&w->ed, w->x.t[close].off, ") MP__CC_FI(%d)", k);
}

/* ---- The walk -------------------------------------------------------- */

static void block(rw *w, CXCursor compound);
static void body(rw *w, CXCursor c);

/*
 * jumps() - in a control statement written on one line, which records
 * after it, make the jumps that leave it record before they jump.
 * in_loop / in_switch: a break or continue there stays inside.
 */
static void jumps(rw *w, CXCursor c, int in_loop, int in_switch)
{
    kids k = children(w, c);
    int braced = kind_of(c) == CXCursor_CompoundStmt;

    for (size_t i = 0; i < k.n; i++) {
        enum CXCursorKind kind = kind_of(k.c[i]);
        int leaves = kind == CXCursor_ReturnStmt || kind == CXCursor_GotoStmt ||
                     kind == CXCursor_IndirectGotoStmt ||
                     (kind == CXCursor_BreakStmt && !in_loop && !in_switch) ||
                     (kind == CXCursor_ContinueStmt && !in_loop);

        if (leaves) {
            unit u = unit_of(w, k.c[i]);

            if (u.own)
                continue;
            if (!braced)
                cc_edit_add(&w->ed, u.start, "{ ");
            record_before(w, u.start, u.line, kind == CXCursor_ReturnStmt);
            if (!braced)
                cc_edit_add(&w->ed, u.end, " }");
        } else if (kind == CXCursor_ForStmt || kind == CXCursor_WhileStmt ||
                   kind == CXCursor_DoStmt) {
            jumps(w, k.c[i], 1, in_switch);
        } else if (kind == CXCursor_SwitchStmt) {
            jumps(w, k.c[i], in_loop, 1);
        } else if (clang_isStatement(kind)) {
            jumps(w, k.c[i], in_loop, in_switch);
        }
    }
    free(k.c);
}

/*
 * header() - the parentheses after the keyword at off: *open and *close
 * as token indices.  Returns 0, or -1 when they are not where expected.
 */
static int header(const rw *w, size_t off, size_t *open, size_t *close)
{
    size_t i = tok_at(&w->x, off);

    if (i >= w->x.nt || w->x.t[i].off != off || !tok_is(&w->x, i + 1, "("))
        return -1;
    *open = i + 1;
    *close = tok_close(&w->x, i + 1);
    return *close < w->x.nt ? 0 : -1;
}

/*
 * same_line_body() - whether body b is a single statement that starts on
 * the line of the header's closing parenthesis: its reading then stands
 * for the header's, which is not recorded.
 */
static int same_line_body(const rw *w, CXCursor b, size_t close)
{
    CXSourceLocation s = clang_getRangeStart(clang_getCursorExtent(b));
    size_t off = in_main(s) ? file_off(s) : expansion_off(s);

    return kind_of(b) != CXCursor_CompoundStmt &&
           line_of(&w->x, off) == line_of(&w->x, w->x.t[close].off);
}

/* cond_ok() - whether cursor e lies between tokens open and close. */
static int cond_ok(const rw *w, CXCursor e, size_t open, size_t close)
{
    CXSourceRange r = clang_getCursorExtent(e);
    CXSourceLocation s = clang_getRangeStart(r);
    size_t a = in_main(s) ? file_off(s) : expansion_off(s);

    return a >= w->x.t[open].end && a < w->x.t[close].off;
}

/* control() - an if, while, for, do or switch written over several lines. */
static void control(rw *w, const unit *u)
{
    kids k = children(w, u->c);
    enum CXCursorKind kind = kind_of(u->c);
    size_t open;
    size_t close;

    if (k.n == 0)
        goto out;
    if (u->macro) {
        /* The header is the macro's: only the bodies in the file record. */
        for (size_t i = 0; i < k.n; i++)
            if (clang_isStatement(kind_of(k.c[i])) &&
                in_main(clang_getRangeStart(clang_getCursorExtent(k.c[i]))))
                body(w, k.c[i]);
        goto out;
    }
    switch (kind) {
    case CXCursor_IfStmt:
    case CXCursor_WhileStmt:
        if (k.n >= 2 && header(w, u->start, &open, &close) == 0 &&
            cond_ok(w, k.c[0], open, close) &&
            !same_line_body(w, k.c[1], close))
            wrap_cond(w, open, close, u->line);
        for (size_t i = 1; i < k.n; i++)
            body(w, k.c[i]);
        break;
    case CXCursor_SwitchStmt:
        if (k.n >= 2 && header(w, u->start, &open, &close) == 0 &&
            cond_ok(w, k.c[0], open, close)) {
            CXType t = clang_getCanonicalType(clang_getCursorType(k.c[0]));

            /* The promoted value (a bit-field has no type of its own),
             * but an enum keeps its type for -Wswitch. */
            cc_edit_add(&w->ed, w->x.t[open].end, "MP__CC_SW_BEGIN %s(",
                        t.kind == CXType_Enum ? "" : "+");
            cc_edit_add(&w->ed, w->x.t[close].off, ") MP__CC_SW_END(%d)",
                        site(w, u->line));
        }
        for (size_t i = 1; i < k.n; i++)
            body(w, k.c[i]);
        break;
    case CXCursor_ForStmt: {
        size_t i = tok_at(&w->x, u->start);
        size_t semi[2];
        int nsemi = 0;
        int depth = 0;
        CXCursor b = k.c[k.n - 1];

        if (!tok_is(&w->x, i, "for") || !tok_is(&w->x, i + 1, "(") ||
            (close = tok_close(&w->x, i + 1)) >= w->x.nt)
            goto for_body;
        for (size_t j = i + 1; j < close && nsemi < 2; j++) {
            if (tok_is(&w->x, j, "(") || tok_is(&w->x, j, "[") ||
                tok_is(&w->x, j, "{"))
                depth++;
            else if (tok_is(&w->x, j, ")") || tok_is(&w->x, j, "]") ||
                     tok_is(&w->x, j, "}"))
                depth--;
            else if (depth == 1 && tok_is(&w->x, j, ";"))
                semi[nsemi++] = j;
        }
        if (nsemi != 2 || same_line_body(w, b, close))
            goto for_body;
        if (semi[1] == semi[0] + 1)
            cc_edit_add(&w->ed, w->x.t[semi[0]].end,
                        " MP__CC_IF(%d)(1) MP__CC_FI(%d)", site(w, u->line),
                        site(w, u->line));
        else
            wrap_cond(w, semi[0], semi[1], u->line);
    for_body:
        body(w, b);
        break;
    }
    case CXCursor_DoStmt: {
        unit b = unit_of(w, k.c[0]);
        size_t i = tok_at(&w->x, b.end);

        body(w, k.c[0]);
        if (tok_is(&w->x, i, "while") &&
            header(w, w->x.t[i].off, &open, &close) == 0)
            wrap_cond(w, open, close, line_of(&w->x, w->x.t[i].off));
        break;
    }
    default:
        break;
    }
out:
    free(k.c);
}

/*
 * records_first() - whether running u records on u's line before any
 * other line records: then a statement before it on that line need not.
 */
static int records_first(const rw *w, const unit *u)
{
    enum CXCursorKind k = kind_of(u->c);

    if (u->own)
        return 1;
    if (k == CXCursor_NullStmt || k == CXCursor_CompoundStmt)
        return 0;
    if (is_control(k))
        return !u->macro &&
               (k != CXCursor_DoStmt || line_of(&w->x, u->end - 1) == u->line);
    return 1;
}

/* statement() - u, a statement of a block; it records after itself when
 * after is set (no later statement on its line records instead). */
static void statement(rw *w, const unit *u, int after)
{
    enum CXCursorKind k = kind_of(u->c);

    if (u->own || k == CXCursor_NullStmt)
        return;
    if (k == CXCursor_CompoundStmt && !u->macro) {
        block(w, u->c);
    } else if (k == CXCursor_ReturnStmt || k == CXCursor_BreakStmt ||
               k == CXCursor_ContinueStmt || k == CXCursor_GotoStmt ||
               k == CXCursor_IndirectGotoStmt) {
        record_before(w, u->start, u->line, k == CXCursor_ReturnStmt);
    } else if (is_control(k) && line_of(&w->x, u->end - 1) != u->line) {
        control(w, u);
    } else {
        /* Jumps first: their closing braces go before the reading. */
        if (is_control(k) && !u->macro)
            jumps(w, u->c, 0, 0);
        if (after)
            record_after(w, u->end, u->line, k == CXCursor_DeclStmt);
    }
}

/* body() - c, the body of a control statement; braced if it is not. */
static void body(rw *w, CXCursor c)
{
    unit u;

    if (kind_of(c) == CXCursor_CompoundStmt &&
        in_main(clang_getRangeStart(clang_getCursorExtent(c)))) {
        block(w, c);
        return;
    }
    if (kind_of(c) == CXCursor_NullStmt)
        return;
    u = unit_of(w, c);
    cc_edit_add(&w->ed, u.start, "{ ");
    if (is_label(kind_of(c))) {
        CXCursor s;

        if (inner(w, c, &s)) {
            unit v = unit_of(w, s);

            statement(w, &v, 1);
        }
    } else {
        statement(w, &u, 1);
    }
    cc_edit_add(&w->ed, u.end, " }");
}

/* block() - the statements of a compound statement. */
static void block(rw *w, CXCursor compound)
{
    kids k = children(w, compound);
    unit *u = calloc(k.n + 1, sizeof *u);
    size_t n = 0;

    if (u == NULL) {
        w->ed.oom = 1;
        free(k.c);
        return;
    }
    for (size_t i = 0; i < k.n; i++) {
        CXCursor s;
        unit v;

        if (!inner(w, k.c[i], &s))
            continue;
        v = unit_of(w, s);
        /* A macro that expands to several statements is one. */
        if (v.macro && n > 0 && u[n - 1].macro && u[n - 1].mstart == v.mstart &&
            !is_label(kind_of(k.c[i]))) {
            if (v.end > u[n - 1].end)
                u[n - 1].end = v.end;
            u[n - 1].own |= v.own;
            continue;
        }
        u[n++] = v;
    }
    for (size_t i = 0; i < n; i++) {
        int after = i + 1 == n || u[i + 1].line != u[i].line ||
                    !records_first(w, &u[i + 1]);

        statement(w, &u[i], after);
    }
    free(u);
    free(k.c);
}

/* ---- Functions ------------------------------------------------------- */

static int wanted(const rw *w, const char *name)
{
    for (size_t i = 0; i < w->funcs->n; i++)
        if (fnmatch(w->funcs->pat[i], name, 0) == 0)
            return 1;
    return 0;
}

/*
 * include_at() - where "#include <memprof.h>" can go before the
 * declaration at off: after the last ';' or '}' before it and after the
 * last directive line before it (not between attributes and the
 * declaration they belong to).
 */
static size_t include_at(const rw *w, size_t off)
{
    size_t i = tok_at(&w->x, off);
    size_t at = 0;
    int line;

    while (i > 0) {
        i--;
        if (tok_is(&w->x, i, ";") || tok_is(&w->x, i, "}")) {
            at = w->x.t[i].end;
            break;
        }
    }
    for (line = line_of(&w->x, off) - 1; line >= 1; line--)
        if (w->x.directive[line - 1])
            break;
    if (line >= 1 && line < w->x.nlines && w->x.line_at[line] > at)
        at = w->x.line_at[line];
    /* After a '}' or ';' that ends its line: on the next line. */
    line = line_of(&w->x, at);
    if (line < w->x.nlines &&
        strspn(w->x.src + at, " \t\r") == w->x.line_at[line] - 1 - at)
        at = w->x.line_at[line];
    return at;
}

static void add_include(rw *w, size_t at)
{
    int line = line_of(&w->x, at);
    int bol = w->x.line_at[line - 1] == at;

    cc_edit_add(&w->ed, at, "%s#include <memprof.h>\n#line %d \"%s\"\n",
                bol ? "" : "\n", line, w->name_lit);
}

/* add_sites() - the array of the function's sites, inserted at off. */
static void add_sites(rw *w, size_t off)
{
    size_t len = 32;
    char *text;
    char *p;

    for (int i = 0; i < w->nsites; i++)
        len += 48 + strlen(text_of(&w->x, w->lines_of[i]));
    text = malloc(len);
    if (text == NULL) {
        w->ed.oom = 1;
        return;
    }
    p = text + sprintf(text, " MP__CC_SITES(");
    for (int i = 0; i < w->nsites; i++)
        p += sprintf(p, "%sMP__CC_S(%d, \"%s\")", i > 0 ? ", " : "",
                     w->lines_of[i], text_of(&w->x, w->lines_of[i]));
    sprintf(p, ")");
    cc_edit_add(&w->ed, off, "%s", text);
    free(text);
}

static enum CXChildVisitResult function(CXCursor c, CXCursor parent,
                                        CXClientData data)
{
    rw *w = data;
    kids k;
    CXString name;
    int profile;
    size_t i;

    (void)parent;
    if (kind_of(c) != CXCursor_FunctionDecl || !clang_isCursorDefinition(c) ||
        !in_main(clang_getCursorLocation(c)) ||
        !in_main(clang_getRangeStart(clang_getCursorExtent(c))))
        return CXChildVisit_Continue;
    k = children(w, c);
    for (i = k.n; i > 0 && kind_of(k.c[i - 1]) != CXCursor_CompoundStmt; i--)
        ;
    if (i == 0 ||
        !in_main(clang_getRangeStart(clang_getCursorExtent(k.c[i - 1])))) {
        free(k.c);
        return CXChildVisit_Continue;
    }
    CXCursor fbody = k.c[i - 1];
    free(k.c);

    /* Profiled: MP_PROFILE_FUNC first, or a --func pattern. */
    k = children(w, fbody);
    int has_entry = 0;
    size_t sites_at =
        file_off(clang_getRangeStart(clang_getCursorExtent(fbody))) + 1;
    if (k.n > 0) {
        unit first = unit_of(w, k.c[0]);

        has_entry =
            first.macro &&
            (ident_at(&w->x, first.mstart, "MP_PROFILE_FUNC") ||
             ident_at(&w->x, first.mstart, "MP_PROFILE_FUNC_PRECISION"));
    }
    free(k.c);
    name = clang_getCursorSpelling(c);
    profile = has_entry || wanted(w, clang_getCString(name));
    clang_disposeString(name);
    if (!profile)
        return CXChildVisit_Continue;

    CXSourceRange ext = clang_getCursorExtent(c);
    size_t start = file_off(clang_getRangeStart(ext));
    if (w->profiled++ == 0)
        add_include(w, include_at(w, start));
    if (!has_entry) {
        int line = line_of(&w->x, file_off(clang_getCursorLocation(c)));

        cc_edit_add(&w->ed, sites_at, " MP__CC_FUNC(%d, \"%s\")", line,
                    text_of(&w->x, line));
    }

    /* The lines' sites, declared once the body has said which. */
    w->first = line_of(&w->x, start);
    w->nlines_fn =
        line_of(&w->x, file_off(clang_getRangeEnd(ext))) - w->first + 1;
    w->nsites = 0;
    free(w->site_of);
    free(w->lines_of);
    w->site_of = malloc((size_t)w->nlines_fn * sizeof *w->site_of);
    w->lines_of = malloc((size_t)w->nlines_fn * sizeof *w->lines_of);
    if (w->site_of == NULL || w->lines_of == NULL) {
        w->ed.oom = 1;
        return CXChildVisit_Break;
    }
    for (int l = 0; l < w->nlines_fn; l++)
        w->site_of[l] = -1;
    block(w, fbody);
    if (w->nsites > 0)
        add_sites(w, sites_at);
    return CXChildVisit_Continue;
}

/* ---- Set-up ---------------------------------------------------------- */

int cc_rewrite(const char *path, const char *name, const char *const *args,
               int nargs, const cc_funcs *funcs, char **out, size_t *outlen,
               char *why, size_t whylen)
{
    CXIndex index = clang_createIndex(0, 0);
    rw w;
    int rc = CC_FAILED;

    memset(&w, 0, sizeof w);
    w.funcs = funcs;
    w.name_lit = literal(name);
    snprintf(why, whylen, "out of memory");
    if (index == NULL || w.name_lit == NULL ||
        cc_text_parse(&w.x, index, path, args, nargs, why, whylen) != 0)
        goto done;

    /* The first edit: the original's name and lines from the start. */
    cc_edit_add(&w.ed, 0, "#line 1 \"%s\"\n", w.name_lit);
    clang_visitChildren(clang_getTranslationUnitCursor(w.x.tu), function, &w);
    if (w.ed.oom)
        goto done;
    if (w.profiled == 0) {
        rc = CC_NOTHING;
        why[0] = '\0';
        goto done;
    }
    *out = cc_edits_apply(&w.ed, w.x.src, w.x.len, outlen);
    if (*out != NULL) {
        rc = CC_REWRITTEN;
        why[0] = '\0';
    }
done:
    free(w.name_lit);
    free(w.site_of);
    free(w.lines_of);
    cc_edits_free(&w.ed);
    cc_text_free(&w.x);
    if (index != NULL)
        clang_disposeIndex(index);
    return rc;
}
