/*
 * deps.c - the dependency files that -MD, -MMD and -Wp,-MD,FILE make the
 * compiler write, made to name the original source instead of the copy
 * memprof cc compiled: found where gcc and clang put them, the copy's
 * path replaced as they escape paths for make.
 */
#define _GNU_SOURCE /* memmem, asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "deps.h"

/* replace_all() - text with every from made to; NULL if out of memory. */
static char *replace_all(const char *text, size_t len, const char *from,
                         const char *to, size_t *outlen)
{
    size_t nf = strlen(from);
    size_t nt = strlen(to);
    size_t count = 0;
    const char *p = text;
    const char *hit;

    while ((hit = memmem(p, len - (size_t)(p - text), from, nf)) != NULL) {
        count++;
        p = hit + nf;
    }
    char *out = malloc(len + count * (nt > nf ? nt - nf : 0) + 1);
    char *q = out;
    if (out == NULL)
        return NULL;
    p = text;
    while ((hit = memmem(p, len - (size_t)(p - text), from, nf)) != NULL) {
        memcpy(q, p, (size_t)(hit - p));
        q += hit - p;
        memcpy(q, to, nt);
        q += nt;
        p = hit + nf;
    }
    memcpy(q, p, len - (size_t)(p - text));
    q += len - (size_t)(p - text);
    *q = '\0';
    *outlen = (size_t)(q - out);
    return out;
}

/*
 * dep_name() - path as gcc and clang write it into a dependency file, for
 * make to read: a blank or '#' escaped with a backslash (and each
 * backslash just before a blank doubled), '$' as "$$".  NULL if out of
 * memory.
 */
static char *dep_name(const char *path)
{
    char *out = malloc(strlen(path) * 2 + 1);
    char *q = out;

    if (out == NULL)
        return NULL;
    for (const char *p = path; *p != '\0'; p++) {
        if (*p == ' ' || *p == '\t') {
            for (const char *b = p; b > path && b[-1] == '\\'; b--)
                *q++ = '\\';
            *q++ = '\\';
        } else if (*p == '#') {
            *q++ = '\\';
        } else if (*p == '$') {
            *q++ = '$';
        }
        *q++ = *p;
    }
    *q = '\0';
    return out;
}

/*
 * stem_d() - prefix, then path's last component without its suffix (or
 * all of path, keep_dir set), then ".d"; NULL if out of memory.
 */
static char *stem_d(const char *prefix, const char *path, int keep_dir)
{
    const char *last = strrchr(path, '/');
    const char *base = keep_dir || last == NULL ? path : last + 1;
    const char *dot = strrchr(base, '.');
    const char *slash = strrchr(base, '/');
    size_t stem = dot != NULL && (slash == NULL || dot > slash)
                      ? (size_t)(dot - base)
                      : strlen(base);
    char *d;

    if (asprintf(&d, "%s%.*s.d", prefix, (int)stem, base) < 0)
        return NULL;
    return d;
}

/*
 * dep_paths() - the files in which -MD, -MMD or -Wp,-MD,FILE may have
 * written the dependencies of the source argv[arg], into d[5] (NULL where
 * none): -MF's, the -Wp one, the output's name with ".d", the source's base
 * name with
 * ".d", and "a-" before it (gcc 11 and later, linking with no -o).
 */
static void dep_paths(const cc_command *cmd, int arg, char *d[5])
{
    const char *out = NULL;
    const char *wp;
    size_t len;

    memset(d, 0, 5 * sizeof *d);
    if (cmd->depfile != 0)
        d[0] = strdup(cmd->argv[cmd->depfile]);
    else if (cmd->depfile_attached != 0)
        d[0] = strdup(cmd->argv[cmd->depfile_attached] + 3);
    if (cmd->depfile_wp != 0 &&
        (wp = cc_wp_depfile(cmd->argv[cmd->depfile_wp], &len)) != NULL)
        d[1] = strndup(wp, len);
    if (cmd->output != 0)
        out = cmd->argv[cmd->output];
    else if (cmd->output_attached != 0)
        out = cmd->argv[cmd->output_attached] + 2;
    if (out != NULL) {
        d[2] = stem_d("", out, 1);
    } else {
        d[3] = stem_d("", cmd->argv[arg], 0);
        if (cmd->links)
            d[4] = stem_d("a-", cmd->argv[arg], 0);
    }
}

/*
 * fix_dep() - make the dependency file path, if it names the copy (from,
 * escaped as in the file), name the original (to, escaped) instead.
 */
static void fix_dep(const char *path, const char *from, const char *to,
                    const char *orig)
{
    size_t len;
    size_t fixedlen;
    char *text = cc_read_file(path, &len);
    char *fixed;

    if (text == NULL)
        return;
    if (memmem(text, len, from, strlen(from)) != NULL) {
        fixed = replace_all(text, len, from, to, &fixedlen);
        if (fixed == NULL || cc_write_file(path, fixed, fixedlen) != 0)
            cc_warn("%s: cannot rewrite it to name %s", path, orig);
        free(fixed);
    }
    free(text);
}

void cc_fix_deps(const cc_command *cmd, int arg, const char *copy)
{
    const char *orig = cmd->argv[arg];
    char *from = dep_name(copy);
    char *to = dep_name(orig);
    char *d[5];

    dep_paths(cmd, arg, d);
    for (int k = 0; k < 5; k++) {
        if (d[k] != NULL && from != NULL && to != NULL)
            fix_dep(d[k], from, to, orig);
        free(d[k]);
    }
    if (from == NULL || to == NULL)
        cc_warn("out of memory: the dependency files of %s name its copy",
                orig);
    free(from);
    free(to);
}
