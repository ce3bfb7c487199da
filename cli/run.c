/* run.c - memprof run and memprof attach (being written). */
#include "cli.h"

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("run: not written yet");
    return CLI_ERROR;
}

int cmd_attach(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("attach: not written yet");
    return CLI_ERROR;
}
