/*
 * fork.c - a parent records, forks, the child records something else and
 * exits, the parent records again.  Each reports only what it recorded.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

static void *volatile escape;

void in_parent(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(escape = malloc(100));
    MP_LINE(free(escape));
}

void in_child(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(escape = NULL);
}

int main(void)
{
    for (int i = 0; i < 3; i++)
        in_parent();
    pid_t pid = fork();
    if (pid == 0) {
        in_child();
        exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    in_parent();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
