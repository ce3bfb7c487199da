/* check_dat.c - (being written). */
#include "testutil.h"

Suite *dat_suite(void)
{
    return suite_create("dat");
}
