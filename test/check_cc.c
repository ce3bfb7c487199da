/*
 * check_cc.c - memprof cc: the rows of functions profiled with no MP_LINE.
 *
 * test/cc/kinds.c holds every kind of statement, each line the tests look
 * at marked "@name"; it is built through memprof cc with gcc and clang,
 * at -O0 and -O2, and every marked line must record exactly as often as
 * memory_profiler's line events would.  examples/auto.c must give the
 * rows of the hand-annotated examples/basic.c and loop.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define KINDS_SRC "test/cc/kinds.c"

/* The command, as a user runs it (build_path()'s buffers are reused). */
static const char *memprof(void)
{
    static char path[512];

    snprintf(path, sizeof path, "%s", build_path("memprof"));
    return path;
}

/* own_path() - build_path(rel) in a buffer of the caller's. */
static const char *own_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s", build_path(rel));
    return buf;
}

/* have_cc() - whether memprof-cc was built (libclang present). */
static int have_cc(void)
{
    if (MP_TEST_HAVE_CC)
        return 1;
    fprintf(stderr, "check_cc: memprof-cc not built (no libclang): "
                    "skipped\n");
    return 0;
}

/* marker_line() - the line of src marked "@name" (the test fails if none). */
static int marker_line(const char *src, const char *name)
{
    char want[64];
    const char *p = src;
    int line = 1;

    snprintf(want, sizeof want, "@%s ", name);
    for (; *p != '\0'; p++) {
        const char *end = strchr(p, '\n');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        const char *hit = memmem(p, len, want, strlen(want));

        if (hit != NULL)
            return line;
        if (end == NULL)
            break;
        p = end;
        line++;
    }
    ck_abort_msg("no line marked @%s in " KINDS_SRC, name);
    return 0;
}

/* row_at() - the row of line in any of the n tables, or NULL. */
static const table_row *row_at(const table *t, int n, int line)
{
    for (int i = 0; i < n; i++)
        for (int r = 0; r < t[i].nrows; r++)
            if (t[i].rows[r].line == line)
                return &t[i].rows[r];
    return NULL;
}

/* The occurrences of each marked line of kinds.c, as its main() runs it. */
static const struct {
    const char *name;
    long long occ; /* 0: the line shows no reading */
} kinds[] = {
    /* k_loops(4): a loop header records at each test of its condition. */
    {"decl", 1},
    {"for", 5},
    {"for2", 16},
    {"for2body", 12},
    {"while", 5},
    {"whilebody", 4},
    {"dobody", 4},
    {"dowhile", 4},
    {"forever", 3},
    {"ifbreak", 3},
    {"break", 1},
    {"loopsret", 1},
    /* k_switch(0..3): fallthrough, a one-line case. */
    {"switch", 4},
    {"case0", 1},
    {"case1", 2},
    {"case1break", 2},
    {"case2", 1},
    {"default", 1},
    /* k_goto(5). */
    {"gotobody", 5},
    {"gotoif", 5},
    {"goto", 4},
    /* k_returns(0..3): returns from several depths. */
    {"ret0", 1},
    {"ret1", 1},
    {"ret2", 1},
    {"ret3", 1},
    /* k_ifelse(0, 1, 2, 0): an unbraced if / else if / else chain. */
    {"if0", 4},
    {"then0", 2},
    {"if1", 2},
    {"then1", 1},
    {"else", 1},
    /* k_lines(7) and k_lines(0): one reading per line per pass. */
    {"alloc", 2},
    {"multi", 2},
    {"multi2", 0},
    {"macro2", 2},
    {"twice", 2},
    {"oneline2", 2},
    {"onelineif", 2},
    {"onelinefor", 2},
    {"ifdefyes", 2},
    {"ifdefno", 0},
    {"mpline", 2},
    {"free", 2},
    {"onelineret", 2},
    /* K&R, static inline, a label at the end, variadic. */
    {"knr", 1},
    {"inline", 2},
    {"beforeend", 1},
    {"end", 0},
    {"vastart", 1},
    {"va", 3},
};

/*
 * build_kinds() - kinds.c through memprof cc with compiler cc and flags;
 * the program's path.
 */
static const char *build_kinds(const char *cc, const char *opt)
{
    static char buf[512];
    const char *out = own_path(buf, sizeof buf, "test/cc_kinds");

    ck_assert_int_eq(sh("%s cc --func 'k_*' %s %s -std=gnu11 -Wall -Wextra "
                        "-Werror -Wno-old-style-definition %s -o %s " KINDS_SRC,
                        memprof(), cc, opt, MP_TEST_SAN, out),
                     0);
    return out;
}

static void check_kinds(const char *cc, const char *opt)
{
    size_t len;
    char *src = read_file(KINDS_SRC, &len);
    const char *prog = build_kinds(cc, opt);
    const char *argv[] = {prog, NULL};
    run_result r;
    table t[16];
    int n;

    ck_assert_ptr_nonnull(src);
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.out, "110\n");
    n = parse_tables(r.err, t, 16);
    /* One table per k_ function, none for main or touch. */
    ck_assert_int_eq(n, 10);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int line = marker_line(src, kinds[i].name);
        const table_row *row = row_at(t, n, line);

        ck_assert_msg(row != NULL, "%s %s: no row for line %d (@%s)", cc, opt,
                      line, kinds[i].name);
        ck_assert_msg(row->occ == kinds[i].occ &&
                          row->recorded == (kinds[i].occ > 0),
                      "%s %s: @%s (line %d) recorded %lld times, not %lld", cc,
                      opt, kinds[i].name, line, row->occ, kinds[i].occ);
    }
    /* The 40 MiB blocks: made, then given back, on their own lines. */
    const table_row *alloc = row_at(t, n, marker_line(src, "alloc"));
    const table_row *freed = row_at(t, n, marker_line(src, "free"));
    FIGURE(ck_assert_double_ge(alloc->inc, 79.0));
    FIGURE(ck_assert_double_le(alloc->inc, 82.0));
    FIGURE(ck_assert_double_le(freed->inc, -79.0));
    FIGURE(ck_assert_double_ge(freed->inc, -82.0));
    run_result_free(&r);
    free(src);
    unlink(prog);
}

/* Every statement kind, with exact occurrences: gcc and clang, -O0, -O2. */
START_TEST(test_kinds)
{
    static const char *const cc[] = {"gcc", "gcc", "clang", "clang"};
    static const char *const opt[] = {"-O0", "-O2", "-O0", "-O2"};

    if (!have_cc())
        return;
    if (sh("command -v %s >/dev/null", cc[_i]) != 0) {
        fprintf(stderr, "check_cc: %s not installed: skipped\n", cc[_i]);
        return;
    }
    check_kinds(cc[_i], opt[_i]);
}
END_TEST

/*
 * The copy only adds text inside lines: its lines are the original's,
 * plus "#line 1", and "#include <memprof.h>" with its "#line".
 */
START_TEST(test_show_keeps_lines)
{
    run_result r;
    size_t len;
    char *src;
    const char *argv[] = {memprof(), "cc", "--show",  "--func", "k_*",
                          "gcc",     "-c", KINDS_SRC, NULL};
    int orig = 0;
    int copy = 0;

    if (!have_cc())
        return;
    src = read_file(KINDS_SRC, &len);
    ck_assert_ptr_nonnull(src);
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.err, "");
    for (size_t i = 0; i < len; i++)
        orig += src[i] == '\n';
    for (size_t i = 0; i < r.out_len; i++)
        copy += r.out[i] == '\n';
    ck_assert_int_eq(copy, orig + 3);
    ck_assert(strncmp(r.out, "#line 1 \"" KINDS_SRC "\"\n", 24) == 0);
    ck_assert_ptr_nonnull(strstr(r.out, "#include <memprof.h>\n#line "));
    /* Nothing is taken away: the original's text is all there, in order. */
    const char *p = r.out;
    for (size_t i = 0; i < len; i++) {
        p = memchr(p, src[i], r.out_len - (size_t)(p - r.out));
        ck_assert_msg(p != NULL, "byte %zu of the source is not in the copy",
                      i);
        p++;
    }
    run_result_free(&r);
    free(src);
}
END_TEST

/* The table of a function with no MP_LINE is the annotated one's. */
typedef struct fn_rows {
    const table *t;
    int first; /* the function's first line */
} fn_rows;

static const table_row *at_offset(const table *t, int off)
{
    for (int i = 0; i < t->nrows; i++)
        if (t->rows[i].line == t->rows[0].line + off)
            return &t->rows[i];
    return NULL;
}

/*
 * same_rows() - every row that recorded in annotated is at the same
 * place in automatic, as often, with the same increment within 2 MiB;
 * returns how many rows automatic has besides (loop headers).
 */
static int same_rows(const table *annotated, const table *automatic)
{
    int extra = 0;

    int entry = 0;

    /* Past the entry row, whose reading is the program's so far. */
    for (int i = 0; i < annotated->nrows; i++) {
        const table_row *a = &annotated->rows[i];
        const table_row *b;

        if (!a->recorded || entry++ == 0)
            continue;
        b = at_offset(automatic, a->line - annotated->rows[0].line);
        ck_assert_ptr_nonnull(b);
        ck_assert_msg(b->recorded && b->occ == a->occ,
                      "line %d: %lld occurrences, annotated %lld", b->line,
                      b->occ, a->occ);
        FIGURE(ck_assert_msg(b->inc > a->inc - 2.0 && b->inc < a->inc + 2.0,
                             "line %d: increment %.1f, annotated %.1f", b->line,
                             b->inc, a->inc));
    }
    for (int i = 0; i < automatic->nrows; i++)
        extra += automatic->rows[i].recorded;
    for (int i = 0; i < annotated->nrows; i++)
        extra -= annotated->rows[i].recorded;
    return extra;
}

static int run_tables(const char *prog, table *t, int max)
{
    const char *argv[] = {prog, NULL};
    run_result r;
    int n;

    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    n = parse_tables(r.err, t, max);
    run_result_free(&r);
    return n;
}

START_TEST(test_auto_example)
{
    static table basic[2];
    static table loop[3];
    static table autot[4];

    if (!have_cc())
        return;
    ck_assert_int_eq(run_tables(build_path("examples/basic"), basic, 2), 1);
    ck_assert_int_eq(run_tables(build_path("examples/loop"), loop, 3), 2);
    ck_assert_int_eq(run_tables(build_path("examples/auto"), autot, 4), 3);
    /* my_func: every line was an MP_LINE already. */
    ck_assert_int_eq(same_rows(&basic[0], &autot[0]), 0);
    /* grow: the two for headers record too, n + 1 times. */
    ck_assert_int_eq(same_rows(&loop[0], &autot[1]), 2);
    ck_assert_int_eq(at_offset(&autot[1], 4)->occ, 11);
    ck_assert_int_eq(at_offset(&autot[1], 6)->occ, 60);
    /* churn: its for header, 5 passes. */
    ck_assert_int_eq(same_rows(&loop[1], &autot[2]), 1);
    ck_assert_int_eq(at_offset(&autot[2], 3)->occ, 6);
}
END_TEST

/*
 * A function with no edit at all, named with --func: the rows of the
 * annotated basic.c, the entry on the line of its name.
 */
START_TEST(test_plain_func)
{
    char buf[512];
    const char *out = own_path(buf, sizeof buf, "test/cc_plain");
    static table t[2];

    if (!have_cc())
        return;
    ck_assert_int_eq(sh("%s cc --func my_func gcc -O2 %s -o %s "
                        "examples/plain.c",
                        memprof(), MP_TEST_SAN, out),
                     0);
    ck_assert_int_eq(run_tables(out, t, 2), 1);
    ck_assert_str_eq(t[0].file, "examples/plain.c");
    ck_assert_int_eq(t[0].rows[0].line, 23);
    ck_assert_int_eq(t[0].nrows, 8); /* int *my_func(void) to its '}' */
    static const long long occ[] = {1, 0, 1, 1, 0, 1, 1, 0};
    static const double inc[] = {0, 0, 7.6, 152.6, 0, -152.6, 0.0, 0};
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(t[0].rows[i].occ, occ[i]);
        if (i > 0 && occ[i] > 0)
            FIGURE(ck_assert_double_eq_tol(t[0].rows[i].inc, inc[i], 0.3));
    }
    unlink(out);
}
END_TEST

/*
 * build_run() - in the current directory, compile file (holding text)
 * through memprof cc with args (its options, the compiler and flags, to
 * which the sanitizer's are added), check that nothing was said, run it,
 * and parse its tables into t[max].  Returns how many.
 */
static int build_run(const sandbox *sb, const char *file, const char *text,
                     const char *args, table *t, int max)
{
    const char *argv[] = {"./prog", NULL};
    run_result r;
    int n;

    put_file(file, text);
    ck_assert_int_eq(sh("%s cc %s %s -o prog %s 2>err.txt", sb->memprof, args,
                        MP_TEST_SAN, file),
                     0);
    ck_assert_int_eq(sh("test -s err.txt"), 1); /* nothing said */
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    n = parse_tables(r.err, t, max);
    run_result_free(&r);
    return n;
}

/*
 * A C89 file under -pedantic -Werror is profiled, not given up: readings
 * after declarations are declarations.  And a loop the compiler knows is
 * infinite stays so (no "may be used uninitialized" after it).
 */
START_TEST(test_c89)
{
    sandbox sb;
    static table t[4];
    int n;

    if (!have_cc())
        return;
    sandbox_enter(&sb, "cc_c89");
    n = build_run(&sb, "old.c",
                  "#include <stdlib.h>\n"
                  "int work(int n)\n"
                  "{\n"
                  "    int i;\n"
                  "    int total = 0;\n"
                  "    for (i = 0; i < n; i++) {\n"
                  "        int v = i * 2;\n" /* 7 */
                  "        char *p = malloc(10);\n"
                  "        total += v;\n"
                  "        free(p);\n"
                  "    }\n"
                  "    return total;\n"
                  "}\n"
                  "int forever(int n)\n"
                  "{\n"
                  "    int x;\n"
                  "    while (1) {\n" /* 17 */
                  "        x = n * 2;\n"
                  "        if (x > 4)\n"
                  "            break;\n"
                  "        n++;\n"
                  "    }\n"
                  "    return x;\n"
                  "}\n"
                  "int main(void)\n"
                  "{\n"
                  "    return work(3) + forever(1) != 12;\n"
                  "}\n",
                  "--func work --func forever gcc -std=c89 -pedantic -Wall "
                  "-Wextra -Werror -O2",
                  t, 4);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(row_at(t, 2, 7)->occ, 3);
    ck_assert_int_eq(row_at(t, 2, 17)->occ, 3);
    sandbox_leave(&sb);
}
END_TEST

/*
 * Recursion and threads, as with MP_LINE: every call's lines count, and
 * each thread's calls have their own frames.
 */
START_TEST(test_recursion_threads)
{
    sandbox sb;
    static table t[4];
    int n;

    if (!have_cc())
        return;
    sandbox_enter(&sb, "cc_rec");
    n = build_run(&sb, "rec.c",
                  "#include <pthread.h>\n"
                  "#include <stdlib.h>\n"
                  "static _Thread_local void *volatile sink;\n"
                  "int down(int n)\n"
                  "{\n"
                  "    char *p = malloc(64);\n" /* 6 */
                  "    sink = p;\n"
                  "    int r = n > 0 ? down(n - 1) + 1 : 0;\n" /* 8 */
                  "    free(p);\n"
                  "    return r;\n" /* 10 */
                  "}\n"
                  "static void *run(void *arg)\n"
                  "{\n"
                  "    (void)arg;\n"
                  "    return (void *)(long)down(9);\n"
                  "}\n"
                  "int main(void)\n"
                  "{\n"
                  "    pthread_t t[4];\n"
                  "    for (int i = 0; i < 4; i++)\n"
                  "        pthread_create(&t[i], NULL, run, NULL);\n"
                  "    for (int i = 0; i < 4; i++)\n"
                  "        pthread_join(t[i], NULL);\n"
                  "    return down(4) != 4;\n"
                  "}\n",
                  "--func down gcc -O2 -pthread", t, 4);
    ck_assert_int_eq(n, 1);
    /* 4 threads x 10 calls, and 5 calls on main's thread. */
    ck_assert_int_eq(row_at(t, 1, 4)->occ, 45);
    ck_assert_int_eq(row_at(t, 1, 6)->occ, 45);
    ck_assert_int_eq(row_at(t, 1, 8)->occ, 45);
    ck_assert_int_eq(row_at(t, 1, 10)->occ, 45);
    sandbox_leave(&sb);
}
END_TEST

/* C++ sources and files that are not C pass through untouched. */
START_TEST(test_cxx_untouched)
{
    sandbox sb;

    if (!have_cc())
        return;
    if (access("/usr/bin/g++", X_OK) != 0)
        return;
    sandbox_enter(&sb, "cc_cxx");
    put_file("x.cc", "#include <vector>\n"
                     "int f(int n)\n"
                     "{\n"
                     "    std::vector<int> v(n);\n"
                     "    return (int)v.size();\n"
                     "}\n");
    ck_assert_int_eq(
        sh("%s cc --func '*' g++ -O2 -c x.cc -o cc.o 2>err.txt", sb.memprof),
        0);
    ck_assert_int_eq(sh("g++ -O2 -c x.cc -o plain.o"), 0);
    ck_assert_int_eq(sh("cmp -s cc.o plain.o"), 0);
    ck_assert_int_eq(sh("test -s err.txt"), 1);
    sandbox_leave(&sb);
}
END_TEST

/* first_warning() - the first line of text that has "warning:". */
static char *first_warning(const char *text)
{
    const char *w = strstr(text, "warning:");
    const char *start = w;
    const char *end;

    if (w == NULL)
        return strdup("(none)");
    while (start > text && start[-1] != '\n')
        start--;
    end = strchr(w, '\n');
    return strndup(start, end != NULL ? (size_t)(end - start) : strlen(start));
}

/* A warning in a profiled function names the original file and line. */
START_TEST(test_diagnostics)
{
    static const char *const cc[] = {"/usr/bin/gcc", "/usr/bin/clang"};
    sandbox sb;

    if (!have_cc())
        return;
    if (access(cc[_i], X_OK) != 0) {
        fprintf(stderr, "check_cc: %s not installed: skipped\n", cc[_i]);
        return;
    }
    sandbox_enter(&sb, "cc_diag");
    put_file("w.c", "#include <stdlib.h>\n"
                    "\n"
                    "int f(int n)\n"
                    "{\n"
                    "    int unused;\n"
                    "    char *p = malloc((size_t)n);\n"
                    "    free(p);\n"
                    "    return n;\n"
                    "}\n");
    const char *plain[] = {cc[_i], "-Wall", "-c", "w.c", "-o", "plain.o", NULL};
    const char *through[] = {sb.memprof, "cc",    "--func", "f",
                             cc[_i],     "-Wall", "-c",     "w.c",
                             "-o",       "cc.o",  NULL};
    run_result a;
    run_result b;
    ck_assert_int_eq(run_capture(plain, NULL, &a), 0);
    ck_assert_int_eq(run_capture(through, NULL, &b), 0);
    ck_assert_int_eq(WEXITSTATUS(a.status), 0);
    ck_assert_int_eq(WEXITSTATUS(b.status), 0);
    char *wa = first_warning(a.err);
    char *wb = first_warning(b.err);
    ck_assert_ptr_nonnull(strstr(wa, "w.c:5:"));
    ck_assert_str_eq(wb, wa);
    /* The copy was compiled: its object calls the library. */
    ck_assert_int_eq(sh("nm -u cc.o | grep -q mp__record"), 0);
    ck_assert_int_eq(sh("nm -u plain.o | grep -q mp__record"), 1);
    free(wa);
    free(wb);
    run_result_free(&a);
    run_result_free(&b);
    sandbox_leave(&sb);
}
END_TEST

/* table_funcs() - the first row's contents of each table, joined by ','. */
static void table_funcs(const char *prog, const char *const env[], char *out,
                        size_t size)
{
    const char *argv[] = {prog, NULL};
    run_result r;
    static table t[16];
    int n;

    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    n = parse_tables(r.err, t, 16);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *c = t[i].rows[0].contents;
        const char *paren = memchr(c, '(', (size_t)t[i].rows[0].contents_len);
        const char *name = paren;

        while (name > c && name[-1] != ' ' && name[-1] != '*')
            name--;
        snprintf(out + strlen(out), size - strlen(out), "%s%.*s",
                 i > 0 ? "," : "", (int)(paren - name), name);
    }
    run_result_free(&r);
}

/* --func globs, MEMPROF_CC_FUNCS, and '*' for every function. */
START_TEST(test_func_patterns)
{
    char buf[512];
    const char *out = own_path(buf, sizeof buf, "test/cc_funcs");
    char names[512];

    if (!have_cc())
        return;
    ck_assert_int_eq(
        sh("%s cc --func 'k_l*' --func=k_goto gcc -O1 %s -o %s " KINDS_SRC
           " 2>/dev/null",
           memprof(), MP_TEST_SAN, out),
        0);
    table_funcs(out, NULL, names, sizeof names);
    ck_assert_str_eq(names, "k_loops,k_goto,k_lines,k_label_end");
    ck_assert_int_eq(sh("MEMPROF_CC_FUNCS=k_inline,k_knr %s cc gcc -O1 %s -o "
                        "%s " KINDS_SRC " 2>/dev/null",
                        memprof(), MP_TEST_SAN, out),
                     0);
    table_funcs(out, NULL, names, sizeof names);
    /* k_lines is not profiled: its MP_LINE records as the file's. */
    ck_assert_str_eq(names, "MP_LINE,k_knr,k_inline");
    ck_assert_int_eq(sh("%s cc --func '*' gcc -O1 %s -o %s " KINDS_SRC
                        " 2>/dev/null",
                        memprof(), MP_TEST_SAN, out),
                     0);
    table_funcs(out, NULL, names, sizeof names);
    ck_assert_str_eq(names, "main,k_loops,k_switch,k_returns,k_ifelse,k_goto,"
                            "k_lines,touch,k_knr,k_inline,k_label_end,"
                            "k_variadic");
    /* With no pattern, only MP_PROFILE_FUNC() functions: none here. */
    ck_assert_int_eq(
        sh("%s cc gcc -O1 %s -o %s " KINDS_SRC, memprof(), MP_TEST_SAN, out),
        0);
    table_funcs(out, NULL, names, sizeof names);
    ck_assert_str_eq(names, "MP_LINE");
    unlink(out);
}
END_TEST

/* -DMEMPROF_DISABLE: the copy is the bare code; nothing recorded. */
START_TEST(test_compiled_out)
{
    char buf[512];
    const char *out = own_path(buf, sizeof buf, "test/cc_off");
    const char *argv[] = {out, NULL};
    run_result r;

    if (!have_cc())
        return;
    ck_assert_int_eq(sh("%s cc --func 'k_*' gcc -O2 -std=gnu11 -Wall -Wextra "
                        "-Werror -Wno-old-style-definition -DMEMPROF_DISABLE "
                        "-o %s " KINDS_SRC " -pthread",
                        memprof(), out),
                     0);
    ck_assert_int_eq(sh("nm -u %s | grep -q mp__", out), 1);
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_str_eq(r.out, "110\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    unlink(out);
}
END_TEST

/* Under memprof run, a profiled function is a FUNC span, as with MP_LINE. */
START_TEST(test_spans)
{
    sandbox sb;
    char path[4096 + 64];

    if (!have_cc())
        return;
    sandbox_enter(&sb, "cc_spans");
    snprintf(path, sizeof path, "%s/%s", sb.home, build_path("examples/auto"));
    ck_assert_int_eq(
        sh("%s run -o x.dat %s 2>/dev/null >/dev/null", sb.memprof, path), 0);
    ck_assert_int_eq(sh("grep -c '^FUNC auto\\.' x.dat | grep -qx 3"), 0);
    ck_assert_int_eq(sh("grep -q '^FUNC auto\\.churn ' x.dat"), 0);
    sandbox_leave(&sb);
}
END_TEST

/* Bad use: one line and exit status 2. */
START_TEST(test_usage)
{
    const char *none[] = {memprof(), "cc", NULL};
    const char *bad[] = {memprof(), "cc", "--bogus", "gcc", NULL};
    const char *empty[] = {memprof(), "cc", "--func", "", "gcc", NULL};
    const char *const *cases[] = {none, bad, empty};

    if (!have_cc())
        return;
    for (int i = 0; i < 3; i++) {
        run_result r;

        ck_assert_int_eq(run_capture(cases[i], NULL, &r), 0);
        ck_assert_int_eq(WEXITSTATUS(r.status), 2);
        ck_assert(strncmp(r.err, "memprof cc: ", 12) == 0);
        ck_assert_str_eq(r.out, "");
        run_result_free(&r);
    }
}
END_TEST

/* A memprof without memprof-cc beside it says what to install. */
START_TEST(test_not_installed)
{
    sandbox sb;
    run_result r;
    const char *argv[] = {"./memprof", "cc", "gcc", "-c", "x.c", NULL};

    sandbox_enter(&sb, "cc_none");
    ck_assert_int_eq(sh("cp %s memprof", sb.memprof), 0);
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 127);
    ck_assert_ptr_nonnull(strstr(r.err, "libclang-dev"));
    /* One line. */
    ck_assert_ptr_nonnull(strchr(r.err, '\n'));
    ck_assert_str_eq(strchr(r.err, '\n'), "\n");
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

Suite *cc_suite(void)
{
    Suite *s = suite_create("cc");
    TCase *tc = tcase_create("cc");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_kinds, 0, 4);
    tcase_add_test(tc, test_show_keeps_lines);
    tcase_add_test(tc, test_auto_example);
    tcase_add_test(tc, test_plain_func);
    tcase_add_test(tc, test_c89);
    tcase_add_test(tc, test_recursion_threads);
    tcase_add_test(tc, test_cxx_untouched);
    tcase_add_loop_test(tc, test_diagnostics, 0, 2);
    tcase_add_test(tc, test_func_patterns);
    tcase_add_test(tc, test_compiled_out);
    tcase_add_test(tc, test_spans);
    tcase_add_test(tc, test_usage);
    tcase_add_test(tc, test_not_installed);
    suite_add_tcase(s, tc);
    return s;
}
