/* check_cli_run.c - (being written). */
#include "testutil.h"

Suite *cli_run_suite(void)
{
    return suite_create("cli_run");
}
