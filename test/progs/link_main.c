/*
 * link_main.c - a program with a profiled function that calls into a
 * shared library linked with it (liblinklib.so), then loads the plugin
 * argv[1] with dlopen, calls its plugin_work and unloads it with dlclose,
 * argv[2] times (default 1).  Built several ways (see the Makefile): the
 * report at exit must hold every table once, whichever way each part was
 * linked with libmemprof.  With -DLINK_NO_LIB it calls no library: the
 * program alone with the archive, and the plugin.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <memprof.h>

#ifndef LINK_NO_LIB
void linklib_work(void);
#else
static void linklib_work(void)
{
}
#endif

/* cycle() - load, call and unload the plugin once; 0 or 1. */
static int cycle(const char *path)
{
    void *h = dlopen(path, RTLD_NOW);
    if (h == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    void (*work)(void) = (void (*)(void))dlsym(h, "plugin_work");
    if (work == NULL) {
        fprintf(stderr, "dlsym: %s\n", dlerror());
        dlclose(h);
        return 1;
    }
    work();
    return dlclose(h) != 0;
}

static int run(const char *path, int times)
{
    MP_PROFILE_FUNC();
    MP_LINE(linklib_work());
    int failed = 0;
    for (int i = 0; i < times; i++) {
        MP_LINE(failed |= cycle(path));
    }
    MP_RETURN(failed);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    return run(argv[1], argc > 2 ? atoi(argv[2]) : 1);
}
