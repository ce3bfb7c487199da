/*
 * stacks_read.h - for the stacks test programs (stacks_script.c,
 * stacks_new.cc): take the sites dump of this process and print each
 * stack's counts under the names of its frames in this program (dladdr:
 * link with -rdynamic).  C and C++.
 */
#ifndef STACKS_READ_H
#define STACKS_READ_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif
int mp__heap_leaks_start(void);
int mp__heap_dump(int fd);
#ifdef __cplusplus
}
#endif

/* A site's counts under a name. */
typedef struct named {
    char name[256];
    long long v[4];
} named;

static named names[256];
static int nnames;
static void *self_base; /* where this program is loaded */

/* add() - a dump's site line, under the name of its first frame here. */
static void add(char *line)
{
    long long v[4];
    int used = 0;
    char name[256] = "";
    size_t len = 0;
    Dl_info info;

    if (sscanf(line, "site %lld %lld %lld %lld%n", &v[0], &v[1], &v[2], &v[3],
               &used) != 4)
        return;
    for (char *f = strtok(line + used, " \n"); f != NULL;
         f = strtok(NULL, " \n")) {
        unsigned long pc = strtoul(f, NULL, 16);
        /* C++ template code of the program's (std::vector's) is left
         * out: its names are long and mangled. */
        if (dladdr((void *)(uintptr_t)(pc - 1), &info) &&
            info.dli_fbase == self_base && info.dli_sname != NULL &&
            strncmp(info.dli_sname, "_Z", 2) != 0)
            len += (size_t)snprintf(name + len, sizeof name - len, "%s%s",
                                    len > 0 ? "<" : "", info.dli_sname);
        if (len >= sizeof name)
            abort();
    }
    if (len == 0)
        strcpy(name, "?");
    for (int i = 0; i < nnames; i++)
        if (strcmp(names[i].name, name) == 0) {
            for (int k = 0; k < 4; k++)
                names[i].v[k] += v[k];
            return;
        }
    if (nnames == 256)
        abort();
    snprintf(names[nnames].name, sizeof names[nnames].name, "%s", name);
    memcpy(names[nnames].v, v, sizeof v);
    nnames++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/*
 * report() - dump, read the dump back, print the named sites.  What this
 * allocates (stdio) comes after the dump: it is not in it.
 */
static void report(void)
{
    int fd = memfd_create("dump", 0);
    if (fd < 0 || mp__heap_dump(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        abort();
    Dl_info self;
    if (!dladdr((void *)report, &self))
        abort();
    self_base = self.dli_fbase;
    FILE *f = fdopen(fd, "r");
    char line[4096];
    int ended = 0;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strcmp(line, "end\n") == 0)
            ended = 1;
        add(line);
    }
    if (!ended)
        abort();
    qsort(names, (size_t)nnames, sizeof names[0], by_name);
    printf("pid %ld\n", (long)getpid());
    for (int i = 0; i < nnames; i++)
        if (strcmp(names[i].name, "?") != 0)
            printf("%s %lld %lld %lld %lld\n", names[i].name, names[i].v[0],
                   names[i].v[1], names[i].v[2], names[i].v[3]);
    fflush(stdout);
}

#endif /* STACKS_READ_H */
