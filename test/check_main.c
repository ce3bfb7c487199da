/*
 * check_main.c - runs every suite.  CK_FORK stays on, so a crash in one test
 * fails that test only.
 */
#include <stdlib.h>

#include "testutil.h"

int main(void)
{
    /* The suites that record in this process report with mp_report(). */
    setenv("MEMPROF_OUTPUT", "/dev/null", 1);
    SRunner *sr = srunner_create(settings_suite());
    srunner_add_suite(sr, proc_suite());
    srunner_add_suite(sr, source_suite());
    srunner_add_suite(sr, lexer_suite());
    srunner_add_suite(sr, sites_suite());
    srunner_add_suite(sr, rows_suite());
    srunner_add_suite(sr, report_suite());
    srunner_add_suite(sr, record_suite());
    srunner_add_suite(sr, outside_suite());
    srunner_add_suite(sr, e2e_suite());
    srunner_add_suite(sr, dat_suite());
    srunner_add_suite(sr, cli_run_suite());
    srunner_add_suite(sr, cli_files_suite());
    srunner_add_suite(sr, cli_heap_suite());
    srunner_add_suite(sr, cli_scale_suite());
    srunner_add_suite(sr, cli_plot_suite());
    srunner_add_suite(sr, cli_children_suite());
    srunner_add_suite(sr, cli_small_suite());
    srunner_add_suite(sr, usage_suite());
    srunner_add_suite(sr, heap_suite());
    srunner_add_suite(sr, reliability_suite());
    srunner_add_suite(sr, stress_suite());
    srunner_add_suite(sr, cc_suite());
    srunner_add_suite(sr, alloc_suite());
    srunner_add_suite(sr, cc_build_suite());
    srunner_add_suite(sr, stacks_suite());
    srunner_add_suite(sr, leaks_suite());
    srunner_add_suite(sr, lang_suite());
    srunner_add_suite(sr, link_suite());
    srunner_add_suite(sr, diff_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
