/* check_cli_files.c - (being written). */
#include "testutil.h"

Suite *cli_files_suite(void)
{
    return suite_create("cli_files");
}
