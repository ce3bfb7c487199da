/*
 * json.c - the JSON reader of memprof diff (see json.h): recursive
 * descent over the text in memory, one function per kind of value,
 * depth-limited, every allocation checked.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "json.h"

/* A parse under way. */
typedef struct parser {
    const char *start;
    const char *p;
    const char *end;
    int depth;
    int rc; /* 0, or the first error: -EINVAL, -ENOMEM */
    char *err;
    size_t errsize;
} parser;

/*
 * fail() - note the first error, at where (line and column of the text),
 * and return -1.  A later error (an outer value's) is not noted.
 */
__attribute__((format(printf, 3, 4))) static int
fail(parser *ps, const char *where, const char *fmt, ...)
{
    if (ps->rc != 0)
        return -1;
    int line = 1;
    int col = 1;
    for (const char *q = ps->start; q < where && q < ps->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*q & 0xc0) != 0x80) {
            col++; /* a character, not a continuation byte */
        }
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errsize, "%d:%d: %s", line, col, msg);
    ps->rc = -EINVAL;
    return -1;
}

/* oom() - note that memory ran out, and return -1. */
static int oom(parser *ps)
{
    if (ps->rc == 0) {
        snprintf(ps->err, ps->errsize, "out of memory");
        ps->rc = -ENOMEM;
    }
    return -1;
}

/* skip_blanks() - past JSON's four blanks. */
static void skip_blanks(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

/* what() - how a message names the character at p. */
static const char *what(const parser *ps, const char *p, char buf[16])
{
    if (p >= ps->end)
        return "the end of the text";
    unsigned char c = (unsigned char)*p;
    if (c >= 0x21 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

/* hex4() - the four hex digits at p as a number, or -1. */
static long hex4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* put_utf8() - code point cp as UTF-8 at q; returns the bytes written. */
static int put_utf8(char *q, unsigned long cp)
{
    if (cp < 0x80) {
        q[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        q[0] = (char)(0xc0 | (cp >> 6));
        q[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        q[0] = (char)(0xe0 | (cp >> 12));
        q[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        q[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    q[0] = (char)(0xf0 | (cp >> 18));
    q[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    q[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    q[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/*
 * parse_string() - the string at ps->p (at its '"'), decoded, into a new
 * buffer in *out.  Decoded, a string is never longer than its text.
 */
static int parse_string(parser *ps, char **out)
{
    const char *open = ps->p++;
    const char *q = ps->p;
    while (q < ps->end && *q != '"') /* its end, for the buffer's size */
        q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
    if (q >= ps->end)
        return fail(ps, open, "a string that does not end");
    char *s = malloc((size_t)(q - ps->p) + 1);
    if (s == NULL)
        return oom(ps);
    char *w = s;
    while (*ps->p != '"') {
        const char *at = ps->p;
        unsigned char c = (unsigned char)*at;
        if (c < 0x20) {
            free(s);
            return fail(ps, at, "a control character (0x%02x) in a string", c);
        }
        if (c != '\\') {
            int n =
                mp__utf8_len((const unsigned char *)at, (size_t)(ps->end - at));
            if (n == 0) {
                free(s);
                return fail(ps, at, "byte 0x%02x in a string is not UTF-8", c);
            }
            memcpy(w, at, (size_t)n);
            w += n;
            ps->p += n;
            continue;
        }
        char e = at[1];
        ps->p += 2;
        const char *plain = strchr("\"\\/bfnrt", e);
        if (e != '\0' && plain != NULL) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            *w++ = map[plain - "\"\\/bfnrt"];
            continue;
        }
        long cp = e == 'u' && ps->end - ps->p >= 4 ? hex4(ps->p) : -1;
        if (cp < 0) {
            free(s);
            return fail(ps, at, "a bad escape in a string");
        }
        ps->p += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            long lo =
                ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u'
                    ? hex4(ps->p + 2)
                    : -1;
            if (lo < 0xdc00 || lo > 0xdfff) {
                free(s);
                return fail(ps, at, "a lone surrogate (\\u%04lx) in a string",
                            cp);
            }
            ps->p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            free(s);
            return fail(ps, at, "a lone surrogate (\\u%04lx) in a string", cp);
        } else if (cp == 0) {
            free(s);
            return fail(ps, at, "\\u0000 in a string");
        }
        w += put_utf8(w, (unsigned long)cp);
    }
    ps->p++;
    *w = '\0';
    *out = s;
    return 0;
}

/* parse_number() - the number at ps->p, by JSON's grammar, into *out. */
static int parse_number(parser *ps, double *out)
{
    const char *s = ps->p;
    const char *q = s;
    if (q < ps->end && *q == '-')
        q++;
    if (q < ps->end && *q == '0') {
        q++;
    } else if (q < ps->end && *q >= '1' && *q <= '9') {
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    } else {
        return fail(ps, s, "a malformed number");
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return fail(ps, s, "a malformed number");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return fail(ps, s, "a malformed number");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    char buf[64];
    size_t n = (size_t)(q - s);
    if (n >= sizeof buf)
        return fail(ps, s, "a number of more than %zu characters",
                    sizeof buf - 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    double v = strtod(buf, NULL);
    if (!isfinite(v))
        return fail(ps, s, "a number out of range");
    *out = v;
    ps->p = q;
    return 0;
}

static int parse_value(parser *ps, json_value *v);

/* grow() - room for n + 1 elements of size in *arr (capacity *cap). */
static int grow(void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap != 0 ? 2 * *cap : 8;
    if (ncap > ((size_t)-1 >> 2) / size)
        return -1;
    void *p = realloc(*(void **)arr, ncap * size);
    if (p == NULL)
        return -1;
    *(void **)arr = p;
    *cap = ncap;
    return 0;
}

/*
 * parse_container() - the array or object at ps->p (at its '[' or '{')
 * into v, its items added as they parse, so that json_free() frees a
 * partial one.
 */
static int parse_container(parser *ps, json_value *v)
{
    int object = *ps->p == '{';
    char close = object ? '}' : ']';
    size_t cap = 0;
    size_t kcap = 0;
    char c16[16];
    v->type = object ? JSON_OBJECT : JSON_ARRAY;
    if (++ps->depth > JSON_MAX_DEPTH)
        return fail(ps, ps->p, "nested more than %d deep", JSON_MAX_DEPTH);
    ps->p++;
    skip_blanks(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_blanks(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, ps->p, "expected a member's name, not %s",
                            what(ps, ps->p, c16));
            if (parse_string(ps, &key) != 0)
                return -1;
            skip_blanks(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                return fail(ps, ps->p, "expected ':', not %s",
                            what(ps, ps->p, c16));
            }
            ps->p++;
            if (grow(&v->keys, v->n, &kcap, sizeof *v->keys) != 0) {
                free(key);
                return oom(ps);
            }
        }
        if (grow(&v->items, v->n, &cap, sizeof *v->items) != 0) {
            free(key);
            return oom(ps);
        }
        if (object)
            v->keys[v->n] = key;
        memset(&v->items[v->n], 0, sizeof *v->items);
        v->n++;
        if (parse_value(ps, &v->items[v->n - 1]) != 0)
            return -1;
        skip_blanks(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            ps->depth--;
            return 0;
        }
        return fail(ps, ps->p, "expected ',' or '%c' in %s, not %s", close,
                    object ? "an object" : "an array", what(ps, ps->p, c16));
    }
}

/* word() - whether the text at ps->p is w; if so, past it. */
static int word(parser *ps, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

/* parse_value() - the value at ps->p (after blanks) into v, zeroed. */
static int parse_value(parser *ps, json_value *v)
{
    char c16[16];
    skip_blanks(ps);
    if (ps->p >= ps->end)
        return fail(ps, ps->p, "expected a value, not the end of the text");
    switch (*ps->p) {
    case '{':
    case '[':
        return parse_container(ps, v);
    case '"':
        v->type = JSON_STRING;
        return parse_string(ps, &v->string);
    case 't':
    case 'f':
    case 'n':
        if (word(ps, "true") || word(ps, "false")) {
            v->type = JSON_BOOL;
            v->boolean = ps->p[-4] == 't';
            return 0;
        }
        if (word(ps, "null")) {
            v->type = JSON_NULL;
            return 0;
        }
        break;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
            v->type = JSON_NUMBER;
            return parse_number(ps, &v->number);
        }
        break;
    }
    return fail(ps, ps->p, "expected a value, not %s", what(ps, ps->p, c16));
}

/* json_parse() - see json.h. */
int json_parse(const char *text, size_t len, json_value *out, char *err,
               size_t errsize)
{
    parser ps = {text, text, text + len, 0, 0, err, errsize};
    char c16[16];
    memset(out, 0, sizeof *out);
    if (errsize > 0)
        err[0] = '\0';
    if (parse_value(&ps, out) == 0) {
        skip_blanks(&ps);
        if (ps.p < ps.end)
            fail(&ps, ps.p, "%s after the end of the value",
                 what(&ps, ps.p, c16));
    }
    if (ps.rc != 0)
        json_free(out);
    return ps.rc;
}

/* json_free() - see json.h. */
void json_free(json_value *v)
{
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->n; i++) {
            json_free(&v->items[i]);
            if (v->keys != NULL)
                free(v->keys[i]);
        }
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    memset(v, 0, sizeof *v);
}

/* json_get() - see json.h. */
const json_value *json_get(const json_value *v, const char *key)
{
    if (v == NULL || v->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}
