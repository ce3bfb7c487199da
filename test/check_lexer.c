/*
 * check_lexer.c - tests of lib/lexer.c, through the lookups of
 * lib/source.c: function ranges and statement starts.
 *
 * Each test source is a string literal written to a temporary file; the
 * comment after each of its lines gives that line's number.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "internal.h"

/* temp_dir() - where temporary files go: $TMPDIR or /tmp. */
static const char *temp_dir(void)
{
    const char *dir = getenv("TMPDIR");

    return dir != NULL && *dir != '\0' ? dir : "/tmp";
}

/*
 * load_text() - load text into *src through a temporary file, which is
 * removed again.  Fails the test if loading fails.
 */
static void load_text(mp__source *src, const char *text)
{
    char path[4096];
    int fd;
    size_t len = strlen(text);

    snprintf(path, sizeof path, "%s/mp_source_XXXXXX", temp_dir());
    fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
    ck_assert_int_eq(mp__source_load(src, path, NULL), 0);
    ck_assert_int_eq(unlink(path), 0);
}

/*
 * assert_function() - mp__source_function(src, line) finds first..last.
 * A macro, so that a failure names the caller's line.
 */
#define assert_function(src, line, want_first, want_last)                      \
    do {                                                                       \
        int first_ = -1;                                                       \
        int last_ = -1;                                                        \
        ck_assert_int_eq(mp__source_function((src), (line), &first_, &last_),  \
                         0);                                                   \
        ck_assert_int_eq(first_, (want_first));                                \
        ck_assert_int_eq(last_, (want_last));                                  \
    } while (0)

/* assert_no_function() - mp__source_function(src, line) is -ENOENT. */
#define assert_no_function(src, line)                                          \
    do {                                                                       \
        int first_ = -1;                                                       \
        int last_ = -1;                                                        \
        ck_assert_int_eq(mp__source_function((src), (line), &first_, &last_),  \
                         -ENOENT);                                             \
        ck_assert_int_eq(first_, -1);                                          \
        ck_assert_int_eq(last_, -1);                                           \
    } while (0)

/* ---- Function ranges. */

static const char doc_src[] = "#include <memprof.h>\n"               /* 1 */
                              "\n"                                   /* 2 */
                              "/*\n"                                 /* 3 */
                              " * my_func() - doc with a { brace.\n" /* 4 */
                              " */\n"                                /* 5 */
                              "static int *\n"                       /* 6 */
                              "my_func(int a,\n"                     /* 7 */
                              "        int b)\n"                     /* 8 */
                              "{\n"                                  /* 9 */
                              "    MP_PROFILE_FUNC();\n"             /* 10 */
                              "    return NULL;\n"                   /* 11 */
                              "}\n"                                  /* 12 */
                              "// after }\n";                        /* 13 */

START_TEST(test_function_doc_comment)
{
    mp__source src;

    load_text(&src, doc_src);
    assert_function(&src, 10, 6, 12);
    assert_function(&src, 9, 6, 12);
    assert_function(&src, 11, 6, 12);
    assert_function(&src, 12, 6, 12);
    assert_no_function(&src, 1);
    assert_no_function(&src, 4);
    /* The declaration's lines are the function's: memprof cc's entry
     * row is on the line of the name. */
    assert_function(&src, 6, 6, 12);
    assert_function(&src, 7, 6, 12);
    assert_no_function(&src, 13);
    mp__source_free(&src);
}
END_TEST

static const char literal_src[] =
    "int f(void)\n"                           /* 1 */
    "{\n"                                     /* 2 */
    "    MP_PROFILE_FUNC();\n"                /* 3 */
    "    const char *s = \"}}} \\\" }\";\n"   /* 4 */
    "    char c = '}';\n"                     /* 5 */
    "    char d = '\\'', e = '\\\\';\n"       /* 6 */
    "    /* } */\n"                           /* 7 */
    "    // } \\\n"                           /* 8 */
    "    }\n"                                 /* 9 */
    "    puts(\"{\" /* \" */);\n"             /* 10 */
    "    const char *r = R\"x(\" } \")x\";\n" /* 11 */
    "    int n = 1'0; char g = '}';\n"        /* 12 */
    "    const char *t = L\"}\" u8\"}\";\n"   /* 13 */
    "    return s[0] + c + d + e + *r;\n"     /* 14 */
    "}\n"                                     /* 15 */
    "int after(void) { return 0; }\n";        /* 16 */

START_TEST(test_function_literals_comments)
{
    mp__source src;

    load_text(&src, literal_src);
    assert_function(&src, 3, 1, 15);
    assert_function(&src, 9, 1, 15);
    assert_function(&src, 14, 1, 15);
    assert_function(&src, 16, 16, 16);
    mp__source_free(&src);
}
END_TEST

static const char pp_src[] = "#include <stdio.h> /* { */\n"        /* 1 */
                             "#define OPEN {\n"                    /* 2 */
                             "#define BLOCK(x) \\\n"               /* 3 */
                             "    do { x; } while (0) }\n"         /* 4 */
                             "  #  define S \"/*\" '{'\n"          /* 5 */
                             "#define C /* spans\n"                /* 6 */
                             "   lines */ }\n"                     /* 7 */
                             "int g(int x)\n"                      /* 8 */
                             "{\n"                                 /* 9 */
                             "    MP_PROFILE_FUNC();\n"            /* 10 */
                             "#ifdef X\n"                          /* 11 */
                             "    x++; /* { */\n"                  /* 12 */
                             "#endif\n"                            /* 13 */
                             "    return x; # not a directive {\n" /* 14 */
                             "}\n"                                 /* 15 */
                             "}\n"                                 /* 16 */
                             "#error don't\n"                      /* 17 */
                             "int h(void)\n"                       /* 18 */
                             "{ return 0; }\n";                    /* 19 */

START_TEST(test_function_preprocessor)
{
    mp__source src;

    load_text(&src, pp_src);
    assert_function(&src, 10, 8, 16);
    assert_function(&src, 12, 8, 16);
    assert_function(&src, 19, 18, 19);
    assert_no_function(&src, 2);
    assert_no_function(&src, 4);
    assert_no_function(&src, 7);
    mp__source_free(&src);
}
END_TEST

static const char nested_src[] =
    "struct pt { int x, y; };\n"             /* 1 */
    "\n"                                     /* 2 */
    "static int sum(const int *v, int n)\n"  /* 3 */
    "{\n"                                    /* 4 */
    "    MP_PROFILE_FUNC();\n"               /* 5 */
    "    int t = 0;\n"                       /* 6 */
    "    struct pt p = { 1, 2 };\n"          /* 7 */
    "    int a[] = { 1, 2, 3 };\n"           /* 8 */
    "    for (int i = 0; i < n; i++) {\n"    /* 9 */
    "        if (v[i] > 0) {\n"              /* 10 */
    "            t += v[i];\n"               /* 11 */
    "        } else {\n"                     /* 12 */
    "            while (0) {\n"              /* 13 */
    "            }\n"                        /* 14 */
    "        }\n"                            /* 15 */
    "    }\n"                                /* 16 */
    "    t += ((struct pt){ 3, 4 }).x;\n"    /* 17 */
    "    {\n"                                /* 18 */
    "        t++;\n"                         /* 19 */
    "    }\n"                                /* 20 */
    "    return t + p.x + a[0];\n"           /* 21 */
    "}\n"                                    /* 22 */
    "static const struct pt table[] = {\n"   /* 23 */
    "    { 1, 2 },\n"                        /* 24 */
    "};\n"                                   /* 25 */
    "typedef enum { RED, GREEN } colour;\n"; /* 26 */

START_TEST(test_function_nested)
{
    mp__source src;

    load_text(&src, nested_src);
    assert_function(&src, 5, 3, 22);
    assert_function(&src, 11, 3, 22);
    assert_function(&src, 14, 3, 22);
    assert_function(&src, 17, 3, 22);
    assert_function(&src, 19, 3, 22);
    assert_function(&src, 22, 3, 22);
    assert_no_function(&src, 1);
    assert_no_function(&src, 24);
    assert_no_function(&src, 26);
    mp__source_free(&src);
}
END_TEST

static const char attr_src[] =
    "static int attr_func(void) __attribute__((cold));\n"     /* 1 */
    "\n"                                                      /* 2 */
    "__attribute__((noinline))\n"                             /* 3 */
    "static int\n"                                            /* 4 */
    "attr_func(void)\n"                                       /* 5 */
    "{\n"                                                     /* 6 */
    "    MP_PROFILE_FUNC();\n"                                /* 7 */
    "    return 1;\n"                                         /* 8 */
    "}\n"                                                     /* 9 */
    "struct __attribute__((packed)) s {\n"                    /* 10 */
    "    char c;\n"                                           /* 11 */
    "};\n"                                                    /* 12 */
    "struct s *make(void) { MP_PROFILE_FUNC(); return 0; }\n" /* 13 */
    "int late(void) __attribute__((hot))\n"                   /* 14 */
    "{\n"                                                     /* 15 */
    "    MP_PROFILE_FUNC();\n"                                /* 16 */
    "    return 2;\n"                                         /* 17 */
    "}\n";                                                    /* 18 */

START_TEST(test_function_attributes)
{
    mp__source src;

    load_text(&src, attr_src);
    assert_function(&src, 7, 3, 9);
    assert_function(&src, 13, 13, 13);
    assert_function(&src, 16, 14, 18);
    assert_no_function(&src, 1);
    assert_no_function(&src, 11);
    mp__source_free(&src);
}
END_TEST

static const char two_src[] =
    "int one(void)\n"                                         /* 1 */
    "{\n"                                                     /* 2 */
    "    MP_PROFILE_FUNC();\n"                                /* 3 */
    "    return 1;\n"                                         /* 4 */
    "}\n"                                                     /* 5 */
    "\n"                                                      /* 6 */
    "/* two */\n"                                             /* 7 */
    "int two(void)\n"                                         /* 8 */
    "{\n"                                                     /* 9 */
    "    MP_PROFILE_FUNC();\n"                                /* 10 */
    "    return 2;\n"                                         /* 11 */
    "}\n"                                                     /* 12 */
    "int f3(void) { MP_PROFILE_FUNC(); return 3; }\n"         /* 13 */
    "static int f4(void) { MP_PROFILE_FUNC(); return 4; }\n"; /* 14 */

START_TEST(test_function_two_and_one_line)
{
    mp__source src;

    load_text(&src, two_src);
    assert_function(&src, 3, 1, 5);
    assert_function(&src, 10, 8, 12);
    assert_function(&src, 13, 13, 13);
    assert_function(&src, 14, 14, 14);
    assert_no_function(&src, 6);
    assert_no_function(&src, 7);
    assert_function(&src, 8, 8, 12);
    mp__source_free(&src);
}
END_TEST

static const char knr_src[] = "int before(void);\n"    /* 1 */
                              "int knr(a, b)\n"        /* 2 */
                              "    int a;\n"           /* 3 */
                              "    char *b;\n"         /* 4 */
                              "{\n"                    /* 5 */
                              "    return a + *b;\n"   /* 6 */
                              "}\n"                    /* 7 */
                              "int after(void) { }\n"; /* 8 */

/* A K&R definition starts at its name, not at its parameters' types. */
START_TEST(test_function_knr)
{
    mp__source src;

    load_text(&src, knr_src);
    assert_function(&src, 2, 2, 7);
    assert_function(&src, 4, 2, 7);
    assert_function(&src, 6, 2, 7);
    assert_function(&src, 8, 8, 8);
    assert_no_function(&src, 1);
    mp__source_free(&src);
}
END_TEST

static const char extern_src[] = "#ifdef __cplusplus\n"           /* 1 */
                                 "extern \"C\" {\n"               /* 2 */
                                 "#endif\n"                       /* 3 */
                                 "\n"                             /* 4 */
                                 "int wrapped(void)\n"            /* 5 */
                                 "{\n"                            /* 6 */
                                 "    MP_PROFILE_FUNC();\n"       /* 7 */
                                 "    return 0;\n"                /* 8 */
                                 "}\n"                            /* 9 */
                                 "\n"                             /* 10 */
                                 "#ifdef __cplusplus\n"           /* 11 */
                                 "}\n"                            /* 12 */
                                 "#endif\n"                       /* 13 */
                                 "namespace ns {\n"               /* 14 */
                                 "class Widget : public Base {\n" /* 15 */
                                 "public:\n"                      /* 16 */
                                 "    int get() const\n"          /* 17 */
                                 "    {\n"                        /* 18 */
                                 "        MP_PROFILE_FUNC();\n"   /* 19 */
                                 "        return 0;\n"            /* 20 */
                                 "    }\n"                        /* 21 */
                                 "};\n"                           /* 22 */
                                 "}\n"                            /* 23 */
                                 "extern \"C\" int plain(void)\n" /* 24 */
                                 "{\n"                            /* 25 */
                                 "    MP_PROFILE_FUNC();\n"       /* 26 */
                                 "    return 0;\n"                /* 27 */
                                 "}\n";                           /* 28 */

START_TEST(test_function_containers)
{
    mp__source src;

    load_text(&src, extern_src);
    assert_function(&src, 7, 5, 9);
    assert_function(&src, 19, 17, 21);
    assert_function(&src, 26, 24, 28);
    assert_no_function(&src, 4);
    assert_no_function(&src, 10);
    assert_no_function(&src, 16);
    mp__source_free(&src);
}
END_TEST

static const char crlf_src[] = "/* crlf */\r\n"                   /* 1 */
                               "int f(void)\r\n"                  /* 2 */
                               "{\r\n"                            /* 3 */
                               "    MP_PROFILE_FUNC(); // \\\r\n" /* 4 */
                               "    {\r\n"                        /* 5 */
                               "    return 0;\r\n"                /* 6 */
                               "}\r\n";                           /* 7 */

START_TEST(test_function_crlf)
{
    mp__source src;

    load_text(&src, crlf_src);
    assert_function(&src, 4, 2, 7);
    mp__source_free(&src);
}
END_TEST

static const char unterminated_src[] = "int ok(void) { return 0; }\n" /* 1 */
                                       "int f(void)\n"                /* 2 */
                                       "{\n"                          /* 3 */
                                       "    MP_PROFILE_FUNC();\n"     /* 4 */
                                       "    if (1) {\n"               /* 5 */
                                       "    }\n";                     /* 6 */

START_TEST(test_function_none)
{
    mp__source src;

    load_text(&src, unterminated_src);
    assert_function(&src, 1, 1, 1);
    assert_no_function(&src, 4);
    assert_no_function(&src, 6);
    assert_no_function(&src, 0);
    assert_no_function(&src, -1);
    assert_no_function(&src, 100);
    mp__source_free(&src);

    load_text(&src, "");
    assert_no_function(&src, 1);
    mp__source_free(&src);

    load_text(&src, "int f(void)\n{\n    /* unterminated }\n}\n");
    assert_no_function(&src, 3);
    mp__source_free(&src);
}
END_TEST

/* ---- Statement starts. */

static const char stmt_src[] =
    "void f(void)\n"                                  /* 1 */
    "{\n"                                             /* 2 */
    "    MP_PROFILE_FUNC();\n"                        /* 3 */
    "    MP_LINE(int *b = fill(malloc(160u << 20),\n" /* 4 */
    "                          160u << 20));\n"       /* 5 */
    "    MP_LINE(puts(\")\"),\n"                      /* 6 */
    "            puts(\"((\"));\n"                    /* 7 */
    "    MP_LINE(g('(',\n"                            /* 8 */
    "            /* ) */ ')'));\n"                    /* 9 */
    "    MP_RETURN(h(1,\n"                            /* 10 */
    "                2));\n"                          /* 11 */
    "    foo(a,\n"                                    /* 12 */
    "        b);\n"                                   /* 13 */
    "    MP_LINE(x);\n"                               /* 14 */
    "    MP_LINE\n"                                   /* 15 */
    "        (y);\n"                                  /* 16 */
    "    NOT_MP_LINE(a,\n"                            /* 17 */
    "        b);\n"                                   /* 18 */
    "#define MP_X(a) \\\n"                            /* 19 */
    "        (a)\n"                                   /* 20 */
    "    MP_LINE(z = 1,\n"                            /* 21 */
    "#if A\n"                                         /* 22 */
    "#define P (\n"                                   /* 23 */
    "#endif\n"                                        /* 24 */
    "        w); MP_LINE(v);\n"                       /* 25 */
    "    MP_LINE(\"unterminated ),\n"                 /* 26 */
    "            q);\n"                               /* 27 */
    "}\n";                                            /* 28 */

START_TEST(test_stmt_start)
{
    mp__source src;

    load_text(&src, stmt_src);
    ck_assert_int_eq(mp__source_stmt_start(&src, 3), 3);
    ck_assert_int_eq(mp__source_stmt_start(&src, 4), 4);
    ck_assert_int_eq(mp__source_stmt_start(&src, 5), 4);
    ck_assert_int_eq(mp__source_stmt_start(&src, 6), 6);
    ck_assert_int_eq(mp__source_stmt_start(&src, 7), 6);
    ck_assert_int_eq(mp__source_stmt_start(&src, 9), 8);
    ck_assert_int_eq(mp__source_stmt_start(&src, 11), 10);
    ck_assert_int_eq(mp__source_stmt_start(&src, 13), 13);
    ck_assert_int_eq(mp__source_stmt_start(&src, 14), 14);
    ck_assert_int_eq(mp__source_stmt_start(&src, 16), 15);
    ck_assert_int_eq(mp__source_stmt_start(&src, 18), 18);
    ck_assert_int_eq(mp__source_stmt_start(&src, 20), 20);
    ck_assert_int_eq(mp__source_stmt_start(&src, 25), 21);
    ck_assert_int_eq(mp__source_stmt_start(&src, 27), 26);
    ck_assert_int_eq(mp__source_stmt_start(&src, 28), 28);
    ck_assert_int_eq(mp__source_stmt_start(&src, 0), 0);
    ck_assert_int_eq(mp__source_stmt_start(&src, 100), 100);
    mp__source_free(&src);

    load_text(&src, "");
    ck_assert_int_eq(mp__source_stmt_start(&src, 1), 1);
    mp__source_free(&src);
}
END_TEST

/* lexer_suite() - the tests of lib/lexer.c. */
Suite *lexer_suite(void)
{
    Suite *s = suite_create("lexer");
    TCase *func = tcase_create("function");
    TCase *stmt = tcase_create("stmt_start");

    tcase_add_test(func, test_function_doc_comment);
    tcase_add_test(func, test_function_literals_comments);
    tcase_add_test(func, test_function_preprocessor);
    tcase_add_test(func, test_function_nested);
    tcase_add_test(func, test_function_attributes);
    tcase_add_test(func, test_function_two_and_one_line);
    tcase_add_test(func, test_function_knr);
    tcase_add_test(func, test_function_containers);
    tcase_add_test(func, test_function_crlf);
    tcase_add_test(func, test_function_none);
    suite_add_tcase(s, func);

    tcase_add_test(stmt, test_stmt_start);
    suite_add_tcase(s, stmt);
    return s;
}
