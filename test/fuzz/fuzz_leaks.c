/*
 * fuzz_leaks.c - libFuzzer target for the leak report's reader
 * (mp__leaks_print): the input's first byte picks text or JSON, the rest
 * is a sites dump (format 1, heap_hooks.h), read, grouped and printed to
 * /dev/null.  libdw is not loaded (MEMPROF_LIBDW names none): frames are
 * module+offset, and no file the input names is opened.  Built and run
 * by make fuzz-leaks; seeds in test/fuzz/leaks_corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "leaks.h"

static FILE *null_out;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerInitialize() - no libdw, and the null output, once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("MEMPROF_LIBDW", "/nonexistent/libdw.so.1", 1);
    null_out = fopen("/dev/null", "w");
    if (null_out == NULL)
        abort();
    return 0;
}

/* LLVMFuzzerTestOneInput() - one dump through the report. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    FILE *in = fmemopen((void *)(data + 1), size - 1, "r");
    if (in == NULL)
        return 0;
    mp__leaks_print(in, null_out, data[0] & 1);
    fclose(in);
    return 0;
}
