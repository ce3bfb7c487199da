/* plot.c - memprof plot (being written). */
#include "cli.h"

int cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("plot: not written yet");
    return CLI_ERROR;
}
