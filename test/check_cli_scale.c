/*
 * check_cli_scale.c - memprof plot and memprof peak on recordings of a
 * million readings, written by gen(): the picture keeps the exact peak,
 * every FUNC span and, within half a pixel of every reading, a point at
 * least as high and one at least as low; the SVG stays under a hard cap;
 * a recording with fewer readings than the picture has pixels is drawn
 * from every one; peak finds the exact maximum; and neither command's
 * memory grows with the readings (a million against a thousand, measured
 * with wait4's maximum resident set).
 *
 * Tests run from the project's root; each works in a directory of its
 * own made by mkdtemp.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define BIG 1000000    /* readings of the big recording */
#define SMALL 1000     /* of the small one, for memory's baseline */
#define NSPANS 40      /* FUNC lines */
#define PEAK_AT 670000 /* the reading that holds the peak */
#define PEAK_MIB 987.654321
#define T0 1795400000.0
#define DT 0.01
#define SVG_CAP (1024 * 1024) /* the picture's hard cap, bytes */

/* mib_at() - reading i of gen()'s recording: a noisy wave, one spike. */
static double mib_at(long i)
{
    if (i == PEAK_AT)
        return PEAK_MIB;
    return 300 + 200 * sin((double)i / 40000.0) + (double)(i % 97) / 4.0;
}

/* chld_at() - the child's reading i (every tenth MEM reading). */
static double chld_at(long i)
{
    return 100 + 50 * cos((double)i / 30000.0) + (double)(i % 13);
}

/*
 * gen() - name: n MEM readings DT apart, a CHLD reading for pid 4242
 * every tenth, and NSPANS FUNC lines spread over the time.
 */
static void gen(const char *name, long n)
{
    FILE *f = fopen(name, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "CMDLINE ./scale\n");
    for (long i = 0; i < n; i++) {
        fprintf(f, "MEM %.6f %.4f\n", mib_at(i), T0 + (double)i * DT);
        if (i % 10 == 5)
            fprintf(f, "CHLD 4242 %.6f %.4f\n", chld_at(i),
                    T0 + (double)i * DT + 0.005);
        long every = n / NSPANS;
        if (every > 0 && i % every == every - 1)
            fprintf(f, "FUNC scale.f%ld 300.0 %.4f 310.0 %.4f %ld\n", i / every,
                    T0 + (double)(i - every / 2) * DT, T0 + (double)i * DT,
                    (i / every) % 3);
    }
    ck_assert_int_eq(fclose(f), 0);
}

/*
 * run_rss() - run memprof with argv (after the command), stdout to out;
 * returns its exit status and its maximum resident set in KiB in *kib.
 */
static int run_rss(const sandbox *sb, const char *out, long *kib,
                   const char *const args[])
{
    const char *argv[16] = {sb->memprof};
    int n = 1;
    while (n < 15 && args[n - 1] != NULL) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
    ck_assert(WIFEXITED(status));
    *kib = ru.ru_maxrss;
    return WEXITSTATUS(status);
}

/* attr_num() - the number in attribute name of the tag at t. */
static double attr_num(const char *t, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *end = strchr(t, '>');
    const char *p = strstr(t, key);
    ck_assert_msg(p != NULL && p < end, "no %s", name);
    return strtod(p + strlen(key), NULL);
}

/* count() - how many times needle occurs in s. */
static int count(const char *s, const char *needle)
{
    int n = 0;
    while ((s = strstr(s, needle)) != NULL) {
        n++;
        s += strlen(needle);
    }
    return n;
}

/* polyline() - the points of the polyline at t: 2 * *n numbers. */
static double *polyline(const char *t, size_t *n)
{
    const char *p = strstr(t, " points=\"");
    ck_assert_ptr_nonnull(p);
    p += strlen(" points=\"");
    size_t cap = 1024;
    size_t k = 0;
    double *pts = malloc(cap * sizeof *pts);
    ck_assert_ptr_nonnull(pts);
    while (*p != '"') {
        char *end = NULL;
        double d = strtod(p, &end);
        ck_assert(end != p);
        if (k == cap) {
            cap *= 2;
            pts = realloc(pts, cap * sizeof *pts);
            ck_assert_ptr_nonnull(pts);
        }
        pts[k++] = d;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    ck_assert_int_eq(k % 2, 0);
    *n = k / 2;
    return pts;
}

/*
 * covered() - whether every reading i < n (x = x0 + t * xs, y = y0 - mib
 * * ys) has, among the points pts[np] (sorted by x), one within half a
 * pixel that is as high or higher and one as low or lower (SVG rounds to
 * 0.01 pixel).
 */
static void covered(const double *pts, size_t np, double x0, double xs,
                    double y0, double ys, double (*at)(long), long n, long step,
                    long first, double dt0)
{
    size_t lo = 0;
    for (long i = first; i < n; i += step) {
        double x = x0 + ((double)i * DT + dt0) * xs;
        double y = y0 - at(i) * ys;
        while (lo < np && pts[2 * lo] < x - 0.52)
            lo++;
        int above = 0;
        int below = 0;
        for (size_t k = lo; k < np && pts[2 * k] <= x + 0.52; k++) {
            above |= pts[2 * k + 1] <= y + 0.02;
            below |= pts[2 * k + 1] >= y - 0.02;
        }
        ck_assert_msg(above && below, "reading %ld (x %.2f, y %.2f) lost", i, x,
                      y);
    }
}

/*
 * A million readings drawn: the SVG under its cap, the peak at the exact
 * reading, every span, every reading covered within half a pixel.
 */
START_TEST(test_plot_big)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_scale");
    gen("big.dat", BIG);
    long kib = 0;
    const char *const args[] = {"plot", "big.dat", "-o", "big.svg", NULL};
    ck_assert_int_eq(run_rss(&sb, "out.txt", &kib, args), 0);
    size_t len = 0;
    char *svg = read_file("big.svg", &len);
    ck_assert_ptr_nonnull(svg);
    ck_assert_msg(len <= SVG_CAP, "SVG of %zu bytes", len);

    const char *g = strstr(svg, "<g class=\"plot\"");
    ck_assert_ptr_nonnull(g);
    double x0 = attr_num(g, "data-x0");
    double xs = attr_num(g, "data-xscale");
    double y0 = attr_num(g, "data-y0");
    double ys = attr_num(g, "data-yscale");

    /* The peak: its marker at the reading itself. */
    const char *pk = strstr(svg, "<circle class=\"peak\"");
    ck_assert_ptr_nonnull(pk);
    ck_assert_double_eq_tol(attr_num(pk, "data-mib"), PEAK_MIB, 1e-4);
    ck_assert_double_eq_tol(attr_num(pk, "data-t"), PEAK_AT * DT, 1e-4);
    ck_assert_ptr_nonnull(strstr(svg, "peak 987.7 MiB"));

    /* Every span: a group and two brackets each. */
    ck_assert_int_eq(count(svg, "<g class=\"func\""), NSPANS);
    ck_assert_int_eq(count(svg, "<polyline class=\"bracket\""), 2 * NSPANS);

    const char *mem = strstr(svg, "<polyline class=\"mem\"");
    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq((long)attr_num(mem, "data-n"), BIG);
    size_t np = 0;
    double *pts = polyline(mem, &np);
    ck_assert_uint_le(np, 4 * 2 * 1000); /* 4 a bucket, 2 buckets a pixel */
    covered(pts, np, x0, xs, y0, ys, mib_at, BIG, 1, 0, 0);
    free(pts);

    const char *ch = strstr(svg, "<polyline class=\"child\"");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq((long)attr_num(ch, "data-n"), BIG / 10);
    pts = polyline(ch, &np);
    covered(pts, np, x0, xs, y0, ys, chld_at, BIG, 10, 5, 0.005);
    free(pts);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Fewer readings than the picture has pixels: every one is a point, as
 * it always was.
 */
START_TEST(test_plot_small_whole)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_scale");
    gen("small.dat", 1500);
    long kib = 0;
    const char *const args[] = {"plot", "small.dat", "-o", "s.svg", NULL};
    ck_assert_int_eq(run_rss(&sb, "out.txt", &kib, args), 0);
    char *svg = read_file("s.svg", NULL);
    ck_assert_ptr_nonnull(svg);
    const char *mem = strstr(svg, "<polyline class=\"mem\"");
    ck_assert_ptr_nonnull(mem);
    size_t np = 0;
    double *pts = polyline(mem, &np);
    ck_assert_uint_eq(np, 1500);
    ck_assert_int_eq((long)attr_num(mem, "data-n"), 1500);
    free(pts);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/*
 * The PNG and the terminal's picture of a million readings take no more
 * memory than of a thousand, give or take 16 MiB: cairo needs a few MiB
 * more to fill a line of 8,000 zigzagging points than one of 1,000 (4 MiB
 * more here, 9 under ASan; 10^7 readings take what 10^6 take), while
 * holding every reading took 130 MiB more at 10^6.
 */
START_TEST(test_plot_rss)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_scale");
    gen("big.dat", BIG);
    gen("small.dat", SMALL);
    long big = 0;
    long small = 0;
    const char *const a_big[] = {"plot", "big.dat", "--term", "--color=never",
                                 "-o",   "big.png", NULL};
    int rc = run_rss(&sb, "big.txt", &big, a_big);
    if (rc != 0) {
        /* No cairo: the terminal alone. */
        const char *const t_big[] = {"plot", "big.dat", "--term", NULL};
        ck_assert_int_eq(run_rss(&sb, "big.txt", &big, t_big), 0);
        const char *const t_small[] = {"plot", "small.dat", "--term", NULL};
        ck_assert_int_eq(run_rss(&sb, "small.txt", &small, t_small), 0);
    } else {
        const char *const a_small[] = {
            "plot", "small.dat", "--term", "--color=never",
            "-o",   "small.png", NULL};
        ck_assert_int_eq(run_rss(&sb, "small.txt", &small, a_small), 0);
    }
    char *term = read_file("big.txt", NULL);
    ck_assert_ptr_nonnull(term);
    ck_assert_ptr_nonnull(strstr(term, "peak 987.7 MiB"));
    free(term);
    FIGURE(ck_assert_msg(big - small < 16 * 1024,
                         "plot: %ld KiB for a million readings, %ld for a "
                         "thousand",
                         big, small));
    sandbox_leave(&sb);
}
END_TEST

/*
 * peak on a million readings: the exact maximum, the child's, --func's;
 * its memory that of a thousand readings, give or take 4 MiB.
 */
START_TEST(test_peak_big)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_scale");
    gen("big.dat", BIG);
    gen("small.dat", SMALL);
    long big = 0;
    long small = 0;
    const char *const a_big[] = {"peak", "big.dat", NULL};
    ck_assert_int_eq(run_rss(&sb, "big.txt", &big, a_big), 0);
    const char *const a_small[] = {"peak", "small.dat", NULL};
    ck_assert_int_eq(run_rss(&sb, "small.txt", &small, a_small), 0);
    char *out = read_file("big.txt", NULL);
    ck_assert_ptr_nonnull(out);
    double cmax = 0;
    for (long i = 5; i < BIG; i += 10)
        cmax = chld_at(i) > cmax ? chld_at(i) : cmax;
    char want[256];
    snprintf(want, sizeof want,
             "big.dat\t%.3f MiB\n  Child 4242\t\t\t%.3f MiB\n", PEAK_MIB, cmax);
    ck_assert_str_eq(out, want);
    free(out);
    FIGURE(ck_assert_msg(big - small < 4 * 1024,
                         "peak: %ld KiB for a million readings, %ld for a "
                         "thousand",
                         big, small));

    /* The span that holds the peak ... */
    long every = BIG / NSPANS;
    long k = PEAK_AT / every;
    char name[32];
    snprintf(name, sizeof name, "scale.f%ld", k);
    const char *const a_func[] = {"peak", "big.dat", "--func", name, NULL};
    ck_assert_int_eq(run_rss(&sb, "func.txt", &big, a_func), 0);
    out = read_file("func.txt", NULL);
    ck_assert_ptr_nonnull(out);
    /* ... ends at reading last and starts every / 2 readings before. */
    long last = k * every + every - 1;
    double fmax = 0;
    for (long i = last - every / 2; i <= last; i++)
        fmax = mib_at(i) > fmax ? mib_at(i) : fmax;
    ck_assert_double_eq(fmax, PEAK_MIB);
    /* Children are never filtered by --func, as in mprof. */
    snprintf(want, sizeof want,
             "big.dat\t%.3f MiB\n  Child 4242\t\t\t%.3f MiB\n", fmax, cmax);
    ck_assert_str_eq(out, want);
    free(out);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Two recordings appended to one file (time goes back at the second's
 * start) and a torn last line: reduced, both runs are drawn, the torn
 * line is left out with one warning (not one per pass), the peak is the
 * exact reading.
 */
START_TEST(test_plot_appended)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_scale");
    FILE *f = fopen("app.dat", "w");
    ck_assert_ptr_nonnull(f);
    for (int r = 0; r < 2; r++)
        for (long i = 0; i < 20000; i++)
            fprintf(f, "MEM %.6f %.4f\n",
                    r == 1 && i == 1234 ? 999.5 : mib_at(i * 50),
                    T0 + (double)r * 50 + (double)i * DT);
    fprintf(f, "MEM 2000.0");
    ck_assert_int_eq(fclose(f), 0);
    const char *argv[] = {sb.memprof, "plot", "app.dat", "-o", "a.svg", NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
                  r.err);
    ck_assert_int_eq(count(r.err, "cut short"), 1);
    ck_assert_int_eq(count(r.err, "\n"), 1);
    run_result_free(&r);
    char *svg = read_file("a.svg", NULL);
    ck_assert_ptr_nonnull(svg);
    const char *mem = strstr(svg, "<polyline class=\"mem\"");
    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq((long)attr_num(mem, "data-n"), 40000);
    size_t np = 0;
    double *pts = polyline(mem, &np);
    ck_assert_uint_le(np, 4 * 2 * 1000 * 2); /* two runs over the time */
    /* The second run starts back at 50 s: the line goes back in time. */
    size_t back = 0;
    for (size_t k = 1; k < np; k++)
        back += pts[2 * k] < pts[2 * k - 2] - 1;
    ck_assert_uint_eq(back, 1);
    free(pts);
    const char *pk = strstr(svg, "<circle class=\"peak\"");
    ck_assert_ptr_nonnull(pk);
    ck_assert_double_eq_tol(attr_num(pk, "data-mib"), 999.5, 1e-6);
    ck_assert_double_eq_tol(attr_num(pk, "data-t"), 50 + 1234 * DT, 1e-4);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

Suite *cli_scale_suite(void)
{
    Suite *s = suite_create("cli_scale");
    TCase *tc = tcase_create("scale");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plot_big);
    tcase_add_test(tc, test_plot_small_whole);
    tcase_add_test(tc, test_plot_appended);
    tcase_add_test(tc, test_plot_rss);
    tcase_add_test(tc, test_peak_big);
    suite_add_tcase(s, tc);
    return s;
}
