/*
 * main.c - memprof-cc, run by `memprof cc`:
 *
 *     memprof cc [--func PATTERN]... [--show] [--] COMPILER [ARG...]
 *
 * The functions to profile are those whose body starts with
 * MP_PROFILE_FUNC() and those a --func pattern or MEMPROF_CC_FUNCS
 * (comma-separated) names.  --show prints the rewritten copies instead
 * of compiling.  See memprof(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"

static const char usage[] =
    "usage: memprof cc [--func PATTERN]... [--show] [--] COMPILER [ARG...]\n";

static int add(cc_funcs *f, const char *pat)
{
    const char **grown = realloc(f->pat, (f->n + 1) * sizeof *grown);

    if (grown == NULL)
        return -1;
    f->pat = grown;
    f->pat[f->n++] = pat;
    return 0;
}

int main(int argc, char **argv)
{
    cc_funcs funcs = {NULL, 0};
    int show = 0;
    int i = 1;
    char *env = getenv("MEMPROF_CC_FUNCS");

    for (; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(a, "--show") == 0) {
            show = 1;
        } else if (strcmp(a, "--func") == 0 || strncmp(a, "--func=", 7) == 0) {
            const char *pat = a[6] == '=' ? a + 7 : argv[++i];

            if (pat == NULL || *pat == '\0') {
                cc_warn("--func needs a function name or pattern");
                return 2;
            }
            if (add(&funcs, pat) != 0)
                goto oom;
        } else if (a[0] == '-') {
            cc_warn("'%s' is not a memprof cc option (the compiler and its "
                    "arguments come after them)",
                    a);
            fputs(usage, stderr);
            return 2;
        } else {
            break;
        }
    }
    if (i >= argc) {
        cc_warn("no compiler given");
        fputs(usage, stderr);
        return 2;
    }
    if (env != NULL && *env != '\0') {
        char *copy = strdup(env);
        char *save = NULL;

        if (copy == NULL)
            goto oom;
        for (char *p = strtok_r(copy, ",", &save); p != NULL;
             p = strtok_r(NULL, ",", &save))
            if (add(&funcs, p) != 0)
                goto oom;
    }
    return cc_compile(&funcs, argc - i, argv + i, show);
oom:
    cc_warn("out of memory");
    return 1;
}
