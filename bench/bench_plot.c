/*
 * bench_plot.c - memprof plot and memprof peak on a recording of 10^7
 * samples (a noisy wave, a child sampled every tenth reading, 40 FUNC
 * spans), written once into a temporary directory: the SVG's size, the
 * maximum resident set of the PNG run with --term and of peak (with the
 * same for 1,000 samples beside it), and the times; each figure on one
 * line beside its target (issue 13).
 *
 *     bench_plot MEMPROF
 */
#define BENCH_NAME "bench_plot"
#include <math.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bench.h"

#define BIG 10000000L
#define SMALL 1000L
#define NSPANS 40

/*
 * put_fixed() - v / 10^digits as text with that many decimals, the way
 * %.*f writes it (v >= 0), at p; returns the end.  Integer formatting
 * writes the 347 MB in a third of fprintf's time.
 */
static char *put_fixed(char *p, long long v, int digits)
{
    char tmp[32];
    int n = 0;
    for (int i = 0; i < digits || v > 0 || n <= digits + 1; i++) {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
        if (n == digits)
            tmp[n++] = '.';
    }
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* gen() - path: n MEM readings 0.01 s apart, a CHLD every tenth, spans. */
static void gen(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        die(path);
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fprintf(f, "CMDLINE ./bench_plot\n");
    long every = n / NSPANS;
    for (long i = 0; i < n; i++) {
        /* Times in 10^-4 s, memory in 10^-6 MiB. */
        long long t = 17954000000000LL + 100LL * i;
        long long mib = 300000000LL +
                        llround(200e6 * sin((double)i / 400000.0)) +
                        (i % 97) * 250000LL;
        char line[96];
        char *p = line;
        memcpy(p, "MEM ", 4);
        p = put_fixed(p + 4, mib, 6);
        *p++ = ' ';
        p = put_fixed(p, t, 4);
        *p++ = '\n';
        if (i % 10 == 5) {
            long long c = 100000000LL +
                          llround(50e6 * cos((double)i / 300000.0)) +
                          (i % 13) * 1000000LL;
            memcpy(p, "CHLD 4242 ", 10);
            p = put_fixed(p + 10, c, 6);
            *p++ = ' ';
            p = put_fixed(p, t + 50, 4);
            *p++ = '\n';
        }
        fwrite(line, 1, (size_t)(p - line), f);
        if (every > 0 && i % every == every - 1)
            fprintf(f, "FUNC bench.f%ld 300.0 %.4f 310.0 %.4f 0\n", i / every,
                    (double)(t - 100LL * (every / 2)) / 1e4, (double)t / 1e4);
    }
    if (fclose(f) != 0)
        die(path);
}

/*
 * measure() - run argv, outputs to /dev/null; its wall time in seconds
 * and maximum resident set in MB (10^6 bytes).  Returns 0, or -1 when it
 * failed.
 */
static int measure(const char *const argv[], double *s, double *mb)
{
    struct rusage ru;
    int64_t t = bench_run_ru(argv, 0, &ru);
    *s = (double)t / 1e9;
    *mb = (double)ru.ru_maxrss * 1024 / 1e6;
    return t < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_plot MEMPROF\n");
        return 2;
    }
    const char *mp = argv[1];
    char dir[] = "/tmp/bench_plot_XXXXXX";
    if (mkdtemp(dir) == NULL)
        die("mkdtemp");
    char big[64];
    char small[64];
    char svg[64];
    char png[64];
    snprintf(big, sizeof big, "%s/big.dat", dir);
    snprintf(small, sizeof small, "%s/small.dat", dir);
    snprintf(svg, sizeof svg, "%s/big.svg", dir);
    snprintf(png, sizeof png, "%s/big.png", dir);
    gen(big, BIG);
    gen(small, SMALL);

    double s, mb, s1, mb1;
    const char *peak_big[] = {mp, "peak", big, NULL};
    const char *peak_small[] = {mp, "peak", small, NULL};
    if (measure(peak_big, &s, &mb) != 0 || measure(peak_small, &s1, &mb1))
        die("memprof peak failed");
    struct stat st;
    if (stat(big, &st) != 0)
        die(big);
    printf("recording 10^7 samples %6.0f MB (MEM, a CHLD every tenth, %d "
           "FUNC)\n",
           (double)st.st_size / 1e6, NSPANS);
    printf("peak 10^7 samples      %6.2f s   max RSS %7.1f MB   (10^3: %.1f "
           "MB)       target O(1): was 157 MB\n",
           s, mb, mb1);

    const char *to_svg[] = {mp, "plot", big, "-o", svg, NULL};
    if (measure(to_svg, &s, &mb) != 0)
        die("memprof plot -o .svg failed");
    if (stat(svg, &st) != 0)
        die(svg);
    printf("plot .svg 10^7 samples %6.2f s   SVG %10.0f bytes   max RSS %.1f "
           "MB     target <= 1 MB: was 140 MB\n",
           s, (double)st.st_size, mb);

    const char *to_png[] = {mp, "plot", big, "-o", png, "--term", NULL};
    const char *to_term[] = {mp, "plot", big, "--term", NULL};
    const char *what = ".png --term";
    if (measure(to_png, &s, &mb) != 0) {
        what = "--term (no cairo)";
        if (measure(to_term, &s, &mb) != 0)
            die("memprof plot --term failed");
    }
    printf("plot %-17s %6.2f s   max RSS %7.1f MB                      "
           "target <= 100 MB: was 1,490 MB\n",
           what, s, mb);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_plot: could not remove %s\n", dir);
    return 0;
}
