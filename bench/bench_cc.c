/*
 * bench_cc.c - what memprof cc costs: a line it makes record against an
 * MP_LINE, and a compile through it against the compiler alone.
 *
 *     bench_cc [--compile MEMPROF GCC SOURCE]
 *
 * prints one line per figure on stdout:
 *
 *   1. per reading, the loop of bench_cc_auto.c, plain statements built by
 *      memprof cc, against line_loop() below, the same loop with MP_LINE
 *      around each statement, both with the rss backend;
 *   2. with --compile, the wall time of
 *          MEMPROF cc --func '*' GCC -O2 -c SOURCE -o ...
 *      against GCC -O2 -c SOURCE -o ... (SOURCE: bench/gen_funcs.sh's
 *      3,000 lines), and beside it the time of the rewrite alone
 *      (MEMPROF cc --show ...).
 *
 * As in bench_line.c, the variants compared are measured in the same run,
 * interleaved round by round with their order alternating, and each is
 * summarised by its fastest round.  Targets are printed, never enforced:
 * the exit status is 0 unless something is broken, which includes
 * bench_cc_auto.c or SOURCE not being rewritten by memprof cc.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

#define BENCH_NAME "bench_cc"
#include "bench.h"

#define LOOP_N 500 /* passes of each loop per call */
#define LINE_ROUNDS 250
#define CC_ROUNDS 5 /* compiles of each kind; the fastest counts */

/* bench_cc_auto.c's loop, every line of it recording through memprof cc. */
unsigned cc_loop(long n, unsigned v);

typedef unsigned loop_fn(long n, unsigned v);

/*
 * line_loop() - cc_loop() written with MP_LINE: the same declarations,
 * body and return, each recording.  The for condition does not record
 * here, so a call takes 3n + 4 readings (the entry too) where cc_loop
 * takes 4n + 5; figure 1 compares the cost per reading.  Not inlined, as
 * cc_loop, from another file, cannot be.
 */
__attribute__((noinline)) static unsigned line_loop(long n, unsigned v)
{
    MP_PROFILE_FUNC();
    MP_LINE(unsigned a = v);
    MP_LINE(unsigned b = v >> 1);
    for (long i = 0; i < n; i++) {
        MP_LINE(a = a * 31u + 7u);
        MP_LINE(b ^= a >> 3);
        MP_LINE(a += b);
    }
    MP_RETURN(a ^ b);
}

/*
 * readings_of() - the readings one call of fn with LOOP_N takes, as the
 * library counts them: the records are reset, fn runs once, and the
 * occurrences of the rows of function name in the report (CSV, as main
 * asks for) are summed.  The records are reset again after.
 */
static long readings_of(loop_fn *fn, const char *name)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        die("open_memstream");
    mp_reset();
    fn(LOOP_N, 1);
    if (mp_report(f) != 0 || fclose(f) != 0 || text == NULL)
        die("mp_report");
    mp_reset();

    long total = 0;
    for (const char *p = text; p != NULL && *p != '\0';) {
        char func[64];
        long occ;
        int got =
            sscanf(p, "\"%*[^\"]\",\"%63[^\"]\",%*d,%*f,%*f,%ld", func, &occ);
        if (got == 2 && strcmp(func, name) == 0)
            total += occ;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    free(text);
    return total;
}

/* Where the loops' results go, so that none of their work is dead. */
static volatile unsigned sink = 1;

/* ns_per_reading() - ns per reading of one call of fn with LOOP_N. */
static double ns_per_reading(loop_fn *fn, long readings)
{
    int64_t t0 = now_ns();
    sink = fn(LOOP_N, sink);
    return (double)(now_ns() - t0) / (double)readings;
}

/*
 * bench_lines() - figure 1: a reading memprof cc inserted against one of
 * MP_LINE, each per reading its loop takes, in alternating rounds.  Dies
 * if cc_loop records nothing: bench_cc_auto.c was then compiled without
 * memprof cc, or memprof cc fell back to the original.
 */
static void bench_lines(void)
{
    double cc[LINE_ROUNDS];
    double line[LINE_ROUNDS];
    long n_cc = readings_of(cc_loop, "cc_loop");
    long n_line = readings_of(line_loop, "line_loop");

    if (n_cc <= 0 || n_line <= 0) {
        fprintf(stderr,
                BENCH_NAME ": cc_loop took %ld readings, line_loop %ld: "
                           "was bench_cc_auto.c built by memprof cc?\n",
                n_cc, n_line);
        exit(1);
    }
    ns_per_reading(cc_loop, n_cc);
    ns_per_reading(line_loop, n_line);
    for (int r = 0; r < LINE_ROUNDS; r++) {
        if (r % 2 == 0) {
            line[r] = ns_per_reading(line_loop, n_line);
            cc[r] = ns_per_reading(cc_loop, n_cc);
        } else {
            cc[r] = ns_per_reading(cc_loop, n_cc);
            line[r] = ns_per_reading(line_loop, n_line);
        }
    }

    double c = min_of(cc, LINE_ROUNDS);
    double l = min_of(line, LINE_ROUNDS);
    printf("memprof cc line (rss) %9.1f ns   MP_LINE (rss)    %9.1f ns   "
           "ratio %6.3f   target <= 1.05\n",
           c, l, c / l);
}

/*
 * slurp() - the contents of the file at path, malloc'd, and their length
 * in *len.  Dies if it cannot be read.
 */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    size_t n = 0;
    if (f == NULL)
        die(path);
    for (;;) {
        if (n == cap) {
            cap = cap * 2 + 65536;
            buf = realloc(buf, cap);
            if (buf == NULL)
                die("realloc");
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        die(path);
    fclose(f);
    *len = n;
    return buf;
}

/* calls_library() - whether the object at path names mp__cc_line. */
static int calls_library(const char *path)
{
    static const char word[] = "mp__cc_line";
    size_t len;
    char *obj = slurp(path, &len);
    int yes = memmem(obj, len, word, sizeof word - 1) != NULL;
    free(obj);
    return yes;
}

/* lines_of() - the number of lines of the file at path. */
static long lines_of(const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    long lines = 0;
    for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text)));
         p++)
        lines++;
    free(text);
    return lines;
}

/* What figure 2 compiles, in the order of an even round. */
enum { C_PLAIN, C_CC, C_SHOW, NCMD };

/*
 * bench_compile() - figure 2: "memprof cc --func '*' gcc -O2 -c" of
 * source against "gcc -O2 -c" of it, whole commands timed from fork to
 * wait, in rounds that alternate their order; and the rewrite alone, as
 * --show does it.  The objects go beside source.  A first round, not
 * counted, shows what the commands print on stderr and checks that only
 * the object of memprof cc calls the library: memprof cc compiles the
 * original when the compiler rejects the copy, which would time the wrong
 * thing.
 */
static void bench_compile(const char *memprof, const char *gcc,
                          const char *source)
{
    size_t stem = strlen(source);
    if (stem > 2 && strcmp(source + stem - 2, ".c") == 0)
        stem -= 2;
    char plain_o[4096];
    char cc_o[4096];
    snprintf(plain_o, sizeof plain_o, "%.*s_plain.o", (int)stem, source);
    snprintf(cc_o, sizeof cc_o, "%.*s_cc.o", (int)stem, source);

    const char *argv[NCMD][16] = {
        {gcc, "-O2", "-c", source, "-o", plain_o, NULL},
        {memprof, "cc", "--func", "*", gcc, "-O2", "-c", source, "-o", cc_o,
         NULL},
        {memprof, "cc", "--show", "--func", "*", gcc, "-O2", "-c", source, "-o",
         cc_o, NULL},
    };
    double t[NCMD][CC_ROUNDS];

    for (int k = 0; k < NCMD; k++)
        if (bench_run(argv[k], BENCH_STDERR) < 0) {
            errno = ECHILD;
            die(argv[k][0]);
        }
    if (!calls_library(cc_o) || calls_library(plain_o)) {
        fprintf(stderr, BENCH_NAME ": %s was not rewritten by memprof cc\n",
                source);
        exit(1);
    }

    for (int r = 0; r < CC_ROUNDS; r++)
        for (int j = 0; j < NCMD; j++) {
            int k = r % 2 == 0 ? j : NCMD - 1 - j;
            int64_t ns = bench_run(argv[k], 0);
            if (ns < 0) {
                errno = ECHILD;
                die(argv[k][0]);
            }
            t[k][r] = (double)ns / 1e6;
        }

    double p = min_of(t[C_PLAIN], CC_ROUNDS);
    double c = min_of(t[C_CC], CC_ROUNDS);
    printf("memprof cc gcc -O2 -c %9.1f ms   gcc -O2 -c       %9.1f ms   "
           "ratio %6.3f   target <= 2; %ld lines, min of %d\n",
           c, p, c / p, lines_of(source), CC_ROUNDS);
    printf("  of which the rewrite (memprof cc --show) %.1f ms\n",
           min_of(t[C_SHOW], CC_ROUNDS));
}

/*
 * main() - the figures in order.  The rss backend is the one measured;
 * the report comes as CSV for readings_of(), goes to /dev/null at exit
 * unless MEMPROF_OUTPUT says otherwise, and the records are dropped
 * before exit, so that stdout holds the figures alone.
 */
int main(int argc, char **argv)
{
    setenv("MEMPROF_BACKEND", "rss", 1);
    setenv("MEMPROF_PEAK", "0", 1);
    setenv("MEMPROF_FORMAT", "csv", 1);
    setenv("MEMPROF_OUTPUT", "/dev/null", 0);
    if (argc != 1 && !(argc == 5 && strcmp(argv[1], "--compile") == 0)) {
        fprintf(stderr, "usage: bench_cc [--compile MEMPROF GCC SOURCE]\n");
        return 2;
    }

    bench_lines();
    if (argc == 5)
        bench_compile(argv[2], argv[3], argv[4]);
    mp_reset();
    return 0;
}
