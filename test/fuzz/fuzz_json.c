/*
 * fuzz_json.c - libFuzzer target for memprof diff: the input's first
 * byte picks the options (which side the input is, --json, --all, a
 * limit), the rest is a JSON report or a recording, compared with a
 * fixed report or recording of the same kind through cmd_diff(), its
 * output to /dev/null.  Everything the command allocates is freed
 * (LeakSanitizer checks).  Built and run by make fuzz-json; seeds in
 * test/fuzz/json_corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"

/* The input's file, and the fixed sides: a report and a recording. */
static char path[] = "/tmp/memprof-fuzz-json-XXXXXX";
static char report[] = "/tmp/memprof-fuzz-report-XXXXXX";
static char recording[] = "/tmp/memprof-fuzz-dat-XXXXXX";

static const char report_text[] =
    "{\"memprof\": {\"version\": \"0.1.0\", \"format\": 1},\n"
    "\"run\": {\"cmdline\": [\"./a\"], \"pid\": 1, \"backend\": \"rss\", "
    "\"precision\": 1, \"unit\": \"MiB\", \"start\": null, \"start_unix\": "
    "null, \"max_mem_mib\": 9.5},\n"
    "\"tables\": [\n"
    "  {\"file\": \"a.c\", \"function\": \"f\", \"rows\": [\n"
    "    {\"line\": 3, \"entry\": true, \"mem_mib\": 1.5, \"increment_mib\": "
    "1.5, \"occurrences\": 1, \"contents\": \"    MP_PROFILE_FUNC();\"},\n"
    "    {\"line\": 4, \"entry\": false, \"mem_mib\": 9.5, "
    "\"increment_mib\": 8.0, \"peak_mib\": 8.0, \"occurrences\": 2, "
    "\"contents\": \"    MP_LINE(p = grab(8));\"}\n"
    "  ]}\n"
    "]}\n";

static const char recording_text[] =
    "CMDLINE ./a\nMEM 1.000000 10.0000\nMEM 9.000000 10.1000\n"
    "FUNC a.f 1.0000 10.0500 9.0000 10.1500 0\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* put() - make the file pattern names (mkstemp) hold text. */
static void put(char *pattern, const char *text, size_t len)
{
    int fd = mkstemp(pattern);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len)
        abort();
    close(fd);
}

/* LLVMFuzzerInitialize() - the files, and stdout to /dev/null, once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    put(path, "", 0);
    put(report, report_text, sizeof report_text - 1);
    put(recording, recording_text, sizeof recording_text - 1);
    if (freopen("/dev/null", "w", stdout) == NULL)
        abort();
    return 0;
}

/* LLVMFuzzerTestOneInput() - one input through memprof diff. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    FILE *f = fopen(path, "w");
    if (f == NULL || fwrite(data + 1, 1, size - 1, f) != size - 1 ||
        fclose(f) != 0)
        abort();
    /* The other side: a report when the input looks like one. */
    size_t k = 1;
    while (k < size && (data[k] == ' ' || data[k] == '\n'))
        k++;
    char *other = k < size && data[k] == '{' ? report : recording;
    char *argv[8];
    int argc = 0;
    argv[argc++] = (char *)"diff";
    if (flags & 1)
        argv[argc++] = (char *)"--json";
    if (flags & 2)
        argv[argc++] = (char *)"--all";
    if (flags & 4)
        argv[argc++] = (char *)"--fail-above=0.5";
    argv[argc++] = flags & 8 ? path : other;
    argv[argc++] = flags & 8 ? other : path;
    argv[argc] = NULL;
    cmd_diff(argc, argv);
    return 0;
}
