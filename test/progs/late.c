/*
 * late.c - records around the end of a program:
 *
 *     late atexit   an exit handler registered before the library's first
 *                   use records 3 hits after the report at exit
 *     late quick    ends with quick_exit(3): the report still prints
 */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static volatile int sink;

static void work(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(sink = 1);
}

static void late_fn(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(sink = 2);
    MP_LINE(sink = 3);
}

static void at_end(void)
{
    late_fn();
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (strcmp(argv[1], "atexit") == 0)
        atexit(at_end);
    work();
    if (strcmp(argv[1], "quick") == 0)
        quick_exit(0);
    return 0;
}
