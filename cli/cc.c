/*
 * cc.c - memprof cc: runs memprof-cc, the compiler launcher that profiles
 * every line of chosen functions (see memprof(1)).  It is a program of
 * its own because it links libclang, which the rest of memprof does not
 * need: it lives beside memprof in a build directory, and in
 * ../libexec/memprof/ once installed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base.h"

int cmd_cc(int argc, char **argv)
{
    static const char *const places[] = {"/memprof-cc",
                                         "/../libexec/memprof/memprof-cc"};
    char exe[PATH_MAX];
    char path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;

    (void)argc;
    if (n <= 0 || (exe[n] = '\0', slash = strrchr(exe, '/')) == NULL) {
        cli_error("cc: cannot tell where memprof is: %s", strerror(errno));
        return CLI_ERROR;
    }
    *slash = '\0';
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        snprintf(path, sizeof path, "%s%s", exe, places[i]);
        if (access(path, X_OK) != 0)
            continue;
        argv[0] = path;
        execv(path, argv);
        cli_error("cc: cannot run %s: %s", path, strerror(errno));
        return CLI_NOEXEC;
    }
    cli_error("cc: memprof-cc is not installed: it is built only where "
              "libclang is (Debian: apt-get install libclang-dev), then make");
    return CLI_NOTFOUND;
}
