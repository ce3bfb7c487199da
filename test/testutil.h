/*
 * testutil.h - what the check suites share: the suite list and helpers to
 * run a program and capture what it prints.
 */
#ifndef MP_TESTUTIL_H
#define MP_TESTUTIL_H

#include <check.h>
#include <stddef.h>

Suite *settings_suite(void);
Suite *proc_suite(void);
Suite *source_suite(void);
Suite *report_suite(void);
Suite *record_suite(void);
Suite *e2e_suite(void);

/* What a finished child printed and how it ended. */
typedef struct run_result {
    char *out;      /* stdout, NUL-terminated, malloc'd */
    size_t out_len;
    char *err;      /* stderr, NUL-terminated, malloc'd */
    size_t err_len;
    int status;     /* as from waitpid */
} run_result;

/*
 * run_capture() - run argv[0] (a path) with argv, the environment extended
 * by env (NULL-terminated "NAME=value" strings, "NAME=" with nothing after
 * the '=' removes NAME), in the current directory, and collect its output.
 * Returns 0 or -1.
 */
int run_capture(char *const argv[], char *const env[], run_result *res);
void run_result_free(run_result *res);

/* test_build_dir() - the build directory: "build", "build-asan", ... */
const char *test_build_dir(void);

/* read_file() - a whole file, NUL-terminated, malloc'd; NULL on error. */
char *read_file(const char *path, size_t *len);

#endif
