/*
 * testutil.h - what the check suites share: the suite list, helpers to
 * run a program or a shell command and capture what it prints, sandboxes
 * and paths, and a parser for the printed tables.
 */
#ifndef MP_TESTUTIL_H
#define MP_TESTUTIL_H

#include <check.h>
#include <stddef.h>

Suite *settings_suite(void);
Suite *proc_suite(void);
Suite *source_suite(void);
Suite *lexer_suite(void);
Suite *sites_suite(void);
Suite *rows_suite(void);
Suite *report_suite(void);
Suite *record_suite(void);
Suite *outside_suite(void);
Suite *e2e_suite(void);
Suite *dat_suite(void);
Suite *cli_run_suite(void);
Suite *cli_files_suite(void);
Suite *heap_suite(void);
Suite *usage_suite(void);
Suite *cli_plot_suite(void);
Suite *cli_scale_suite(void);
Suite *reliability_suite(void);
Suite *stress_suite(void);
Suite *cc_suite(void);
Suite *alloc_suite(void);
Suite *cc_build_suite(void);
Suite *leaks_suite(void);
Suite *stacks_suite(void);
Suite *cli_heap_suite(void);
Suite *cli_children_suite(void);
Suite *cli_small_suite(void);
Suite *lang_suite(void);
Suite *link_suite(void);
Suite *diff_suite(void);

/* What a finished child printed and how it ended. */
typedef struct run_result {
    char *out; /* stdout, NUL-terminated, malloc'd */
    size_t out_len;
    char *err; /* stderr, NUL-terminated, malloc'd */
    size_t err_len;
    int status; /* as from waitpid */
} run_result;

/*
 * run_capture() - run argv[0] (a path) with argv and the environment,
 * less every MEMPROF_* variable, changed by env (NULL-terminated;
 * "NAME=value" sets NAME, "-NAME" removes it), in the current directory,
 * and collect its output.  Returns 0 or -1.
 */
int run_capture(const char *const argv[], const char *const env[],
                run_result *res);
void run_result_free(run_result *res);

/* A directory of a test's own, entered, and the way back. */
typedef struct sandbox {
    char dir[64];
    char home[4096];         /* the project's root */
    char memprof[4096 + 64]; /* the command, absolute */
} sandbox;

/* sandbox_enter() - make /tmp/mp_<tag>_XXXXXX and chdir into it. */
void sandbox_enter(sandbox *sb, const char *tag);

/* sandbox_leave() - back to the project's root; the directory removed. */
void sandbox_leave(sandbox *sb);

/* put_file() - write text to name in the current directory. */
void put_file(const char *name, const char *text);

/* copy_file() - the project's file rel (test/data/x.dat) to name. */
void copy_file(const sandbox *sb, const char *rel, const char *name);

/* file_exists() - whether name is there. */
int file_exists(const char *name);

/* test_build_dir() - the build directory: "build", "build-asan", ... */
const char *test_build_dir(void);

/* read_file() - a whole file, NUL-terminated, malloc'd; NULL on error. */
char *read_file(const char *path, size_t *len);

/* A recording's MEM and CHLD lines, in the order of the file. */
typedef struct rec {
    double *mem; /* MEM readings, MiB */
    double *mem_t;
    int nmem;
    long *chld_pid; /* CHLD lines: pid, MiB, time */
    double *chld;
    double *chld_t;
    int nchld;
} rec;

/*
 * rec_load() - the .dat file path, read by the library's own reader
 * (mp__dat_scan); fails the test if it cannot.  rec_free() releases it.
 */
rec *rec_load(const char *path);
void rec_free(rec *d);

/*
 * build_path() - rel under the build directory ("build/test/progs/io"), in
 * one of four static buffers used in turn.
 */
const char *build_path(const char *rel);

/*
 * run_memprof() - run the sandbox's memprof with the arguments that follow
 * (NULL-terminated, at most 14) in the current directory, capturing its
 * output into r; returns its exit status (fails the test if it did not
 * exit).
 */
int run_memprof(const sandbox *sb, run_result *r, ...);

/* memory_profiler_present() - whether Debian's python3-memory-profiler is. */
int memory_profiler_present(void);

/*
 * memory_profiler_run() - /usr/bin/python3 -m memory_profiler --precision 1
 * script (a path under the project), captured into py; fails the test
 * unless it exits with status 0.
 */
void memory_profiler_run(const char *script, run_result *py);

/* sh() - run a shell command, return its exit status (-1 if none). */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * make_tmpdir() - a new directory /tmp/mp_<tag>_XXXXXX; its name, in a
 * static buffer that the next call reuses.
 */
const char *make_tmpdir(const char *tag);

/* now_mono() - CLOCK_MONOTONIC in seconds. */
double now_mono(void);

/* One row of a printed table. */
typedef struct table_row {
    int line;
    int recorded; /* the row has values */
    double mem;   /* MiB */
    double inc;   /* MiB */
    long long occ;
    char mem_cell[32]; /* the cells as printed, without padding */
    char inc_cell[32];
    const char *contents; /* points into the parsed text */
    int contents_len;
} table_row;

/* A table: the rows under "Filename: file", up to its two empty lines. */
typedef struct table {
    char file[256];
    table_row rows[256];
    int nrows;
} table;

/*
 * parse_tables() - every table in text, in order, into tables[max].
 * Returns how many, or -1 when a line in a table does not have the
 * layout of memory_profiler's rows (the message says which line).
 */
int parse_tables(const char *text, table *tables, int max);

/* preload_env() - "LD_PRELOAD=<build>/libmemprof-heap.so" (static). */
const char *preload_env(void);

/*
 * asan_env() - under AddressSanitizer, its options with the check that
 * its runtime comes first among the libraries turned off (a preloaded
 * object comes before it); NULL in other builds, which ends an
 * environment list where it is put last.
 */
const char *asan_env(void);

/* table_find_text() - the first row of t whose contents hold text, or NULL. */
const table_row *table_find_text(const table *t, const char *text);

/* row_with() - table_find_text(), failing the test when no row holds text. */
#define row_with(t, text) row_with_at((t), (text), __FILE__, __LINE__)
const table_row *row_with_at(const table *t, const char *text, const char *file,
                             int line);

/* table_find() - the row for line, or NULL. */
const table_row *table_find(const table *t, int line);

/* table_inc_sum() - the sum of the Increment column, in MiB. */
double table_inc_sum(const table *t);

/*
 * FIGURE(assertion) - an assertion on a memory figure.  Under
 * ThreadSanitizer each byte a program touches also touches shadow memory,
 * which RSS counts (about five times as much), and under valgrind the
 * allocator is valgrind's, so figures are checked in the plain and ASan
 * builds; the other runs (MP_TEST_FIGURES=0) check everything else.
 */
#if defined(__SANITIZE_THREAD__)
#define MP_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MP_TEST_TSAN 1
#endif
#endif
#ifndef MP_TEST_TSAN
#define MP_TEST_TSAN 0
#endif

#if defined(__SANITIZE_ADDRESS__)
#define MP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MP_TEST_ASAN 1
#endif
#endif
#ifndef MP_TEST_ASAN
#define MP_TEST_ASAN 0
#endif

/*
 * test_valgrind() - whether this run is make check-valgrind's
 * (MP_TEST_QUICK): programs run many times slower, so upper bounds on
 * times and on the sample counts of programs that sleep are not asserted,
 * and setuid programs and preloads of our own do not run there.
 */
int test_valgrind(void);

/* figures_hold() - whether memory figures are asserted in this run. */
int figures_hold(void);

#define FIGURE(assertion)                                                      \
    do {                                                                       \
        if (figures_hold()) {                                                  \
            assertion;                                                         \
        }                                                                      \
    } while (0)

#endif /* MP_TESTUTIL_H */
