/*
 * check_lang.c - the header in every language it is used from: C++
 * (MP_RETURN returns what "return expr;" would, lambdas get tables of
 * their own), every C and C++ standard under -DMEMPROF_DISABLE, MP_RETURN
 * and MP_LINE(return ...) in C, the compiler's message when MP_LINE is
 * the unbraced body of an if, for or while, and the budgets
 * (mp_current_mib, MP_CHECK_BELOW_MIB, MP_ASSERT_BELOW_MIB).
 *
 * Programs are compiled by the compilers the machine has; one that is
 * missing is skipped with a line on stderr.
 */
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

/* run() - prog without arguments, with env; its output into *r. */
static void run(run_result *r, const char *prog, const char *const env[])
{
    const char *argv[] = {prog, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
}

/* have() - whether the compiler cc is installed; if not, say so. */
static int have(const char *cc)
{
    if (sh("command -v %s >/dev/null", cc) == 0)
        return 1;
    fprintf(stderr, "check_lang: no %s; its checks are skipped\n", cc);
    return 0;
}

/*
 * build_cxx() - test/progs/lang.cc built with cxx at -O2, as out; fails
 * the test if it does not build without a warning.
 */
static void build_cxx(const char *cxx, const char *out)
{
    ck_assert_int_eq(sh("%s -std=c++11 -O2 %s -Wall -Wextra -Wshadow -Werror "
                        "-pedantic -Iinclude -o %s test/progs/lang.cc "
                        "%s/libmemprof.a -pthread",
                        cxx, MP_TEST_SAN, out, test_build_dir()),
                     0);
}

/*
 * MP_RETURN in C++ is "return expr;": a 100 MiB vector is moved (the
 * return row adds nothing, the process never holds two copies), a
 * unique_ptr compiles, NULL converts to char *, a reference is the
 * global itself, a void call is returned; with g++ and clang++, in every
 * standard from C++11.
 */
START_TEST(test_cxx_return)
{
    const char *cxx[] = {"g++", "clang++"};
    const char *std[] = {"c++11", "c++14", "c++17", "c++20"};
    for (int i = 0; i < 2; i++) {
        if (!have(cxx[i]))
            continue;
        for (int k = 0; k < 4; k++)
            ck_assert_int_eq(sh("%s -std=%s -pedantic -Wall -Wextra -Werror "
                                "-Wshadow -fsyntax-only -Iinclude "
                                "test/progs/lang.cc",
                                cxx[i], std[k]),
                             0);
        const char *out = build_path("test/lang_cxx");
        build_cxx(cxx[i], out);
        run_result r;
        run(&r, out, NULL);
        ck_assert_int_eq(WEXITSTATUS(r.status), 0);
        ck_assert_int_eq(strncmp(r.out,
                                 "v 104857600 1 u 7 global 9 calls 1 null 1 "
                                 "pair 4\nhwm ",
                                 48),
                         0);
        /* A copy would make the peak 200 MiB. */
        FIGURE(ck_assert_double_lt(atof(r.out + 48), 150.0));
        table t[8];
        ck_assert_int_eq(parse_tables(r.err, t, 8), 6);
        const table_row *make = row_with(&t[0], "std::vector<char> v(n)");
        const table_row *ret = row_with(&t[0], "MP_RETURN(v)");
        ck_assert_int_eq(ret->occ, 1);
        FIGURE(ck_assert_double_ge(make->inc, 99.0));
        FIGURE(ck_assert_double_eq_tol(ret->inc, 0.0, 0.2));
        FIGURE(ck_assert_double_eq_tol(ret->mem, make->mem, 0.2));
        ck_assert_int_eq(row_with(&t[1], "MP_RETURN(p)")->occ, 1);
        ck_assert_int_eq(row_with(&t[2], "MP_RETURN(global)")->occ, 1);
        ck_assert_int_eq(row_with(&t[3], "MP_RETURN(count())")->occ, 1);
        ck_assert_int_eq(row_with(&t[4], "MP_RETURN(NULL)")->occ, 1);
        ck_assert_int_eq(row_with(&t[5], "std::pair<int, int>(3, 4)")->occ, 1);
        run_result_free(&r);
        unlink(out);
    }
}
END_TEST

/* The first and last rows of t are the lines first and last (text). */
static void check_span(const table *t, const char *first, const char *last)
{
    ck_assert_int_ge(t->nrows, 2);
    ck_assert_int_eq(t->rows[0].contents_len, (int)strlen(first));
    ck_assert(strncmp(t->rows[0].contents, first, strlen(first)) == 0);
    const table_row *end = &t->rows[t->nrows - 1];
    ck_assert_int_eq(end->contents_len, (int)strlen(last));
    ck_assert(strncmp(end->contents, last, strlen(last)) == 0);
}

/*
 * A profiled lambda has a table of its own, from its '[' to its '}',
 * named after the enclosing function the same way with g++ and clang++:
 * "lambdas::<lambda>", two deep "outer::<lambda>::<lambda>", in a method
 * "m::<lambda>"; never "operator()".
 */
START_TEST(test_lambda)
{
    const char *cxx[] = {"g++", "clang++"};
    for (int i = 0; i < 2; i++) {
        if (!have(cxx[i]))
            continue;
        const char *out = build_path("test/lang_lambda");
        build_cxx(cxx[i], out);
        const char *argv[] = {out, "lambda", NULL};
        run_result r;
        ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
        ck_assert_int_eq(WEXITSTATUS(r.status), 0);
        ck_assert_str_eq(r.out, "sq 9 outer 3 m 10\n");
        table t[4];
        ck_assert_int_eq(parse_tables(r.err, t, 4), 3);
        check_span(&t[0], "    auto sq = [](int n) {", "    };");
        ck_assert_int_eq(t[0].nrows, 5);
        ck_assert_int_eq(row_with(&t[0], "MP_LINE(int r = n * n)")->occ, 1);
        check_span(&t[1], "        auto g = [](int j) {", "        };");
        ck_assert_int_eq(t[1].nrows, 6);
        FIGURE(ck_assert_double_ge(row_with(&t[1], "touch(p")->inc, 7.5));
        check_span(&t[2], "        auto f = [x](int y) -> int {", "        };");
        ck_assert_int_eq(row_with(&t[2], "MP_RETURN(x * y)")->occ, 1);
        run_result_free(&r);

        const char *json[] = {"MEMPROF_FORMAT=json", NULL};
        ck_assert_int_eq(run_capture(argv, json, &r), 0);
        ck_assert_int_eq(WEXITSTATUS(r.status), 0);
        const char *names[] = {"lambdas::<lambda>", "outer::<lambda>::<lambda>",
                               "m::<lambda>"};
        const char *at = r.err;
        for (int k = 0; k < 3; k++) {
            char want[128];
            snprintf(want, sizeof want,
                     "\"file\": \"test/progs/lang.cc\", \"function\": \"%s\"",
                     names[k]);
            at = strstr(at, want);
            ck_assert_msg(at != NULL, "%s: no %s in %s", cxx[i], want, r.err);
        }
        ck_assert_ptr_null(strstr(r.err, "operator()"));
        run_result_free(&r);
        unlink(out);
    }
}
END_TEST

/*
 * The names of lambdas' tables from __PRETTY_FUNCTION__ as g++ and
 * clang++ (14, and 17 and later) write it; a name that is no lambda's
 * stays as it is.
 */
START_TEST(test_func_name)
{
    static const struct {
        const char *func;
        const char *name;
        int lambdas;
    } cases[] = {
        {"main", "main", 0},
        {"void F::operator()(int)", "operator()", 0},
        {"main()::<lambda(int)>", "main::<lambda>", 1},
        {"auto main()::(anonymous class)::operator()(int) const",
         "main::<lambda>", 1},
        {"auto main()::(lambda at x.cc:3:14)::operator()(int) const",
         "main::<lambda>", 1},
        {"ns::nf()::<lambda()>::<lambda(int, char)>", "nf::<lambda>::<lambda>",
         2},
        {"auto ns::nf()::(anonymous class)::operator()()::(anonymous "
         "class)::operator()(int, char) const",
         "nf::<lambda>::<lambda>", 2},
        {"tf<int>(int)::<lambda(double)>", "tf::<lambda>", 1},
        {"auto tf(int)::(anonymous class)::operator()(double) const",
         "tf::<lambda>", 1},
        {"S::m(int) const::<lambda(int)>", "m::<lambda>", 1},
        {"{anonymous}::f(std::function<void(int)>)::<lambda()>", "f::<lambda>",
         1},
        {"auto (anonymous namespace)::f()::(anonymous class)::operator()() "
         "const",
         "f::<lambda>", 1},
        {"S::operator()()::<lambda()>", "operator()::<lambda>", 1},
        {"operator==(const A&, const A&)::<lambda()>", "operator==::<lambda>",
         1},
        {"S::~S()::<lambda()>", "~S::<lambda>", 1},
        {"main()::<lambda(auto:1)> [with auto:1 = int]", "main::<lambda>", 1},
        {"<lambda(int)>", "<lambda>", 1},
        {"auto (anonymous class)::operator()(int) const", "<lambda>", 1},
    };
    char out[64];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int n = mp__func_name(cases[k].func, out, sizeof out);
        ck_assert_msg(strcmp(out, cases[k].name) == 0, "%s: %s, not %s",
                      cases[k].func, out, cases[k].name);
        ck_assert_int_eq(n, cases[k].lambdas);
    }
    /* Cut to fit, always terminated. */
    ck_assert_int_eq(mp__func_name("main()::<lambda(int)>", out, 8), 1);
    ck_assert_str_eq(out, "main::<");
}
END_TEST

/*
 * The lexer finds lambda bodies, from the '[' to the '}', and nothing
 * else: not indexing, designated initialisers, attributes or delete [],
 * and none in any C source of this project.
 */
START_TEST(test_lexer_lambdas)
{
    const char *dir = make_tmpdir("lang_lex");
    char path[512];
    snprintf(path, sizeof path, "%s/l.cc", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("int a[] = {[0] = 1, [1] = 2};\n"           /* 1 */
          "[[nodiscard]] int f(int *p)\n"             /* 2 */
          "{\n"                                       /* 3 */
          "    int x = a[p[0]] + (f)(p)[1];\n"        /* 4 */
          "    delete [] p;\n"                        /* 5 */
          "    auto g = [&, x](int y = int{3})\n"     /* 6 */
          "        mutable noexcept -> int {\n"       /* 7 */
          "        auto h = [] { return 1; };\n"      /* 8 */
          "        return h() + y;\n"                 /* 9 */
          "    };\n"                                  /* 10 */
          "    return [x]() { return x; }() + g();\n" /* 11 */
          "}\n"                                       /* 12 */
          "int z[2] = {[1] = 3};\n",                  /* 13 */
          f);
    fclose(f);
    mp__source src;
    ck_assert_int_eq(mp__source_load(&src, path, NULL), 0);
    ck_assert_int_eq(src.nlambdas, 3);
    int first = 0;
    int last = 0;
    ck_assert_int_eq(mp__source_lambda(&src, 9, &first, &last), 0);
    ck_assert_int_eq(first, 6);
    ck_assert_int_eq(last, 10);
    ck_assert_int_eq(mp__source_lambda(&src, 8, &first, &last), 0);
    ck_assert_int_eq(first, 8);
    ck_assert_int_eq(last, 8);
    ck_assert_int_eq(mp__source_lambda(&src, 11, &first, &last), 0);
    ck_assert_int_eq(first, 11);
    ck_assert_int_eq(last, 11);
    ck_assert_int_eq(mp__source_lambda(&src, 4, &first, &last), -ENOENT);
    /* The function's own body is still found whole. */
    ck_assert_int_eq(mp__source_function(&src, 9, &first, &last), 0);
    ck_assert_int_eq(first, 2);
    ck_assert_int_eq(last, 12);
    mp__source_free(&src);
    unlink(path);
    rmdir(dir);

    /* C has no lambdas: none in the project's own C sources. */
    glob_t g;
    ck_assert_int_eq(
        glob("{lib,cli,cc,heap,examples,test,test/progs,test/cc}/*.c",
             GLOB_BRACE, NULL, &g),
        0);
    ck_assert_uint_gt(g.gl_pathc, 100);
    for (size_t k = 0; k < g.gl_pathc; k++) {
        ck_assert_int_eq(mp__source_load(&src, g.gl_pathv[k], NULL), 0);
        ck_assert_msg(src.nlambdas == 0, "%s: %d lambdas, the first at %d",
                      g.gl_pathv[k], src.nlambdas,
                      src.nlambdas > 0 ? src.lambdas[0].first : 0);
        mp__source_free(&src);
    }
    globfree(&g);
}
END_TEST

/* A C and C++ file that uses every macro, declarations first (C89). */
static const char every[] =
    "#include <stdlib.h>\n"
    "#include <memprof.h>\n"
    "static char *none(int which)\n"
    "{\n"
    "    char *p;\n"
    "    MP_PROFILE_FUNC();\n"
    "    MP_LINE(p = (char *)malloc(8));\n"
    "    MP_LINE(free(p));\n"
    "    if (which)\n"
    "        MP_RETURN(0);\n"
    "    MP_RETURN(NULL);\n"
    "}\n"
    "static void nothing(void)\n"
    "{\n"
    "    MP_PROFILE_FUNC_PRECISION(2);\n"
    "    MP_RETURN_VOID();\n"
    "}\n"
    "int main(void)\n"
    "{\n"
    "    double limit = 1000;\n"
    "    int ok;\n"
    "    MP_MEMIT(nothing());\n"
    "    MP_TIMESTAMP(\"span\") {\n"
    "        none(1);\n"
    "    }\n"
    "    ok = MP_CHECK_BELOW_MIB(limit) && mp_current_mib() >= 0;\n"
    "    MP_ASSERT_BELOW_MIB(limit);\n"
    "    return ok ? 0 : 1;\n"
    "}\n";

/*
 * With -DMEMPROF_DISABLE the header compiles in every C standard from
 * C89 and every C++ standard from C++98, with -pedantic -Wall -Wextra
 * -Werror; the macros that record, from C99 and C++11.
 */
START_TEST(test_standards)
{
    static const char *const cs[] = {"c89", "gnu89", "c99", "gnu99",
                                     "c11", "gnu11", "c17", "c2x"};
    static const char *const cxxs[] = {"c++98", "gnu++98", "c++03", "c++11",
                                       "c++14", "c++17",   "c++20"};
    const char *dir = make_tmpdir("lang_std");
    char path[512];
    snprintf(path, sizeof path, "%s/every.c", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(every, f);
    fclose(f);
    const char *c[] = {"gcc", "clang"};
    const char *cxx[] = {"g++", "clang++"};
    for (int i = 0; i < 2; i++) {
        if (have(c[i])) {
            for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
                const char *flags = "-pedantic -Wall -Wextra -Werror "
                                    "-Wshadow -Wstrict-prototypes "
                                    "-fsyntax-only -Iinclude";
                ck_assert_msg(sh("%s -std=%s %s -DMEMPROF_DISABLE %s", c[i],
                                 cs[k], flags, path) == 0,
                              "%s -std=%s -DMEMPROF_DISABLE", c[i], cs[k]);
                if (k >= 2)
                    ck_assert_msg(
                        sh("%s -std=%s %s %s", c[i], cs[k], flags, path) == 0,
                        "%s -std=%s", c[i], cs[k]);
            }
        }
        if (have(cxx[i])) {
            for (size_t k = 0; k < sizeof cxxs / sizeof cxxs[0]; k++) {
                const char *flags = "-x c++ -pedantic -Wall -Wextra -Werror "
                                    "-Wshadow -fsyntax-only -Iinclude";
                ck_assert_msg(sh("%s -std=%s %s -DMEMPROF_DISABLE %s", cxx[i],
                                 cxxs[k], flags, path) == 0,
                              "%s -std=%s -DMEMPROF_DISABLE", cxx[i], cxxs[k]);
                if (k >= 3)
                    ck_assert_msg(sh("%s -std=%s %s %s", cxx[i], cxxs[k], flags,
                                     path) == 0,
                                  "%s -std=%s", cxx[i], cxxs[k]);
            }
        }
    }
    unlink(path);
    rmdir(dir);
}
END_TEST

/*
 * MP_RETURN in C: 0 and NULL in a function returning char * (the
 * program is built with -Werror; here also with clang, -std=c99
 * -pedantic); outside a profiled function it records in the file's
 * table.  MP_LINE(return ...) records as the function returns, with the
 * value made; MP_LINE(if (...) break) counts the pass that breaks.
 */
START_TEST(test_c_return)
{
    const char *c[] = {"gcc", "clang"};
    for (int i = 0; i < 2; i++)
        if (have(c[i]))
            ck_assert_int_eq(sh("%s -std=c99 -pedantic -Wall -Wextra -Werror "
                                "-Wint-conversion -fsyntax-only -Iinclude "
                                "test/progs/lang.c",
                                c[i]),
                             0);
    run_result r;
    run(&r, build_path("test/progs/lang"), NULL);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.out, "none 1 1 outside 2 early 1 leave 6\n");
    table t[5];
    ck_assert_int_eq(parse_tables(r.err, t, 5), 4);
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC")->occ, 2);
    ck_assert_int_eq(row_with(&t[0], "MP_RETURN(0)")->occ, 1);
    ck_assert_int_eq(row_with(&t[0], "MP_RETURN(NULL)")->occ, 1);
    /* The file's table: the one line outside profiled functions. */
    ck_assert_int_eq(t[1].nrows, 1);
    ck_assert_int_eq(row_with(&t[1], "MP_RETURN(x + 1)")->occ, 1);
    const table_row *early = row_with(&t[2], "MP_LINE(return fill(");
    ck_assert_int_eq(early->occ, 1);
    FIGURE(ck_assert_double_ge(early->inc, 18.5));
    FIGURE(ck_assert_double_le(early->inc, 20.5));
    ck_assert_int_eq(row_with(&t[3], "MP_LINE(if (i == 3) break)")->occ, 4);
    ck_assert_int_eq(row_with(&t[3], "MP_LINE(i *= 2)")->occ, 1);
    ck_assert_int_eq(row_with(&t[3], "MP_RETURN(i)")->occ, 1);
    /* The entry row's baseline telescopes down to the return. */
    ck_assert_double_eq_tol(table_inc_sum(&t[2]), early->mem, 0.15);
    run_result_free(&r);
}
END_TEST

/*
 * MP_LINE (and MP_MEMIT) as the unbraced body of an if, for or while does
 * not compile, and the compiler's message names the rule, with gcc,
 * clang, g++ and clang++, inside a profiled function and outside one;
 * braced, the same code compiles.
 */
START_TEST(test_misuse)
{
    static const char *const heads[] = {"if (x)", "for (; x; x--)",
                                        "while (x--)"};
    static const char *const macros[] = {"MP_LINE", "MP_MEMIT"};
    const char *ccs[] = {"gcc", "clang", "g++", "clang++"};
    const char *dir = make_tmpdir("lang_misuse");
    char src[512];
    char log[512];
    snprintf(src, sizeof src, "%s/m.c", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    for (int i = 0; i < 4; i++) {
        if (!have(ccs[i]))
            continue;
        for (int h = 0; h < 6; h++) {
            const char *macro = macros[h / 3];
            for (int prof = 0; prof < 2; prof++) {
                for (int braced = 0; braced < 2; braced++) {
                    FILE *f = fopen(src, "w");
                    ck_assert_ptr_nonnull(f);
                    fprintf(f,
                            "#include <memprof.h>\n"
                            "int g(int);\n"
                            "int f(int x)\n"
                            "{\n"
                            "    %s\n"
                            "    %s %s\n"
                            "        %s(g(x));\n"
                            "    %s\n"
                            "    return 0;\n"
                            "}\n",
                            prof ? "MP_PROFILE_FUNC();" : "", heads[h % 3],
                            braced ? "{" : "", macro, braced ? "}" : "");
                    fclose(f);
                    int rc = sh("%s %s -Wall -Wextra -Werror -Iinclude -c %s "
                                "-o /dev/null >%s 2>&1",
                                ccs[i], i >= 2 ? "-x c++" : "", src, log);
                    char *text = read_file(log, NULL);
                    char rule[64];
                    snprintf(rule, sizeof rule,
                             "%s_needs_braces_in_if_for_while", macro);
                    ck_assert_ptr_nonnull(text);
                    if (braced) {
                        ck_assert_msg(rc == 0, "%s, %s braced: %s", ccs[i],
                                      heads[h % 3], text);
                    } else {
                        ck_assert_msg(rc != 0, "%s, %s %s: compiled", ccs[i],
                                      heads[h % 3], macro);
                        ck_assert_msg(strstr(text, rule) != NULL, "%s, %s: %s",
                                      ccs[i], heads[h % 3], text);
                    }
                    free(text);
                }
            }
        }
    }
    unlink(src);
    unlink(log);
    rmdir(dir);
}
END_TEST

/* The reading a "check" line of test/progs/budget printed. */
typedef struct check_line {
    double current;
    double statm;
    int ok;
    int err;
} check_line;

/* check_lines() - the two lines of "budget check", parsed. */
static void check_lines(const char *out, check_line l[2])
{
    const char *p = out;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(sscanf(p, "current %lf statm %lf check %d errno %d",
                                &l[i].current, &l[i].statm, &l[i].ok,
                                &l[i].err),
                         4);
        p = strchr(p, '\n');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    ck_assert_str_eq(p, "");
}

/* The line MP_CHECK_BELOW_MIB and MP_ASSERT_BELOW_MIB print. */
static void check_budget_line(const char *line, const char *limit,
                              const char *macro)
{
    char tail[128];
    snprintf(tail, sizeof tail, " MiB is not below %s MiB (%s)\n", limit,
             macro);
    ck_assert_int_eq(strncmp(line, "memprof: test/progs/budget.c:", 29), 0);
    const char *end = strchr(line, '\n');
    ck_assert_ptr_nonnull(end);
    ck_assert_int_ge((int)(end + 1 - line), (int)strlen(tail));
    ck_assert_int_eq(strncmp(end + 1 - strlen(tail), tail, strlen(tail)), 0);
}

/*
 * mp_current_mib() reads what a line reads (the resident set, the heap
 * backend's count); MP_CHECK_BELOW_MIB answers and goes on, with one
 * line when over; errno is kept.
 */
START_TEST(test_check_below)
{
    const char *prog = build_path("test/progs/budget");
    const char *argv[] = {prog, "check", "50", NULL};
    run_result r;
    check_line l[2];
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    check_lines(r.out, l);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(l[i].ok, 0);
        ck_assert_int_eq(l[i].err, 42);
        FIGURE(ck_assert_double_ge(l[i].current, 95.3));
        FIGURE(ck_assert_double_eq_tol(l[i].current, l[i].statm, 1.0));
    }
    /* One line per failed check, both naming the same line. */
    check_budget_line(r.err, "50", "MP_CHECK_BELOW_MIB");
    const char *second = strchr(r.err, '\n') + 1;
    check_budget_line(second, "50", "MP_CHECK_BELOW_MIB");
    ck_assert_str_eq(strchr(second, '\n') + 1, "");
    run_result_free(&r);

    argv[2] = "1000";
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    check_lines(r.out, l);
    ck_assert_int_eq(l[0].ok, 1);
    ck_assert_int_eq(l[1].ok, 1);
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);

    /* The heap backend: the 100,000,000 bytes held, 95.367 MiB. */
    if (!test_valgrind()) {
        argv[2] = "95.3";
        const char *heap[] = {"MEMPROF_BACKEND=heap", preload_env(), asan_env(),
                              NULL};
        ck_assert_int_eq(run_capture(argv, heap, &r), 0);
        ck_assert_int_eq(WEXITSTATUS(r.status), 0);
        check_lines(r.out, l);
        for (int i = 0; i < 2; i++) {
            ck_assert_int_eq(l[i].ok, 0);
            ck_assert_double_ge(l[i].current, 95.367);
            ck_assert_double_le(l[i].current, 95.5);
        }
        run_result_free(&r);
    }
}
END_TEST

/*
 * MP_ASSERT_BELOW_MIB over its limit prints the tables recorded so far
 * to the report's destination, then its line, last, and aborts: the
 * report at exit is not lost.
 */
START_TEST(test_assert_report)
{
    const char *prog = build_path("test/progs/budget");
    const char *argv[] = {prog, "report", "50", NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert(WIFSIGNALED(r.status));
    ck_assert_int_eq(WTERMSIG(r.status), SIGABRT);
    ck_assert_str_eq(r.out, "");
    table t[2];
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    const table_row *keep = row_with(&t[0], "MP_LINE(char *p = fill(");
    ck_assert_int_eq(keep->occ, 1);
    FIGURE(ck_assert_double_ge(keep->inc, 94.0));
    /* The line comes after the table, and is the last. */
    const char *line = strstr(r.err, "memprof: test/progs/budget.c:");
    ck_assert_ptr_nonnull(line);
    ck_assert(line > strstr(r.err, "Filename: "));
    check_budget_line(line, "50", "MP_ASSERT_BELOW_MIB");
    ck_assert_str_eq(strchr(line, '\n') + 1, "");
    run_result_free(&r);

    /* To MEMPROF_OUTPUT: the tables there, the line on stderr. */
    const char *dir = make_tmpdir("lang_assert");
    char out[512];
    char env_out[600];
    snprintf(out, sizeof out, "%s/report.txt", dir);
    snprintf(env_out, sizeof env_out, "MEMPROF_OUTPUT=%s", out);
    const char *env[] = {env_out, NULL};
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    ck_assert_int_eq(WTERMSIG(r.status), SIGABRT);
    check_budget_line(r.err, "50", "MP_ASSERT_BELOW_MIB");
    ck_assert_str_eq(strchr(r.err, '\n') + 1, "");
    char *text = read_file(out, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(parse_tables(text, t, 2), 1);
    ck_assert_int_eq(row_with(&t[0], "MP_LINE(char *p = fill(")->occ, 1);
    free(text);
    run_result_free(&r);
    unlink(out);
    rmdir(dir);

    argv[2] = "1000";
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.out, "below\n");
    run_result_free(&r);
}
END_TEST

/*
 * Compiled with -DMEMPROF_DISABLE: MP_CHECK_BELOW_MIB is true and
 * MP_ASSERT_BELOW_MIB does nothing, neither reads, and mp_current_mib()
 * still reads (it is a function of the library).
 */
START_TEST(test_budget_disabled)
{
    const char *out = build_path("test/budget_off");
    ck_assert_int_eq(sh("gcc -std=gnu11 -O2 %s -Wall -Wextra -Werror "
                        "-DMEMPROF_DISABLE -Iinclude -o %s "
                        "test/progs/budget.c %s/libmemprof.a -pthread",
                        MP_TEST_SAN, out, test_build_dir()),
                     0);
    const char *argv[] = {out, "check", "50", NULL};
    run_result r;
    check_line l[2];
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    check_lines(r.out, l);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(l[i].ok, 1);
        ck_assert_int_eq(l[i].err, 42);
        FIGURE(ck_assert_double_eq_tol(l[i].current, l[i].statm, 1.0));
    }
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    argv[1] = "report";
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    ck_assert_str_eq(r.out, "below\n");
    ck_assert_str_eq(r.err, "");
    run_result_free(&r);
    unlink(out);
}
END_TEST

Suite *lang_suite(void)
{
    Suite *s = suite_create("lang");
    TCase *tc = tcase_create("lang");
    /* Each test compiles with two or four compilers. */
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_cxx_return);
    tcase_add_test(tc, test_lambda);
    tcase_add_test(tc, test_func_name);
    tcase_add_test(tc, test_lexer_lambdas);
    tcase_add_test(tc, test_standards);
    tcase_add_test(tc, test_c_return);
    tcase_add_test(tc, test_misuse);
    tcase_add_test(tc, test_check_below);
    tcase_add_test(tc, test_assert_report);
    tcase_add_test(tc, test_budget_disabled);
    suite_add_tcase(s, tc);
    return s;
}
