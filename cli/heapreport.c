/*
 * heapreport.c - memprof run --heap's leak report: the sites dumps the
 * command (and, with -C or -M, its descendants) wrote at exit, each
 * printed by mp__leaks_print() (lib/leaks.h) under a line naming its
 * process, into <recording>.leaks.txt and, with --json, one JSON object
 * in <recording>.leaks.json.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "heaprun.h"
#include "leaks.h"

/*
 * command_of() - the main program's path in the dump at path (its first
 * module line), into buf; "?" when there is none.
 */
static const char *command_of(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    char line[PATH_MAX + 128];
    snprintf(buf, size, "?");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "module ", 7) != 0)
            continue;
        char *p = line;
        for (int i = 0; i < 4 && p != NULL; i++)
            p = strchr(p + 1, ' ');
        if (p != NULL) {
            p[strcspn(p, "\n")] = '\0';
            snprintf(buf, size, "%s", p + 1);
        }
        break;
    }
    if (f != NULL)
        fclose(f);
    return buf;
}

/* cmp_long() - qsort's order of pids. */
static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a;
    long y = *(const long *)b;
    return (x > y) - (x < y);
}

/*
 * dumps() - the pids with a sites dump in dir: root first (if it has
 * one), then, with all, the others in pid order.  Returns how many, or
 * -1 out of memory; *out is the caller's to free.
 */
static long dumps(const char *dir, long root, int all, long **out)
{
    DIR *d = opendir(dir);
    long *pids = NULL;
    size_t n = 0;
    size_t cap = 0;
    int root_found = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (end == e->d_name || strcmp(end, ".sites") != 0)
            continue;
        if (pid == root) {
            root_found = 1;
            continue;
        }
        if (!all)
            continue;
        if (mp__grow(&pids, &cap, n + 2, sizeof *pids) != 0) {
            closedir(d);
            mp__free(pids);
            return -1;
        }
        pids[n++] = pid;
    }
    if (d != NULL)
        closedir(d);
    if (mp__grow(&pids, &cap, n + 1, sizeof *pids) != 0) {
        mp__free(pids);
        return -1;
    }
    qsort(pids, n, sizeof *pids, cmp_long);
    if (root_found) {
        memmove(pids + 1, pids, n * sizeof *pids);
        pids[0] = root;
        n++;
    }
    *out = pids;
    return (long)n;
}

/*
 * write_report() - the reports of the dumps of pids[n] into name, as
 * text or JSON.  Returns 0, or -1 after one line.
 */
static int write_report(const heaprun *h, const char *name, const long *pids,
                        long n, long root, int json)
{
    FILE *out = fopen(name, "we");
    if (out == NULL) {
        cli_error("cannot write %s: %s", name, strerror(errno));
        return -1;
    }
    if (json)
        fprintf(out, "{\"memprof_leaks\": {\"format\": 1}, \"processes\": [");
    for (long i = 0; i < n; i++) {
        char path[PATH_MAX + 32];
        char cmd[PATH_MAX];
        snprintf(path, sizeof path, "%s/%ld.sites", h->dir, pids[i]);
        command_of(path, cmd, sizeof cmd);
        if (json) {
            fprintf(out, "%s{\"pid\": %ld, \"root\": %s, \"command\": ",
                    i ? ", " : "", pids[i], pids[i] == root ? "true" : "false");
            mp__json_string(out, cmd);
            fprintf(out, ", \"report\": ");
        } else {
            fprintf(out, "%s== PID %ld%s: %s\n\n", i ? "\n" : "", pids[i],
                    pids[i] == root ? " (the command)" : "", cmd);
        }
        FILE *dump = fopen(path, "re");
        if (dump == NULL || mp__leaks_print(dump, out, json) != 0)
            fprintf(out, json ? "null" : "(no report)\n");
        if (dump != NULL)
            fclose(dump);
        if (json)
            fprintf(out, "}");
    }
    if (json)
        fprintf(out, "]}\n");
    if (ferror(out) | (fclose(out) != 0)) {
        cli_error("cannot write %s: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* heaprun_report() - see heaprun.h. */
int heaprun_report(const heaprun *h, const char *dat, long root, int running,
                   int all, int json)
{
    long *pids = NULL;
    long n = dumps(h->dir, root, all, &pids);
    if (n < 0) {
        cli_error("leak report: %s", strerror(ENOMEM));
        return CLI_ERROR;
    }
    if (n == 0 || pids[0] != root) {
        if (running)
            cli_error("no leak report: PID %ld keeps running", root);
        else if (!h->root_rss)
            cli_error("no leak report: PID %ld ended without exit() (by _exit "
                      "or a signal), or ran a program that cannot load the "
                      "heap object",
                      root);
        if (n == 0) {
            mp__free(pids);
            return 0;
        }
    }
    size_t len = strlen(dat);
    if (len > 4 && strcmp(dat + len - 4, ".dat") == 0)
        len -= 4;
    char txt[PATH_MAX + 16];
    char js[PATH_MAX + 16];
    snprintf(txt, sizeof txt, "%.*s.leaks.txt", (int)len, dat);
    snprintf(js, sizeof js, "%.*s.leaks.json", (int)len, dat);
    int rc = write_report(h, txt, pids, n, root, 0);
    if (rc == 0 && json)
        rc = write_report(h, js, pids, n, root, 1);
    mp__free(pids);
    if (rc != 0)
        return CLI_ERROR;
    if (json)
        cli_error("leak report written to %s and %s", txt, js);
    else
        cli_error("leak report written to %s", txt);
    return 0;
}
