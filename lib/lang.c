/*
 * lang.c - what C++ asks of the library: the name of a lambda's table.
 *
 * In a C++ lambda, __func__ is "operator()", so memprof.h puts
 * __PRETTY_FUNCTION__ in its sites instead, which names the enclosing
 * function, differently with each compiler:
 *
 *     g++      main()::<lambda(int)>
 *              ns::nf()::<lambda()>::<lambda(int, char)>
 *     clang++  auto main()::(anonymous class)::operator()(int) const
 *              (clang 17 and later: "(lambda at FILE:LINE:COL)")
 *
 * The table is named after the enclosing function as its own __func__
 * would name it, and "::<lambda>" for each lambda: "main::<lambda>",
 * "nf::<lambda>::<lambda>", the same with both compilers.
 *
 * Nothing here is on the hot path: it runs when a group is made and when
 * a span ends under memprof run.
 */
#include <string.h>

#include "internal.h"

/* The texts that mark one lambda level in a __PRETTY_FUNCTION__. */
static const char *const markers[] = {"<lambda(",
                                      "(anonymous class)::", "(lambda at "};

/*
 * first_marker() - where the first lambda marker in s is, and how many
 * there are in *count.  NULL when there is none.
 */
static const char *first_marker(const char *s, int *count)
{
    const char *first = NULL;
    *count = 0;
    for (size_t k = 0; k < sizeof markers / sizeof markers[0]; k++) {
        for (const char *p = strstr(s, markers[k]); p != NULL;
             p = strstr(p + 1, markers[k])) {
            ++*count;
            if (first == NULL || p < first)
                first = p;
        }
    }
    return first;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '~' || c == '$';
}

/*
 * enclosing() - in s[0..end), the declaration of the enclosing function
 * ("auto ns::nf()", "S::m(int) const", "tf<int>(int)"): its unqualified
 * name, as [*start, *stop).  Returns 0, or -1 when there is none (a
 * lambda outside functions).
 */
static int enclosing(const char *s, size_t end, size_t *start, size_t *stop)
{
    size_t close = end;
    while (close > 0 && s[close - 1] != ')')
        close--;
    if (close == 0)
        return -1;
    /* Back to the '(' of the parameter list. */
    size_t i = close - 1;
    int depth = 0;
    for (;;) {
        if (s[i] == ')')
            depth++;
        else if (s[i] == '(' && --depth == 0)
            break;
        if (i == 0)
            return -1;
        i--;
    }
    size_t e = i;
    /* Template arguments: tf<int>(int). */
    if (e > 0 && s[e - 1] == '>') {
        depth = 0;
        while (e > 0) {
            e--;
            if (s[e] == '>')
                depth++;
            else if (s[e] == '<' && --depth == 0)
                break;
        }
    }
    size_t b = e;
    if (b >= 10 && strncmp(s + b - 10, "operator()", 10) == 0) {
        b -= 10;
    } else {
        while (b > 0 && is_name_char(s[b - 1]))
            b--;
        if (b == e) {
            /* operator+, operator<<, ...: symbols after "operator". */
            while (b > 0 && strchr("+-*/%^&|!=<>,[]", s[b - 1]) != NULL)
                b--;
            if (b >= 8 && strncmp(s + b - 8, "operator", 8) == 0)
                b -= 8;
        }
    }
    if (b == e)
        return -1;
    *start = b;
    *stop = e;
    return 0;
}

/* mp__func_name() - see internal.h. */
int mp__func_name(const char *func, char *out, size_t size)
{
    int lambdas = 0;
    const char *m = first_marker(func, &lambdas);
    size_t n = 0;
    if (size == 0)
        return lambdas;
    if (m == NULL) {
        /* __func__ itself, or a functor's operator() in C++. */
        snprintf(out, size, "%s",
                 strchr(func, '(') != NULL ? "operator()" : func);
        return 0;
    }
    size_t b;
    size_t e;
    if (enclosing(func, (size_t)(m - func), &b, &e) == 0)
        n = (size_t)snprintf(out, size, "%.*s", (int)(e - b), func + b);
    else
        out[0] = '\0';
    for (int k = 0; k < lambdas && n < size; k++)
        n += (size_t)snprintf(out + n, size - n, "%s<lambda>",
                              n > 0 ? "::" : "");
    return lambdas;
}
