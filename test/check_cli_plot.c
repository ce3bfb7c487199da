/*
 * check_cli_plot.c - memprof plot, run as a user runs it on the fixtures
 * test/data/plot_*.dat: the SVG read back with string scanning (its
 * curves give the samples again through the mapping the plot area's
 * group states, one bracket per FUNC line, escaped titles, labels off the
 * curves), the PNG's header and size, the terminal's picture against a
 * golden file, and the errors.
 *
 * Tests run from the project's root; each works in a directory of its
 * own made by mkdtemp, and runs the command by its absolute path.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* The fixture's command line, as the SVG must escape it. */
#define RUN_CMDLINE_XML                                                        \
    "./build/examples/grow --steps 4 &apos;a &lt;b&gt; &amp; "                 \
    "&quot;c&quot;&apos;"

/* The readings of test/data/plot_run.dat, seconds from its start. */
static const double run_t[] = {0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4};
static const double run_mib[] = {10,      20,  45.5, 80.25, 120,
                                 154.125, 150, 90,   40};
static const double c101_t[] = {1, 1.5, 2};
static const double c101_mib[] = {5, 25, 30};
static const double c102_t[] = {2.5, 3, 3.5};
static const double c102_mib[] = {8, 12.5, 6};

/*
 * mp() - run memprof with the environment changes env (NULL or as
 * run_capture takes them) and the arguments that follow (NULL-
 * terminated) in the current directory; returns its exit status.
 */
static int mp(const sandbox *sb, run_result *r, const char *const env[], ...)
{
    const char *argv[24] = {sb->memprof};
    int n = 1;
    va_list ap;
    va_start(ap, env);
    while (n < 23 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    ck_assert(WIFEXITED(r->status));
    return WEXITSTATUS(r->status);
}

/* plot() - memprof plot with the arguments that follow; must succeed. */
#define plot(sb, ...)                                                          \
    do {                                                                       \
        run_result r_;                                                         \
        int rc_ = mp(sb, &r_, NULL, "plot", __VA_ARGS__, NULL);                \
        ck_assert_msg(rc_ == 0, "exit %d: %s", rc_, r_.err);                   \
        ck_assert_str_eq(r_.err, "");                                          \
        run_result_free(&r_);                                                  \
    } while (0)

/* count() - how many times needle occurs in s. */
static int count(const char *s, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    while ((s = strstr(s, needle)) != NULL) {
        n++;
        s += len;
    }
    return n;
}

/*
 * tag() - the k-th tag (from 0) that starts with start ("<polyline
 * class=\"mem\""), or NULL.
 */
static const char *tag(const char *svg, const char *start, int k)
{
    const char *p = svg;
    while ((p = strstr(p, start)) != NULL) {
        if (k-- == 0)
            return p;
        p += strlen(start);
    }
    return NULL;
}

/* attr() - the value of attribute name of the tag at t, malloc'd. */
static char *attr(const char *t, const char *name)
{
    const char *end = strchr(t, '>');
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(t, key);
    ck_assert_msg(p != NULL && p < end, "no %s in %.80s", name, t);
    p += strlen(key);
    const char *q = strchr(p, '"');
    ck_assert_ptr_nonnull(q);
    char *v = strndup(p, (size_t)(q - p));
    ck_assert_ptr_nonnull(v);
    return v;
}

/* num() - a numeric attribute. */
static double num(const char *t, const char *name)
{
    char *v = attr(t, name);
    char *end = NULL;
    double d = strtod(v, &end);
    ck_assert_msg(*end == '\0', "%s=\"%s\" is not a number", name, v);
    free(v);
    return d;
}

/* The plot area's mapping: x = x0 + t * xs, y = y0 - mib * ys. */
typedef struct mapping {
    double x0;
    double xs;
    double y0;
    double ys;
} mapping;

/* get_mapping() - the mapping the SVG's plot group states. */
static mapping get_mapping(const char *svg)
{
    const char *g = tag(svg, "<g class=\"plot\"", 0);
    ck_assert_ptr_nonnull(g);
    mapping m = {num(g, "data-x0"), num(g, "data-xscale"), num(g, "data-y0"),
                 num(g, "data-yscale")};
    ck_assert_double_gt(m.xs, 0);
    ck_assert_double_gt(m.ys, 0);
    return m;
}

/* points() - the points of the polyline at t: 2 * *n numbers, malloc'd. */
static double *points(const char *t, size_t *n)
{
    char *v = attr(t, "points");
    size_t cap = 16;
    double *pts = malloc(cap * sizeof *pts);
    size_t k = 0;
    char *p = v;
    while (*p != '\0') {
        char *end = NULL;
        double d = strtod(p, &end);
        ck_assert_msg(end != p, "bad points: %s", v);
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
    free(v);
    ck_assert_int_eq(k % 2, 0);
    *n = k / 2;
    return pts;
}

/*
 * same_samples() - the polyline at t maps back to the n samples
 * (t[i], mib[i]) within 0.01 s and 0.01 MiB.
 */
static void same_samples(const char *p, const mapping *m, const double *t,
                         const double *mib, size_t n)
{
    size_t got = 0;
    double *pts = points(p, &got);
    ck_assert_uint_eq(got, n);
    ck_assert_int_eq((int)num(p, "data-n"), (int)n);
    for (size_t i = 0; i < n; i++) {
        double tt = (pts[2 * i] - m->x0) / m->xs;
        double mm = (m->y0 - pts[2 * i + 1]) / m->ys;
        ck_assert_msg(fabs(tt - t[i]) < 0.01, "point %zu: t %.4f, not %.4f", i,
                      tt, t[i]);
        ck_assert_msg(fabs(mm - mib[i]) < 0.01, "point %zu: %.4f MiB, not %.4f",
                      i, mm, mib[i]);
    }
    free(pts);
}

/* read_svg() - the SVG name, checked to be a whole document. */
static char *read_svg(const char *name)
{
    char *svg = read_file(name, NULL);
    ck_assert_msg(svg != NULL, "no %s", name);
    ck_assert(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ",
                      44) == 0);
    ck_assert_ptr_nonnull(strstr(svg, " viewBox=\"0 0 "));
    ck_assert_int_eq(strcmp(svg + strlen(svg) - 7, "</svg>\n"), 0);
    ck_assert_int_eq(count(svg, "<g"), count(svg, "</g>"));
    ck_assert_int_eq(count(svg, "<text"), count(svg, "</text>"));
    /* Nothing unescaped in the text: every '&' starts an entity. */
    for (const char *p = svg; (p = strchr(p, '&')) != NULL; p++)
        ck_assert_msg(
            strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
                strncmp(p, "&gt;", 4) == 0 || strncmp(p, "&quot;", 6) == 0 ||
                strncmp(p, "&apos;", 6) == 0,
            "bare & at %.20s", p);
    return svg;
}

/* xml_ok() - xmllint, where it is, finds name well-formed. */
static void xml_ok(const char *name)
{
    if (access("/usr/bin/xmllint", X_OK) != 0)
        return;
    ck_assert_msg(sh("/usr/bin/xmllint --noout '%s'", name) == 0,
                  "%s is not well-formed XML", name);
}

/* A box in pixels: x, y, width, height. */
typedef struct box {
    double x;
    double y;
    double w;
    double h;
} box;

/* seg_meets() - whether segment (x1, y1)-(x2, y2) meets b. */
static int seg_meets(double x1, double y1, double x2, double y2, box b)
{
    double u0 = 0;
    double u1 = 1;
    double dx = x2 - x1;
    double dy = y2 - y1;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {x1 - b.x, b.x + b.w - x1, y1 - b.y, b.y + b.h - y1};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double u = q[i] / p[i];
        if (p[i] < 0 && u > u0)
            u0 = u;
        if (p[i] > 0 && u < u1)
            u1 = u;
    }
    return u0 <= u1;
}

/*
 * labels_off_curves() - no label's box (data-box) meets a segment of a
 * curve (class mem or child).  Returns how many labels there are.
 */
static int labels_off_curves(const char *svg)
{
    int labels = 0;
    const char *t;
    for (int k = 0; (t = tag(svg, "<text", k)) != NULL; k++) {
        if (strstr(t, " class=\"label\"") == NULL ||
            strstr(t, " class=\"label\"") > strchr(t, '>'))
            continue;
        char *v = attr(t, "data-box");
        box b;
        ck_assert_int_eq(sscanf(v, "%lf %lf %lf %lf", &b.x, &b.y, &b.w, &b.h),
                         4);
        free(v);
        labels++;
        static const char *const curves[] = {"<polyline class=\"mem\"",
                                             "<polyline class=\"child\""};
        for (int c = 0; c < 2; c++) {
            const char *p;
            for (int j = 0; (p = tag(svg, curves[c], j)) != NULL; j++) {
                size_t n = 0;
                double *pts = points(p, &n);
                for (size_t i = 0; i + 1 < n; i++)
                    ck_assert_msg(!seg_meets(pts[2 * i], pts[2 * i + 1],
                                             pts[2 * i + 2], pts[2 * i + 3], b),
                                  "a label at %.1f,%.1f is on a curve", b.x,
                                  b.y);
                free(pts);
            }
        }
    }
    return labels;
}

/*
 * The curves give the samples back, each child its own; one bracket
 * group per FUNC line; the title escaped; the peak marked; labels off
 * the curves; axes named as mprof names them.
 */
START_TEST(test_svg)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    plot(&sb, "run.dat", "-o", "x.svg");
    xml_ok("x.svg");
    char *svg = read_svg("x.svg");
    mapping m = get_mapping(svg);

    const char *p = tag(svg, "<polyline class=\"mem\"", 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_double_eq_tol(num(p, "data-start"), 1795397000.0, 1e-4);
    same_samples(p, &m, run_t, run_mib, 9);
    ck_assert_ptr_null(tag(svg, "<polyline class=\"mem\"", 1));
    p = tag(svg, "<polyline class=\"child\"", 0);
    ck_assert_int_eq((int)num(p, "data-pid"), 101);
    same_samples(p, &m, c101_t, c101_mib, 3);
    p = tag(svg, "<polyline class=\"child\"", 1);
    ck_assert_int_eq((int)num(p, "data-pid"), 102);
    same_samples(p, &m, c102_t, c102_mib, 3);

    /* One group per FUNC line, two brackets each, one bar each. */
    ck_assert_int_eq(count(svg, "<g class=\"func\""), 4);
    ck_assert_int_eq(count(svg, "<polyline class=\"bracket\""), 8);
    ck_assert_int_eq(count(svg, "<rect class=\"bar\""), 4);
    ck_assert_int_eq(count(svg, " data-name=\"grow.step\""), 2);
    ck_assert_int_eq(count(svg, " data-name=\"grow.grow\" data-level=\"0\""),
                     1);
    ck_assert_int_eq(count(svg, " data-name=\"grow.phase_2\" data-level=\"0\""),
                     1);
    ck_assert_int_eq(count(svg, ">phase_2</text>"), 1);
    /* The brackets stand at the spans' own readings. */
    p = tag(svg, "<g class=\"func\" data-name=\"grow.phase_2\"", 0);
    const char *b = tag(p, "<polyline class=\"bracket\"", 0);
    size_t n = 0;
    double *pts = points(b, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_double_eq_tol((pts[2] - m.x0) / m.xs, 2.5, 0.01);
    ck_assert_double_eq_tol((m.y0 - (pts[3] + pts[5]) / 2) / m.ys, 154.125,
                            0.01);
    free(pts);

    ck_assert_ptr_nonnull(strstr(svg, "<title>" RUN_CMDLINE_XML "</title>"));
    ck_assert_ptr_nonnull(
        strstr(svg, " class=\"title\" x=\"500.00\" y=\"26.00\" "
                    "font-size=\"16\" text-anchor=\"middle\" "
                    "fill=\"#222222\" font-weight=\"bold\">" RUN_CMDLINE_XML
                    "</text>"));
    ck_assert_ptr_null(strstr(svg, "<b>"));
    ck_assert_ptr_nonnull(strstr(svg, ">Memory used (MiB)</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">Time (seconds)</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">child 101</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">child 102</text>"));
    p = tag(svg, "<circle class=\"peak\"", 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_double_eq_tol(num(p, "data-mib"), 154.125, 1e-4);
    ck_assert_double_eq_tol((num(p, "cx") - m.x0) / m.xs, 2.5, 0.01);
    ck_assert_int_eq(count(svg, ">peak 154.1 MiB</text>"), 2);
    /* The peak's label and three spans' labels: grow.step's two calls
       in a row are labelled once, "step ×2". */
    ck_assert_int_eq(count(svg, ">step \xC3\x97"
                                "2</text>"),
                     1);
    ck_assert_int_eq(count(svg, ">step</text>"), 0);
    ck_assert_int_eq(labels_off_curves(svg), 4);
    ck_assert_ptr_null(strstr(svg, "class=\"slope\""));
    free(svg);

    /* -n: no spans at all. */
    plot(&sb, "run.dat", "-n", "-o", "n.svg");
    svg = read_svg("n.svg");
    ck_assert_int_eq(count(svg, "class=\"func\""), 0);
    ck_assert_int_eq(count(svg, "class=\"bracket\""), 0);
    ck_assert_int_eq(count(svg, "<polyline class=\"mem\""), 1);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* UTF-8 in the tests below, in octal: "×", "…", "├", "│", "━", "⠂". */
#define TIMES "\303\227"
#define ELLIPSIS "\342\200\246"
#define BAR_START "\342\224\234"
#define BAR_ONE "\342\224\202"
#define SWATCH "\342\224\201\342\224\201"
#define DOTS4 "\342\240\202\342\240\202\342\240\202\342\240\202"

/*
 * small_dat() - a recording with what the legend and the band must show
 * well: a long command line of paths, two children with the same
 * readings, one call of small.f (2.2 s), three of small.g in a row
 * (0.1, 0.3 and 0.2 s) and a hundred of small.h (5 ms each).
 */
static void small_dat(void)
{
    FILE *f = fopen("small.dat", "w");
    ck_assert_ptr_nonnull(f);
    fputs("CMDLINE /usr/local/lib/x86_64-linux-gnu/memprof-demo/bin/"
          "some-program --input /srv/data/input-file.csv\n",
          f);
    for (int i = 0; i <= 30; i++) {
        fprintf(f, "MEM %d.000000 %.4f\n", 10 + i, 1795397000 + i * 0.1);
        for (int pid = 201; pid <= 202 && i >= 10 && i <= 20; pid++)
            fprintf(f, "CHLD %d %d.000000 %.4f\n", pid, i,
                    1795397000 + i * 0.1);
    }
    fputs("FUNC small.f 10.0 1795397000.0 32.0 1795397002.2 0\n", f);
    fputs("FUNC small.g 11.0 1795397000.1 12.0 1795397000.2 1\n", f);
    fputs("FUNC small.g 11.0 1795397000.2 12.0 1795397000.5 1\n", f);
    fputs("FUNC small.g 11.0 1795397000.5 12.0 1795397000.7 1\n", f);
    for (int k = 0; k < 100; k++)
        fprintf(f, "FUNC small.h 20.0 %.4f 20.5 %.4f 1\n",
                1795397001 + k * 0.01, 1795397001 + k * 0.01 + 0.005);
    ck_assert_int_eq(fclose(f), 0);
}

/*
 * The legend: each function's calls and durations (mprof's "%.3fs"),
 * whole calls also when the window cuts them; a command line broken
 * after path separators and spaces, not inside a word; a child with the
 * same readings as another drawn in the other's gaps and named so.  The
 * band: a run of calls labelled once, "h ×100".  The terminal the same.
 */
START_TEST(test_legend_and_band)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    small_dat();
    plot(&sb, "small.dat", "-o", "s.svg");
    xml_ok("s.svg");
    char *svg = read_svg("s.svg");

    ck_assert_int_eq(count(svg, " class=\"duration\""), 3);
    ck_assert_int_eq(count(svg, ">small.f " TIMES "1</text>"), 1);
    ck_assert_int_eq(count(svg, ">2.200s</text>"), 1);
    ck_assert_int_eq(count(svg, ">small.g " TIMES "3</text>"), 1);
    ck_assert_int_eq(count(svg, ">0.600s total, longest 0.300s</text>"), 1);
    ck_assert_int_eq(count(svg, ">small.h " TIMES "100</text>"), 1);
    ck_assert_int_eq(count(svg, ">0.500s total, longest 0.005s</text>"), 1);

    ck_assert_int_eq(count(svg, ">/usr/local/lib/x86_64-linux-gnu/</text>"), 1);
    ck_assert_int_eq(count(svg, ">memprof-demo/bin/</text>"), 1);
    ck_assert_int_eq(
        count(svg, ">some-program --input /srv/data" ELLIPSIS "</text>"), 1);

    mapping m = get_mapping(svg);
    static const double ct[] = {1,   1.1, 1.2, 1.3, 1.4, 1.5,
                                1.6, 1.7, 1.8, 1.9, 2};
    static const double cm[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    const char *p = tag(svg, "<polyline class=\"child\"", 0);
    ck_assert_int_eq((int)num(p, "data-pid"), 201);
    same_samples(p, &m, ct, cm, 11);
    ck_assert_ptr_nonnull(strstr(p, " stroke-dasharray=\"7 4\" "));
    p = tag(svg, "<polyline class=\"child\"", 1);
    ck_assert_int_eq((int)num(p, "data-pid"), 202);
    same_samples(p, &m, ct, cm, 11);
    ck_assert_ptr_nonnull(
        strstr(p, " stroke-dasharray=\"4 7\" stroke-dashoffset=\"4\" "));
    ck_assert_int_eq(count(svg, ">same as child 201</text>"), 1);
    ck_assert_int_eq(count(svg, ">same as"), 1);

    ck_assert_int_eq(count(svg, "<g class=\"func\""), 104);
    ck_assert_int_eq(count(svg, "<rect class=\"bar\""), 104);
    ck_assert_int_eq(count(svg, ">f</text>"), 1);
    ck_assert_int_eq(count(svg, ">g " TIMES "3</text>"), 1);
    ck_assert_int_eq(count(svg, ">h " TIMES "100</text>"), 1);
    ck_assert_int_eq(count(svg, ">g</text>"), 0);
    ck_assert_int_eq(count(svg, ">h</text>"), 0);
    free(svg);

    /* -w 0.3,3: g's first call is out, its second cut, but each
       duration is its whole call's. */
    plot(&sb, "small.dat", "-w", "0.3,3", "-o", "w.svg");
    svg = read_svg("w.svg");
    ck_assert_int_eq(count(svg, ">2.200s</text>"), 1);
    ck_assert_int_eq(count(svg, ">small.g " TIMES "2</text>"), 1);
    ck_assert_int_eq(count(svg, ">0.500s total, longest 0.300s</text>"), 1);
    ck_assert_int_eq(count(svg, ">g " TIMES "2</text>"), 1);
    free(svg);

    /* The same recording twice: the second's curves are the first's. */
    ck_assert_int_eq(sh("cp small.dat again.dat"), 0);
    plot(&sb, "small.dat", "again.dat", "-o", "two.svg");
    svg = read_svg("two.svg");
    ck_assert_int_eq(count(svg, ">same as small.dat</text>"), 1);
    ck_assert_int_eq(count(svg, ">same as child 201</text>"), 1);
    ck_assert_int_eq(count(svg, ">same as child 201 of small.dat</text>"), 2);
    ck_assert_int_eq(count(svg, ">same as"), 4);
    free(svg);

    run_result r;
    ck_assert_int_eq(mp(&sb, &r, NULL, "plot", "small.dat", "--term",
                        "--columns", "80", "--rows", "10", "--color=never",
                        NULL),
                     0);
    ck_assert_ptr_nonnull(strstr(r.out, "\n" DOTS4 " child 202  peak 20.0 "
                                        "MiB  same as child 201\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n" SWATCH " small.f " TIMES
                                        "1, 2.200s  " SWATCH " small.g " TIMES
                                        "3, 0.600s total, longest 0.300s\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n" SWATCH " small.h " TIMES
                                        "100, 0.500s total, longest "
                                        "0.005s\n"));
    /* Each run's label once in the band ("├g ×3", "│h ×100"), and in
       the legend. */
    ck_assert_int_eq(count(r.out, BAR_START "g " TIMES "3"), 1);
    ck_assert_int_eq(count(r.out, BAR_ONE "h " TIMES "100"), 1);
    ck_assert_int_eq(count(r.out, "g " TIMES "3"), 2);
    ck_assert_int_eq(count(r.out, "h " TIMES "100"), 2);
    ck_assert_int_eq(count(r.out, BAR_START "f"), 1);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * A recording made by memprof run -M of examples/grow (its pictures are
 * the README's): every reading, both children, one group per FUNC line.
 */
START_TEST(test_svg_recorded)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_grow.dat", "grow.dat");
    plot(&sb, "grow.dat", "-o", "g.svg", "-s");
    xml_ok("g.svg");
    char *svg = read_svg("g.svg");
    const char *p = tag(svg, "<polyline class=\"mem\"", 0);
    ck_assert_int_eq((int)num(p, "data-n"), 18);
    ck_assert_int_eq(count(svg, "<polyline class=\"child\""), 2);
    ck_assert_int_eq(count(svg, "<g class=\"func\""), 8);
    ck_assert_int_eq(count(svg, " data-name=\"grow.step\""), 4);
    ck_assert_int_eq(count(svg, "<polyline class=\"bracket\""), 16);
    ck_assert_int_eq(count(svg, "<line class=\"slope\""), 3);
    ck_assert_ptr_nonnull(strstr(svg, "<title>build/examples/grow</title>"));
    ck_assert_int_ge(labels_off_curves(svg), 2);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* -t: the title, escaped, in <title> and drawn; odd bytes made valid. */
START_TEST(test_svg_title)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    plot(&sb, "run.dat", "-t", "Mine: <a> & \"b\" 'c'", "--output=t.svg");
    xml_ok("t.svg");
    char *svg = read_svg("t.svg");
    ck_assert_ptr_nonnull(strstr(svg, "<title>Mine: &lt;a&gt; &amp; &quot;b"
                                      "&quot; &apos;c&apos;</title>"));
    ck_assert_ptr_nonnull(strstr(svg, " class=\"title\""));
    ck_assert_ptr_nonnull(strstr(svg, ">Mine: &lt;a&gt; &amp; &quot;b&quot; "
                                      "&apos;c&apos;</text>"));
    /* The command line is the legend's, no longer the title, on two
       lines broken at a space. */
    ck_assert_ptr_null(strstr(svg, RUN_CMDLINE_XML));
    ck_assert_ptr_nonnull(
        strstr(svg, ">./build/examples/grow --steps 4</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">&apos;a &lt;b&gt; &amp; &quot;c&quot;"
                                      "&apos;</text>"));
    free(svg);

    /* A control character becomes a space, a bad byte U+FFFD. */
    put_file("odd.dat", "CMDLINE ./a\x01 b\xff\n"
                        "MEM 1.0 100.0\n"
                        "MEM 2.0 101.0\n"
                        "FUNC x.f\xc3 1.0 100.0 2.0 101.0 0\n");
    plot(&sb, "odd.dat", "-o", "odd.svg");
    xml_ok("odd.svg");
    svg = read_svg("odd.svg");
    ck_assert_ptr_nonnull(strstr(svg, "<title>./a  b\xef\xbf\xbd</title>"));
    ck_assert_ptr_nonnull(strstr(svg, " data-name=\"x.f\xef\xbf\xbd\""));
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* -s: a trend line per curve, and its slope in the legend. */
START_TEST(test_svg_slope)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_linear.dat", "lin.dat");
    plot(&sb, "lin.dat", "-s", "-o", "s.svg");
    char *svg = read_svg("s.svg");
    mapping m = get_mapping(svg);
    const char *p = tag(svg, "<line class=\"slope\"", 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_double_eq_tol(num(p, "data-slope"), 2.0, 1e-6);
    /* The line runs over the samples: 10 MiB at 0 s, 20 MiB at 5 s. */
    ck_assert_double_eq_tol((num(p, "x1") - m.x0) / m.xs, 0, 0.01);
    ck_assert_double_eq_tol((m.y0 - num(p, "y1")) / m.ys, 10, 0.01);
    ck_assert_double_eq_tol((num(p, "x2") - m.x0) / m.xs, 5, 0.01);
    ck_assert_double_eq_tol((m.y0 - num(p, "y2")) / m.ys, 20, 0.01);
    ck_assert_ptr_nonnull(strstr(svg, ">slope +2.00 MiB/s</text>"));
    ck_assert_int_eq(count(svg, "class=\"slope-label\""), 1);
    free(svg);

    /* Every curve its own: the fixture's recording and its children. */
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    plot(&sb, "run.dat", "-s", "-o", "r.svg");
    svg = read_svg("r.svg");
    ck_assert_int_eq(count(svg, "<line class=\"slope\""), 3);
    /* Child 101: 5, 25, 30 MiB at 1, 1.5, 2 s: 25 MiB/s. */
    ck_assert_ptr_nonnull(strstr(svg, ">slope +25.00 MiB/s</text>"));
    /* Child 102: 8, 12.5, 6 MiB at 2.5, 3, 3.5 s: -2 MiB/s. */
    ck_assert_ptr_nonnull(strstr(svg, ">slope -2.00 MiB/s</text>"));
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* -w: only the samples and spans within the window, the axis its own. */
START_TEST(test_svg_window)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    plot(&sb, "run.dat", "-w", "1,3", "-o", "w.svg");
    char *svg = read_svg("w.svg");
    mapping m = get_mapping(svg);
    const char *g = tag(svg, "<g class=\"plot\"", 0);
    ck_assert_double_eq_tol((num(g, "data-left") - m.x0) / m.xs, 1, 1e-3);
    ck_assert_double_eq_tol((num(g, "data-right") - m.x0) / m.xs, 3, 1e-3);
    same_samples(tag(svg, "<polyline class=\"mem\"", 0), &m, run_t + 2,
                 run_mib + 2, 5);
    same_samples(tag(svg, "<polyline class=\"child\"", 0), &m, c101_t, c101_mib,
                 3);
    same_samples(tag(svg, "<polyline class=\"child\"", 1), &m, c102_t, c102_mib,
                 2);
    /* The spans that meet [1, 3], not the first step, which ends at 1;
       the ends outside get no bracket. */
    ck_assert_int_eq(count(svg, "<g class=\"func\""), 3);
    ck_assert_int_eq(count(svg, " data-name=\"grow.step\""), 1);
    ck_assert_int_eq(count(svg, "<polyline class=\"bracket\""), 4);
    ck_assert_int_ge(labels_off_curves(svg), 1);
    free(svg);

    /* A window that leaves out a child leaves out its curve. */
    plot(&sb, "run.dat", "--window=0,1.2", "-o", "w2.svg");
    svg = read_svg("w2.svg");
    m = get_mapping(svg);
    same_samples(tag(svg, "<polyline class=\"mem\"", 0), &m, run_t, run_mib, 3);
    same_samples(tag(svg, "<polyline class=\"child\"", 0), &m, c101_t, c101_mib,
                 1);
    ck_assert_ptr_null(tag(svg, "<polyline class=\"child\"", 1));
    ck_assert_int_eq(count(svg, "<g class=\"func\""), 3);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* The y of a func group's bar. */
static double bar_y(const char *svg, const char *name, int k)
{
    char start[128];
    snprintf(start, sizeof start, "<g class=\"func\" data-name=\"%s\"", name);
    const char *g = tag(svg, start, k);
    ck_assert_msg(g != NULL, "no %s", start);
    const char *r = tag(g, "<rect class=\"bar\"", 0);
    ck_assert_ptr_nonnull(r);
    ck_assert(r < strstr(g, "</g>"));
    return num(r, "y");
}

/* -f: one bar per FUNC line, by level, level 0 at the bottom. */
START_TEST(test_svg_flame)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    plot(&sb, "run.dat", "-f", "-o", "f.svg");
    xml_ok("f.svg");
    char *svg = read_svg("f.svg");
    ck_assert_int_eq(count(svg, "<g class=\"func\""), 4);
    ck_assert_int_eq(count(svg, "<rect class=\"bar\""), 4);
    ck_assert_int_eq(count(svg, "class=\"bracket\""), 0);
    double grow = bar_y(svg, "grow.grow", 0);
    double phase = bar_y(svg, "grow.phase_2", 0);
    double step0 = bar_y(svg, "grow.step", 0);
    double step1 = bar_y(svg, "grow.step", 1);
    ck_assert_double_eq(grow, phase);
    ck_assert_double_eq(step0, step1);
    ck_assert_double_lt(step0, grow);
    /* Under the plot area. */
    const char *g = tag(svg, "<g class=\"plot\"", 0);
    ck_assert_double_gt(step0, num(g, "data-bottom"));
    /* Each bar from entry to exit. */
    mapping m = get_mapping(svg);
    g = tag(svg, "<g class=\"func\" data-name=\"grow.phase_2\"", 0);
    const char *r = tag(g, "<rect class=\"bar\"", 0);
    ck_assert_double_eq_tol((num(r, "x") - m.x0) / m.xs, 2.5, 0.01);
    ck_assert_double_eq_tol(num(r, "width") / m.xs, 1, 0.01);
    same_samples(tag(svg, "<polyline class=\"mem\"", 0), &m, run_t, run_mib, 9);
    labels_off_curves(svg);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* Several files: overlaid, each from its own start, no spans (mprof). */
START_TEST(test_svg_several)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "mprofile_20261123011923.dat");
    copy_file(&sb, "test/data/plot_linear.dat", "lin.dat");
    plot(&sb, "0", "lin.dat", "mprofile_20261123011923.dat", "-o", "m.svg");
    char *svg = read_svg("m.svg");
    mapping m = get_mapping(svg);
    same_samples(tag(svg, "<polyline class=\"mem\"", 0), &m, run_t, run_mib, 9);
    static const double lin_t[] = {0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5};
    static const double lin_mib[] = {10, 11, 12, 13, 14, 15,
                                     16, 17, 18, 19, 20};
    const char *p = tag(svg, "<polyline class=\"mem\"", 1);
    ck_assert_double_eq_tol(num(p, "data-start"), 1795397100.0, 1e-4);
    same_samples(p, &m, lin_t, lin_mib, 11);
    ck_assert_ptr_null(tag(svg, "<polyline class=\"mem\"", 2));
    ck_assert_int_eq(count(svg, "class=\"func\""), 0);
    ck_assert_int_eq(count(svg, "class=\"title\""), 0);
    ck_assert_ptr_nonnull(strstr(svg, ">mprofile_20261123011923.dat</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">lin.dat</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">./leak</text>"));
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* be32() - a big-endian 32-bit number. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/*
 * PNG: a PNG file of the size asked, with more in it than a blank
 * picture (which compresses to about 1 KB); or, where libcairo.so.2 is
 * not installed, one line that says so, and no file.
 */
START_TEST(test_png)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    run_result r;
    int rc = mp(&sb, &r, NULL, "plot", "run.dat", "-o", "x.PNG", "--width",
                "640", "--height", "400", NULL);
    if (rc == 1 && strstr(r.err, "cairo cannot be loaded") != NULL) {
        ck_assert(!file_exists("x.PNG"));
        fprintf(stderr, "SKIP test_png: %s", r.err);
        run_result_free(&r);
        sandbox_leave(&sb);
        return;
    }
    ck_assert_msg(rc == 0, "exit %d: %s", rc, r.err);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    size_t len = 0;
    unsigned char *png = (unsigned char *)read_file("x.PNG", &len);
    ck_assert_ptr_nonnull(png);
    ck_assert_uint_gt(len, 5000);
    ck_assert(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
    ck_assert_uint_eq(be32(png + 8), 13);
    ck_assert(memcmp(png + 12, "IHDR", 4) == 0);
    ck_assert_uint_eq(be32(png + 16), 640);
    ck_assert_uint_eq(be32(png + 20), 400);
    ck_assert(memcmp(png + len - 8, "IEND", 4) == 0);
    free(png);

    /* A flame picture, by default 1000 x 600. */
    plot(&sb, "run.dat", "-f", "-o", "f.png");
    png = (unsigned char *)read_file("f.png", &len);
    ck_assert_ptr_nonnull(png);
    ck_assert_uint_eq(be32(png + 16), 1000);
    ck_assert_uint_eq(be32(png + 20), 600);
    free(png);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Without cairo (MEMPROF_CAIRO names a library that is not there, as
 * libcairo.so.2 is not where libcairo2 is not installed): one line, exit
 * 1, no file; SVG and --term still work.
 */
START_TEST(test_png_no_cairo)
{
    static const char *const env[] = {
        "MEMPROF_CAIRO=libmemprof-no-such-cairo.so.2", NULL};
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    run_result r;
    ck_assert_int_eq(mp(&sb, &r, env, "plot", "run.dat", "-o", "x.png", NULL),
                     1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err,
                     "memprof: cairo cannot be loaded "
                     "(libmemprof-no-such-cairo.so.2: cannot open shared "
                     "object file: No such file or directory); PNG is not "
                     "available (use .svg or --term)\n");
    run_result_free(&r);
    ck_assert(!file_exists("x.png"));
    ck_assert_int_eq(mp(&sb, &r, env, "plot", "run.dat", "-o", "x.svg", NULL),
                     0);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert(file_exists("x.svg"));
    ck_assert_int_eq(mp(&sb, &r, env, "plot", "run.dat", "--term", NULL), 0);
    ck_assert_str_ne(r.out, "");
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * memprof links no cairo, nor what comes with it (pixman, fontconfig,
 * FreeType, libpng): its NEEDED entries are the C library's (and a
 * sanitizer's runtime in those builds); plot_png.c loads cairo itself.
 */
START_TEST(test_links)
{
    static const char *const allowed[] = {
        "libc.so.",      "libm.so.",    "libpthread.so.",
        "libdl.so.",     "ld-linux",    "libasan.so.",
        "libubsan.so.",  "libtsan.so.", "libgcc_s.so.",
        "libstdc++.so.", NULL};
    if (access("/usr/bin/readelf", X_OK) != 0) {
        fprintf(stderr, "SKIP test_links: /usr/bin/readelf is not there "
                        "(binutils)\n");
        return;
    }
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    const char *argv[] = {"/usr/bin/readelf", "-d", sb.memprof, NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    int needed = 0;
    for (const char *p = r.out; (p = strstr(p, "(NEEDED)")) != NULL; p++) {
        const char *lib = strchr(p, '[');
        ck_assert_ptr_nonnull(lib);
        lib++;
        int ok = 0;
        for (size_t k = 0; allowed[k] != NULL; k++)
            ok |= strncmp(lib, allowed[k], strlen(allowed[k])) == 0;
        ck_assert_msg(ok, "memprof needs %.40s", lib);
        needed++;
    }
    ck_assert_int_gt(needed, 0);
    ck_assert_ptr_null(strstr(r.out, "cairo"));
    ck_assert_ptr_null(strstr(r.out, "pixman"));
    ck_assert_ptr_null(strstr(r.out, "fontconfig"));
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/* --term: the golden picture of the fixture, 80 columns, 16 rows. */
START_TEST(test_term)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/test/data/plot_term_80.txt", sb.home);
    char *want = read_file(path, NULL);
    ck_assert_ptr_nonnull(want);
    run_result r;
    ck_assert_int_eq(mp(&sb, &r, NULL, "plot", "run.dat", "--term", "--columns",
                        "80", "--rows", "16", "--color=never", NULL),
                     0);
    ck_assert_str_eq(r.err, "");
    if (strcmp(r.out, want) != 0) {
        FILE *f = fopen("/tmp/plot_term_80.got", "w");
        if (f != NULL) {
            fputs(r.out, f);
            fclose(f);
        }
    }
    ck_assert_msg(strcmp(r.out, want) == 0,
                  "not as test/data/plot_term_80.txt; see "
                  "/tmp/plot_term_80.got:\n%s",
                  r.out);
    /* No file written, every line within 80 columns. */
    ck_assert(!file_exists("run.svg"));
    for (const char *line = r.out; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        ck_assert_ptr_nonnull(nl);
        int cols = 0;
        for (const char *p = line; p < nl; p++)
            cols += (*p & 0xC0) != 0x80;
        ck_assert_int_le(cols, 80);
        line = nl + 1;
    }
    run_result_free(&r);
    free(want);

    /* Colours when asked, not by default on a pipe nor with NO_COLOR. */
    ck_assert_int_eq(mp(&sb, &r, NULL, "plot", "run.dat", "--term",
                        "--color=always", "--columns", "80", NULL),
                     0);
    ck_assert_ptr_nonnull(strstr(r.out, "\033[38;5;32m"));
    run_result_free(&r);
    static const char *const no_color[] = {"NO_COLOR=1", NULL};
    ck_assert_int_eq(mp(&sb, &r, no_color, "plot", "run.dat", "--term", NULL),
                     0);
    ck_assert_ptr_null(strchr(r.out, '\033'));
    run_result_free(&r);

    /* $COLUMNS sets the width; -f one row per level; -w, -s too. */
    static const char *const cols[] = {"COLUMNS=120", NULL};
    ck_assert_int_eq(mp(&sb, &r, cols, "plot", "run.dat", "--term", "-f", "-s",
                        "-w", "0.5,3.5", NULL),
                     0);
    ck_assert_ptr_nonnull(strstr(r.out, "slope +"));
    int widest = 0;
    for (const char *line = r.out; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        int n = 0;
        for (const char *p = line; p < nl; p++)
            n += (*p & 0xC0) != 0x80;
        widest = n > widest ? n : widest;
        line = nl + 1;
    }
    ck_assert_int_gt(widest, 100);
    ck_assert_int_le(widest, 120);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Without -o on a pipe: <stem>.svg beside the input, said on stderr;
 * with no file named, the newest recording.
 */
START_TEST(test_default_output)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    ck_assert_int_eq(mkdir("d", 0700), 0);
    copy_file(&sb, "test/data/plot_run.dat", "d/run.dat");
    run_result r;
    ck_assert_int_eq(mp(&sb, &r, NULL, "plot", "d/run.dat", NULL), 0);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "memprof: wrote d/run.svg (choose with -o, or "
                            "draw here with --term)\n");
    run_result_free(&r);
    char *svg = read_svg("d/run.svg");
    free(svg);

    copy_file(&sb, "test/data/plot_linear.dat", "mprofile_20261123011923.dat");
    copy_file(&sb, "test/data/plot_run.dat", "mprofile_20261124000001.dat");
    ck_assert_int_eq(mp(&sb, &r, NULL, "plot", NULL), 0);
    ck_assert_str_eq(r.err, "memprof: wrote mprofile_20261124000001.svg "
                            "(choose with -o, or draw here with --term)\n");
    run_result_free(&r);
    ck_assert(file_exists("mprofile_20261124000001.svg"));
    ck_assert(!file_exists("mprofile_20261123011923.svg"));
    /* An index, -1 the newest, also first on the line. */
    plot(&sb, "-2", "-o", "old.svg");
    svg = read_svg("old.svg");
    ck_assert_ptr_nonnull(strstr(svg, "<title>./leak</title>"));
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/*
 * expect() - memprof plot with the arguments that follow exits with rc
 * and prints msg on stderr, nothing on stdout, and writes no x.svg.
 */
#define expect(sb, rc, msg, ...)                                               \
    do {                                                                       \
        run_result r_;                                                         \
        ck_assert_int_eq(mp(sb, &r_, NULL, "plot", __VA_ARGS__, NULL), rc);    \
        ck_assert_str_eq(r_.err, msg);                                         \
        ck_assert_str_eq(r_.out, "");                                          \
        run_result_free(&r_);                                                  \
        ck_assert(!file_exists("x.svg"));                                      \
    } while (0)

/* Each error one line, no picture written. */
START_TEST(test_errors)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    expect(&sb, 1,
           "memprof: no input file found; memprof plot looks for "
           "mprofile_*.dat files, made by memprof run or mprof run\n",
           "-o", "x.svg");
    put_file("empty.dat", "");
    put_file("chld.dat", "CMDLINE x\nCHLD 1 1.0 2.0\nCHLD 1 2.0 3.0\n");
    put_file("one.dat", "MEM 1.0 2.0\n");
    put_file("nan.dat", "MEM 1.0 2.0\nMEM nan 3.0\n");
    copy_file(&sb, "test/data/malformed.dat", "bad.dat");
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    expect(&sb, 1, "memprof: empty.dat has no samples to plot\n", "empty.dat",
           "-o", "x.svg");
    expect(&sb, 1, "memprof: chld.dat has no samples to plot\n", "chld.dat",
           "-o", "x.svg");
    expect(&sb, 1,
           "memprof: one.dat has one sample; nothing to plot over "
           "time\n",
           "run.dat", "one.dat", "-o", "x.svg");
    expect(&sb, 1,
           "memprof: nan.dat:2: 1 line with values that are not finite or "
           "beyond 1e+12 skipped\n"
           "memprof: nan.dat has one sample; nothing to plot over "
           "time\n",
           "nan.dat", "--term");
    expect(&sb, 1, "memprof: bad.dat:4: not a line of a .dat file\n", "bad.dat",
           "-o", "x.svg");
    expect(&sb, 1, "memprof: cannot read no.dat: No such file or directory\n",
           "no.dat", "-o", "x.svg");
    expect(&sb, 1, "memprof: no recording 0: there is none here\n", "0", "-o",
           "x.svg");
    expect(&sb, 1, "memprof: no samples between 10 and 20 seconds\n", "run.dat",
           "-w", "10,20", "-o", "x.svg");

    expect(&sb, 2,
           "memprof: plot: cannot tell the format of x.jpg: give -o a name "
           "ending in .svg or .png, or use --term\n",
           "run.dat", "-o", "x.jpg");
    ck_assert(!file_exists("x.jpg"));
    expect(&sb, 2,
           "memprof: plot: --window needs two numbers XMIN,XMAX with XMIN < "
           "XMAX, such as 0,20.5, not '3,1'\n",
           "run.dat", "-w", "3,1", "-o", "x.svg");
    expect(&sb, 2,
           "memprof: plot: --window needs two numbers XMIN,XMAX with XMIN < "
           "XMAX, such as 0,20.5, not '1'\n",
           "run.dat", "--window", "1", "-o", "x.svg");
    /* Beyond what a recording holds: it made ticks for minutes. */
    expect(&sb, 2,
           "memprof: plot: --window needs two numbers XMIN,XMAX with XMIN < "
           "XMAX, such as 0,20.5, not '-1e308,1e308'\n",
           "run.dat", "-w", "-1e308,1e308", "-o", "x.svg");
    expect(&sb, 2,
           "memprof: plot: unknown option '--bogus'; see memprof plot "
           "--help\n",
           "run.dat", "--bogus", "-o", "x.svg");
    expect(&sb, 2,
           "memprof: plot: unknown option '-x'; see memprof plot --help\n",
           "run.dat", "-nx", "-o", "x.svg");
    expect(&sb, 2,
           "memprof: plot: ambiguous option '--w'; see memprof plot "
           "--help\n",
           "run.dat", "--w", "1,2", "-o", "x.svg");
    expect(&sb, 2,
           "memprof: plot: --term takes no value; see memprof plot --help\n",
           "run.dat", "--term=yes");
    expect(&sb, 2, "memprof: plot: -o needs a value; see memprof plot --help\n",
           "run.dat", "-o");
    expect(&sb, 2,
           "memprof: plot: --width needs a whole number from 320 to 8000, "
           "not '10'\n",
           "run.dat", "--width", "10", "-o", "x.svg");
    expect(&sb, 2,
           "memprof: plot: --color takes auto, always or never, not 'blue'; "
           "see memprof plot --help\n",
           "run.dat", "--color=blue", "--term");

    /* An unwritable place: one line, nothing left behind. */
    expect(&sb, 1,
           "memprof: cannot write nodir/x.svg: No such file or directory\n",
           "run.dat", "-o", "nodir/x.svg");
    sandbox_leave(&sb);
}
END_TEST

/*
 * timed() - memprof plot with the arguments that follow under timeout(1)
 * (10 s; 100 under valgrind, which runs memprof too): it must end by
 * itself, with exit status rc.
 */
#define timed(sb, r, rc, ...)                                                  \
    do {                                                                       \
        const char *argv_[] = {                                                \
            "/usr/bin/timeout", test_valgrind() ? "100" : "10",                \
            (sb)->memprof,      "plot",                                        \
            __VA_ARGS__,        NULL};                                         \
        ck_assert_int_eq(run_capture(argv_, NULL, r), 0);                      \
        ck_assert_msg(WIFEXITED((r)->status), "killed by a signal");           \
        ck_assert_msg(WEXITSTATUS((r)->status) == rc, "exit %d: %s",           \
                      WEXITSTATUS((r)->status), (r)->err);                     \
    } while (0)

/*
 * Absurd values: readings of +-1e308 are skipped with one line (they used
 * to make ticks forever); denormal readings draw no NaN; a level of
 * 20,000,000 is drawn at the deepest level shown, in the picture, fast.
 */
START_TEST(test_absurd)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    run_result r;
    put_file("big.dat", "CMDLINE x\nMEM 1e308 1\nMEM -1e308 2\nMEM 1 3\n"
                        "MEM 2 4\n");
    timed(&sb, &r, 0, "big.dat", "-o", "x.svg");
    ck_assert_str_eq(r.err, "memprof: big.dat:2: 2 lines with values that "
                            "are not finite or beyond 1e+12 skipped\n");
    run_result_free(&r);
    xml_ok("x.svg");

    put_file("tiny.dat", "CMDLINE x\nMEM 1e-310 1\nMEM 2e-310 2\n"
                         "FUNC a.f 1e-310 1 2e-310 2 0\n");
    timed(&sb, &r, 0, "tiny.dat", "-o", "t.svg");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    char *svg = read_svg("t.svg");
    ck_assert_ptr_null(strstr(svg, "nan"));
    free(svg);
    timed(&sb, &r, 0, "tiny.dat", "--term", "--color=never");
    ck_assert_ptr_null(strstr(r.out, "nan"));
    run_result_free(&r);

    put_file("deep.dat", "CMDLINE x\nMEM 1 1\nMEM 2 2\n"
                         "FUNC a.f 1 1 2 2 20000000\n"
                         "FUNC a.g 1 1.2 2 1.4 2147483647\n"
                         "FUNC a.h 1 1.5 2 1.8 0\n");
    static const char note[] =
        "memprof: deep.dat: 2 spans deeper than level 15 drawn at level 15\n";
    timed(&sb, &r, 0, "deep.dat", "-f", "--term", "--color=never");
    ck_assert_str_eq(r.err, note);
    ck_assert_int_lt(count(r.out, "\n"), 80);
    run_result_free(&r);
    for (int flame = 0; flame < 2; flame++) {
        timed(&sb, &r, 0, "deep.dat", flame ? "-f" : "-s", "--height", "240",
              "-o", "d.svg");
        ck_assert_str_eq(r.err, note);
        run_result_free(&r);
        xml_ok("d.svg");
        svg = read_svg("d.svg");
        for (int k = 0; k < 3; k++) {
            static const char *const names[] = {"a.f", "a.g", "a.h"};
            double y = bar_y(svg, names[k], 0);
            ck_assert_double_ge(y, 0);
            ck_assert_double_le(y, 240);
        }
        free(svg);
    }
    sandbox_leave(&sb);
}
END_TEST

/*
 * Many names: 60,000 functions draw in time proportional to the file
 * (names were matched pairwise), labelled as mprof's function_labels()
 * does: names whose labels read the same all take one more part.
 */
START_TEST(test_many_names)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    FILE *f = fopen("many.dat", "w");
    ck_assert_ptr_nonnull(f);
    fputs("CMDLINE x\nMEM 1 1\nMEM 2 3\n", f);
    for (int i = 0; i < 60000; i++)
        fprintf(f, "FUNC m.f%d 1 1.%05d 2 1.%05d 0\n", i, i, i + 1);
    ck_assert_int_eq(fclose(f), 0);
    run_result r;
    timed(&sb, &r, 0, "many.dat", "-o", "m.svg");
    run_result_free(&r);
    timed(&sb, &r, 0, "many.dat", "--term", "--color=never");
    run_result_free(&r);

    put_file("lab.dat", "CMDLINE x\nMEM 1 1\nMEM 2 3\n"
                        "FUNC a.x.f 1 1.1 2 1.3 0\nFUNC b.x.f 1 1.4 2 1.6 0\n"
                        "FUNC c.g.f 1 1.7 2 1.9 0\n");
    plot(&sb, "lab.dat", "-o", "lab.svg");
    char *svg = read_svg("lab.svg");
    ck_assert_ptr_nonnull(strstr(svg, ">a.x.f</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">b.x.f</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">g.f</text>"));
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/* --help and -h: usage on stdout, exit 0; long options shortened. */
START_TEST(test_help)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    run_result r;
    ck_assert_int_eq(mp(&sb, &r, NULL, "plot", "--help", NULL), 0);
    ck_assert(strncmp(r.out, "usage: memprof plot", 19) == 0);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    ck_assert_int_eq(mp(&sb, &r, NULL, "plot", "-h", NULL), 0);
    ck_assert(strncmp(r.out, "usage: memprof plot", 19) == 0);
    run_result_free(&r);
    copy_file(&sb, "test/data/plot_run.dat", "run.dat");
    plot(&sb, "run.dat", "--fl", "--sl", "--no-f", "--ti=T", "--out", "y.svg");
    char *svg = read_svg("y.svg");
    ck_assert_ptr_nonnull(strstr(svg, "<title>T</title>"));
    ck_assert_int_eq(count(svg, "class=\"func\""), 0);
    ck_assert_int_eq(count(svg, "class=\"slope\""), 3);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

/*
 * The command line as argparse reads it: an index (-1 too) is an operand,
 * options follow operands, short options cluster (a value joined or
 * next), long ones shorten, "--" ends them.
 */
START_TEST(test_args)
{
    sandbox sb;
    sandbox_enter(&sb, "cli_plot");
    copy_file(&sb, "test/data/plot_run.dat", "mprofile_20261123011923.dat");
    copy_file(&sb, "test/data/plot_run.dat", "-n.dat");
    plot(&sb, "-1", "-nso", "a.svg");
    char *svg = read_svg("a.svg");
    ck_assert_int_eq(count(svg, "class=\"func\""), 0);
    ck_assert_int_eq(count(svg, "class=\"slope\""), 3);
    free(svg);
    plot(&sb, "0", "-sob.svg", "--ti", "T");
    svg = read_svg("b.svg");
    ck_assert_ptr_nonnull(strstr(svg, "<title>T</title>"));
    ck_assert_int_eq(count(svg, "<g class=\"func\""), 4);
    free(svg);
    plot(&sb, "--out=c.svg", "--", "-n.dat");
    svg = read_svg("c.svg");
    ck_assert_int_eq(count(svg, "<g class=\"func\""), 4);
    free(svg);
    sandbox_leave(&sb);
}
END_TEST

Suite *cli_plot_suite(void)
{
    Suite *s = suite_create("cli_plot");
    TCase *tc = tcase_create("plot");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_svg);
    tcase_add_test(tc, test_svg_recorded);
    tcase_add_test(tc, test_svg_title);
    tcase_add_test(tc, test_svg_slope);
    tcase_add_test(tc, test_svg_window);
    tcase_add_test(tc, test_svg_flame);
    tcase_add_test(tc, test_svg_several);
    tcase_add_test(tc, test_png);
    tcase_add_test(tc, test_png_no_cairo);
    tcase_add_test(tc, test_links);
    tcase_add_test(tc, test_term);
    tcase_add_test(tc, test_default_output);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_absurd);
    tcase_add_test(tc, test_many_names);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_args);
    tcase_add_test(tc, test_legend_and_band);
    suite_add_tcase(s, tc);
    return s;
}
