/*
 * io.c - the profiler must not touch stdout, the exit status or errno:
 * prints a line inside MP_LINE, leaves errno set, exits with status 3.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <memprof.h>

int talk(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(printf("hello from stdout\n"));
    MP_LINE(close(-1));
    MP_RETURN(errno);
}

int main(void)
{
    int e = talk();
    printf("errno %d\n", e);
    return 3;
}
