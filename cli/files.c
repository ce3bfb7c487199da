/* files.c - memprof list, clean, rm, peak (being written). */
#include <stdlib.h>

#include "cli.h"

int cmd_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_ERROR;
}

int cmd_clean(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_ERROR;
}

int cmd_rm(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_ERROR;
}

int cmd_peak(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_ERROR;
}

char **cli_profiles(size_t *n)
{
    *n = 0;
    return calloc(1, sizeof(char *));
}

void cli_free_list(char **list)
{
    free(list);
}
