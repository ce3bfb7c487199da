/*
 * dlclose.c - loads plugin.so (argv[1]), calls its profiled function,
 * unloads it with dlclose, records a line of its own and exits: the
 * report at exit shows both tables.  Linked with -rdynamic, so that the
 * plugin finds libmemprof in this program.
 */
#include <dlfcn.h>
#include <stdio.h>

#include <memprof.h>

static int load_and_run(const char *path)
{
    MP_PROFILE_FUNC();
    MP_LINE(void *h = dlopen(path, RTLD_NOW));
    if (h == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    MP_LINE(void (*work)(void) = (void (*)(void))dlsym(h, "plugin_work"));
    if (work == NULL)
        return 1;
    MP_LINE(work());
    MP_LINE(dlclose(h));
    MP_RETURN(0);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    return load_and_run(argv[1]);
}
