/*
 * lexer.c - a small C lexer over a loaded source, run once when the source
 * is loaded: it finds every function body (for mp__source_function()) and,
 * for each line, where an MP_ macro call that closes on it starts (for
 * mp__source_stmt_start(): clang reports such a call by its last line).
 *
 * It knows just enough C to tell code from text: comments, string and
 * character literals (C++ raw strings too), numbers with digit separators,
 * backslash-newline splices and preprocessor directives.  It does not
 * preprocess: both branches of an #if count.
 *
 * Nothing here is on the hot path; it runs when a report is printed.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* Token kinds: a punctuator is its own character; the others are these. */
enum {
    TK_EOF = -1,
    TK_NEWLINE = 256,
    TK_IDENT,
    TK_NUMBER,
    TK_STRING, /* a string or character literal */
    TK_PP      /* a whole preprocessor directive */
};

/* What a block opened by '{' is, judged from the tokens before it. */
enum {
    BLOCK_BODY,      /* a function body (or any other block) */
    BLOCK_CONTAINER, /* extern "C", namespace, struct, class: look in */
    BLOCK_INIT       /* an initialiser: "= {" */
};

/* The deepest parenthesis nesting mp__source_stmt_start() remembers. */
#define PAREN_MAX 64

/* A position in a source: on line index line, at p in its text. */
typedef struct cursor {
    const mp__source *src;
    int line;      /* 0-based index into src->lines */
    const char *p; /* in src->lines[line] */
} cursor;

/* One token: its kind, its 1-based line and where its text starts. */
typedef struct token {
    int kind;
    int line;
    cursor at;
} token;

/* The lexer's state: where it is and whether a '#' would start a line. */
typedef struct lexer {
    cursor c;
    int bol; /* only blanks and comments so far on a line */
} lexer;

/* A block opened and not yet closed, for mp__source_function(). */
typedef struct block {
    int open;      /* line of its '{' */
    int first;     /* first line of the declaration before it */
    int kind;      /* BLOCK_* */
    int candidate; /* every enclosing block is a container */
    int lambda;    /* a C++ lambda's body: the line of its '[', else 0 */
} block;

/* ---- The cursor: characters with backslash-newline splices removed. */

/* cursor_init() - a cursor at the start of src. */
static cursor cursor_init(const mp__source *src)
{
    cursor c;

    c.src = src;
    c.line = 0;
    c.p = src->nlines > 0 ? src->lines[0] : "";
    return c;
}

/* is_blank() - a space or tab or the like, but not a newline. */
static int is_blank(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\f' || ch == '\v' || ch == '\r';
}

/*
 * cursor_splice() - step over any backslash that ends a line (blanks may
 * follow it, as gcc and clang allow) when another line follows.
 */
static void cursor_splice(cursor *c)
{
    while (c->p[0] == '\\' && c->line + 1 < c->src->nlines) {
        const char *q = c->p + 1;

        while (is_blank((unsigned char)*q))
            q++;
        if (*q != '\0')
            return;
        c->line++;
        c->p = c->src->lines[c->line];
    }
}

/*
 * cursor_peek() - the character at c: a byte, '\n' at the end of a line
 * that another follows, or TK_EOF at the end of the last.
 */
static int cursor_peek(cursor *c)
{
    cursor_splice(c);
    if (c->p[0] != '\0')
        return (unsigned char)c->p[0];
    return c->line + 1 < c->src->nlines ? '\n' : TK_EOF;
}

/* cursor_next() - step past the character at c; at TK_EOF, stay. */
static void cursor_next(cursor *c)
{
    cursor_splice(c);
    if (c->p[0] != '\0') {
        c->p++;
    } else if (c->line + 1 < c->src->nlines) {
        c->line++;
        c->p = c->src->lines[c->line];
    }
}

/* cursor_peek2() - the character after the one at c. */
static int cursor_peek2(const cursor *c)
{
    cursor d = *c;

    cursor_next(&d);
    return cursor_peek(&d);
}

/*
 * cursor_skip() - if the text at c is s, step past it and return 1;
 * otherwise leave c and return 0.
 */
static int cursor_skip(cursor *c, const char *s)
{
    cursor d = *c;

    for (; *s != '\0'; s++) {
        if (cursor_peek(&d) != (unsigned char)*s)
            return 0;
        cursor_next(&d);
    }
    *c = d;
    return 1;
}

/* ---- The lexer. */

/* is_ident() - a character of an identifier (UTF-8 bytes included). */
static int is_ident(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' ||
           (ch >= 0x80 && ch <= 0xff);
}

/* is_digit() - a decimal digit. */
static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

/*
 * token_is() - whether t is the identifier word.  Compared through a
 * cursor, so an identifier cut by a splice still matches.
 */
static int token_is(const token *t, const char *word)
{
    cursor c = t->at;

    if (t->kind != TK_IDENT || !cursor_skip(&c, word))
        return 0;
    return !is_ident(cursor_peek(&c));
}

/* token_starts() - whether t is an identifier that starts with prefix. */
static int token_starts(const token *t, const char *prefix)
{
    cursor c = t->at;

    return t->kind == TK_IDENT && cursor_skip(&c, prefix);
}

/*
 * skip_comment() - at "/" "*", step past the comment and its end (or to
 * the end of the file); at "//", step to the newline that ends it.
 */
static void skip_comment(cursor *c)
{
    cursor_next(c);
    if (cursor_peek(c) == '/') {
        while (cursor_peek(c) != '\n' && cursor_peek(c) != TK_EOF)
            cursor_next(c);
        return;
    }
    cursor_next(c);
    while (cursor_peek(c) != TK_EOF && !cursor_skip(c, "*/"))
        cursor_next(c);
}

/*
 * skip_quoted() - at a quote, step past the literal it opens: escapes
 * skip the next character; the literal ends at the same quote, or,
 * unterminated, before the end of its line.
 */
static void skip_quoted(cursor *c)
{
    int quote = cursor_peek(c);

    cursor_next(c);
    for (;;) {
        int ch = cursor_peek(c);

        if (ch == TK_EOF || ch == '\n')
            return;
        cursor_next(c);
        if (ch == quote)
            return;
        if (ch == '\\' && cursor_peek(c) != '\n' && cursor_peek(c) != TK_EOF)
            cursor_next(c);
    }
}

/*
 * skip_raw() - at the quote of R"delim( ... )delim", step past the whole
 * raw string and return 1; if no valid "delim(" follows the quote, leave
 * c and return 0.
 */
static int skip_raw(cursor *c)
{
    char close[1 + 16 + 2];
    size_t n = 0;
    cursor d = *c;

    close[n++] = ')';
    cursor_next(&d);
    for (;;) {
        int ch = cursor_peek(&d);

        if (ch == '(')
            break;
        if (n == 1 + 16 || ch == TK_EOF || ch == '\n' || ch == '\\' ||
            ch == ')' || ch == '"' || is_blank(ch))
            return 0;
        close[n++] = (char)ch;
        cursor_next(&d);
    }
    close[n++] = '"';
    close[n] = '\0';
    cursor_next(&d);
    while (cursor_peek(&d) != TK_EOF && !cursor_skip(&d, close))
        cursor_next(&d);
    *c = d;
    return 1;
}

/* is_raw_prefix() - an identifier that makes the next '"' a raw string. */
static int is_raw_prefix(const token *t)
{
    return token_is(t, "R") || token_is(t, "LR") || token_is(t, "uR") ||
           token_is(t, "UR") || token_is(t, "u8R");
}

/*
 * lex_token() - the next token at lx, blanks and comments skipped: a
 * punctuator (one character), an identifier, a number, a literal, a
 * TK_NEWLINE or TK_EOF.  Fills t and returns its kind.
 */
static int lex_token(lexer *lx, token *t)
{
    cursor *c = &lx->c;
    int ch;

    for (;;) {
        ch = cursor_peek(c);
        if (is_blank(ch))
            cursor_next(c);
        else if (ch == '/' &&
                 (cursor_peek2(c) == '*' || cursor_peek2(c) == '/'))
            skip_comment(c);
        else
            break;
    }
    t->at = *c;
    t->line = c->line + 1;
    if (ch == TK_EOF) {
        t->kind = TK_EOF;
    } else if (ch == '\n') {
        cursor_next(c);
        t->kind = TK_NEWLINE;
    } else if (is_digit(ch) || (ch == '.' && is_digit(cursor_peek2(c)))) {
        int prev = ch;

        cursor_next(c);
        for (;;) {
            ch = cursor_peek(c);
            if (!is_ident(ch) && ch != '.' &&
                !((ch == '+' || ch == '-') &&
                  (prev == 'e' || prev == 'E' || prev == 'p' || prev == 'P')) &&
                !(ch == '\'' && is_ident(cursor_peek2(c))))
                break;
            cursor_next(c);
            prev = ch;
        }
        t->kind = TK_NUMBER;
    } else if (is_ident(ch)) {
        while (is_ident(cursor_peek(c)))
            cursor_next(c);
        t->kind = TK_IDENT;
        if (cursor_peek(c) == '"' && is_raw_prefix(t) && skip_raw(c))
            t->kind = TK_STRING;
    } else if (ch == '"' || ch == '\'') {
        skip_quoted(c);
        t->kind = TK_STRING;
    } else {
        cursor_next(c);
        t->kind = ch;
    }
    return t->kind;
}

/*
 * lex_next() - the next token that matters: newlines are dropped, and a
 * preprocessor directive (a '#' first on its line, up to the end of the
 * line, splices and comments that span lines included) is one TK_PP
 * token on the line of its '#'.  Returns the kind, TK_EOF at the end.
 */
static int lex_next(lexer *lx, token *t)
{
    for (;;) {
        int bol = lx->bol;

        lx->bol = 0;
        switch (lex_token(lx, t)) {
        case TK_NEWLINE:
            lx->bol = 1;
            break;
        case '#':
            if (bol) {
                token skipped;

                while (lex_token(lx, &skipped) != TK_NEWLINE &&
                       skipped.kind != TK_EOF)
                    continue;
                lx->bol = 1;
                t->kind = TK_PP;
                return t->kind;
            }
            return t->kind;
        default:
            return t->kind;
        }
    }
}

/* lexer_init() - a lexer at the start of src. */
static lexer lexer_init(const mp__source *src)
{
    lexer lx;

    lx.c = cursor_init(src);
    lx.bol = 1;
    return lx;
}

/* ---- Functions. */

/*
 * skip_attribute() - if toks[i] starts an attribute (__attribute__((...)),
 * __declspec(...), alignas(...), [[...]]), the index after it, else i.
 * Never past end.
 */
static size_t skip_attribute(const token *toks, size_t i, size_t end)
{
    int open;
    int close;
    int depth = 0;
    size_t j = i;

    if (token_is(&toks[i], "__attribute__") ||
        token_is(&toks[i], "__attribute") || token_is(&toks[i], "__declspec") ||
        token_is(&toks[i], "alignas") || token_is(&toks[i], "_Alignas")) {
        j++;
        open = '(';
        close = ')';
        if (j == end || toks[j].kind != open)
            return j;
    } else if (toks[i].kind == '[' && i + 1 < end && toks[i + 1].kind == '[') {
        open = '[';
        close = ']';
    } else {
        return i;
    }
    for (; j < end; j++) {
        if (toks[j].kind == open)
            depth++;
        else if (toks[j].kind == close && --depth == 0)
            return j + 1;
    }
    return end;
}

/*
 * declaration_start() - the index of the first token of the declaration
 * that ends at the '{' toks[brace]: the first after the previous ';', '{',
 * '}', directive or C++ access label ("public:"), or the first token.
 */
static size_t declaration_start(const token *toks, size_t brace)
{
    size_t i = brace;

    while (i > 0) {
        const token *prev = &toks[i - 1];

        if (prev->kind == ';' || prev->kind == '{' || prev->kind == '}' ||
            prev->kind == TK_PP)
            break;
        if (prev->kind == ':' && i >= 2 &&
            (token_is(&toks[i - 2], "public") ||
             token_is(&toks[i - 2], "private") ||
             token_is(&toks[i - 2], "protected")))
            break;
        i--;
    }
    return i;
}

/*
 * knr_start() - declaration_start(), also for a K&R definition, whose '{'
 * follows the ';' of its parameters' declarations ("int f(a) int a; {"):
 * back over them to the declaration with the parameter list.
 */
static size_t knr_start(const token *toks, size_t brace)
{
    size_t start = declaration_start(toks, brace);

    if (start != brace)
        return start; /* "int f(void) {": nothing between ';' and '{' */
    while (start > 0 && toks[start - 1].kind == ';') {
        size_t semi = start - 1;
        size_t s = declaration_start(toks, semi);
        size_t k;

        for (k = s; k < semi && toks[k].kind != '('; k++)
            ;
        start = s;
        if (k < semi || s == semi) /* the parameter list, or ";;" */
            break;
    }
    return start;
}

/*
 * block_kind() - what the '{' toks[end] opens, from its declaration
 * toks[start..end): an initialiser after '='; a container for
 * extern "C" {, or when a namespace, struct, class, union or enum keyword
 * comes without a '(' outside attributes (so "struct s *f(void) {" is a
 * function); otherwise a body.
 */
static int block_kind(const token *toks, size_t start, size_t end)
{
    static const char *const keywords[] = {"namespace", "struct", "class",
                                           "union", "enum"};
    int keyword = 0;
    size_t i = start;

    if (end > start && toks[end - 1].kind == '=')
        return BLOCK_INIT;
    if (end - start == 2 && token_is(&toks[start], "extern") &&
        toks[start + 1].kind == TK_STRING)
        return BLOCK_CONTAINER;
    while (i < end) {
        size_t next = skip_attribute(toks, i, end);
        size_t k;

        if (next != i) {
            i = next;
            continue;
        }
        if (toks[i].kind == '(')
            return BLOCK_BODY;
        for (k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
            keyword |= token_is(&toks[i], keywords[k]);
        i++;
    }
    return keyword ? BLOCK_CONTAINER : BLOCK_BODY;
}

/*
 * What the single pass over the tokens keeps: for the function bodies,
 * the tokens since the last '{', '}' or directive while the next '{'
 * could open one (outside every block but containers), trimmed at each
 * ';' that ends a declaration with a '(' (a K&R definition's look back
 * stops there); for the starts, the previous token and the open
 * parentheses.  So its memory follows the longest declaration, not the
 * file.
 */
typedef struct pass {
    mp__source *src;
    token *win; /* the look-back window */
    size_t nwin;
    size_t capwin;
    size_t seg;    /* where the window's last declaration starts */
    int seg_paren; /* ... and whether it has a '(' */
    block *stack;  /* the blocks open */
    size_t depth;
    size_t capstack;
    size_t capbodies;
    struct {
        int mp;   /* the '(' follows an identifier starting "MP_" */
        int line; /* that identifier's line */
    } open[PAREN_MAX];
    size_t parens; /* parentheses open */
    token prev;    /* the token before, any kind; TK_EOF: none */
    /* For the lambdas: where a lambda's introducer may be. */
    int lam_state; /* LAM_* */
    int lam_depth; /* brackets and parentheses open in it */
    int lam_line;  /* the line of its '[' */
    int lam_fresh; /* the token after '[' is next */
    size_t caplambdas;
} pass;

/* Where the lambda scan is: nowhere, in "[...]", after it before '{'. */
enum { LAM_NONE, LAM_CAPTURE, LAM_AFTER };

/* window_push() - keep t in the window.  Returns 0 or -ENOMEM. */
static int window_push(pass *p, const token *t)
{
    if (mp__grow(&p->win, &p->capwin, p->nwin + 1, sizeof *p->win) != 0)
        return -ENOMEM;
    p->win[p->nwin++] = *t;
    return 0;
}

/* window_reset() - a '{', '}' or directive: nothing before it is needed. */
static void window_reset(pass *p)
{
    p->nwin = 0;
    p->seg = 0;
    p->seg_paren = 0;
}

/*
 * open_block() - the '{' t: judge the block it opens from the window
 * (the tokens of its declaration), and push it.  Returns 0 or -ENOMEM.
 */
static int open_block(pass *p, const token *t)
{
    block *b;
    const block *up;

    if (mp__grow(&p->stack, &p->capstack, p->depth + 1, sizeof *p->stack) !=
            0 ||
        window_push(p, t) != 0)
        return -ENOMEM;
    b = &p->stack[p->depth];
    up = p->depth > 0 ? &p->stack[p->depth - 1] : NULL;
    b->open = t->line;
    b->lambda =
        p->lam_state == LAM_AFTER && p->lam_depth == 0 ? p->lam_line : 0;
    if (b->lambda)
        p->lam_state = LAM_NONE;
    b->candidate = up == NULL || (up->candidate && up->kind == BLOCK_CONTAINER);
    b->first = t->line;
    b->kind = BLOCK_BODY;
    if (b->candidate) {
        size_t brace = p->nwin - 1;
        size_t start = knr_start(p->win, brace);

        b->first = p->win[start].line;
        b->kind = block_kind(p->win, start, brace);
    }
    p->depth++;
    window_reset(p);
    return 0;
}

/*
 * close_block() - the '}' t: a candidate body that closes is a function
 * body, into src->bodies.  Returns 0 or -ENOMEM.
 */
static int close_block(pass *p, const token *t)
{
    mp__source *src = p->src;
    const block *b;

    window_reset(p);
    if (p->depth == 0)
        return 0;
    b = &p->stack[--p->depth];
    if (b->lambda) {
        if (mp__grow(&src->lambdas, &p->caplambdas, (size_t)src->nlambdas + 1,
                     sizeof *src->lambdas) != 0)
            return -ENOMEM;
        src->lambdas[src->nlambdas].open = b->open;
        src->lambdas[src->nlambdas].first = b->lambda;
        src->lambdas[src->nlambdas].last = t->line;
        src->nlambdas++;
    }
    if (!b->candidate || b->kind != BLOCK_BODY)
        return 0;
    if (mp__grow(&src->bodies, &p->capbodies, (size_t)src->nbodies + 1,
                 sizeof *src->bodies) != 0)
        return -ENOMEM;
    src->bodies[src->nbodies].open = b->open;
    src->bodies[src->nbodies].first = b->first;
    src->bodies[src->nbodies].last = t->line;
    src->nbodies++;
    return 0;
}

/*
 * body_token() - t, for the function bodies: every function body of the
 * source, in the order they close, into src->bodies.  The body is the
 * outermost block, looking through containers (extern "C" { },
 * namespaces, classes); initialisers ("= { ... }") are not bodies.
 * Returns 0 or -ENOMEM.
 */
static int body_token(pass *p, const token *t)
{
    const block *up = p->depth > 0 ? &p->stack[p->depth - 1] : NULL;

    if (t->kind == '{')
        return open_block(p, t);
    if (t->kind == '}')
        return close_block(p, t);
    if (t->kind == TK_PP) {
        window_reset(p);
        return 0;
    }
    /* Inside a body no '{' opens a candidate: nothing to look back at. */
    if (up != NULL && !(up->candidate && up->kind == BLOCK_CONTAINER))
        return 0;
    if (t->kind == ';' && (p->seg_paren || p->seg == p->nwin) && p->seg > 0) {
        memmove(p->win, p->win + p->seg, (p->nwin - p->seg) * sizeof *p->win);
        p->nwin -= p->seg;
        p->seg = 0;
    }
    if (window_push(p, t) != 0)
        return -ENOMEM;
    if (t->kind == '(')
        p->seg_paren = 1;
    if (t->kind == ';') {
        p->seg = p->nwin;
        p->seg_paren = 0;
    }
    return 0;
}

/*
 * ends_operand() - whether a '[' after t indexes (t ends an operand:
 * "a[i]", "f()[0]") rather than starts a C++ lambda ("= [", "return [").
 */
static int ends_operand(const token *t)
{
    static const char *const keywords[] = {"return", "co_return", "co_yield",
                                           "throw", "case"};

    if (t == NULL)
        return 0;
    if (t->kind == TK_IDENT) {
        for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
            if (token_is(t, keywords[k]))
                return 0;
        return 1;
    }
    return t->kind == TK_NUMBER || t->kind == TK_STRING || t->kind == ')' ||
           t->kind == ']';
}

/*
 * lambda_token() - t, for the C++ lambdas: a '[' that does not index
 * starts an introducer ("[[" is an attribute); after its ']', up to the
 * '{' of the body, come the parameters, specifiers and a trailing return
 * type; a ';', '}' or '=' there, outside brackets, means it was none.
 * open_block() marks the body; close_block() keeps it in src->lambdas.
 */
static void lambda_token(pass *p, const token *t)
{
    const token *prev = p->prev.kind != TK_EOF ? &p->prev : NULL;
    int fresh = p->lam_fresh;

    p->lam_fresh = 0;
    switch (p->lam_state) {
    case LAM_NONE:
        if (t->kind == '[' && !ends_operand(prev)) {
            p->lam_state = LAM_CAPTURE;
            p->lam_depth = 1;
            p->lam_line = t->line;
            p->lam_fresh = 1;
        }
        return;
    case LAM_CAPTURE:
        if (t->kind == '[' && fresh) {
            p->lam_state = LAM_NONE; /* [[attribute]] */
        } else if (t->kind == '[' || t->kind == '(') {
            p->lam_depth++;
        } else if ((t->kind == ']' || t->kind == ')') && --p->lam_depth == 0) {
            p->lam_state = t->kind == ']' ? LAM_AFTER : LAM_NONE;
        } else if (t->kind == ';' || t->kind == TK_PP) {
            p->lam_state = LAM_NONE;
        }
        return;
    default:
        if (t->kind == '[' || t->kind == '(') {
            p->lam_depth++;
        } else if (t->kind == ']' || t->kind == ')') {
            if (--p->lam_depth < 0)
                p->lam_state = LAM_NONE;
        } else if (p->lam_depth == 0 && (t->kind == ';' || t->kind == '}' ||
                                         t->kind == '=' || t->kind == TK_PP)) {
            p->lam_state = LAM_NONE;
        }
        return;
    }
}

/*
 * start_token() - t, for the starts: for each line, where the call of an
 * MP_ macro whose closing parenthesis is on it starts, into src->starts
 * (0 until the end, then the line itself when none does).  Parentheses
 * are matched outside comments, literals and directives; if several MP_
 * calls close on a line, the first to close decides.
 */
static void start_token(pass *p, const token *t)
{
    mp__source *src = p->src;
    const token *prev = p->prev.kind != TK_EOF ? &p->prev : NULL;

    if (t->kind == '(') {
        if (p->parens < PAREN_MAX) {
            p->open[p->parens].mp = prev != NULL && token_starts(prev, "MP_");
            p->open[p->parens].line = prev != NULL ? prev->line : t->line;
        }
        p->parens++;
    } else if (t->kind == ')' && p->parens > 0) {
        size_t d = --p->parens;

        if (d < PAREN_MAX && p->open[d].mp && p->open[d].line < t->line &&
            t->line <= src->nlines && src->starts[t->line - 1] == 0)
            src->starts[t->line - 1] = p->open[d].line;
    }
}

/*
 * mp__lex_source() - see internal.h: one pass over the tokens, each
 * looked at once for the bodies and once for the starts, none kept but
 * what body_token() needs to look back at.  What it fills, src's owner
 * frees (mp__source_free()).
 */
int mp__lex_source(mp__source *src)
{
    lexer lx = lexer_init(src);
    pass p;
    token t;
    int rc = 0;

    if (src->nlines == 0)
        return 0;
    memset(&p, 0, sizeof p);
    p.src = src;
    p.prev.kind = TK_EOF;
    src->starts = mp__calloc((size_t)src->nlines, sizeof *src->starts);
    if (src->starts == NULL)
        return -ENOMEM;
    while (rc == 0 && lex_next(&lx, &t) != TK_EOF) {
        lambda_token(&p, &t);
        rc = body_token(&p, &t);
        start_token(&p, &t);
        p.prev = t;
    }
    for (int line = 0; line < src->nlines; line++)
        if (src->starts[line] == 0)
            src->starts[line] = line + 1;
    mp__free(p.win);
    mp__free(p.stack);
    return rc;
}
