/*
 * spawn.c - starting the command of memprof run: its environment (the
 * .dat file's path, for a program linked with libmemprof to append its
 * FUNC lines to), and fork and exec, with exec's failure reported back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "base.h"
#include "run.h"

/*
 * spawn_set_dat_env() - see run.h.  The command may change its directory:
 * the user's path as given, made absolute with the current directory.
 */
int spawn_set_dat_env(const char *name)
{
    char cwd[PATH_MAX];
    char *path = NULL;
    if (name[0] == '/')
        path = strdup(name);
    else if (getcwd(cwd, sizeof cwd) != NULL &&
             asprintf(&path, "%s/%s", cwd, name) < 0)
        path = NULL;
    if (path == NULL)
        path = realpath(name, NULL);
    if (path == NULL)
        return errno != 0 ? errno : ENOMEM;
    int e = setenv(MP__DAT_ENV, path, 1) == 0 ? 0 : errno;
    free(path);
    return e;
}

/*
 * spawn_command() - see run.h.  The child gets the original signal mask
 * and default dispositions.  Exec failures come back through a
 * close-on-exec pipe.
 */
long spawn_command(char **argv, const sigset_t *orig)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return -e;
    }
    if (pid == 0) {
        run_signals_default();
        sigprocmask(SIG_SETMASK, orig, NULL);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(p[1], &e, sizeof e);
        (void)w;
        _exit(e == ENOENT ? CLI_NOTFOUND : CLI_NOEXEC);
    }
    close(p[1]);
    int e = 0;
    ssize_t n;
    do
        n = read(p[0], &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(p[0]);
    if (n <= 0)
        return pid;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return e != 0 ? -e : -ENOEXEC;
}
