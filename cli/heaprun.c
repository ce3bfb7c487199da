/*
 * heaprun.c - memprof run --heap: the command started with the heap
 * object preloaded and a private directory for the files it writes
 * (heap_share.h), removed at the end.  The leak report is heapreport.c's.
 *
 * The heap object is found beside memprof in a build directory, else in
 * ../lib beside the installed command, else in the LIBDIR memprof was
 * built for.  A program that will not load it (statically linked, or
 * setuid or setgid to someone else, for which the dynamic linker ignores
 * LD_PRELOAD) is recognised from its file and recorded with its RSS;
 * heapwatch.c catches the others.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "heap_share.h"
#include "heaprun.h"

#ifndef MP_RUN_LIBDIR
#define MP_RUN_LIBDIR "/usr/local/lib"
#endif

#define HEAP_SO "libmemprof-heap.so"

/* readable() - whether dir/rel fits buf and can be read there. */
static int readable(char *buf, size_t size, const char *dir, const char *rel)
{
    int n = snprintf(buf, size, "%s/%s", dir, rel);
    return n > 0 && (size_t)n < size && access(buf, R_OK) == 0;
}

/*
 * locate() - the heap object's path into buf: beside memprof, in ../lib,
 * or in MP_RUN_LIBDIR.  Returns 0 or -ENOENT.
 */
static int locate(char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;
    if (n > 0 && (exe[n] = '\0', slash = strrchr(exe, '/')) != NULL) {
        *slash = '\0';
        if (readable(buf, size, exe, HEAP_SO) ||
            readable(buf, size, exe, "../lib/" HEAP_SO))
            return 0;
    }
    return readable(buf, size, MP_RUN_LIBDIR, HEAP_SO) ? 0 : -ENOENT;
}

/*
 * find_program() - the file execvp(3) would run for name, into buf.
 * Returns 0 or -ENOENT.
 */
static int find_program(const char *name, char *buf, size_t size)
{
    if (strchr(name, '/') != NULL) {
        snprintf(buf, size, "%s", name);
        return 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/bin:/usr/bin";
    while (*path != '\0') {
        size_t len = strcspn(path, ":");
        int w = snprintf(buf, size, "%.*s%s%s", (int)len, path, len ? "/" : "",
                         name);
        struct stat st;
        if (w > 0 && (size_t)w < size && stat(buf, &st) == 0 &&
            S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
            return 0;
        path += len + (path[len] == ':');
    }
    return -ENOENT;
}

/*
 * elf_static() - whether the ELF file on fd has no program interpreter
 * (static, or static-pie: the dynamic linker never runs).  0 for what is
 * not ELF or cannot be read.
 */
static int elf_static(int fd)
{
    unsigned char id[EI_NIDENT];
    if (pread(fd, id, sizeof id, 0) != (ssize_t)sizeof id ||
        memcmp(id, ELFMAG, SELFMAG) != 0)
        return 0;
    int wide = id[EI_CLASS] == ELFCLASS64;
    Elf64_Ehdr e64;
    Elf32_Ehdr e32;
    uint64_t phoff;
    unsigned phnum;
    unsigned phentsize;
    if (wide) {
        if (pread(fd, &e64, sizeof e64, 0) != (ssize_t)sizeof e64)
            return 0;
        phoff = e64.e_phoff;
        phnum = e64.e_phnum;
        phentsize = e64.e_phentsize;
    } else {
        if (pread(fd, &e32, sizeof e32, 0) != (ssize_t)sizeof e32)
            return 0;
        phoff = e32.e_phoff;
        phnum = e32.e_phnum;
        phentsize = e32.e_phentsize;
    }
    if (phentsize < (wide ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
        return 0;
    for (unsigned i = 0; i < phnum; i++) {
        uint32_t type;
        if (pread(fd, &type, sizeof type, (off_t)(phoff + i * phentsize)) !=
            (ssize_t)sizeof type)
            return 0;
        if (type == PT_INTERP)
            return 0;
    }
    return 1;
}

/* why_not() - heaprun_why_not(), depth interpreters down. */
static const char *why_not(const char *path, int depth)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    const char *why = NULL;
    char line[PATH_MAX];
    ssize_t n;
    if (fstat(fd, &st) == 0 &&
        (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
         ((st.st_mode & S_IXGRP) && (st.st_mode & S_ISGID) &&
          st.st_gid != getgid())))
        why = "is setuid or setgid: LD_PRELOAD is ignored";
    else if (elf_static(fd))
        why = "is statically linked";
    else if (depth == 0 && (n = pread(fd, line, sizeof line - 1, 0)) > 2 &&
             line[0] == '#' && line[1] == '!') {
        line[n] = '\0';
        char *p = line + 2 + strspn(line + 2, " \t");
        p[strcspn(p, " \t\n")] = '\0';
        why = *p == '/' ? why_not(p, 1) : NULL;
    }
    close(fd);
    return why;
}

/* heaprun_why_not() - see heaprun.h. */
const char *heaprun_why_not(const char *path)
{
    return why_not(path, 0);
}

/* heaprun_prepare() - see heaprun.h. */
int heaprun_prepare(heaprun *h, char *const cmd[])
{
    char so[PATH_MAX];
    memset(h, 0, sizeof *h);
    if (locate(so, sizeof so) != 0) {
        cli_error("--heap: cannot find " HEAP_SO " beside memprof or in %s",
                  MP_RUN_LIBDIR);
        return CLI_ERROR;
    }
    if (strpbrk(so, " :") != NULL) {
        cli_error("--heap: %s has a blank or ':' in its path, which "
                  "LD_PRELOAD cannot hold",
                  so);
        return CLI_ERROR;
    }
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] != '/')
        tmp = "/tmp";
    snprintf(h->dir, sizeof h->dir, "%s/memprof-heap-XXXXXX", tmp);
    if (mkdtemp(h->dir) == NULL) {
        cli_error("--heap: cannot make a directory in %s: %s", tmp,
                  strerror(errno));
        h->dir[0] = '\0';
        return CLI_ERROR;
    }
    const char *old = getenv("LD_PRELOAD");
    char *preload = NULL;
    if (asprintf(&preload, "%s%s%s", so, old && *old ? " " : "",
                 old && *old ? old : "") < 0 ||
        setenv("LD_PRELOAD", preload, 1) != 0 ||
        setenv(MP__HEAP_DIR_ENV, h->dir, 1) != 0) {
        cli_error("--heap: %s", strerror(errno ? errno : ENOMEM));
        free(preload);
        heaprun_cleanup(h);
        return CLI_ERROR;
    }
    free(preload);
    char path[PATH_MAX];
    const char *why =
        find_program(cmd[0], path, sizeof path) == 0 ? why_not(path, 0) : NULL;
    if (why != NULL) {
        cli_error("%s %s: no heap count, recording RSS", cmd[0], why);
        h->root_rss = 1;
    }
    return 0;
}

/* heaprun_cleanup() - see heaprun.h. */
void heaprun_cleanup(heaprun *h)
{
    if (h->dir[0] == '\0')
        return;
    DIR *d = opendir(h->dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", h->dir, e->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(h->dir);
    h->dir[0] = '\0';
}
