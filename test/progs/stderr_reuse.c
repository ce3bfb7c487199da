/*
 * stderr_reuse.c - started with stderr closed, the program opens its own
 * file (argv[1]), which gets descriptor 2, writes one line to it, then
 * makes a profiled call.  The report must not be appended to the file.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

static char *keep;

void work(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(keep = malloc(1u << 20));
    MP_LINE(memset(keep, 1, 1u << 20));
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "log\n", 4) != 4)
        return 1;
    work();
    return fd == 2 ? 0 : 3;
}
